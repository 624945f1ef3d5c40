"""Officers and the group's councillors follow the responses to the
recommendations; officers enter one that came by letter or e-mail, and the
group can find a response inadequate and ask for a further one."""
import io
import re
from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import find_by_name
from scrutiny.responses.models import ResponseRequest
from scrutiny.storage import storage
from tests.conftest import csrf_token
from tests.files import make_pdf
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
ADDRESSEE = "Northshire Adult Social Care"
TODAY = date.today()


def _request(app, organisation=ADDRESSEE, *, sent_days_ago=10, due_in=20, round=1, **fields) -> str:
    with app.app_context():
        org = find_by_name(organisation)
        if org is None:
            org = Organisation(name=organisation, kind="nhs_body")
            db.session.add(org)
        row = ResponseRequest(topic_group=get_group_by_slug(GROUP), organisation=org, round=round,
                              sent_at=datetime.now() - timedelta(days=sent_days_ago) if sent_days_ago is not None
                              else None, due_on=TODAY + timedelta(days=due_in), **fields)
        db.session.add(row)
        db.session.commit()
        return row.public_id


def _row(app, public_id) -> dict:
    with app.app_context():
        row = db.session.scalar(select(ResponseRequest).where(ResponseRequest.public_id == public_id))
        return {"submitted_at": row.submitted_at, "entered_by": row.entered_by.email if row.entered_by else None,
                "submitted_by_name": row.submitted_by_name, "original_key": row.original_storage_key,
                "original_name": row.original_name, "inadequate_reason": row.inadequate_reason,
                "answers": [(a.decision, a.reason, [(x.description, x.owner_role, x.target_date) for x in a.actions])
                            for a in row.answers]}


def _text(html: str) -> str:
    """What a reader sees: the words without the markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ,", ",").replace(" ;", ";")


def _stored_files(app) -> list:
    with app.app_context():
        base = storage().root
    return [p for p in base.rglob("*") if p.is_file()] if base.exists() else []


@pytest.fixture
def officer(make_user):
    return make_user("officer", name="Olive Officer")


@pytest.fixture
def rid(app, second_case):
    with app.app_context():
        return get_group_by_slug(GROUP).recommendations[0].id


def test_the_overview_puts_overdue_first_then_by_due_date_with_each_status(app, second_case, browser, officer):
    awaiting = _request(app, "Northshire Clinical Commissioning", due_in=30)
    overdue = _request(app, "Northshire Hospitals Trust", sent_days_ago=40, due_in=-2)
    submitted = _request(app, ADDRESSEE, due_in=5, submitted_at=datetime(2026, 11, 20, 12),
                         submitted_by_name="Ann Responder")
    with app.app_context():
        from scrutiny.auth.services import find_user
        officer_id = find_user(officer).id
    entered = _request(app, "Carers in Northshire", due_in=10, submitted_at=datetime(2026, 11, 21, 12),
                       submitted_by_name="Carl Carer", entered_by_id=officer_id)
    not_sent = _request(app, "Northshire Police", sent_days_ago=None, due_in=60)
    browser.sign_in(officer)
    page = browser.get(f"/groups/{GROUP}/responses")
    assert page.status_code == 200
    check_page(page.text, "overview")
    order = [page.text.index(f'id="response-{p}"') for p in (overdue, submitted, entered, awaiting, not_sent)]
    assert order == sorted(order)
    text = " ".join(page.text.split())
    assert "Overdue" in text and "Awaiting response" in text and "Not sent yet" in text
    assert "Submitted on 20 November 2026 by Ann Responder" in text
    assert "Entered by Olive Officer on 21 November 2026 from a letter or e-mail" in text
    assert "No letters have been sent yet" not in text
    assert 'href="/groups/adult-social-care-waiting-times/responses"' in page.text  # in the group's sub-navigation


def test_before_any_letter_is_sent_the_overview_says_so(app, second_case, browser, officer):
    browser.sign_in(officer)
    page = browser.get(f"/groups/{GROUP}/responses")
    assert "No letters have been sent yet" in page.text
    assert f'href="/groups/{GROUP}/letters"' in page.text


def _entry(rid, **overrides) -> dict:
    data = {
        f"r{rid}-decision": "partially_accepted", f"r{rid}-reason": "Monthly figures need a new report first.",
        f"r{rid}-cabinet_member": "Cllr Jo Cabinet", f"r{rid}-lead_officer": "Sam Lead",
        f"r{rid}-actions": "2",
        f"r{rid}-action-0-description": "Publish waits quarterly from April", f"r{rid}-action-0-state": "planned",
        f"r{rid}-action-0-owner_role": "Head of Assessments", f"r{rid}-action-0-owner_name": "Pat Owner",
        f"r{rid}-action-0-target_date-day": "1", f"r{rid}-action-0-target_date-month": "4",
        f"r{rid}-action-0-target_date-year": str(TODAY.year + 1),
        f"r{rid}-action-1-description": "", f"r{rid}-action-1-owner_role": "",
        "signed_by": "Dana Director", "save": "1",
    }
    data.update(overrides)
    return data


LETTER = ("response-letter.pdf", make_pdf())


def _post_entry(browser, url, data, file=LETTER):
    page = browser.get(url)
    payload = {"csrf_token": csrf_token(page.text), **data}
    if file is not None:
        payload["original"] = (io.BytesIO(file[1]), file[0])
    browser.page = browser.client.post(url, data=payload, content_type="multipart/form-data")
    return browser.page


def test_an_officer_enters_a_response_from_a_letter_with_the_original(app, second_case, browser, officer, rid):
    public_id = _request(app)
    browser.sign_in(officer)
    url = f"/groups/{GROUP}/responses/{public_id}/enter"
    response = _post_entry(browser, url, _entry(rid))
    assert response.status_code == 302, response.text
    row = _row(app, public_id)
    assert row["submitted_at"] is not None and row["entered_by"] == officer
    assert row["submitted_by_name"] == "Dana Director" and row["original_name"] == "response-letter.pdf"
    assert row["answers"] == [("partially_accepted", "Monthly figures need a new report first.",
                               [("Publish waits quarterly from April", "Head of Assessments",
                                 date(TODAY.year + 1, 4, 1))])]
    page = browser.get(response.headers["Location"])
    check_page(page.text, "response")
    text = _text(page.text)
    assert (f"Entered by Olive Officer on {TODAY.strftime('%-d %B %Y')} from a letter or e-mail, "
            "signed by Dana Director; original: response-letter.pdf") in text
    assert "Partially accepted" in text and "Head of Assessments" in text and "Cllr Jo Cabinet" in text
    download = browser.client.get(f"/groups/{GROUP}/responses/{public_id}/original")
    assert download.status_code == 200 and download.data == make_pdf()
    # Entered once: the form is not offered again.
    assert browser.client.get(url).status_code == 302


@pytest.mark.parametrize("change,field,message", [
    ({"r{rid}-decision": "not_accepted", "r{rid}-reason": ""}, "r{rid}-reason",
     "Recommendation 1: say why it is not fully accepted"),
    ({"r{rid}-action-0-owner_role": ""}, "r{rid}-action-0-owner_role",
     "Recommendation 1, action 1: give the role of the person responsible"),
    ({"r{rid}-action-0-target_date-day": "", "r{rid}-action-0-target_date-month": "",
      "r{rid}-action-0-target_date-year": ""}, "r{rid}-action-0-target_date-day",
     "Recommendation 1, action 1: give a target date"),
    ({"r{rid}-action-0-target_date-year": str(TODAY.year - 1)}, "r{rid}-action-0-target_date-day",
     "Recommendation 1, action 1: the target date must not be in the past"),
    ({"r{rid}-action-0-target_date-day": "31", "r{rid}-action-0-target_date-month": "2"},
     "r{rid}-action-0-target_date-day", "Recommendation 1, action 1: the target date must be a real date"),
    ({"no-file": True}, "original", "Choose the letter or e-mail the response came in"),
])
def test_a_bad_entry_names_the_field_keeps_the_typing_and_stores_nothing(
        app, second_case, browser, officer, rid, change, field, message):
    public_id = _request(app)
    browser.sign_in(officer)
    change = {k.format(rid=rid): v for k, v in change.items()}
    no_file = change.pop("no-file", False)
    data = _entry(rid, **change)
    page = _post_entry(browser, f"/groups/{GROUP}/responses/{public_id}/enter", data,
                       file=None if no_file else LETTER)
    assert page.status_code == 200
    assert "govuk-error-summary" in page.text and page.text.count(message) == 2  # summary and field
    assert f'href="#{field.format(rid=rid)}"' in page.text
    assert "Dana Director" in page.text and "Pat Owner" in page.text  # typed text kept
    check_page(page.text, "enter")
    soup = BeautifulSoup(page.text, "html.parser")
    for link in soup.select(".govuk-error-summary a"):
        assert soup.select_one(link["href"]) is not None, f"{link['href']} points at nothing"
    row = _row(app, public_id)
    assert row["submitted_at"] is None and row["original_key"] is None
    assert row["answers"] == []  # not even a draft for the responders to find
    assert _stored_files(app) == []


def test_add_another_action_keeps_what_was_typed_and_saves_nothing(app, second_case, browser, officer, rid):
    public_id = _request(app)
    browser.sign_in(officer)
    data = _entry(rid, **{"add_action": str(rid)})
    del data["save"]
    page = _post_entry(browser, f"/groups/{GROUP}/responses/{public_id}/enter", data)
    assert page.status_code == 200 and "govuk-error-summary" not in page.text
    assert "Publish waits quarterly from April" in page.text
    assert f'name="r{rid}-action-1-description"' in page.text  # a fresh row under the one typed
    assert _row(app, public_id)["submitted_at"] is None and _stored_files(app) == []


def test_a_councillor_of_the_group_reads_responses_but_cannot_enter_one(app, second_case, browser, rid):
    public_id = _request(app, submitted_at=datetime(2026, 11, 20, 12), submitted_by_name="Ann Responder")
    browser.sign_in("member@second.example")
    assert browser.get(f"/groups/{GROUP}/responses").status_code == 200
    page = browser.get(f"/groups/{GROUP}/responses/{public_id}")
    assert page.status_code == 200 and "Submitted on 20 November 2026 by Ann Responder" in " ".join(page.text.split())
    assert "Find this response inadequate" not in page.text and "Enter a response" not in page.text
    assert browser.get(f"/groups/{GROUP}/responses/{public_id}/enter").status_code == 403
    token = csrf_token(page.text)
    response = browser.client.post(f"/groups/{GROUP}/responses/{public_id}/inadequate",
                                   data={"csrf_token": token, "reason": "Vague"})
    assert response.status_code == 403
    browser.sign_out()
    browser.sign_in("outsider@second.example")
    assert browser.get(f"/groups/{GROUP}/responses/{public_id}").status_code == 403


def test_finding_a_response_inadequate_asks_for_a_further_one_and_keeps_both(app, second_case, browser, officer):
    public_id = _request(app, submitted_at=datetime(2026, 11, 20, 12), submitted_by_name="Ann Responder")
    browser.sign_in(officer)
    url = f"/groups/{GROUP}/responses/{public_id}"
    due = TODAY + timedelta(days=28)
    page = browser.submit(f"{url}/inadequate", {"reason": "", "due_on": ["1", "1", str(TODAY.year - 1)]}, form_page=url)
    assert page.status_code == 200
    assert "Enter why the group finds this response inadequate" in page.text
    assert "must be today or later" in page.text
    page = browser.submit(f"{url}/inadequate", {
        "reason": "It gives no dates for the monthly figures.",
        "due_on": [str(due.day), str(due.month), str(due.year)]}, form_page=url)
    assert page.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(ResponseRequest).order_by(ResponseRequest.round)).all()
        assert [(r.round, r.organisation.name, r.due_on, r.sent_at, r.submitted_at is not None) for r in rows] == [
            (1, ADDRESSEE, TODAY + timedelta(days=20), rows[0].sent_at, True), (2, ADDRESSEE, due, None, False)]
        assert rows[0].inadequate_reason == "It gives no dates for the monthly figures."
        assert rows[0].inadequate_by.email == officer
    overview = " ".join(browser.get(f"/groups/{GROUP}/responses").text.split())
    assert "First response" in overview and "Further response (2)" in overview and "Not sent yet" in overview
    assert "Found inadequate on" in overview
    page = " ".join(browser.get(url).text.split())
    assert "It gives no dates for the monthly figures." in page
    assert "Find this response inadequate" not in page  # once is enough: round 2 is the answer to it


def test_a_letter_with_scripts_is_kept_without_them(app, second_case, browser, officer, rid):
    """An organisation's letter others will download is cleaned like a witness's PDF."""
    from tests.test_pdf_active_content import active_content, hostile_pdf, text_of

    public_id = _request(app)
    browser.sign_in(officer)
    hostile = hostile_pdf()
    response = _post_entry(browser, f"/groups/{GROUP}/responses/{public_id}/enter", _entry(rid),
                           file=("response-letter.pdf", hostile))
    assert response.status_code == 302, response.text
    download = browser.client.get(f"/groups/{GROUP}/responses/{public_id}/original").data
    assert active_content(download) == set()
    assert "Waiting lists" in text_of(download)
