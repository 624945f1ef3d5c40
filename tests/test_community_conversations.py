""""Speak to us one-to-one": residents ask on a public form (honeypot and
rate limit as the sign-up), officers work through the queue oldest first
and close each with notes; notes from conversations and discussions become
community evidence of the group, naming no one."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.community.models import ConversationRequest
from scrutiny.evidence.models import Submission
from scrutiny.extensions import db
from tests.community import GROUP, LEAD, make_event, text_of
from tests.conftest import csrf_token
from tests.test_pages_accessibility import check_page

FORM = f"/take-part/{GROUP}/one-to-one"


@pytest.fixture(autouse=True)
def _roomy_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMUNITY_FORM_LIMITS", "1000 per hour")


def _ask(client, **fields):
    page = client.get(FORM)
    data = {"csrf_token": csrf_token(page.text), "name": "Amina Begum", "preferred_language": "Sylheti",
            "contact_method": "phone", "contact": "07700 900123", "times": "Weekday evenings", **fields}
    return client.post(FORM, data=data)


def test_a_resident_asks_and_officers_see_the_queue_oldest_first(app, browser, second_case, smtp, run_jobs):
    page = browser.client.get(FORM)
    check_page(page.text, FORM)
    sent = _ask(browser.client)
    assert sent.status_code == 200 and "Request sent" in sent.text and "by phone" in sent.text
    _ask(browser.client, name="Bilal Khan", contact_method="email", contact="bilal@home.example")
    run_jobs()
    [ack] = smtp.to("bilal@home.example")
    assert "Thank you for asking to speak to us" in text_of(ack)

    browser.sign_in(LEAD)
    queue = browser.get(f"/groups/{GROUP}/community/conversations")
    check_page(queue.text, "queue")
    names = [a.text for a in BeautifulSoup(queue.text, "html.parser").select("tbody a")]
    assert names == ["Amina Begum", "Bilal Khan"]
    with app.app_context():
        first = db.session.scalar(select(ConversationRequest.public_id).where(ConversationRequest.name == "Amina Begum"))
    url = f"/groups/{GROUP}/community/conversations/{first}"
    shown = browser.get(url)
    assert "Notes are kept after the resident’s details are erased" in shown.text
    refused = browser.submit(url, {"notes": ""})
    assert "Enter notes on the conversation" in refused.text
    closed = browser.submit(url, {"notes": "Waited eight months for an assessment; nobody called back."})
    assert closed.status_code == 302
    queue = browser.get(f"/groups/{GROUP}/community/conversations")
    assert [a.text for a in BeautifulSoup(queue.text, "html.parser").select("tbody a")] == ["Bilal Khan"]

    notes_url = f"{url}/notes"
    form = BeautifulSoup(browser.get(notes_url).text, "html.parser")
    assert form.select_one("#title")["value"].startswith("Notes from a one-to-one conversation, ")
    assert "must name no one" in form.get_text()
    added = browser.submit(notes_url, {"title": form.select_one("#title")["value"],
                                       "body": "A resident waited eight months for an assessment."})
    assert added.status_code == 302
    page = browser.get(added.headers["Location"]).text
    assert "Community engagement" in page and "received in a one-to-one conversation from residents" in page
    with app.app_context():
        item = db.session.scalar(select(Submission))
        assert (item.kind, item.status, item.received_via, item.added_by.email) == (
            "community", "submitted", "conversation", LEAD)


def test_a_bad_request_is_refused_with_what_was_typed_kept(app, client, second_case):
    response = _ask(client, contact_method="email", contact="07700 900123")
    soup = BeautifulSoup(response.text, "html.parser")
    assert "Enter an email address in the correct format" in soup.select_one(".govuk-error-summary").text
    assert soup.select_one("#name")["value"] == "Amina Begum"
    honeypot = _ask(client, website="http://spam.example")
    assert "Request sent" in honeypot.text
    with app.app_context():
        assert db.session.scalar(select(ConversationRequest)) is None


def test_notes_from_a_discussion_become_evidence_with_a_prefilled_title(app, browser, second_case):
    event = make_event(app)
    with app.app_context():
        from datetime import datetime, timedelta

        from scrutiny.auth.services import find_user
        from scrutiny.community import events
        from scrutiny.community.models import DiscussionEvent

        row = db.session.scalar(select(DiscussionEvent))
        row.starts_at, row.ends_at = datetime.utcnow() - timedelta(hours=3), datetime.utcnow() - timedelta(hours=1)
        events.close(row, attendees=9, organisations="", languages_used=["en"], by=find_user(LEAD))
        db.session.commit()
    browser.sign_in(LEAD)
    event_page = browser.get(f"/groups/{GROUP}/community/events/{event}")
    assert "Add notes to the evidence" in event_page.text
    url = f"/groups/{GROUP}/community/events/{event}/notes"
    title = BeautifulSoup(browser.get(url).text, "html.parser").select_one("#title")["value"]
    assert title.startswith("Notes from the group discussion “Talking about care at home”, ")
    empty = browser.submit(url, {"title": title, "body": ""})
    assert "Enter the notes" in empty.text
    assert browser.submit(url, {"title": title, "body": "Carers described long waits."}).status_code == 302
    library = browser.get(f"/groups/{GROUP}/evidence").text
    assert "Talking about care at home" in library
