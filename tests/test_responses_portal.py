"""Responding through the portal: a link opened by a scanner is not spent,
the button spends it; another organisation's response is not there; a draft
keeps what was typed; errors are named by field with the typed text kept;
submitting records who and e-mails a receipt; afterwards it is read-only."""
from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.outbox.models import Email
from scrutiny.responses.models import ResponseRequest
from tests.conftest import Browser, csrf_token
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second  # noqa: F401
from tests.test_responses_sending import response_links, sent, text  # noqa: F401


def request_of(app, name) -> ResponseRequest:
    with app.app_context():
        found = next(r for r in db.session.scalars(select(ResponseRequest)) if r.organisation.name == name)
        db.session.expunge_all()
        return found


def open_link(client, token) -> Browser:
    browser = Browser(client)
    page = browser.submit(f"/portal/respond/{token}", {}, follow=True)
    assert page.status_code == 200
    return browser


def rid_of(app, name) -> int:
    with app.app_context():
        return next(r for r in db.session.scalars(select(ResponseRequest))
                    if r.organisation.name == name).organisation.id and _rec(name)


def _rec(name):
    from scrutiny.findings.models import Recommendation

    return next(r.id for r in db.session.scalars(select(Recommendation)) if any(o.name == name for o in r.addressees))


def post_form(browser, url, data, follow=False):
    page = browser.client.get(url)
    return browser.client.post(url, data={"csrf_token": csrf_token(page.text), **data}, follow_redirects=follow)


def errors_of(page) -> dict[str, str]:
    soup = BeautifulSoup(page.text, "html.parser")
    return {a["href"]: " ".join(a.get_text().split()) for a in soup.select(".govuk-error-summary a")}


def test_a_scanner_opening_the_link_twice_does_not_spend_it_the_button_does(app, sent, client):  # noqa: F811
    [token] = response_links(sent, "ceo@trust.example")
    for _ in range(2):
        page = client.get(f"/portal/respond/{token}")
        assert page.status_code == 200
        assert "Respond to the recommendations" in text(page) and "Northshire Hospitals NHS Trust" in text(page)
        assert "Adult Social Care Waiting Times" in text(page) and app.config["COUNCIL_NAME"] in text(page)
    trust = request_of(app, TRUST)
    assert trust.due_on.strftime("%-d %B %Y") in text(page)
    browser = open_link(client, token)
    assert browser.page.request.path == f"/portal/responses/{trust.public_id}"
    # Spent: the link now shows the portal's problem page, with a new link to ask for.
    again = app.test_client().get(f"/portal/respond/{token}")
    assert "This link has already been used" in text(again) and "Email me a new link" in text(again)


def test_another_organisations_response_is_not_found(app, sent, client):  # noqa: F811
    [token] = response_links(sent, "ceo@trust.example")
    browser = open_link(client, token)
    other = request_of(app, SOCIAL_CARE)
    assert browser.client.get(f"/portal/responses/{other.public_id}").status_code == 404
    assert browser.client.get(f"/portal/responses/{other.public_id}/check").status_code == 404
    assert browser.client.get(f"/portal/responses/{other.public_id}/letter").status_code == 404
    # Its own letter is there to download.
    mine = request_of(app, TRUST)
    letter = browser.client.get(f"/portal/responses/{mine.public_id}/letter")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")


def test_unknown_links_show_the_problem_page_and_a_new_link_goes_to_the_letters_address(app, sent, client, run_jobs):  # noqa: F811
    page = client.get("/portal/respond/not-a-real-token")
    assert "This link does not work" in text(page)
    before = len(sent.messages)
    page = Browser(client).submit("/portal/new-link", {"email": "CEO@trust.example"}, form_page="/portal/new-link")
    assert "Check your email" in text(page)
    Browser(client).submit("/portal/new-link", {"email": "nobody@else.example"}, form_page="/portal/new-link")
    run_jobs()
    assert len(sent.messages) == before + 1
    [old, new] = response_links(sent, "ceo@trust.example")
    assert "Your new link to respond" in sent.to("ceo@trust.example")[-1]["Subject"]
    # Both people (two links) reach the same shared draft.
    first, second_person = open_link(app.test_client(), old), open_link(app.test_client(), new)
    trust = request_of(app, TRUST)
    url = f"/portal/responses/{trust.public_id}"
    with app.app_context():
        rid = _rec(TRUST)
    post_form(first, url, {f"rec-{rid}-decision": "accepted", f"rec-{rid}-reason": "Shared work.", "action": "save"})
    assert "Shared work." in second_person.client.get(url).text


def test_draft_errors_and_submit(app, sent, client, run_jobs):  # noqa: F811
    [token] = response_links(sent, "ceo@trust.example")
    browser = open_link(client, token)
    trust = request_of(app, TRUST)
    url = f"/portal/responses/{trust.public_id}"
    with app.app_context():
        rid = _rec(TRUST)
        on = today()
    past = on - timedelta(days=3)
    later = on + timedelta(days=90)

    # Save draft: kept as typed, incomplete or not.
    page = post_form(browser, url, {
        f"rec-{rid}-decision": "not_accepted", f"rec-{rid}-reason": "",
        f"rec-{rid}-action-0-description": "Review discharge with the council", f"rec-{rid}-action-0-state": "planned",
        f"rec-{rid}-action-0-owner_role": "", f"rec-{rid}-action-0-owner_name": "",
        f"rec-{rid}-action-0-target_date-day": "", f"rec-{rid}-action-0-target_date-month": "",
        f"rec-{rid}-action-0-target_date-year": "", "action": "save"}, follow=True)
    assert "Your draft is saved" in text(page)
    assert "Review discharge with the council" in page.text

    # Check and submit: each gap named and linked to its field, typed text kept.
    page = post_form(browser, url, {
        f"rec-{rid}-decision": "not_accepted", f"rec-{rid}-reason": "",
        f"rec-{rid}-action-0-description": "Review discharge with the council", f"rec-{rid}-action-0-state": "planned",
        f"rec-{rid}-action-0-owner_role": "", f"rec-{rid}-action-0-owner_name": "Jo Bloggs",
        f"rec-{rid}-action-0-target_date-day": str(past.day), f"rec-{rid}-action-0-target_date-month": str(past.month),
        f"rec-{rid}-action-0-target_date-year": str(past.year), "action": "check"})
    assert page.status_code == 200
    assert errors_of(page) == {
        f"#rec-{rid}-reason": "Recommendation 2: say why it is not fully accepted",
        f"#rec-{rid}-action-0-owner_role": "Recommendation 2, action 1: give the role of the person responsible",
        f"#rec-{rid}-action-0-target_date-day": "Recommendation 2, action 1: the target date must not be in the past",
    }
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one(f"#rec-{rid}-action-0-description").get_text() == "Review discharge with the council"
    assert soup.select_one(f"#rec-{rid}-action-0-owner_name")["value"] == "Jo Bloggs"
    assert soup.select_one(f"#rec-{rid}-action-0-target_date-year")["value"] == str(past.year)
    assert soup.select_one(f"#rec-{rid}-decision-not_accepted").has_attr("checked")
    assert soup.title.get_text().startswith("Error:")

    # A date that is not a date: named, nothing saved, the typed text shown as typed.
    page = post_form(browser, url, {
        f"rec-{rid}-decision": "accepted", f"rec-{rid}-reason": "Typed once",
        f"rec-{rid}-action-0-description": "Typed action", f"rec-{rid}-action-0-state": "planned",
        f"rec-{rid}-action-0-owner_role": "Chief Operating Officer", f"rec-{rid}-action-0-owner_name": "",
        f"rec-{rid}-action-0-target_date-day": "31", f"rec-{rid}-action-0-target_date-month": "2",
        f"rec-{rid}-action-0-target_date-year": "2027", "action": "save"})
    assert "the target date must be a real date" in text(page)
    assert "Typed once" in page.text and "Chief Operating Officer" in page.text

    # "Add another action" saves and gives a new row.
    page = post_form(browser, url, {
        f"rec-{rid}-decision": "partially_accepted", f"rec-{rid}-reason": "Funding is not agreed beyond March.",
        f"rec-{rid}-action-0-description": "Agree a shared discharge plan", f"rec-{rid}-action-0-state": "planned",
        f"rec-{rid}-action-0-owner_role": "Chief Operating Officer", f"rec-{rid}-action-0-owner_name": "",
        f"rec-{rid}-action-0-target_date-day": str(later.day), f"rec-{rid}-action-0-target_date-month": str(later.month),
        f"rec-{rid}-action-0-target_date-year": str(later.year), "add": str(rid)}, follow=True)
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one(f"#rec-{rid}-action-1-description") is not None
    assert soup.select_one(f"#rec-{rid}-action-0-description").get_text() == "Agree a shared discharge plan"

    page = post_form(browser, url, {
        f"rec-{rid}-decision": "partially_accepted", f"rec-{rid}-reason": "Funding is not agreed beyond March.",
        f"rec-{rid}-action-0-description": "Agree a shared discharge plan", f"rec-{rid}-action-0-state": "planned",
        f"rec-{rid}-action-0-owner_role": "Chief Operating Officer", f"rec-{rid}-action-0-owner_name": "",
        f"rec-{rid}-action-0-target_date-day": str(later.day), f"rec-{rid}-action-0-target_date-month": str(later.month),
        f"rec-{rid}-action-0-target_date-year": str(later.year),
        f"rec-{rid}-action-1-description": "Daily discharge huddle", f"rec-{rid}-action-1-state": "in_place",
        f"rec-{rid}-action-1-owner_role": "Head of Patient Flow", "action": "check"}, follow=True)
    assert "Check your response before you submit it" in text(page)
    assert "Partially accepted" in text(page) and "Daily discharge huddle" in text(page)

    check = f"{url}/check"
    page = post_form(browser, check, {"name": "", "email": "not-an-address"})
    assert errors_of(page) == {"#name": "Enter your full name",
                               "#email": "Enter an email address in the correct format, like name@example.com"}
    page = post_form(browser, check, {"name": "Dr Ada Obi", "email": "ada.obi@trust.example"}, follow=True)
    assert "Response submitted" in text(page) and "by Dr Ada Obi" in text(page)
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select("textarea, input[type=radio]") == []  # read-only now

    with app.app_context():
        saved = db.session.get(ResponseRequest, trust.id)
        assert (saved.submitted_by_name, saved.submitted_by_email) == ("Dr Ada Obi", "ada.obi@trust.example")
        assert saved.submitted_at is not None
        assert [(a.decision, [x.owner_role for x in a.actions]) for a in saved.answers] == [
            ("partially_accepted", ["Chief Operating Officer", "Head of Patient Flow"])]
    run_jobs()
    [receipt] = sent.to("ada.obi@trust.example")
    body = receipt.get_body(("plain",)).get_content()
    assert "Recommendation 2: Partially accepted" in body
    assert "Reason: Funding is not agreed beyond March." in body
    assert "Daily discharge huddle (already in place; owner: Head of Patient Flow)" in body
    assert f"Agree a shared discharge plan (planned; owner: Chief Operating Officer; target date " \
           f"{later.strftime('%-d %B %Y')})" in body

    # Posting a draft now changes nothing.
    browser.client.post(url, data={"csrf_token": csrf_token(browser.client.get(check, follow_redirects=True)
                                                                   .text), f"rec-{rid}-decision": "accepted",
                                          "action": "save"})
    with app.app_context():
        assert db.session.get(ResponseRequest, trust.id).answers[0].decision == "partially_accepted"
        assert db.session.scalar(select(Email).where(Email.kind == "response_receipt")).to_address == \
            "ada.obi@trust.example"


def test_the_councils_executive_names_its_cabinet_member_and_lead_officer(app, sent, client):  # noqa: F811
    [token] = response_links(sent, "leader@council.example")
    browser = open_link(client, token)
    page = browser.page
    assert "Cabinet member responding" in page.text and "Lead officer" in page.text
    [token] = response_links(sent, "ceo@trust.example")
    assert "Cabinet member responding" not in open_link(app.test_client(), token).page.text
