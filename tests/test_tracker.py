"""The recommendations tracker: one row per recommendation of a group whose
letters have gone, each addressee's decision (overdue ones first), actions
and progress, the group's judgement; filters, constant queries, the bulk
judgement, the councillors' dashboard and the PDF."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from bs4 import BeautifulSoup

from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name
from scrutiny.responses import judgements, references
from scrutiny.responses.models import (RecommendationResponse, ResponseAction, ResponseRequest, ReviewPoint)
from tests.conftest import csrf_token
from tests.queries import queries_for
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
ASC, CARERS = "Northshire Adult Social Care", "Carers in Northshire"
TODAY = date.today()
CODE = "2026-27/ASCWT"
NEXT_REVIEW = TODAY + timedelta(days=40)
SUBMITTED = TODAY - timedelta(days=30)


def monitored(app, count: int = 3, *, judge: bool = True, slug: str = GROUP) -> dict:
    """The group's letters sent on 1 November 2026: Northshire Adult Social
    Care answered (recommendation 2 not accepted, the others accepted with
    an action on track and one at risk whose date moved), Carers in Northshire
    did not and is overdue. Recommendation 1 goes to both, the even ones to
    Adult Social Care, the odd ones to the carers. R1 is judged Amber; the
    next review is NEXT_REVIEW (an earlier one was held)."""
    from scrutiny.auth.services import find_user

    with app.app_context():
        group = get_group_by_slug(slug)
        asc, carers = find_by_name(ASC), find_by_name(CARERS)
        group.recommendations[0].addressees = [asc, carers]
        for n in range(2, count + 1):
            db.session.add(Recommendation(topic_group=group, number=n, text=f"Recommendation number {n} of the review.",
                                          addressees=[asc] if n % 2 == 0 else [carers]))
        db.session.flush()
        references.fix_code(group, date(2026, 11, 1))
        sent = datetime.combine(TODAY - timedelta(days=60), time(10))
        answered = ResponseRequest(topic_group=group, organisation=asc, sent_at=sent, due_on=TODAY - timedelta(days=20),
                                   submitted_at=datetime.combine(SUBMITTED, time(12)), submitted_by_name="Dana Director")
        overdue = ResponseRequest(topic_group=group, organisation=carers, sent_at=sent,
                                  due_on=TODAY - timedelta(days=3))
        db.session.add_all([answered, overdue])
        db.session.flush()
        for rec in group.recommendations:
            if asc not in rec.addressees:
                continue
            accepted = rec.number != 2
            answer = RecommendationResponse(request=answered, recommendation=rec,
                                            decision="accepted" if accepted else "not_accepted",
                                            reason="" if accepted else "No budget this year.")
            if accepted:
                answer.actions = [
                    ResponseAction(description="Publish the waits", owner_role="Head of Assessments", position=0,
                                   target_date=date(2027, 4, 1), original_target_date=date(2027, 4, 1),
                                   progress_status="on_track", progress_on=TODAY - timedelta(days=10)),
                    ResponseAction(description="Build the report", owner_role="Data Lead", position=1,
                                   target_date=date(2027, 6, 1), original_target_date=date(2027, 3, 1),
                                   progress_status="at_risk", progress_on=TODAY - timedelta(days=8)),
                ]
            db.session.add(answer)
        db.session.add_all([ReviewPoint(topic_group=group, label="6-month review", due_on=NEXT_REVIEW),
                            ReviewPoint(topic_group=group, label="1-month review", due_on=TODAY - timedelta(days=5),
                                        held_at=datetime.combine(TODAY - timedelta(days=5), time(12)))])
        db.session.commit()
        officer = find_user("lead@second.example")
        if judge:
            judgements.record([judgements.Proposed(group.recommendations[0], "amber", "Slow start")], by=officer)
        return {"asc": asc.id, "carers": carers.id,
                "ids": {r.number: r.id for r in get_group_by_slug(slug).recommendations}}


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def references_on(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(row.select("td")[1 if row.select_one("input[type=checkbox]") else 0].get_text().split())
            for row in soup.select("table.app-tracker-table tbody tr")]


def ref(n: int) -> str:
    return f"{CODE}/R{n}"


@pytest.fixture
def officer(browser, second_case):
    browser.sign_in("lead@second.example")
    return browser


def test_the_group_tracker_shows_each_recommendation_with_overdue_first(app, officer):
    monitored(app)
    page = officer.get(f"/groups/{GROUP}/tracker")
    assert page.status_code == 200
    check_page(page.text, "tracker")
    assert references_on(page.text) == [ref(1), ref(3), ref(2)]
    soup = BeautifulSoup(page.text, "html.parser")
    first = text_of(str(soup.select_one("table.app-tracker-table tbody tr")))
    assert "Publish waiting times for assessments every month." in first
    assert f"{ASC}: Accepted" in first and f"{CARERS}: Overdue" in first
    assert "1 on track, 1 at risk, 1 date moved" in first
    assert "Amber Progress acceptable: keep monitoring" in first and "Reason: Slow start" in first
    assert TODAY.strftime("%-d %B %Y") in first  # last update: the judgement today
    assert NEXT_REVIEW.strftime("%-d %B %Y") in first
    second = text_of(str(soup.select("table.app-tracker-table tbody tr")[2]))
    assert f"{ASC}: Not accepted" in second and "Awaiting judgement" in second
    assert SUBMITTED.strftime("%-d %B %Y") in second
    # The tag says its word: colour is never the only signal.
    assert soup.select_one("strong.govuk-tag.govuk-tag--yellow").get_text(strip=True) == "Amber"
    assert f'href="/groups/{GROUP}/tracker"' in page.text  # in the group's sub-navigation
    assert "3 recommendations" in text_of(page.text) and "With an overdue response: 2" in text_of(page.text)


@pytest.mark.parametrize("query,expected", [
    ("decision=not_accepted", [2]),
    ("decision=overdue", [1, 3]),
    ("judgement=amber", [1]),
    ("judgement=awaiting", [3, 2]),
    ("overdue=1", [1, 3]),
    ("sort=reference", [1, 2, 3]),
    ("sort=updated", [1, 2, 3]),
])
def test_the_filters_and_sorts(app, officer, query, expected):
    monitored(app)
    page = officer.get(f"/groups/{GROUP}/tracker?{query}")
    assert references_on(page.text) == [ref(n) for n in expected]


def test_filter_by_organisation_and_on_every_groups_page(app, officer):
    ids = monitored(app)
    page = officer.get(f"/groups/{GROUP}/tracker?organisation={ids['asc']}&sort=reference")
    assert references_on(page.text) == [ref(1), ref(2)]
    page = officer.get(f"/tracker?group={GROUP}&organisation={ids['carers']}")
    assert page.status_code == 200
    check_page(page.text, "all")
    assert references_on(page.text) == [ref(1), ref(3)]
    assert "Adult Social Care Waiting Times" in text_of(page.text)  # the group column
    assert 'href="/tracker"' in officer.get("/groups").text  # in the officers' navigation


def test_a_group_whose_letters_have_not_gone_has_no_rows(app, officer):
    page = officer.get(f"/groups/{GROUP}/tracker")
    assert "The tracker starts when the group’s recommendation letters are sent" in page.text
    assert "No topic group has sent its recommendation letters yet" in officer.get("/tracker").text


def test_queries_stay_the_same_for_5_and_50_recommendations(app, officer, client):
    monitored(app, 5)
    few = queries_for(app, client, f"/groups/{GROUP}/tracker"), queries_for(app, client, "/tracker")
    with app.app_context():
        group = get_group_by_slug(GROUP)
        asc, carers = find_by_name(ASC), find_by_name(CARERS)
        answered = next(r for r in db.session.scalars(db.select(ResponseRequest)) if r.submitted_at)
        for n in range(6, 51):
            rec = Recommendation(topic_group=group, number=n, text=f"More {n}", addressees=[asc, carers])
            rec.judgements.append(judgements.Judgement(value="green"))
            db.session.add(RecommendationResponse(request=answered, recommendation=rec, decision="accepted", actions=[
                ResponseAction(description="Do it", owner_role="Lead", progress_status="done") for _ in range(3)]))
        db.session.commit()
    many = queries_for(app, client, f"/groups/{GROUP}/tracker"), queries_for(app, client, "/tracker")
    assert "2026-27/ASCWT/R50" in client.get("/tracker").text
    assert many == few


def test_the_bulk_judgement_records_all_or_none_naming_the_problem(app, officer):
    ids = monitored(app, judge=False)["ids"]
    url = f"/groups/{GROUP}/tracker"
    # Paused needs a reason: nothing is recorded, the page says why and keeps what was typed.
    page = officer.client.post(f"{url}/judgements", data={
        "csrf_token": csrf_token(officer.get(url).text), "selected": [ids[1], ids[2]], "value": "paused",
        "reason": ""})
    assert page.status_code == 200
    check_page(page.text, "bulk error")
    assert "There is a problem" in page.text
    assert f"{ref(1)}: Say why it is paused" in text_of(page.text)
    assert f'value="{ids[1]}" checked' in page.text
    with app.app_context():
        assert judgements.latest(list(ids.values())) == {}
    # Green: R2 was not accepted with no action, fine to judge; all recorded together.
    response = officer.client.post(f"{url}/judgements?sort=reference", data={
        "csrf_token": csrf_token(page.text), "selected": [ids[2], ids[3]], "value": "red",
        "reason": "No progress"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tracker?sort=reference")
    page = officer.get(response.headers["Location"])
    assert "Recorded the judgement Red for 2 recommendations." in text_of(page.text)
    with app.app_context():
        found = judgements.latest(list(ids.values()))
        assert {k: (v.value, v.reason) for k, v in found.items()} == {ids[2]: ("red", "No progress"),
                                                                     ids[3]: ("red", "No progress")}


def test_nothing_selected_is_an_error_and_accepted_without_action_cannot_be_green(app, officer):
    ids = monitored(app, judge=False)["ids"]
    url = f"/groups/{GROUP}/tracker"
    page = officer.client.post(f"{url}/judgements", data={"csrf_token": csrf_token(officer.get(url).text),
                                                          "value": "green"})
    assert "Select at least one recommendation" in page.text
    with app.app_context():
        answer = db.session.scalar(db.select(RecommendationResponse).where(
            RecommendationResponse.recommendation_id == ids[1]))
        answer.actions = []
        db.session.commit()
    page = officer.client.post(f"{url}/judgements", data={"csrf_token": csrf_token(page.text), "value": "green",
                                                          "selected": [ids[1], ids[3]]})
    assert f"{ref(1)} was accepted but no action was given" in text_of(page.text)
    with app.app_context():
        assert judgements.latest(list(ids.values())) == {}


def test_councillors_see_their_groups_on_their_dashboard_and_cannot_change_anything(app, browser, second_case,
                                                                                   make_user):
    ids = monitored(app)["ids"]
    browser.sign_in("member@second.example")
    page = browser.get("/my-groups")
    check_page(page.text, "my groups")
    text = text_of(page.text)
    assert "Your groups’ recommendations" in text and "With an overdue response: 2" in text
    assert references_on(page.text) == [ref(1), ref(3), ref(2)]
    tracker = browser.get(f"/groups/{GROUP}/tracker")
    assert tracker.status_code == 200 and "Record the judgement" not in tracker.text
    assert 'name="selected"' not in tracker.text
    assert browser.get("/tracker").status_code == 403
    assert browser.get(f"/groups/{GROUP}/tracker.csv").status_code == 403
    response = browser.client.post(f"/groups/{GROUP}/tracker/judgements", data={
        "csrf_token": csrf_token(page.text), "selected": [ids[2]], "value": "red"})
    assert response.status_code == 403
    # A councillor of no tracked group sees no tracker rows.
    browser.sign_out()
    browser.sign_in("outsider@second.example")
    page = browser.get("/my-groups")
    assert "Your groups’ recommendations" not in page.text and ref(1) not in page.text
    assert browser.get(f"/groups/{GROUP}/tracker").status_code == 403


def test_the_tracker_pdf_is_built_through_the_documents_pipeline(app, officer, run_jobs):
    from pypdf import PdfReader

    monitored(app)
    page = officer.get(f"/groups/{GROUP}/tracker")
    response = officer.client.post(f"/groups/{GROUP}/documents/tracker/build", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    run_jobs()
    document_page = officer.get(response.headers["Location"])
    link = re.search(r'href="(/groups/[^"]+/download)"', document_page.text).group(1)
    pdf = officer.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    page_box = reader.pages[0].mediabox
    assert page_box.width > page_box.height  # landscape
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Recommendations tracker: Adult Social Care Waiting Times" in text
    for n in (1, 2, 3):
        assert ref(n) in text
    assert f"{CARERS}: Overdue" in text and "Amber" in text and "1 on track, 1 at risk, 1 date moved" in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    # Nothing changed: asking again gives the same version.
    again = officer.client.post(f"/groups/{GROUP}/documents/tracker/build",
                                data={"csrf_token": csrf_token(page.text)})
    assert again.headers["Location"] == response.headers["Location"]
    assert "tracker-v1.pdf" in officer.get(link).headers["Content-Disposition"]
    assert "Versions of the tracker" in officer.get(f"/groups/{GROUP}/documents").text
