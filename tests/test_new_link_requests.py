""""Email me a new link" tells nobody which addresses have invitations: the
same page, and the same work while the request waits, whatever the address."""
import re

from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.jobs import queue
from scrutiny.outbox.models import Email
from tests.conftest import Browser
from tests.factories import make_invitation
from tests.test_invitations_journey import GROUP

KNOWN, UNKNOWN = "wit@carers.example", "nobody@carers.example"


def ask(app, email: str):
    return Browser(app.test_client()).submit("/portal/new-link", {"email": email})


def page_without(page, email: str) -> str:
    """The page with the address it echoes , its form token and its script nonces taken out."""
    return re.sub(r'(value|nonce)="[^"]*"', "", page.text.replace(email, "ADDRESS"))


def emails(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Email))


def test_a_known_and_an_unknown_address_do_the_same_work_while_the_request_waits(app, second_case, smtp, run_jobs):
    make_invitation(app, GROUP, "Carers in Northshire", email=KNOWN)
    pages = {}
    for email in (KNOWN, UNKNOWN):
        with app.app_context():
            before = [job.id for job in queue().jobs]
        pages[email] = ask(app, email)
        with app.app_context():
            added = [job for job in queue().jobs if job.id not in before]
        # One job, described alike, and nothing recorded yet: the lookup is the worker's.
        assert [(job.func_name, job.description) for job in added] == [
            ("scrutiny.portal.new_link.send_links", "new link request")], email
        assert emails(app) == 0, email
    assert page_without(pages[KNOWN], KNOWN) == page_without(pages[UNKNOWN], UNKNOWN)
    run_jobs()
    assert [m["To"] for m in smtp.messages] == [f"Wendy Witness <{KNOWN}>"]
    assert smtp.messages[0]["Subject"].startswith("Your new link")


def test_with_redis_down_a_known_and_an_unknown_address_get_the_same_page(app, app_without_redis, second_case):
    make_invitation(app, GROUP, "Carers in Northshire", email=KNOWN)
    known, unknown = ask(app_without_redis, KNOWN), ask(app_without_redis, UNKNOWN)
    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.text
    assert page_without(known, KNOWN) == page_without(unknown, UNKNOWN)
    # The known address's e-mail waits in the outbox for a worker to start.
    with app.app_context():
        assert db.session.scalars(select(Email.to_address)).all() == [KNOWN]
