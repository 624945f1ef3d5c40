from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.groups.models import Theme, TopicGroup
from scrutiny.groups.services import get_group_by_slug

GROUP = "adult-social-care-waiting-times"


def _ids(app, *emails):
    from scrutiny.auth.services import find_user

    with app.app_context():
        return [find_user(e).id for e in emails]


def _group_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(TopicGroup))


def test_officer_sets_up_a_topic_group(app, browser, second_case):
    chair, member = _ids(app, "chair@second.example", "member@second.example")
    browser.sign_in("lead@second.example")
    response = browser.submit("/groups/new", {
        "title": "Pothole Repairs",
        "scope": "## Why\nRoads are *broken*.",
        "chair_id": chair, "member_ids": [member], "lead_officer_id": "",
        "themes": "Rural roads\nRepair times\nrural roads",
        "lines_of_enquiry": "How quickly are potholes fixed?\n\nWho decides?",
        "start_date": ["1", "10", "2026"], "end_date": ["31", "3", "2027"],
    })
    assert response.headers["Location"] == "/groups/pothole-repairs"
    page = browser.get("/groups/pothole-repairs")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.h1.text == "Pothole Repairs"
    assert "Scoping" in soup.select_one(".govuk-tag").text
    assert soup.select_one(".app-markdown h3").text == "Why"  # under the page's h2 sections
    assert "Councillor Tom Chairperson" in page.text and "Councillor Ann Member" in page.text
    assert "1 October 2026 to 31 March 2027" in page.text
    with app.app_context():
        group = get_group_by_slug("pothole-repairs")
        assert [t.name for t in group.themes] == ["Rural roads", "Repair times"]  # duplicate dropped
        assert [line.text for line in group.lines_of_enquiry] == ["How quickly are potholes fixed?", "Who decides?"]


def test_a_second_group_with_the_same_title_gets_its_own_address(app, browser, second_case):
    browser.sign_in("lead@second.example")
    first = browser.submit("/groups/new", {"title": "Adult Social Care Waiting Times"})
    assert first.headers["Location"] == "/groups/adult-social-care-waiting-times-2"


def test_form_errors_show_a_summary_keep_the_input_and_save_nothing(app, browser, second_case):
    browser.sign_in("lead@second.example")
    before = _group_count(app)
    page = browser.submit("/groups/new", {
        "title": "", "scope": "Kept text", "themes": "Kept theme",
        "start_date": ["31", "2", "2026"], "end_date": ["", "", ""],
    })
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    errors = {a["href"]: a.text for a in soup.select(".govuk-error-summary a")}
    assert errors == {
        "#title": "Enter a title for the topic group",
        "#start_date": "Start date must be a real date, for example 27 3 2025",
    }
    for href in errors:
        assert soup.select_one(href) is not None, f"{href} links to nothing"
    assert soup.select_one("#scope").text.strip() == "Kept text"
    assert soup.select_one("#themes").text.strip() == "Kept theme"
    assert _group_count(app) == before


def test_end_date_before_start_date_is_refused(app, browser, second_case):
    browser.sign_in("lead@second.example")
    page = browser.submit(f"/groups/{GROUP}/edit", {
        "title": "Adult Social Care Waiting Times",
        "start_date": ["1", "5", "2027"], "end_date": ["1", "4", "2027"],
    })
    assert "The end date must be the same as or after the start date" in page.text
    with app.app_context():
        assert str(get_group_by_slug(GROUP).end_date) == "2027-02-28"


def test_editing_themes_keeps_the_themes_that_stay(app, browser, second_case):
    with app.app_context():
        assessments_id = db.session.scalar(select(Theme.id).where(Theme.name == "Assessments"))
    browser.sign_in("lead@second.example")
    chair, member = _ids(app, "chair@second.example", "member@second.example")
    browser.submit(f"/groups/{GROUP}/edit", {
        "title": "Adult Social Care Waiting Times", "chair_id": chair, "member_ids": [member],
        "themes": "Carers\nAssessments",
    })
    with app.app_context():
        group = get_group_by_slug(GROUP)
        assert [(t.name, t.position) for t in group.themes] == [("Carers", 0), ("Assessments", 1)]
        assert next(t.id for t in group.themes if t.name == "Assessments") == assessments_id
        # The finding filed under the theme still points at it.
        assert [t.name for t in group.findings[0].themes] == ["Assessments"]


def test_the_edit_form_opens_with_the_groups_values(browser, second_case):
    browser.sign_in("lead@second.example")
    soup = BeautifulSoup(browser.get(f"/groups/{GROUP}/edit").text, "html.parser")
    assert soup.select_one("#title")["value"] == "Adult Social Care Waiting Times"
    assert soup.select_one("#themes").text.strip() == "Assessments\nHome care"
    assert soup.select_one("#chair_id option[selected]").text == "Councillor Tom Chairperson"
    ticked = [i.find_next("label").text.strip() for i in soup.select("input[name=member_ids][checked]")]
    assert ticked == ["Councillor Ann Member"]
    assert soup.select_one("#start_date-day")["value"] == "01"


def test_status_page_offers_only_the_allowed_moves(browser, second_case):
    browser.sign_in("lead@second.example")
    soup = BeautifulSoup(browser.get(f"/groups/{GROUP}/status").text, "html.parser")
    offered = [i["value"] for i in soup.select("input[name=status]")]
    assert offered == ["deliberating", "scoping"]


def test_moving_a_group_on_records_who_and_shows_the_new_stage(app, browser, second_case):
    browser.sign_in("lead@second.example")
    page = browser.submit(f"/groups/{GROUP}/status", {"status": "deliberating"}, follow=True)
    soup = BeautifulSoup(page.text, "html.parser")
    assert "moved to Deliberating" in soup.select_one(".govuk-notification-banner").text
    assert soup.select_one(".govuk-tag").text == "Deliberating"
    assert "moved from Gathering evidence to Deliberating by Priya Lead-Officer" in page.text


def test_a_move_that_is_not_allowed_is_refused_with_a_reason(app, browser, second_case):
    browser.sign_in("lead@second.example")
    for target, message in (("published", "cannot move from Gathering evidence to Published"),
                            ("on-holiday", "Choose a stage to move the topic group to")):
        page = browser.submit(f"/groups/{GROUP}/status", {"status": target})
        assert page.status_code == 200
        assert message in page.text
    with app.app_context():
        assert get_group_by_slug(GROUP).status == "gathering_evidence"


def test_councillor_sees_only_their_own_groups_with_scope_and_status(browser, demo_case, second_case):
    browser.sign_in("member@second.example")
    page = browser.get("/my-groups")
    assert "Adult Social Care Waiting Times" in page.text
    assert "BAME Health Inequalities" not in page.text
    assert "<strong>care assessments</strong>" in page.text
    assert "Gathering evidence" in page.text
    browser.sign_out()
    browser.sign_in("outsider@second.example")
    assert "You are not a member of any topic group yet" in browser.get("/my-groups").text


def test_chair_counts_as_a_member(browser, second_case):
    browser.sign_in("chair@second.example")
    assert browser.get(f"/groups/{GROUP}").status_code == 200
    assert "Adult Social Care Waiting Times" in browser.get("/my-groups").text


def test_councillor_reads_the_group_but_gets_no_edit_buttons(browser, second_case):
    browser.sign_in("member@second.example")
    page = browser.get(f"/groups/{GROUP}")
    assert "Publish waiting times for assessments every month." in page.text
    assert "Edit topic group" not in page.text and "Change stage" not in page.text


def test_officer_list_separates_the_groups_they_lead(browser, demo_case, second_case):
    browser.sign_in("lead@second.example")
    soup = BeautifulSoup(browser.get("/groups").text, "html.parser")
    sections = {h2.text: h2.find_next_sibling("div") for h2 in soup.select("h2.govuk-heading-m")}
    assert "Adult Social Care Waiting Times" in sections["Groups you lead"].text
    assert "BAME Health Inequalities" in sections["Other topic groups"].text


def test_history_times_are_shown_in_the_councils_time_zone(app, browser, second_case):
    from datetime import datetime

    with app.app_context():
        change = get_group_by_slug(GROUP).status_changes[0]
        change.changed_at = datetime(2026, 7, 1, 9, 30)  # stored in UTC: 10:30 in London in summer
        db.session.commit()
    browser.sign_in("lead@second.example")
    assert "1 July 2026 10:30: moved from Scoping to Gathering evidence" in browser.get(f"/groups/{GROUP}").text
