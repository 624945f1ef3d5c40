"""Asking for more time to respond, on the second review of our own: the
responder asks before the due date, the lead officer is e-mailed, an officer
grants (the due date moves, the links sent keep working to it, the responder
is e-mailed) or refuses with a note; an ask after the due date is refused
naming the field, with the typing kept; every ask shows on both pages."""
from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny import clock
from scrutiny.extensions import db
from scrutiny.links import hash_token
from scrutiny.responses import links
from scrutiny.responses.models import ExtensionRequest, ResponseRequest, ResponseToken
from tests.conftest import Browser, csrf_token
from tests.test_letters import SECOND, TRUST, second, signed_in  # noqa: F401
from tests.test_pages_accessibility import check_page
from tests.test_responses_portal import errors_of, open_link, post_form, request_of
from tests.test_responses_sending import LINK, response_links, sent, text  # noqa: F401

REASONS = "Our trust board meets on the 20th and must approve the response first.\nThe chief executive is away."
ON = "%-d %B %Y"



def _today(app):
    """The council's day, by its clock (TIMEZONE)."""
    with app.app_context():
        return clock.today()



def _date(day) -> dict:
    return {"proposed_due": [str(day.day), str(day.month), str(day.year)]}


def _responder(app, client, mailbox) -> tuple[Browser, ResponseRequest]:
    [token] = response_links(mailbox, "ceo@trust.example")
    return open_link(client, token), request_of(app, TRUST)


def _ask(browser, trust, day, reason=REASONS, name="Priya Patel", follow=True):
    url = f"/portal/responses/{trust.public_id}/more-time"
    return post_form(browser, url, {**_date(day), "reason": reason, "name": name}, follow=follow)


def _decide(officer, trust, decision, *, day=None, note="", extension=None):
    url = f"/groups/{SECOND}/responses/{trust.public_id}"
    page = officer.client.get(url)
    soup = BeautifulSoup(page.text, "html.parser")
    data = {"csrf_token": csrf_token(page.text),
            "extension": extension or soup.select_one("input[name=extension]")["value"],
            "decision": decision, "note": note}
    if day is not None:
        data["grant_due"] = [str(day.day), str(day.month), str(day.year)]
    return officer.client.post(f"{url}/more-time", data=data, follow_redirects=True)


def _due(app, public_id):
    with app.app_context():
        return db.session.scalar(select(ResponseRequest.due_on).where(ResponseRequest.public_id == public_id))


def _asks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ExtensionRequest))


def test_an_ask_before_the_due_date_is_granted_moving_the_date_and_telling_the_responder(app, sent, client, run_jobs):  # noqa: F811 - the fixture imported above
    responder, trust = _responder(app, client, sent)
    due = trust.due_on
    page = responder.client.get(f"/portal/responses/{trust.public_id}")
    assert f"If you cannot respond by {due.strftime(ON)}, ask for more time" in text(page)

    form = responder.client.get(f"/portal/responses/{trust.public_id}/more-time")
    assert form.status_code == 200
    check_page(form.text, "more time")
    asked_for = due + timedelta(days=14)
    page = _ask(responder, trust, asked_for)
    assert "Your request for more time has been sent to the scrutiny team" in text(page)
    assert (f"Priya Patel asked to respond by {asked_for.strftime(ON)} instead of {due.strftime(ON)}"
            in text(page))
    assert "Waiting for a decision" in text(page)
    assert "ask for more time" not in text(page)  # one ask at a time
    again = responder.client.get(f"/portal/responses/{trust.public_id}/more-time")
    assert f"You have already asked for more time, to {asked_for.strftime(ON)}" in text(again)
    assert "<form method=\"post\" novalidate>" not in again.text

    # The lead officer hears who asked, for what date, why, and where to decide.
    run_jobs()
    [mail] = sent.to("lead@second.example")
    assert mail["Subject"].strip() == f"{TRUST} asks for more time to respond: Adult Social Care Waiting Times"
    body = mail.get_body(("plain",)).get_content()
    assert "Priya Patel of Northshire Hospitals NHS Trust asks for more time" in body
    assert f"to {asked_for.strftime(ON)} instead of {due.strftime(ON)}" in body
    assert "Our trust board meets on the 20th" in body and "The chief executive is away." in body
    officer_page = f"/groups/{SECOND}/responses/{trust.public_id}"
    assert f"{app.config['BASE_URL']}{officer_page}#more-time" in body

    # The overview says an ask waits.
    officer = signed_in(app)
    overview = officer.get(f"/groups/{SECOND}/responses")
    assert f"More time asked for, to {asked_for.strftime(ON)}" in text(overview)

    # A link sent earlier and not yet used: it must keep working to the new date.
    with app.app_context():
        spare = links.issue_token(db.session.get(ResponseRequest, trust.id))
    page = officer.get(officer_page)
    check_page(page.text, "response with an ask")
    assert "Decide: Priya Patel asks to respond by" in text(page)
    date_boxes = BeautifulSoup(page.text, "html.parser")
    assert date_boxes.select_one("input#grant_due-day")["value"] == str(asked_for.day)  # the date asked for
    granted = due + timedelta(days=21)  # more than asked: the board moved
    page = _decide(officer, trust, "granted", day=granted, note="Granted to the end of the month after the board.")
    assert (f"More time granted: {TRUST} is now asked to respond by {granted.strftime(ON)}" in text(page))
    assert _due(app, trust.public_id) == granted
    assert f"Granted to {granted.strftime(ON)}" in text(page)
    assert "Priya Lead-Officer: Granted to the end of the month after the board." in text(page)
    assert "Decide:" not in text(page)
    with app.app_context():
        record = db.session.scalar(select(ResponseToken).where(ResponseToken.token_hash == hash_token(spare)))
        assert record.expires_at == links.link_expiry(db.session.get(ResponseRequest, trust.id))
        assert record.expires_at.date() > granted

    run_jobs()
    decided = sent.to("ceo@trust.example")[-1]
    assert decided["Subject"].strip() == "Your request for more time has been granted: Adult Social Care Waiting Times"
    body = decided.get_body(("plain",)).get_content()
    assert f"the response is now due by {granted.strftime(ON)} (you asked for {asked_for.strftime(ON)})" in body
    assert "Granted to the end of the month after the board." in body
    assert f"{app.config['BASE_URL']}/portal/new-link" in body and not LINK.findall(body)

    # The history, on the responder's page too, with the new date in force.
    page = responder.client.get(f"/portal/responses/{trust.public_id}")
    assert f"Granted on {_today(app).strftime(ON)}: now due by {granted.strftime(ON)}" in text(page)
    assert "The scrutiny team’s note: Granted to the end of the month after the board." in text(page)
    assert f"If you cannot respond by {granted.strftime(ON)}, ask for more time" in text(page)
    # And the spare link still opens the response page.
    assert open_link(app.test_client(), spare).page.request.path == f"/portal/responses/{trust.public_id}"


def test_a_refusal_needs_a_note_which_reaches_the_responder(app, sent, client, run_jobs):  # noqa: F811 - the fixture imported above
    responder, trust = _responder(app, client, sent)
    due = trust.due_on
    _ask(responder, trust, due + timedelta(days=30), reason="Staff shortages over the winter.", name="Sam Jones")
    officer = signed_in(app)

    page = _decide(officer, trust, "refused", note="  ")
    assert page.status_code == 200
    assert errors_of(page) == {"#note": f"Enter why the request for more time is refused: it is e-mailed to {TRUST}"}
    assert _due(app, trust.public_id) == due
    with app.app_context():
        assert db.session.scalar(select(ExtensionRequest)).decision == ""
    # A grant must move the date later: nothing is saved otherwise.
    page = _decide(officer, trust, "granted", day=due, note="Typed note")
    assert errors_of(page) == {"#grant_due": f"The new due date must be after the current one, {due.strftime(ON)}"}
    assert "Typed note" in page.text

    page = _decide(officer, trust, "refused", note="The statutory period cannot be extended for this review.")
    assert "Request for more time refused." in text(page)
    assert _due(app, trust.public_id) == due
    assert "Refused" in text(page) and "The statutory period cannot be extended for this review." in text(page)
    run_jobs()
    mail = sent.to("ceo@trust.example")[-1]
    assert mail["Subject"].strip() == "Your request for more time has been refused: Adult Social Care Waiting Times"
    body = mail.get_body(("plain",)).get_content()
    assert f"the response is still due by {due.strftime(ON)}" in body
    assert "The statutory period cannot be extended for this review." in body

    page = responder.client.get(f"/portal/responses/{trust.public_id}")
    assert f"Refused on {_today(app).strftime(ON)}" in text(page)
    assert "Sam Jones asked to respond by" in text(page)
    # Deciding again (a second tab) changes nothing.
    with app.app_context():
        extension_id = db.session.scalar(select(ExtensionRequest.id))
    page = _decide(officer, trust, "granted", day=due + timedelta(days=5), extension=str(extension_id))
    assert "already been decided" in text(page) and _due(app, trust.public_id) == due
    # A councillor of the group reads the history but cannot decide.
    councillor = signed_in(app, "member@second.example")
    page = councillor.get(f"/groups/{SECOND}/responses/{trust.public_id}")
    assert "Refused" in text(page)
    assert councillor.client.post(f"/groups/{SECOND}/responses/{trust.public_id}/more-time",
                                  data={"csrf_token": "x"}).status_code in (400, 403)


def test_an_ask_after_the_due_date_is_refused_naming_the_field_and_keeping_the_typing(app, sent, client):  # noqa: F811 - the fixture imported above
    responder, trust = _responder(app, client, sent)
    url = f"/portal/responses/{trust.public_id}/more-time"
    # Missing or wrong answers: each named at its field, nothing stored.
    page = _ask(responder, trust, trust.due_on, reason="", name="")
    assert errors_of(page) == {
        "#proposed_due": f"The date you propose must be after the current due date, {trust.due_on.strftime(ON)}",
        "#reason": "Enter why you need more time", "#name": "Enter your full name"}
    page = post_form(responder, url, {"proposed_due": ["31", "2", "2027"], "reason": "Kept", "name": "Kept Name"})
    assert "must be a real date" in text(page) and "Kept Name" in page.text

    # The form opened in time, sent after the due date has passed.
    form = responder.client.get(url)
    yesterday = _today(app) - timedelta(days=1)
    with app.app_context():
        db.session.get(ResponseRequest, trust.id).due_on = yesterday
        db.session.commit()
    typed = "Our finance director has been ill since the letter came."
    page = responder.client.post(url, data={"csrf_token": BeautifulSoup(form.text, "html.parser").select_one(
        "input[name=csrf_token]")["value"], **_date(_today(app) + timedelta(days=20)), "reason": typed,
        "name": "Alex Rivers"})
    assert page.status_code == 200
    check_page(page.text, "late ask")
    assert errors_of(page) == {"#proposed_due": "You can only ask for more time up to the due date, "
                                                f"{yesterday.strftime(ON)}. Contact the scrutiny team instead"}
    assert typed in page.text and 'value="Alex Rivers"' in page.text
    assert _asks(app) == 0
    # The response page offers no ask any more, and the form page says why.
    assert "ask for more time" not in text(responder.client.get(f"/portal/responses/{trust.public_id}"))
    assert "You can only ask for more time up to the due date" in text(responder.client.get(url))
