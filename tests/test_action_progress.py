"""Progress on the actions of a submitted response, on the second review:
officers record dated updates and move target dates (with a reason) from the
response's page and each action's page; the responder does the same through
the portal with their name; the latest update is the newest by its date; the
date first given is kept; a draft's actions take none; and a submitted
response's link keeps working for months, until the group's last review."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select, update

from scrutiny.clock import today, utcnow
from scrutiny.extensions import db
from scrutiny.responses import links as response_links_service
from scrutiny.responses import progress
from scrutiny.responses.models import (
    ActionDateChange, ActionProgress, ResponseAction, ResponseRequest, ResponseToken, ReviewPoint)
from tests.conftest import Browser, csrf_token
from tests.test_pages_accessibility import check_page
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second, signed_in  # noqa: F401
from tests.test_responses_portal import _rec, errors_of, open_link, post_form, request_of
from tests.test_responses_sending import response_links, sent, text  # noqa: F401

FORMAT = "%-d %B %Y"


def _fmt(day: date) -> str:
    return day.strftime(FORMAT)


def _date(name: str, day: date) -> dict:
    """A GOV.UK date input's three boxes, as a browser sends them (one name)."""
    return {name: [str(day.day), str(day.month), str(day.year)]}


def _draft(browser: Browser, app, target: date, *, action="save"):
    """The trust's answer, one planned action, saved (or checked) through the portal."""
    trust = request_of(app, TRUST)
    with app.app_context():
        rid = _rec(TRUST)
    return post_form(browser, f"/portal/responses/{trust.public_id}", {
        f"rec-{rid}-decision": "accepted", f"rec-{rid}-reason": "",
        f"rec-{rid}-action-0-description": "Open a discharge lounge", f"rec-{rid}-action-0-state": "planned",
        f"rec-{rid}-action-0-owner_role": "Chief Operating Officer", f"rec-{rid}-action-0-owner_name": "",
        **{f"rec-{rid}-action-0-target_date-{k}": v for k, v in
           zip(("day", "month", "year"), (str(target.day), str(target.month), str(target.year)))},
        "action": action}, follow=True)


@pytest.fixture
def submitted(app, sent, client):  # noqa: F811
    """The trust responded through the portal: one action, due in 90 days.
    Returns the responder's browser, the request's and the action's public ids."""
    [token] = response_links(sent, "ceo@trust.example")
    browser = open_link(client, token)
    with app.app_context():
        target = today() + timedelta(days=90)
    _draft(browser, app, target, action="check")
    trust = request_of(app, TRUST)
    page = post_form(browser, f"/portal/responses/{trust.public_id}/check",
                     {"name": "Dr Ada Obi", "email": "ada.obi@trust.example"}, follow=True)
    assert "Response submitted" in text(page)
    return {"browser": browser, "request": trust.public_id, "action": _action_id(app, trust.public_id),
            "target": target}


def _action_id(app, request_public_id) -> str:
    with app.app_context():
        found = response_links_service.by_public_id(request_public_id)
        return found.answers[0].actions[0].public_id


def _action(app, public_id) -> dict:
    with app.app_context():
        action = db.session.scalar(select(ResponseAction).where(ResponseAction.public_id == public_id))
        return {"status": action.progress_status, "on": action.progress_on, "target": action.target_date,
                "original": action.original_target_date,
                "updates": len(action.progress), "moves": len(action.date_changes)}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _history(page) -> list[str]:
    soup = BeautifulSoup(page.text, "html.parser")
    return [" ".join(row.get_text(" ").split()) for row in soup.select("#history ~ table tbody tr")]


def test_an_officer_records_progress_and_the_newest_by_date_stays_the_latest(app, submitted):
    officer = signed_in(app)
    response_url = f"/groups/{SECOND}/responses/{submitted['request']}"
    page = officer.get(response_url)
    assert "No update yet" in text(page)
    soup = BeautifulSoup(page.text, "html.parser")
    link = soup.find("a", href=f"/groups/{SECOND}/actions/{submitted['action']}")
    assert link is not None and "Record or see progress" in link.get_text()
    action_url = link["href"]

    with app.app_context():
        now = today()
    page = officer.submit(f"{action_url}/progress", {"status": "on_track", **_date("recorded_on", now - timedelta(days=5)),
                                                      "note": "The lounge is fitted out."},
                          form_page=action_url, follow=True)
    assert "Progress recorded: on track." in text(page)
    assert "On track" in BeautifulSoup(page.text, "html.parser").select_one("#latest-progress").get_text()
    check_page(page.text, "action")
    [row] = _history(page)
    assert _fmt(now - timedelta(days=5)) in row and "On track" in row and "The lounge is fitted out." in row
    assert "Priya Lead-Officer" in row  # the officer, by their account

    # The response's page shows it too, as a tag with its word.
    page = officer.get(response_url)
    tag = BeautifulSoup(page.text, "html.parser").find("strong", string="On track")
    assert tag is not None and "govuk-tag--green" in tag["class"]
    assert f"as at {_fmt(now - timedelta(days=5))}" in text(page)

    # An update dated earlier is history: the latest stays the one of 5 days ago.
    page = officer.submit(f"{action_url}/progress", {"status": "at_risk", **_date("recorded_on", now - timedelta(days=20)),
                                                      "note": "Builders late."}, form_page=action_url, follow=True)
    assert _action(app, submitted["action"])["status"] == "on_track"
    assert _action(app, submitted["action"])["on"] == now - timedelta(days=5)
    assert "At risk" not in BeautifulSoup(page.text, "html.parser").select_one("#latest-progress").get_text()
    rows = _history(page)
    assert "On track" in rows[0] and "At risk" in rows[1]  # newest first
    assert "On track" in text(officer.get(response_url)) and "At risk" not in text(officer.get(response_url))

    # No date given is today; that is now the latest.
    officer.submit(f"{action_url}/progress", {"status": "done", "note": ""}, form_page=action_url)
    assert _action(app, submitted["action"])["status"] == "done"
    assert _action(app, submitted["action"])["on"] == now


def test_a_bad_update_is_refused_naming_each_field_and_nothing_is_saved(app, submitted):
    officer = signed_in(app)
    action_url = f"/groups/{SECOND}/actions/{submitted['action']}"
    with app.app_context():
        tomorrow = today() + timedelta(days=1)
    page = officer.submit(f"{action_url}/progress", {**_date("recorded_on", tomorrow), "note": "Typed note"},
                          form_page=action_url)
    assert page.status_code == 200
    errors = errors_of(page)
    assert errors["#status"].startswith("Choose the progress of the action")
    assert errors["#recorded_on"] == f"The date of the update must be today or in the past, not {_fmt(tomorrow)}"
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("#note").get_text() == "Typed note"
    assert soup.select_one("#recorded_on-day")["value"] == str(tomorrow.day)
    assert soup.title.get_text().startswith("Error:")
    check_page(page.text, "action with errors")
    page = officer.submit(f"{action_url}/progress", {"status": "on_track", "note": "x" * 2001}, form_page=action_url)
    assert errors_of(page) == {"#note": "The note must be 2000 characters or fewer"}
    page = officer.submit(f"{action_url}/progress", {"status": "on_track", "recorded_on": ["31", "2", "2026"]},
                          form_page=action_url)
    assert "Date of the update must be a real date" in text(page)
    assert _count(app, ActionProgress) == 0 and _action(app, submitted["action"])["status"] == ""


def test_moving_a_date_needs_a_reason_keeps_the_original_and_shows_the_history(app, submitted):
    officer = signed_in(app)
    action_url = f"/groups/{SECOND}/actions/{submitted['action']}"
    response_url = f"/groups/{SECOND}/responses/{submitted['request']}"
    first = submitted["target"]
    with app.app_context():
        later, past = today() + timedelta(days=150), today() - timedelta(days=1)

    # No reason: named, the date typed kept, nothing saved.
    page = officer.submit(f"{action_url}/target-date", {**_date("new_date", later), "reason": ""}, form_page=action_url)
    assert errors_of(page) == {"#reason": "Enter the reason for moving the target date"}
    soup = BeautifulSoup(page.text, "html.parser")
    assert [soup.select_one(f"#new_date-{p}")["value"] for p in ("day", "month", "year")] == \
        [str(later.day), str(later.month), str(later.year)]
    assert _action(app, submitted["action"])["target"] == first and _count(app, ActionDateChange) == 0

    # A date in the past, or the same date: refused, the reason typed kept.
    page = officer.submit(f"{action_url}/target-date", {**_date("new_date", past), "reason": "Typed reason"},
                          form_page=action_url)
    assert errors_of(page) == {"#new_date": "The new target date must be today or in the future"}
    assert BeautifulSoup(page.text, "html.parser").select_one("#reason").get_text() == "Typed reason"
    page = officer.submit(f"{action_url}/target-date", {**_date("new_date", first), "reason": "Typed reason"},
                          form_page=action_url)
    assert errors_of(page) == {"#new_date": f"The new target date must differ from the current one, {_fmt(first)}"}
    assert _count(app, ActionDateChange) == 0

    page = officer.submit(f"{action_url}/target-date", {**_date("new_date", later),
                                                        "reason": "The contractor went into administration."},
                          form_page=action_url, follow=True)
    assert f"The target date is now {_fmt(later)}." in text(page)
    assert "Date moved" in text(page) and f"first given as {_fmt(first)}" in text(page)
    [row] = _history(page)
    assert f"Target date moved from {_fmt(first)} to {_fmt(later)}" in row
    assert "The contractor went into administration." in row
    saved = _action(app, submitted["action"])
    assert (saved["target"], saved["original"], saved["moves"]) == (later, first, 1)

    page = officer.get(response_url)
    assert "Date moved" in text(page) and f"first given as {_fmt(first)}" in text(page) and _fmt(later) in text(page)

    # Moved again: the original never changes; both moves kept.
    officer.submit(f"{action_url}/target-date", {**_date("new_date", later + timedelta(days=30)),
                                                 "reason": "Funding slipped a month."}, form_page=action_url)
    saved = _action(app, submitted["action"])
    assert (saved["original"], saved["moves"]) == (first, 2)
    rows = _history(officer.get(action_url))
    assert "Funding slipped a month." in rows[0] and "administration" in rows[1]


def test_a_councillor_sees_progress_but_has_no_forms(app, submitted):
    councillor = signed_in(app, "member@second.example")
    page = councillor.get(f"/groups/{SECOND}/actions/{submitted['action']}")
    assert page.status_code == 200 and "Open a discharge lounge" in text(page)
    assert "Record progress" not in text(page) and "Change the target date" not in text(page)
    with app.app_context():
        on = today()
    page = councillor.client.post(f"/groups/{SECOND}/actions/{submitted['action']}/progress",
                                  data={"status": "done", **_date("recorded_on", on)})
    assert page.status_code in (400, 403) and _count(app, ActionProgress) == 0


def test_the_responder_records_progress_and_moves_a_date_through_the_portal(app, submitted):
    browser = submitted["browser"]
    portal_url = f"/portal/responses/{submitted['request']}"
    page = browser.get(portal_url)
    assert "No update yet" in text(page)
    link = BeautifulSoup(page.text, "html.parser").find("a", href=f"{portal_url}/actions/{submitted['action']}")
    assert link is not None and "Record progress or change the date" in link.get_text()
    action_url = link["href"]
    page = browser.get(action_url)
    assert "Your full name" in text(page)
    check_page(page.text, "portal action")

    # The name is needed, as when they submitted.
    page = browser.submit(f"{action_url}/progress", {"status": "at_risk", "note": "Staffing gaps.",
                                                         "recorded_by": ""}, form_page=action_url)
    assert errors_of(page) == {"#recorded_by": "Enter your full name"}
    check_page(page.text, "portal action with errors")
    assert "Staffing gaps." in page.text and _count(app, ActionProgress) == 0

    page = browser.submit(f"{action_url}/progress", {"status": "at_risk", "note": "Staffing gaps.",
                                                         "recorded_by": "Sam Patel"}, form_page=action_url, follow=True)
    assert "your progress update has been sent" in text(page)
    [row] = _history(page)
    assert "At risk" in row and "Sam Patel" in row and "Staffing gaps." in row
    assert "At risk" in text(browser.get(portal_url))

    with app.app_context():
        later = today() + timedelta(days=200)
    page = browser.submit(f"{action_url}/target-date", {**_date("new_date", later), "reason": "",
                                                            "changed_by": "Sam Patel"}, form_page=action_url)
    assert errors_of(page) == {"#reason": "Enter the reason for moving the target date"}
    page = browser.submit(f"{action_url}/target-date", {**_date("new_date", later),
                                                            "reason": "Recruitment takes longer.",
                                                            "changed_by": "Sam Patel"}, form_page=action_url, follow=True)
    assert "Date moved" in text(page) and f"first given as {_fmt(submitted['target'])}" in text(page)

    # The officers see who said what.
    officer = signed_in(app)
    page = officer.get(f"/groups/{SECOND}/actions/{submitted['action']}")
    rows = _history(page)
    assert any("Sam Patel" in r and "Recruitment takes longer." in r for r in rows)
    assert any("Sam Patel" in r and "At risk" in r for r in rows)
    tag = BeautifulSoup(officer.get(f"/groups/{SECOND}/responses/{submitted['request']}").text,
                        "html.parser").find("strong", string="At risk")
    assert tag is not None and "govuk-tag--orange" in tag["class"]

    # Another organisation's session cannot reach this action.
    assert Browser(app.test_client()).client.get(action_url).status_code == 404


def test_a_drafts_actions_take_no_progress(app, sent, client):  # noqa: F811
    [token] = response_links(sent, "ceo@trust.example")
    browser = open_link(client, token)
    with app.app_context():
        target = today() + timedelta(days=90)
    _draft(browser, app, target)
    trust = request_of(app, TRUST)
    action_id = _action_id(app, trust.public_id)
    action_url = f"/portal/responses/{trust.public_id}/actions/{action_id}"

    page = browser.client.get(action_url, follow_redirects=True)
    assert "Progress can be recorded only once the response has been submitted" in text(page)
    token_page = browser.client.get(f"/portal/responses/{trust.public_id}")
    page = browser.client.post(f"{action_url}/progress", data={
        "csrf_token": csrf_token(token_page.text), "status": "on_track", "recorded_by": "Sam Patel"},
        follow_redirects=True)
    assert "Progress can be recorded only once the response has been submitted" in text(page)
    assert _count(app, ActionProgress) == 0

    # Officers never see a draft's action; the service refuses it whoever asks.
    assert signed_in(app).get(f"/groups/{SECOND}/actions/{action_id}").status_code == 404
    with app.app_context():
        action = db.session.scalar(select(ResponseAction).where(ResponseAction.public_id == action_id))
        with pytest.raises(progress.ProgressError, match="only once the response has been submitted"):
            progress.record_progress(action, "on_track", name="Sam Patel")
        with pytest.raises(progress.ProgressError, match="only once the response has been submitted"):
            progress.move_date(action, target + timedelta(days=5), "Because", name="Sam Patel")
    assert _count(app, ActionProgress) == 0 and _count(app, ActionDateChange) == 0


def test_a_submitted_responses_link_lives_until_the_last_review_point(app, submitted, sent, run_jobs):  # noqa: F811
    """Months later, the due date long gone: the responder's links still open
    the portal, and "email me a new link" still sends one."""
    with app.app_context():
        now = today()
        trust = response_links_service.by_public_id(submitted["request"])
        # As if the due date passed 100 days ago, and with it every link's stored expiry.
        trust.due_on = now - timedelta(days=100)
        social = next(r for r in db.session.scalars(select(ResponseRequest)) if r.organisation.name == SOCIAL_CARE)
        social.due_on = now - timedelta(days=100)
        db.session.execute(update(ResponseToken).values(expires_at=utcnow() - timedelta(days=80)))
        # Sending planned the council's reviews: start from none.
        db.session.query(ReviewPoint).filter_by(topic_group_id=trust.topic_group_id).delete()
        db.session.commit()
        grace = timedelta(days=app.config["PORTAL_LINK_GRACE_DAYS"])

        # No review point: a year after submission.
        submitted_on = trust.submitted_at.date()
        assert response_links_service.link_expiry(trust).date() in (
            submitted_on.replace(year=submitted_on.year + 1) + timedelta(days=d) for d in (0, 1))
        # The group's last review point not yet held, plus the grace days; a held one does not count.
        group = trust.topic_group
        db.session.add_all([ReviewPoint(topic_group=group, label="6-month review", due_on=now + timedelta(days=180)),
                            ReviewPoint(topic_group=group, label="12-month review", due_on=now + timedelta(days=400)),
                            ReviewPoint(topic_group=group, label="Early look", due_on=now + timedelta(days=900),
                                        held_at=utcnow())])
        db.session.commit()
        assert response_links_service.link_expiry(trust).date() in (
            now + timedelta(days=400) + grace + timedelta(days=d) for d in (0, 1))
        assert response_links_service.live_requests_to("ceo@trust.example") == [trust]
        assert response_links_service.live_requests_to("director@asc.example") == []  # not submitted: expired

    # The social care department never responded: its old link has expired.
    [social_token] = response_links(sent, "director@asc.example")
    assert "This link has expired" in text(app.test_client().get(f"/portal/respond/{social_token}"))

    # The trust asks for a new link and it opens its response, with the actions' progress.
    before = len(sent.to("ceo@trust.example"))
    Browser(app.test_client()).submit("/portal/new-link", {"email": "ceo@trust.example"}, form_page="/portal/new-link")
    Browser(app.test_client()).submit("/portal/new-link", {"email": "director@asc.example"},
                                      form_page="/portal/new-link")
    run_jobs()
    assert len(sent.to("ceo@trust.example")) == before + 1 and len(sent.to("director@asc.example")) == 1
    body = sent.to("ceo@trust.example")[-1].get_body(("plain",)).get_content()
    assert "tell the group how each action is going" in body
    new = response_links(sent, "ceo@trust.example")[-1]
    browser = open_link(app.test_client(), new)
    assert "Record progress or change the date" in text(browser.page)

    # A link sent before, never used, and past its stored expiry: opens too.
    with app.app_context():
        request_row = response_links_service.by_public_id(submitted["request"])
        spare = response_links_service.issue_token(request_row)
        db.session.execute(update(ResponseToken).values(expires_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    assert "Open the response page" in text(app.test_client().get(f"/portal/respond/{spare}"))
    assert "Record progress or change the date" in text(open_link(app.test_client(), spare).page)
