"""Reviews of what has been done about the recommendations: planned when the
letters go, moved, added and removed by officers, the lead officer reminded
before each, and the group's judgement on each recommendation recorded at
a review, all or nothing, on the council's own scale."""
from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from dateutil.relativedelta import relativedelta
from rq.job import Job
from sqlalchemy import func, select, update

from scrutiny import jobs
from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.responses.models import Judgement, ResponseAction, ReviewPoint
from tests.factories import submit_response
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second, signed_in  # noqa: F401
from tests.test_pages_accessibility import check_page
from tests.test_responses_sending import sent, text  # noqa: F401
from tests.workers import app_env, flask_command

REVIEWS = f"/groups/{SECOND}/reviews"
LEAD = "lead@second.example"


def now(app):
    """Today as the council's clock reads it."""
    with app.app_context():
        return today()


def on(day) -> str:
    return day.strftime("%-d %B %Y")


@pytest.fixture
def responded(app, sent):  # noqa: F811 - the fixture imported above
    """The second review's letters sent and answered: its first recommendation
    accepted with an action, its second only partly, with no action from
    either addressee (accepted on paper only)."""
    council = app.config["COUNCIL_NAME"]
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("accepted", "", [
        ("Publish waits on the website each month", "Head of Assessments", now(app) + timedelta(days=90))])})
    submit_response(app, SECOND, TRUST, {2: ("partially_accepted", "Funding is agreed to March only.", [])})
    submit_response(app, SECOND, council, {2: ("partially_accepted", "The plan waits for the Trust.", [])})
    return sent


def points(app) -> list[tuple[str, object, object, object]]:
    with app.app_context():
        return [(p.label, p.due_on, p.held_at, p.public_id) for p in db.session.scalars(
            select(ReviewPoint).order_by(ReviewPoint.due_on))]


def point_id(app, label) -> str:
    return next(p[3] for p in points(app) if p[0] == label)


def scheduled(app) -> dict[str, object]:
    """The review reminders scheduled (not the responses' own): id -> when (UTC)."""
    with app.app_context():
        registry = jobs.queue().scheduled_job_registry
        return {job_id: registry.get_scheduled_time(Job.fetch(job_id, connection=jobs.redis_connection()))
                for job_id in registry.get_job_ids() if job_id.startswith("review-reminder-")}


def run_scheduled_now(app, run_jobs):
    """Every scheduled review reminder now, as the worker's scheduler would on its day."""
    with app.app_context():
        queue = jobs.queue()
        for job_id in scheduled(app):
            job = Job.fetch(job_id, connection=jobs.redis_connection())
            queue.scheduled_job_registry.remove(job)
            queue.enqueue_job(job)
    run_jobs()


def errors_of(page) -> dict[str, str]:
    soup = BeautifulSoup(page.text, "html.parser")
    return {a["href"]: " ".join(a.get_text().split()) for a in soup.select(".govuk-error-summary a")}


def test_sending_the_letters_plans_the_councils_reviews_with_reminders(app, sent):  # noqa: F811
    sent_on = now(app)
    assert [(label, due) for label, due, _, _ in points(app)] == [
        ("6-month review", sent_on + relativedelta(months=6)), ("12-month review", sent_on + relativedelta(months=12))]
    reminders = scheduled(app)
    assert len(reminders) == 2
    for label, due, _, _ in points(app):
        [when] = [at for job_id, at in reminders.items() if job_id.endswith(due.strftime("%Y%m%d"))]
        assert when.date() in (due - timedelta(days=3), due - timedelta(days=4))  # 09:00 local, in UTC

    officer = signed_in(app)
    page = officer.get(f"/groups/{SECOND}/responses")
    assert f'href="{REVIEWS}"' in page.text
    page = officer.get(REVIEWS)
    check_page(page.text, "reviews")
    words = text(page)
    assert f"6-month review {on(sent_on + relativedelta(months=6))} To come" in words
    assert f"12-month review {on(sent_on + relativedelta(months=12))} To come" in words


def test_officers_add_move_and_remove_reviews_the_held_ones_stay(app, sent, run_jobs):  # noqa: F811
    officer = signed_in(app)
    later = now(app) + relativedelta(months=18)
    page = officer.submit(f"{REVIEWS}/new", {"label": "", "due_on": ["31", "2", str(later.year)]})
    assert errors_of(page) == {"#label": "Enter a name for the review, for example 18-month review",
                               "#due_on": "Date of the review must be a real date, for example 27 3 2025"}
    assert BeautifulSoup(page.text, "html.parser").select_one("#due_on-year")["value"] == str(later.year)
    page = officer.submit(f"{REVIEWS}/new", {"label": "6-month review", "due_on": ["1", "1", "2020"]})
    assert "The group already has a review called 6-month review" in text(page)
    assert "The date of the review must be today or later" in text(page)
    page = officer.submit(f"{REVIEWS}/new", {"label": "18-month review",
                                             "due_on": [str(later.day), str(later.month), str(later.year)]},
                          follow=True)
    assert f"Added the 18-month review on {on(later)}." in text(page)
    assert [p[0] for p in points(app)] == ["6-month review", "12-month review", "18-month review"]

    # Moving one: its date changes and a reminder follows the new date.
    six = point_id(app, "6-month review")
    moved = now(app) + relativedelta(months=7)
    page = officer.submit(f"{REVIEWS}/{six}/date", {"due_on": [str(moved.day), str(moved.month), str(moved.year)]},
                          follow=True)
    assert f"The 6-month review is now on {on(moved)}." in text(page)
    assert any(job_id.endswith(moved.strftime("%Y%m%d")) for job_id in scheduled(app))

    # Removing one not held.
    eighteen = point_id(app, "18-month review")
    page = officer.submit(f"{REVIEWS}/{eighteen}/remove", {}, form_page=REVIEWS, follow=True)
    assert "Removed the 18-month review." in text(page)
    assert [p[0] for p in points(app)] == ["6-month review", "12-month review"]

    # A held review cannot be moved or removed.
    with app.app_context():
        db.session.execute(update(ReviewPoint).where(ReviewPoint.public_id == six).values(held_at=func.now()))
        db.session.commit()
    page = officer.get(REVIEWS)
    assert f"{REVIEWS}/{six}/date" not in page.text and f"{REVIEWS}/{six}/remove" not in page.text
    page = officer.submit(f"{REVIEWS}/{six}/remove", {}, form_page=REVIEWS, follow=True)
    assert "The 6-month review has been held, so it cannot be removed" in text(page)
    assert len(points(app)) == 2


def test_the_lead_officer_is_reminded_once_before_the_review_and_not_for_a_moved_date(app, sent, run_jobs):  # noqa: F811
    officer = signed_in(app)
    six = point_id(app, "6-month review")
    soon = now(app) + timedelta(days=2)  # within the three days: reminded now
    officer.submit(f"{REVIEWS}/{six}/date", {"due_on": [str(soon.day), str(soon.month), str(soon.year)]})
    run_jobs()
    [message] = sent.to(LEAD)
    assert message["Subject"] == f"Reminder: the 6-month review of Adult Social Care Waiting Times is on {on(soon)}"
    body = message.get_body(("plain",)).get_content()
    assert "Dear Priya Lead-Officer," in body
    assert f"The 6-month review of the Adult Social Care Waiting Times topic group is on {on(soon)}, in 2 days." in body
    assert f"http://127.0.0.1:5000{REVIEWS}/{six}" in body
    html = message.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:5000{REVIEWS}/{six}"' in html

    # The job scheduled for the first date runs on its day: the review moved, nothing more.
    run_scheduled_now(app, run_jobs)
    assert len(sent.to(LEAD)) == 1
    with app.app_context():  # the job again (a retry, a sweep racing it): one reminder per date
        jobs.enqueue("scrutiny.responses.review_reminders.remind",
                     db.session.scalar(select(ReviewPoint.id).where(ReviewPoint.public_id == six)), soon.isoformat())
    run_jobs()
    assert len(sent.to(LEAD)) == 1


def test_a_starting_worker_sends_the_reminders_redis_lost_not_for_a_held_review(
        app, sent, database_url, redis_url, tmp_path):  # noqa: F811
    import redis as redis_lib

    soon = now(app) + timedelta(days=1)
    with app.app_context():
        db.session.execute(update(ReviewPoint).values(due_on=soon))  # time has passed: both are near
        db.session.execute(update(ReviewPoint).where(ReviewPoint.label == "12-month review")
                           .values(held_at=func.now()))
        db.session.commit()
    redis_lib.Redis.from_url(redis_url).flushdb()
    env = {**app_env(app, database_url, redis_url, tmp_path),
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(app.config["MAIL_PORT"])}
    result = flask_command("worker", "--burst", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    [message] = sent.to(LEAD)
    assert message["Subject"] == f"Reminder: the 6-month review of Adult Social Care Waiting Times is on {on(soon)}"
    assert "tomorrow" in message.get_body(("plain",)).get_content()


def _judge(browser, url, values: dict, follow=False):
    return browser.submit(url, values, follow=follow)


def rec_ids(app) -> dict[int, int]:
    with app.app_context():
        return {r.number: r.id for r in get_group_by_slug(SECOND).recommendations}


def test_councillors_read_the_review_officers_record_all_or_nothing(app, responded, browser):
    six = point_id(app, "6-month review")
    url = f"{REVIEWS}/{six}"
    ids = rec_ids(app)
    with app.app_context():  # the social care action is on track, its date moved
        action = db.session.scalar(select(ResponseAction))
        action.progress_status, action.target_date = "on_track", action.target_date + timedelta(days=30)
        db.session.commit()
        code = get_group_by_slug(SECOND).tracker_code

    browser.sign_in("member@second.example")
    page = browser.get(url)
    assert page.status_code == 200
    words = text(page)
    assert f"Recommendation 1 {code}/R1 Publish waiting times for assessments every month." in words
    assert "Northshire Adult Social Care Accepted 1 action: 1 on track. 1 target date moved." in words
    assert "Northshire Hospitals NHS Trust Partially accepted No actions given." in words
    assert "Latest judgement None yet" in words
    assert BeautifulSoup(page.text, "html.parser").select("input[type=radio], textarea") == []
    browser.sign_out()

    officer = signed_in(app)
    page = officer.get(url)
    check_page(page.text, "review")
    soup = BeautifulSoup(page.text, "html.parser")
    hints = {r["value"]: " ".join(soup.select_one(f"#{r['aria-describedby']}").get_text().split())
             for r in soup.select(f"input[name=r{ids[1]}-value]")}
    assert hints == {"green": "Achieved", "amber": "Progress acceptable: keep monitoring",
                     "red": "Progress unacceptable", "paused": "Monitoring paused for a stated reason"}
    assert "Accepted with no action given: it cannot be judged Green until something is done." in text(page)

    # Paused without a reason, and accepted-without-action judged Green: both named, nothing saved, typing kept.
    page = _judge(officer, url, {f"r{ids[1]}-value": "paused", f"r{ids[1]}-reason": " ",
                                 f"r{ids[2]}-value": "green", f"r{ids[2]}-reason": "The Trust says it is done."})
    assert page.status_code == 200
    assert errors_of(page) == {
        f"#r{ids[1]}-reason": "Recommendation 1: say why it is paused",
        f"#r{ids[2]}-value": "Recommendation 2 was accepted but no action was given: it cannot be judged green "
                             "(achieved) until something is done"}
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.title.get_text().startswith("Error:")
    assert soup.select_one(f"#r{ids[1]}-value-4").has_attr("checked")  # paused, the fourth
    assert soup.select_one(f"#r{ids[2]}-value").has_attr("checked")  # green, the first
    assert soup.select_one(f"#r{ids[2]}-reason").get_text() == "The Trust says it is done."
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Judgement)) == 0
    assert points(app)[0][2] is None  # not held

    # A row left blank at a review is named too.
    page = _judge(officer, url, {f"r{ids[1]}-value": "green"})
    assert errors_of(page) == {f"#r{ids[2]}-value": "Recommendation 2: choose a judgement (Green, Amber, Red, Paused)"}

    page = _judge(officer, url, {f"r{ids[1]}-value": "green", f"r{ids[1]}-reason": "",
                                 f"r{ids[2]}-value": "paused", f"r{ids[2]}-reason": "Waiting for the new funding."},
                  follow=True)
    words = text(page)
    assert "Recorded the group’s judgement on 2 recommendations at the 6-month review." in words
    assert f"Held: the judgements were recorded on {on(now(app))} by Priya Lead-Officer." in words
    assert (f"Latest judgement Paused Monitoring paused for a stated reason At the 6-month review, {on(now(app))}. "
            "Reason: Waiting for the new funding.") in words
    assert points(app)[0][2] is not None
    with app.app_context():
        assert sorted(db.session.scalars(select(Judgement.value))) == ["green", "paused"]

    page = officer.get(REVIEWS)
    assert f"Judgements recorded on {on(now(app))} by Priya Lead-Officer" in text(page)


def test_a_judgement_between_reviews_needs_only_the_rows_filled(app, responded):
    ids = rec_ids(app)
    officer = signed_in(app)
    page = officer.submit(f"/groups/{SECOND}/judgements", {})
    assert "Choose a judgement for at least one recommendation" in text(page)
    page = officer.submit(f"/groups/{SECOND}/judgements", {f"r{ids[2]}-value": "red",
                                                           f"r{ids[2]}-reason": "No plan after six months."},
                          follow=True)
    assert "Recorded the group’s judgement on 1 recommendation." in text(page)
    with app.app_context():
        [judgement] = db.session.scalars(select(Judgement))
        assert (judgement.value, judgement.review_point_id) == ("red", None)
    page = officer.get(f"{REVIEWS}/{point_id(app, '6-month review')}")
    assert f"Latest judgement Red Progress unacceptable Between reviews, {on(now(app))}" in text(page)


def standing(page) -> dict[str, tuple[str, str]]:
    soup = BeautifulSoup(page.text, "html.parser")
    rows = soup.select("#standing ~ table tbody tr")
    return {" ".join(r.th.get_text().split()): tuple(" ".join(td.get_text().split()) for td in r.select("td"))
            for r in rows}


def test_the_group_page_counts_the_recommendations_at_each_value(app, responded, browser):
    ids = rec_ids(app)
    browser.sign_in("member@second.example")
    assert standing(browser.get(f"/groups/{SECOND}")) == {
        "Green": ("Achieved", "0"), "Amber": ("Progress acceptable: keep monitoring", "0"),
        "Red": ("Progress unacceptable", "0"), "Paused": ("Monitoring paused for a stated reason", "0"),
        "Awaiting": ("No judgement recorded yet", "2")}
    officer = signed_in(app)
    officer.submit(f"/groups/{SECOND}/judgements", {f"r{ids[1]}-value": "amber"})
    page = browser.get(f"/groups/{SECOND}")
    check_page(page.text, "group with standing")
    counts = standing(page)
    assert counts["Amber"] == ("Progress acceptable: keep monitoring", "1")
    assert counts["Awaiting"] == ("No judgement recorded yet", "1")
    assert "Close this topic group" not in page.text


def test_before_the_letters_go_the_group_page_has_no_standing(app, second, browser):  # noqa: F811
    browser.sign_in(LEAD)
    page = browser.get(f"/groups/{SECOND}")
    assert "How the recommendations stand" not in page.text


THREE = [
    {"value": "fully", "label": "Fully achieved", "meaning": "Everything asked for is in place", "colour": "green",
     "achieved": True},
    {"value": "on_track", "label": "On track", "meaning": "Work is under way and on time", "colour": "blue"},
    {"value": "not", "label": "Not achieved", "meaning": "Nothing useful has been done", "colour": "red",
     "needs_reason": True},
]


@pytest.fixture
def own_scale(app):
    saved = app.config["JUDGEMENT_SCALE"]
    app.config["JUDGEMENT_SCALE"] = THREE
    yield THREE
    app.config["JUDGEMENT_SCALE"] = saved


def test_a_councils_own_scale_shows_its_own_words_and_meanings(app, responded, own_scale, browser):
    ids = rec_ids(app)
    url = f"{REVIEWS}/{point_id(app, '6-month review')}"
    officer = signed_in(app)
    soup = BeautifulSoup(officer.get(url).text, "html.parser")
    radios = soup.select(f"input[name=r{ids[1]}-value]")
    assert [(r["value"], " ".join(soup.select_one(f"label[for={r['id']}]").get_text().split()),
             " ".join(soup.select_one(f"#{r['aria-describedby']}").get_text().split())) for r in radios] == [
        ("fully", "Fully achieved", "Everything asked for is in place"),
        ("on_track", "On track", "Work is under way and on time"),
        ("not", "Not achieved", "Nothing useful has been done")]
    assert "Green" not in text(officer.get(url))

    page = officer.submit(url, {f"r{ids[1]}-value": "fully", f"r{ids[2]}-value": "not"})
    assert errors_of(page) == {f"#r{ids[2]}-reason": "Recommendation 2: say why it is not achieved"}
    officer.submit(url, {f"r{ids[1]}-value": "fully", f"r{ids[2]}-value": "on_track"})
    browser.sign_in("chair@second.example")
    counts = standing(browser.get(f"/groups/{SECOND}"))
    assert counts == {"Fully achieved": ("Everything asked for is in place", "1"),
                      "On track": ("Work is under way and on time", "1"),
                      "Not achieved": ("Nothing useful has been done", "0"),
                      "Awaiting": ("No judgement recorded yet", "0")}
