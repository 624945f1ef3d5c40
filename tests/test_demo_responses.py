"""The demo after `make run`: its letters sent in September 2021, the
organisations' responses (one entered by the officer, one after an
extension, one overdue), progress on their actions and the group's
6-month review, all on the review's own timeline and with no e-mail sent.
A review of our own loads the same way, and a case file that breaks the
app's rules is refused."""
from __future__ import annotations

from datetime import date, time

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.clock import local_to_utc
from scrutiny.demo.loader import load_case
from scrutiny.demo.responses import CaseError
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.outbox.models import Email
from scrutiny.responses import judgements, scale
from scrutiny.responses.models import (
    ActionDateChange, ActionProgress, ExtensionRequest, Judgement, RecommendationResponse, ResponseAction,
    ResponseRequest, ReviewPoint)
from tests.conftest import Browser
from tests.test_letters import TRUST, second  # noqa: F401
from tests.test_pages_accessibility import check_page
from tests.test_responses_sending import response_links, sent  # noqa: F401

DEMO = "bame-health-inequalities"
OFFICER = "officer@example.org"
MENTAL_HEALTH = "Hertfordshire Partnership University NHS Foundation Trust"
ACUTE = "East and North Hertfordshire NHS Trust"
WEST = "West Hertfordshire Teaching Hospitals NHS Trust"
COMMUNITY = "Hertfordshire Community NHS Trust"
ICB = "Hertfordshire and West Essex Integrated Care Board"
PARTNERSHIP = "Health in Hertfordshire"


def text(page) -> str:
    return " ".join(BeautifulSoup(page.text, "html.parser").get_text(" ").split())


def requests_by_name() -> dict[str, ResponseRequest]:
    return {r.organisation.name: r for r in db.session.scalars(select(ResponseRequest))}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def signed_in(app, email=OFFICER, password="scrutiny-demo") -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(email, password)
    return browser


# ---- what was loaded -------------------------------------------------------------------------


def test_every_addressee_was_sent_its_letter_on_the_timeline_and_no_email_goes_now(app, demo_case):
    from scrutiny.jobs import queue

    council = app.config["COUNCIL_NAME"]
    with app.app_context():
        group = get_group_by_slug(demo_case)
        requests = requests_by_name()
        addressees = {o.name for r in group.recommendations for o in r.addressees}
        assert set(requests) == addressees and len(requests) == 7
        sent = local_to_utc(date(2021, 9, 14), time(11))
        for name, request in requests.items():
            organisation = request.organisation
            assert (request.round, request.sent_at, request.sent_by.email) == (1, sent, OFFICER), name
            assert request.to_name == organisation.contact_name and request.to_address == organisation.email
            assert request.document_id is None  # letters are built on request, after loading
        # Due by kind: 28 days for the NHS, two months for the executive, the officer's date for the
        # partnership; the trust granted an extension has its new date.
        assert {n: r.due_on for n, r in requests.items()} == {
            council: date(2021, 11, 14), PARTNERSHIP: date(2021, 11, 30), WEST: date(2021, 11, 2),
            MENTAL_HEALTH: date(2021, 10, 12), ACUTE: date(2021, 10, 12), COMMUNITY: date(2021, 10, 12),
            ICB: date(2021, 10, 12)}
        assert group.tracker_code == "2021-22/BHI"
        assert group.status == "monitoring_responses"
        assert count(Email) == 0
        assert len(queue()) == 0 and queue().scheduled_job_registry.count == 0


def test_the_responses_came_back_with_their_decisions_and_actions(app, demo_case):
    council = app.config["COUNCIL_NAME"]
    with app.app_context():
        requests = requests_by_name()
        assert sorted(n for n, r in requests.items() if not r.is_submitted) == [COMMUNITY]
        for name, request in requests.items():
            if not request.is_submitted:
                continue
            numbers = {a.recommendation.number for a in request.answers}
            assert numbers == {r.number for r in request.topic_group.recommendations
                               if request.organisation in r.addressees}, name
            for answer in request.answers:
                assert answer.decision in ("accepted", "partially_accepted"), name
                assert answer.actions, name
                if answer.decision != "accepted":
                    assert answer.reason, name
                for action in answer.actions:
                    assert action.description and action.owner_role and action.owner_name
                    assert action.state == "in_place" or action.target_date is not None
        assert requests[MENTAL_HEALTH].submitted_by_name == "Dr Michael Owusu"
        assert requests[MENTAL_HEALTH].submitted_at == local_to_utc(date(2021, 10, 11), time(16, 40))
        executive = requests[council].answers[0]
        assert executive.cabinet_member.startswith("Councillor Alan Reyes")
        assert executive.lead_officer.endswith("Director of Public Health")

        entered = requests[ICB]
        assert entered.entered_by.email == OFFICER and entered.submitted_by_name == "Jane Whitfield"
        assert entered.original_name == "icb-response-letter.pdf" and entered.original_size > 0

        [extension] = db.session.scalars(select(ExtensionRequest)).all()
        assert extension.request.organisation.name == WEST
        assert (extension.decision, extension.due_before, extension.proposed_due, extension.granted_due) == (
            "granted", date(2021, 10, 12), date(2021, 11, 5), date(2021, 11, 2))
        assert extension.decided_by.email == OFFICER and extension.asked_at < requests[WEST].submitted_at


def test_progress_a_moved_date_and_the_six_month_judgements(app, demo_case):
    with app.app_context():
        group = get_group_by_slug(demo_case)
        assert count(ActionProgress) >= 8
        for action in db.session.scalars(select(ResponseAction)):
            if action.progress:
                latest = action.progress[-1]
                assert (action.progress_status, action.progress_on) == (latest.status, latest.recorded_on)
            else:
                assert (action.progress_status, action.progress_on) == ("", None)
        assert {p.status for p in db.session.scalars(select(ActionProgress))} >= {"on_track", "at_risk", "done"}

        [moved] = db.session.scalars(select(ActionDateChange)).all()
        action = moved.action
        assert action.response.request.organisation.name == ACUTE
        assert (moved.from_date, moved.to_date) == (date(2022, 3, 31), date(2022, 9, 30)) and moved.reason
        assert (action.original_target_date, action.target_date, action.date_moved) == (
            date(2022, 3, 31), date(2022, 9, 30), True)

        six, twelve = group.review_points
        assert (six.label, six.due_on, twelve.label, twelve.due_on) == (
            "6-month review", date(2022, 3, 14), "12-month review", date(2022, 9, 14))
        assert six.held_at == local_to_utc(date(2022, 3, 22), time(18, 30)) and twelve.held_at is None
        found = {j.recommendation.number: j for j in six.judgements}
        assert sorted(found) == [1, 2, 3, 4, 5, 6] and count(Judgement) == 6
        assert {j.value for j in found.values()} <= {v.value for v in scale.values()}
        assert found[6].value == "paused" and found[6].reason
        for judgement in found.values():  # each stands by the scale's rules
            judgements.check(judgements.Proposed(judgement.recommendation, judgement.value, judgement.reason))


def test_loading_the_demo_again_adds_no_letters_responses_or_judgements(app, demo_case):
    models = (ResponseRequest, RecommendationResponse, ResponseAction, ActionProgress, ActionDateChange,
              ExtensionRequest, ReviewPoint, Judgement)
    with app.app_context():
        before = {m.__name__: count(m) for m in models}
        report = load_case()
        assert report.created == []
        assert {m.__name__: count(m) for m in models} == before


# ---- what officers and councillors see ---------------------------------------------------------


def test_the_responses_overview_shows_each_organisation_and_the_overdue_one_first(app, demo_case):
    officer = signed_in(app)
    page = officer.get(f"/groups/{DEMO}/responses")
    assert page.status_code == 200
    check_page(page.text, "responses")
    soup = BeautifulSoup(page.text, "html.parser")
    rows = [" ".join(tr.get_text(" ").split()) for tr in soup.select("tbody tr")]
    assert len(rows) == 7
    assert rows[0].startswith(COMMUNITY) and "12 October 2021" in rows[0] and rows[0].endswith("Overdue")
    seen = text(page)
    assert "Submitted on 7 October 2021 by Claire Benson" in seen
    assert "Entered by Sam Patel on 12 October 2021 from a letter or e-mail" in seen
    west = next(r for r in rows if r.startswith(WEST))
    assert "14 September 2021" in west and "2 November 2021" in west and "Submitted on 29 October 2021" in west
    # The group's councillors follow the same page.
    councillor = signed_in(app, "councillor@example.org")
    assert "Overdue" in text(councillor.get(f"/groups/{DEMO}/responses"))


def _response_page(app, browser, name):
    with app.app_context():
        public_id = requests_by_name()[name].public_id
    page = browser.get(f"/groups/{DEMO}/responses/{public_id}")
    assert page.status_code == 200
    return page, public_id


def test_a_response_page_shows_the_decisions_reasons_actions_and_the_moved_date(app, demo_case):
    officer = signed_in(app)
    page, _ = _response_page(app, officer, ACUTE)
    check_page(page.text, "response")
    seen = text(page)
    assert "Response from East and North Hertfordshire NHS Trust" in seen
    assert "Submitted on 7 October 2021 by Claire Benson" in seen
    assert "Partially accepted" in seen and "commissioned from primary care" in seen
    assert "Continuity-of-carer midwifery teams" in seen and "Already in place" in seen
    assert "Chief Nurse Lorraine Hughes" in seen
    assert "30 September 2022 Date moved first given as 31 March 2022" in seen

    executive, _ = _response_page(app, officer, app.config["COUNCIL_NAME"])
    seen = text(executive)
    assert "Cabinet member Councillor Alan Reyes, Executive Member for Public Health and Prevention" in seen
    assert "Lead officer Dr Kate Morris, Director of Public Health" in seen

    overdue, _ = _response_page(app, officer, COMMUNITY)
    assert "Overdue" in text(overdue) and "has not responded yet" in text(overdue)


def test_the_officer_entered_response_keeps_its_original_letter(app, demo_case):
    officer = signed_in(app)
    page, public_id = _response_page(app, officer, ICB)
    seen = text(page)
    assert "Entered by Sam Patel on 12 October 2021 from a letter or e-mail, signed by Jane Whitfield" in seen
    link = BeautifulSoup(page.text, "html.parser").find("a", string="icb-response-letter.pdf")
    original = officer.get(link["href"])
    assert original.status_code == 200 and original.data.startswith(b"%PDF-")
    assert b"Response to the BAME Health Inequalities topic group" in original.data


# ---- a review of our own, and case files the app would refuse -----------------------------------


OWN_CASE = """
[[accounts]]
email = "lead@third.example"
name = "Lee Lead"
role = "officer"
sign_in = true

[[accounts]]
email = "chair@third.example"
name = "Councillor Cat Chair"
role = "councillor"

[[organisations]]
name = "Northshire Hospitals NHS Trust"
kind = "nhs_body"
contact_name = "Dr Ada Obi"
email = "ceo@hospitals.example"

[[organisations]]
name = "{council_name}"
kind = "council_executive"
contact_role = "Leader of the Council"
email = "leader@council.example"

[group]
title = "Library Opening Hours"
slug = "library-opening-hours"
chair = "chair@third.example"
lead_officer = "lead@third.example"
status = "monitoring_responses"
themes = ["Access"]

[[findings]]
title = "Libraries close when people could come"
theme = "Access"
text = "Most branches close at five."

[[recommendations]]
addressees = ["Northshire Hospitals NHS Trust"]
findings = [1]
text = "Open the hospital library in the evenings."

[[recommendations]]
addressees = ["{council_name}"]
findings = [1]
text = "Open two branch libraries until eight."

[agreement]
circulated_by = "lead@third.example"
circulated_at = 2024-05-01T10:00:00
signed_off_by = "chair@third.example"
signed_off_at = 2024-05-20T10:00:00

[responses]
requested_on = 2024-06-03

[timeline]
invitations_sent = 2024-03-01T10:00:00
sessions_arranged = 2024-03-01T10:00:00
letters_sent = 2024-06-03T10:00:00

[timeline.stages]
scoping = 2024-02-01T10:00:00
gathering_evidence = 2024-03-01T10:00:00
deliberating = 2024-04-01T10:00:00
drafting_report = 2024-04-15T10:00:00
published = 2024-06-03T09:00:00
monitoring_responses = 2024-07-02T09:00:00

[[responses.received]]
organisation = "Northshire Hospitals NHS Trust"
submitted_at = 2024-06-28T12:00:00
submitted_by = "Dr Ada Obi"
submitted_by_email = "ceo@hospitals.example"

[[responses.received.answers]]
recommendation = 1
decision = "{decision}"
reason = "{reason}"

{actions}

[[monitoring.reviews]]
label = "Half-year look"
after_months = 6
held_at = 2024-12-10T18:00:00
held_by = "lead@third.example"
judgements = [
  {{ recommendation = 1, value = "{value}" }},
  {{ recommendation = 2, value = "paused", reason = "The budget is set in February." }},
]
"""

ACTION = """
[[responses.received.answers.actions]]
description = "Open the library until seven on weekdays."
owner_role = "Head of Library Services"
owner_name = "Pat Reader"
target_date = 2024-10-31
progress = [{ at = 2024-09-02T09:00:00, status = "on_track", note = "Volunteers recruited.", by = "lead@third.example" }]
moved = { to = 2025-01-31, at = 2024-09-02T09:05:00, by = "Pat Reader", reason = "Staff start in January." }
"""


def _own_case(tmp_path, decision="accepted", reason="", actions=ACTION, value="amber"):
    path = tmp_path / "own.toml"
    path.write_text(OWN_CASE.replace("{{", "\0").replace("}}", "\1").format(
        decision=decision, reason=reason, actions=actions, value=value, council_name="{council_name}")
        .replace("\0", "{").replace("\1", "}"), encoding="utf-8")
    return path


def test_a_review_of_our_own_loads_its_letters_responses_and_review(app, tmp_path):
    council = app.config["COUNCIL_NAME"]
    with app.app_context():
        load_case(_own_case(tmp_path))
        group = get_group_by_slug("library-opening-hours")
        assert group.tracker_code == "2024-25/LOH" and group.status == "monitoring_responses"
        requests = requests_by_name()
        assert {n: (r.due_on, r.to_name, r.to_address) for n, r in requests.items()} == {
            "Northshire Hospitals NHS Trust": (date(2024, 7, 1), "Dr Ada Obi", "ceo@hospitals.example"),
            council: (date(2024, 8, 3), "Leader of the Council", "leader@council.example")}
        [action] = requests["Northshire Hospitals NHS Trust"].answers[0].actions
        assert (action.original_target_date, action.target_date) == (date(2024, 10, 31), date(2025, 1, 31))
        assert (action.progress_status, action.progress_on) == ("on_track", date(2024, 9, 2))
        assert action.progress[0].recorded_by.email == "lead@third.example"
        assert action.date_changes[0].changed_by_name == "Pat Reader"
        [review] = group.review_points
        assert (review.label, review.due_on) == ("Half-year look", date(2024, 12, 3))
        assert count(Email) == 0
    page = signed_in(app, "lead@third.example").get("/groups/library-opening-hours/responses")
    seen = text(page)
    assert "Submitted on 28 June 2024 by Dr Ada Obi" in seen and "Overdue" in seen


@pytest.mark.parametrize(("change", "refusal"), [
    # Accepted, with nothing said about what will be done.
    ({"actions": ""}, "Recommendation 1: say what you will do"),
    # Not fully accepted, with no reason.
    ({"decision": "partially_accepted"}, "Recommendation 1: say why it is not fully accepted"),
    # Partly accepted with no action, then judged achieved.
    ({"decision": "partially_accepted", "reason": "Only on Fridays.", "actions": "", "value": "green"},
     "cannot be judged green"),
    ({"value": "purple"}, "choose a judgement"),
])
def test_a_case_file_the_app_would_refuse_is_refused_naming_why(app, tmp_path, change, refusal):
    with app.app_context(), pytest.raises(CaseError, match=refusal):
        load_case(_own_case(tmp_path, **change))


# ---- the responder's letter link ------------------------------------------------------------------


def test_a_responder_whose_letter_is_not_kept_is_told_it_is_not_available_yet(app, sent, client):  # noqa: F811
    """A request with no letter kept (a loaded case's, or one whose build is
    gone): the portal says so instead of "page not found"."""
    [token] = response_links(sent, "ceo@trust.example")
    browser = Browser(client)
    browser.submit(f"/portal/respond/{token}", {}, follow=True)
    with app.app_context():
        request = requests_by_name()[TRUST]
        public_id, request.document_id = request.public_id, None
        db.session.commit()
    response_page = client.get(f"/portal/responses/{public_id}")
    assert "Sent separately" in text(response_page)
    page = client.get(f"/portal/responses/{public_id}/letter")
    assert page.status_code == 404
    assert "The letter is not available yet" in text(page)
    check_page(page.text, "letter not available")
    assert f'href="/portal/responses/{public_id}"' in page.text


def test_the_group_page_no_longer_calls_signed_off_conclusions_a_draft(app, demo_case):
    page = signed_in(app).get(f"/groups/{DEMO}")
    headings = [h.get_text(" ", strip=True) for h in BeautifulSoup(page.text, "html.parser").find_all("h2")]
    assert "Findings" in headings and "Recommendations" in headings
    assert not [h for h in headings if "(draft)" in h]
