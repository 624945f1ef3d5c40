"""Found on a bad day: Redis down, or back empty, while people work. What
they saved stays saved, they are told what happens next, and the worker's
sweep sends and builds what Redis never had or forgot."""
from __future__ import annotations

import time
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.clock import utcnow
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
        # Generous: under CI's four test processes on two cores, the worker's forks queue for the CPU.
        wait_until(lambda: len(smtp.envelopes) >= 3, timeout=150, what="the e-mails held up")
        with app.app_context():
            wait_until(lambda: (db.session.expire_all() or db.session.scalar(select(Document.status))) == "done",
                       timeout=150, what="the build held up")
    subjects = sorted(m["Subject"].strip() for m in smtp.messages)
    assert any(s.startswith("We have received") for s in subjects), subjects
    assert any(s.startswith("Invitation to give evidence") for s in subjects), subjects
    assert any(s.startswith("Your new link") for s in subjects), subjects
    assert len(smtp.messages) == 3  # each once
    assert {e.status for e in _emails_to(app, "sam@social.example")} == {"sent"}


def _scheduled_reminders(app) -> set[str]:
    """The ids of reminder jobs Redis holds for later, of every kind."""
    from rq.job import Job

    from scrutiny import jobs

    with app.app_context():
        registry = jobs.queue().scheduled_job_registry
        return {i for i in registry.get_job_ids()
                if Job.fetch(i, connection=jobs.redis_connection()).func_name.endswith("automatic_reminder")}


def _build_state(officer, slug, public_id) -> dict:
    return officer.get(f"/groups/{slug}/documents/progress?id={public_id}").json["documents"][public_id]


def _awaited_response(app, due_in: int) -> None:
    from scrutiny import clock
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.organisations.services import find_by_name
    from scrutiny.responses.models import ResponseRequest

    with app.app_context():
        db.session.add(ResponseRequest(
            topic_group=get_group_by_slug(GROUP), organisation=find_by_name("Northshire Adult Social Care"), round=1,
            to_name="Director", to_address="director@social.example", sent_at=clock.utcnow() - timedelta(days=5),
            due_on=clock.today() + timedelta(days=due_in)))
        db.session.commit()


def test_redis_restarted_empty_mid_build_forgets_neither_the_build_the_worker_nor_the_reminders(
        app, demo_case, second_case, smtp, flaky_redis, database_url, tmp_path, run_jobs, monkeypatch):
    from tests.factories import make_invitation
    from tests.test_documents import _more_evidence
    from tests.test_portal import _send_link

    _send_link(app, run_jobs, make_invitation(app, GROUP, "Carers in Northshire", email="wit@carers.example", status="draft"))
    _awaited_response(app, due_in=20)  # a response whose reminder is ahead
    _more_evidence(app, 300)  # a build of several seconds
    # Judged lost after 2 s without a heartbeat (one a second): the build outlasts that on any machine.
    monkeypatch.setitem(app.config, "DOCUMENT_HEARTBEAT_GRACE", 2)
    officer = Browser(app.test_client())
    officer.sign_in("officer@example.org", "scrutiny-demo")

    with worker_process(worker_env(app, database_url, flaky_redis, app.config["MAIL_PORT"], tmp_path),
                        log=tmp_path / "worker.log"):
        # The witness's reminder and overdue notice, the response's reminder and notice.
        reminders = wait_until(lambda: (lambda s: s if len(s) == 4 else None)(_scheduled_reminders(app)),
                               what="four reminders scheduled")
        built = officer.submit(f"/groups/{demo_case}/documents/report/build", {},
                               form_page=f"/groups/{demo_case}/documents")
        with app.app_context():
            document = db.session.scalar(select(Document))
            public_id, created = document.public_id, document.created_at
        assert built.status_code == 302
        wait_until(lambda: _build_state(officer, demo_case, public_id)["status"] == "running", what="the build")

        flaky_redis.restart()  # as `make run`'s Redis did: back, and empty
        wait_until(lambda: a_worker_is_seen(app), timeout=5, what="the worker to be seen again")
        # The officer's page keeps asking; the build is still going, past the
        # grace a build whose job Redis does not know was given before.
        seen = set()
        grace = app.config["DOCUMENT_HEARTBEAT_GRACE"]
        while (state := _build_state(officer, demo_case, public_id))["status"] != "done":
            seen.add(state["status"])
            assert state["status"] != "failed", "a build still running was marked failed"
            time.sleep(0.3)
        assert utcnow() - created > timedelta(seconds=grace), "the build ended too soon to tell"
        wait_until(lambda: _scheduled_reminders(app) == reminders, timeout=10, what="the reminders again")
    assert "running" in seen
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert (document.status, document.error) == ("done", "")
    page = officer.get(f"/groups/{demo_case}/documents/{public_id}").text
    assert "The build stopped before it finished" not in page
