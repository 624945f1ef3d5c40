"""Closing a topic group: offered on its page once every recommendation is
judged achieved, with a confirmation; the history and the page say what
closed it. Closing from the Change stage page while they are not all
achieved needs the officer's reason."""
from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from tests.factories import submit_response
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second, signed_in  # noqa: F401
from tests.test_pages_accessibility import check_page
from tests.test_responses_sending import sent, text  # noqa: F401
from tests.test_reviews import now, on, point_id, rec_ids

GROUP_PAGE = f"/groups/{SECOND}"


@pytest.fixture
def monitoring(app, sent):  # noqa: F811 - the fixture imported above
    """Letters sent, every addressee's response in with actions, and the
    group at the stage Monitoring responses."""
    later = now(app) + timedelta(days=60)
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("accepted", "", [("Publish waits monthly", "Head of Assessments",
                                                                         later)])})
    submit_response(app, SECOND, TRUST, {2: ("accepted", "", [("Agree a discharge plan", "Chief Operating Officer",
                                                                   later)])})
    submit_response(app, SECOND, app.config["COUNCIL_NAME"], {2: ("accepted", "", [
        ("Fund the discharge team", "Director of Adult Services", later)])})
    with app.app_context():
        get_group_by_slug(SECOND).status = "monitoring_responses"
        db.session.commit()
    return sent


def judge_at_twelve_months(app, officer, values: dict[int, str]):
    ids = rec_ids(app)
    data = {}
    for number, value in values.items():
        data[f"r{ids[number]}-value"] = value
        data[f"r{ids[number]}-reason"] = "Still under way." if value != "green" else ""
    return officer.submit(f"/groups/{SECOND}/reviews/{point_id(app, '12-month review')}", data, follow=True)


def test_when_all_are_green_the_group_closes_saying_what_closed_it(app, monitoring, browser):
    officer = signed_in(app)
    judge_at_twelve_months(app, officer, {1: "green", 2: "amber"})
    assert "Close this topic group" not in officer.get(GROUP_PAGE).text
    page = officer.get(f"{GROUP_PAGE}/close")
    assert "This topic group cannot be closed here" in text(page)
    assert "1 of 2 recommendations is not judged Green (Achieved)" in text(page)

    judge_at_twelve_months(app, officer, {1: "green", 2: "green"})
    page = officer.get(GROUP_PAGE)
    soup = BeautifulSoup(page.text, "html.parser")
    link = soup.find("a", string="Close this topic group")
    assert link is not None and link["href"] == f"{GROUP_PAGE}/close"

    note = f"All 2 recommendations judged Green (Achieved) at the 12-month review, {on(now(app))}."
    page = officer.get(link["href"])
    check_page(page.text, "close")
    assert "Close this topic group?" in text(page) and note in text(page)
    with app.app_context():
        assert get_group_by_slug(SECOND).status == "monitoring_responses"  # asking changes nothing

    page = officer.submit(f"{GROUP_PAGE}/close", {}, follow=True)
    assert f"Adult Social Care Waiting Times is closed. {note}" in text(page)
    with app.app_context():
        group = get_group_by_slug(SECOND)
        assert group.status == "closed"
        assert group.status_changes[0].note == note

    browser.sign_in("member@second.example")  # the group's councillors read why
    words = text(browser.get(GROUP_PAGE))
    assert f"This topic group was closed on {on(now(app))} by Priya Lead-Officer. {note}" in words
    assert "Close this topic group" not in words


def test_closing_from_the_stage_page_while_not_all_achieved_needs_a_reason(app, monitoring):
    officer = signed_in(app)
    judge_at_twelve_months(app, officer, {1: "green", 2: "red"})
    status = f"{GROUP_PAGE}/status"
    page = officer.get(status)
    check_page(page.text, "status")
    assert "Needed to close it now: 1 of 2 recommendations is not judged Green (Achieved)." in text(page)

    page = officer.submit(status, {"status": "closed", "note": "  "})
    soup = BeautifulSoup(page.text, "html.parser")
    [error] = soup.select(".govuk-error-summary a")
    assert " ".join(error.get_text().split()) == ("1 of 2 recommendations is not judged Green (Achieved). Enter the "
                                                  "reason for closing the topic group now")
    assert error["href"] == "#note"
    with app.app_context():
        assert get_group_by_slug(SECOND).status == "monitoring_responses"

    reason = "The council has merged this work into the new care strategy."
    page = officer.submit(status, {"status": "closed", "note": reason}, follow=True)
    assert "moved to Closed" in text(page)
    assert f"This topic group was closed on {on(now(app))} by Priya Lead-Officer. {reason}" in text(page)
    assert f"moved from Monitoring responses to Closed by Priya Lead-Officer. {reason}" in text(page)

    # The close button's route refuses it too.
    with app.app_context():
        get_group_by_slug(SECOND).status = "monitoring_responses"
        db.session.commit()
    page = officer.submit(f"{GROUP_PAGE}/close", {}, form_page=GROUP_PAGE, follow=True)
    assert "The topic group was not closed." in text(page)


def test_when_all_are_achieved_the_stage_page_needs_no_reason(app, monitoring):
    officer = signed_in(app)
    judge_at_twelve_months(app, officer, {1: "green", 2: "green"})
    page = officer.get(f"{GROUP_PAGE}/status")
    assert "Reason for closing the topic group (optional)" in text(page)
    page = officer.submit(f"{GROUP_PAGE}/status", {"status": "closed", "note": ""}, follow=True)
    assert "moved to Closed" in text(page)
