"""Sending the signed-off letters: refused naming what is missing, one
request and one e-mail per addressee with a single-use response link whose
token is never stored, the letters page saying what went when, and a
second press sending nothing again."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.auth.services import find_user
from scrutiny.clock import today, utcnow
from scrutiny.extensions import db
from scrutiny.findings import agreement
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name
from scrutiny.outbox.models import Email
from scrutiny.responses.models import ResponseRequest, ResponseToken
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, build, second, set_contact, signed_in  # noqa: F401

LETTERS = f"/groups/{SECOND}/letters"
LINK = re.compile(r"http://[^\s\"<>]+/portal/respond/([A-Za-z0-9_-]+)")
ADDRESSES = {SOCIAL_CARE: "director@asc.example", TRUST: "ceo@trust.example"}


def set_email(app, name, address):
    with app.app_context():
        find_by_name(name).email = address
        db.session.commit()


def sign_off(app):
    with app.app_context():
        group = get_group_by_slug(SECOND)
        # Recorded as sent earlier: the members' e-mails about it are not what these tests count.
        agreement.circulate(group, find_user("lead@second.example"), at=utcnow() - timedelta(days=1))
        agreement.sign_off(group, find_user("chair@second.example"))
        db.session.commit()


def set_social_care_date(app):
    from scrutiny.responses import services as responses

    with app.app_context():
        responses.set_due_date(get_group_by_slug(SECOND), find_by_name(SOCIAL_CARE), today() + timedelta(days=60),
                               "", find_user("lead@second.example"))
        db.session.commit()


def ready(app, run_jobs, council_email="leader@council.example"):
    """The second review's three addressees with contacts, e-mail addresses
    (the council's executive's as given), dates, signed-off text and built letters."""
    set_contact(app, SOCIAL_CARE)
    set_social_care_date(app)
    for name, address in ADDRESSES.items():
        set_email(app, name, address)
    set_email(app, app.config["COUNCIL_NAME"], council_email)
    sign_off(app)
    build(signed_in(app))
    run_jobs()


def send(browser, follow=True):
    return browser.submit(f"{LETTERS}/send", {}, form_page=LETTERS, follow=follow)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def text(page) -> str:
    return " ".join(BeautifulSoup(page.text, "html.parser").get_text(" ").split())


@pytest.fixture
def sent(app, second, smtp, run_jobs):  # noqa: F811 - the fixture imported above
    """The letters sent and their e-mails delivered to the loopback server."""
    ready(app, run_jobs)
    page = send(signed_in(app))
    assert page.status_code == 200
    run_jobs()
    return smtp


def response_links(mailbox, address) -> list[str]:
    return [m for message in mailbox.to(address)
            for m in LINK.findall(message.get_body(("plain",)).get_content())]


def test_sending_is_refused_naming_what_is_missing(app, second, run_jobs):  # noqa: F811
    set_contact(app, SOCIAL_CARE)
    set_social_care_date(app)
    officer = signed_in(app)
    page = officer.get(LETTERS)
    assert "The group’s draft report has not been signed off" in text(page)
    assert "The letter to Northshire Hospitals NHS Trust has not been built" in text(page)
    assert "Northshire Adult Social Care has no e-mail address to send the letter to" in text(page)
    soup = BeautifulSoup(page.text, "html.parser")
    edit = find_by_name_id(app, SOCIAL_CARE)
    assert soup.select_one(f"#send ~ ul a[href='/organisations/{edit}/edit']") is not None
    assert soup.find("button", string="Send the letters and response links") is None

    # Posting anyway changes nothing and says why.
    page = send(officer)
    assert "The letters were not sent" in text(page) and "has not been signed off" in text(page)
    assert count(app, ResponseRequest) == 0 and count(app, Email) == 0


def find_by_name_id(app, name) -> int:
    with app.app_context():
        return find_by_name(name).id


def test_an_out_of_date_letter_stops_the_sending(app, second, run_jobs):  # noqa: F811
    ready(app, run_jobs)
    with app.app_context():
        find_by_name(TRUST).contact_name = "Dr Someone Else"  # in the letter: it is now out of date
        db.session.commit()
    page = send(signed_in(app))
    assert "The letter to Northshire Hospitals NHS Trust is out of date: build the letters again" in text(page)
    assert count(app, ResponseRequest) == 0


def test_sending_makes_one_request_and_one_email_per_addressee_with_a_link_never_stored(app, sent):
    council = app.config["COUNCIL_NAME"]
    with app.app_context():
        requests = {r.organisation.name: r for r in db.session.scalars(select(ResponseRequest))}
        assert set(requests) == {SOCIAL_CARE, TRUST, council}
        trust = requests[TRUST]
        assert (trust.to_name, trust.to_address, trust.round) == ("Dr Ada Obi", "ceo@trust.example", 1)
        assert requests[council].to_name == "Leader of the Council"  # only the role is known
        assert trust.sent_by.name == "Priya Lead-Officer" and trust.sent_at is not None
        assert trust.document_id is not None
        trust_due = trust.due_on
        emails = list(db.session.scalars(select(Email)))
        stored_hashes = {t.token_hash for t in db.session.scalars(select(ResponseToken))}
        on = today()
    assert trust_due == on + timedelta(days=28)

    [message] = sent.to("ceo@trust.example")
    body = message.get_body(("plain",)).get_content()
    assert "Dear Dr Ada Obi" in body
    assert f"Please respond by {trust_due.strftime('%-d %B %Y')}" in body
    assert "made 1 recommendation to Northshire Hospitals NHS Trust" in body
    assert "download the letter (PDF)" in body
    assert "Priya Lead-Officer, lead officer" in body  # the team contact
    [token] = LINK.findall(body)
    assert len(emails) == 3 and all(e.status == "sent" for e in emails)
    # Only the hash is kept: neither the e-mail's record nor the tokens' table holds the link.
    assert not any(token in (e.body_text + e.body_html) for e in emails)
    assert all("[personal link]" in e.body_text for e in emails)
    assert token not in stored_hashes and len(stored_hashes) == 3
    assert len(sent.to("director@asc.example")) == 1 and len(sent.to("leader@council.example")) == 1

    # The letters page says what went when, per addressee.
    page = signed_in(app).get(LETTERS)
    row = BeautifulSoup(page.text, "html.parser").select_one(f"#addressee-{find_by_name_id(app, TRUST)}")
    assert f"Sent on {on.strftime('%-d %B %Y')}, response due {trust_due.strftime('%-d %B %Y')}" in \
        " ".join(row.get_text(" ").split())
    assert "Every letter has been sent with its response link." in text(page)


def test_sending_again_creates_nothing_and_says_so(app, sent, run_jobs):
    officer = signed_in(app)
    page = send(officer)
    assert "Already sent before, so not sent again" in text(page)
    run_jobs()
    assert count(app, ResponseRequest) == 3 and count(app, Email) == 3
    assert len(sent.messages) == 3


def test_a_councillor_cannot_send(app, second, run_jobs):  # noqa: F811
    ready(app, run_jobs)
    member = signed_in(app, "member@second.example")
    assert "Send the letters" not in member.get(LETTERS).text
    assert send(member, follow=False).status_code == 403
    assert count(app, ResponseRequest) == 0


def test_a_further_response_the_group_asks_for_goes_with_its_reason(app, sent, run_jobs):
    from scrutiny.responses import inadequate, replies

    with app.app_context():
        request = db.session.scalar(select(ResponseRequest).where(
            ResponseRequest.organisation_id == find_by_name(TRUST).id))
        for answer in replies.answers(request):
            answer.decision = "not_accepted"
            answer.reason = "No budget this year."
        replies.submit(request, name="Ann Chief", email="ceo@trust.example", today=today())
        inadequate.find_inadequate(request, reason="The response gives no plan for next year either.",
                                   due_on=today() + timedelta(days=28), by=find_user("lead@second.example"),
                                   today=today())
    officer = signed_in(app)
    page = officer.get(LETTERS)
    assert f"asked for a further response from {TRUST}" in text(page)
    send(officer)
    run_jobs()
    messages = sent.to(ADDRESSES[TRUST])
    assert len(messages) == 2
    body = messages[-1].get_body(("plain",)).get_content()
    assert "asks for a further response" in body
    assert "The response gives no plan for next year either." in body
    assert response_links(sent, ADDRESSES[TRUST])[-1] != response_links(sent, ADDRESSES[TRUST])[0]
    with app.app_context():
        rounds = db.session.scalars(select(ResponseRequest).where(
            ResponseRequest.organisation_id == find_by_name(TRUST).id).order_by(ResponseRequest.round)).all()
        assert [(r.round, r.sent_at is not None) for r in rounds] == [(1, True), (2, True)]
    assert "Every letter has been sent with its response link." in text(officer.get(LETTERS))
