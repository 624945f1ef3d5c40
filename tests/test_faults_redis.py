"""Found on a bad day: Redis down, or back empty, while people work. What
they saved stays saved, they are told what happens next, and the worker's
sweep sends and builds what Redis never had or forgot."""
from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.documents.models import Document
from scrutiny.extensions import db
from scrutiny.outbox.models import Email
from tests.conftest import Browser
from tests.faults import a_worker_is_seen, wait_until, worker_env
from tests.files import make_pdf
from tests.test_invitations_journey import GROUP
from tests.test_portal import _draft, _post_files, _witness
from tests.workers import worker_process


def _banners(page) -> list[str]:
    soup = BeautifulSoup(page.text, "html.parser")
    return [b.get_text(" ", strip=True) for b in soup.select(".govuk-notification-banner")]


def _invite(officer, app, email):
    from datetime import date, timedelta

    from scrutiny.organisations.services import find_by_name

    with app.app_context():
        org_id = find_by_name("Northshire Adult Social Care").id
    deadline = date.today() + timedelta(days=14)
    return officer.submit(f"/groups/{GROUP}/invitations/new", {
        "organisation_id": org_id, "contact_name": "Sam Social", "contact_email": email, "questions": "How long?",
        "deadline": [str(deadline.day), str(deadline.month), str(deadline.year)], "send_now": "y"})


def _emails_to(app, address) -> list[Email]:
    with app.app_context():
        emails = list(db.session.scalars(select(Email).where(Email.to_address == address)))
        db.session.expunge_all()
        return emails


def test_with_redis_down_what_people_save_is_kept_and_goes_once_redis_is_back(
        app, second_case, demo_case, smtp, flaky_redis, database_url, tmp_path, run_jobs):
    witness, _, landing, start = _witness(app, smtp, run_jobs)
    edit_url = _draft(witness, landing)
    assert _post_files(witness, edit_url, [("waits.pdf", make_pdf())], title="Carers wait").status_code == 302
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    demo_officer = Browser(app.test_client())  # the demo's report has what a build needs
    demo_officer.sign_in("officer@example.org", "scrutiny-demo")
    smtp.envelopes.clear()

    with worker_process(worker_env(app, database_url, flaky_redis, app.config["MAIL_PORT"], tmp_path),
                        log=tmp_path / "worker.log"):
        wait_until(lambda: a_worker_is_seen(app), what="the worker to sign on")
        flaky_redis.stop()

        submitted = witness.submit(f"{edit_url}/submit", {"notice_confirmed": "y"})
        assert submitted.status_code == 302
        page = witness.get(submitted.headers["Location"])
        assert "Your evidence has been submitted" in page.text
        assert "The e-mail is saved and will be sent shortly." in " ".join(_banners(page))

        invited = _invite(officer, app, "sam@social.example")
        assert invited.status_code == 302
        assert "The e-mail is saved and will be sent shortly." in " ".join(_banners(officer.get(
            invited.headers["Location"])))

        asked = Browser(app.test_client()).submit("/portal/new-link", {"email": "wit@carers.example"})
        assert asked.status_code == 200 and "Check your email" in asked.text

        built = demo_officer.submit(f"/groups/{demo_case}/documents/report/build", {},
                                    form_page=f"/groups/{demo_case}/documents")
        assert built.status_code == 302
        assert "The build is saved and will start shortly." in " ".join(_banners(demo_officer.get(
            built.headers["Location"])))

        # Nothing went while Redis was away; it comes back empty, and the
        # running worker's sweep finds everything owed in the database.
        assert smtp.envelopes == []
        flaky_redis.start()
        wait_until(lambda: len(smtp.envelopes) >= 3, timeout=40, what="the e-mails held up")
        with app.app_context():
            wait_until(lambda: (db.session.expire_all() or db.session.scalar(select(Document.status))) == "done",
                       timeout=60, what="the build held up")
    subjects = sorted(m["Subject"].strip() for m in smtp.messages)
    assert any(s.startswith("We have received") for s in subjects), subjects
    assert any(s.startswith("Invitation to give evidence") for s in subjects), subjects
    assert any(s.startswith("Your new link") for s in subjects), subjects
    assert len(smtp.messages) == 3  # each once
    assert {e.status for e in _emails_to(app, "sam@social.example")} == {"sent"}
