"""Found on a bad day: the mail server is down. E-mails are tried again,
and the officer sees plainly that they have not gone, and why."""
from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.invitations.models import Invitation
from scrutiny.outbox.models import Email
from tests.conftest import Browser
from tests.services import free_port
from tests.test_invitations_journey import GROUP, invite


def _mail_server_down(app, monkeypatch):
    """Nothing listens where the app sends mail."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())


def _email_row(page_text: str) -> str:
    soup = BeautifulSoup(page_text, "html.parser")
    [row] = [r for r in soup.select("table tr") if "Invitation to give evidence" in r.get_text()]
    return row.get_text(" ", strip=True)


def _officer_sends_an_invitation(app):
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    assert invite(officer, app).status_code == 302
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        return officer, invitation.public_id


def test_with_the_mail_server_down_an_email_waiting_for_its_retry_shows_as_retrying(
        app, second_case, run_jobs, monkeypatch):
    _mail_server_down(app, monkeypatch)
    monkeypatch.setitem(app.config, "MAIL_RETRY_INTERVALS", [3600])
    officer, public_id = _officer_sends_an_invitation(app)
    run_jobs()
    row = _email_row(officer.get(f"/groups/{GROUP}/invitations/{public_id}").text)
    assert "Retrying" in row and "Connection refused" in row, row
    with app.app_context():
        email = db.session.scalar(select(Email))
        assert (email.status, email.attempts, email.sent_at) == ("retrying", 1, None)
        assert db.session.scalar(select(Invitation.status)) == "draft"  # not marked sent


def test_with_the_mail_server_down_every_retry_is_used_then_the_email_shows_as_not_sent(
        app, second_case, run_jobs, monkeypatch):
    _mail_server_down(app, monkeypatch)
    officer, public_id = _officer_sends_an_invitation(app)
    run_jobs()  # the test settings retry at once, twice
    page = officer.get(f"/groups/{GROUP}/invitations/{public_id}").text
    row = _email_row(page)
    assert "Not sent" in row and "Connection refused" in row, row
    with app.app_context():
        email = db.session.scalar(select(Email))
        assert (email.status, email.attempts) == ("failed", 1 + len(app.config["MAIL_RETRY_INTERVALS"]))
