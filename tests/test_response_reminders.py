"""Automatic reminders to organisations that owe a response, on the second
review of our own: sending a letter schedules a reminder and an overdue
notice; each job decides again when it runs (nothing once the response is
in, once per due date, later when more time was granted) and sends a fresh
working link; what Redis lost is found from the database by a starting worker."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from rq.job import Job
from sqlalchemy import select

from scrutiny import clock, jobs
from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name
from scrutiny.outbox.models import Email
from scrutiny.responses import extensions, reminders
from scrutiny.responses.models import ResponseRequest
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second  # noqa: F401
from tests.test_responses_portal import open_link, request_of
from tests.test_responses_sending import response_links, sent, text  # noqa: F401
from tests.workers import app_env, worker_process

ON = "%-d %B %Y"


def _today(app):
    with app.app_context():
        return clock.today()


def _scheduled(app) -> dict[str, datetime]:
    with app.app_context():
        registry = jobs.queue().scheduled_job_registry
        found = [Job.fetch(i, connection=jobs.redis_connection()) for i in registry.get_job_ids()]
        return {j.id: registry.get_scheduled_time(j) for j in found if j.func_name == reminders.JOB}


def _set(app, public_id, **fields):
    with app.app_context():
        row = db.session.scalar(select(ResponseRequest).where(ResponseRequest.public_id == public_id))
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def _run(app, run_jobs, request_id, kind):
    with app.app_context():
        jobs.enqueue(reminders.JOB, request_id, kind)
    run_jobs()


def test_sending_the_letters_schedules_a_reminder_and_an_overdue_notice_for_each(app, sent):  # noqa: F811 - the fixture imported above
    trust = request_of(app, TRUST)
    scheduled = _scheduled(app)
    due = trust.due_on
    reminder = scheduled[reminders.job_id(trust.id, "reminder", due)]
    overdue = scheduled[reminders.job_id(trust.id, "overdue", due)]
    assert reminder.date() == due - timedelta(days=app.config["REMINDER_DAYS_BEFORE"])
    assert overdue.date() == due + timedelta(days=1)
    assert len(scheduled) == 2 * 3  # each of the three addressees


def test_a_reminder_carries_a_fresh_working_link_and_the_due_date_once_per_date(app, sent, run_jobs):  # noqa: F811 - the fixture imported above
    trust = request_of(app, TRUST)
    soon = _today(app) + timedelta(days=2)
    _set(app, trust.public_id, due_on=soon)
    before = len(sent.to("ceo@trust.example"))
    _run(app, run_jobs, trust.id, "reminder")
    _run(app, run_jobs, trust.id, "reminder")  # a second run sends nothing more
    [reminder] = sent.to("ceo@trust.example")[before:]
    assert reminder["Subject"].strip() == ("Reminder: your response to the recommendations of Adult Social Care "
                                           f"Waiting Times is due by {soon.strftime(ON)}")
    body = reminder.get_body(("plain",)).get_content()
    assert f"is due by {soon.strftime(ON)}" in body and "ask for it on that page" in body
    [first, fresh] = response_links(sent, "ceo@trust.example")
    assert first != fresh
    browser = open_link(app.test_client(), fresh)
    assert browser.page.request.path == f"/portal/responses/{trust.public_id}"
    assert "Respond to the recommendations" in text(browser.page)
    with app.app_context():  # kept with the link blanked out
        kept = db.session.scalar(select(Email).where(Email.kind == "response_reminder"))
        assert fresh not in kept.body_text and "[personal link]" in kept.body_text

    # The day after the date: the overdue notice, once.
    late = _today(app) - timedelta(days=1)
    _set(app, trust.public_id, due_on=late)
    _run(app, run_jobs, trust.id, "overdue")
    _run(app, run_jobs, trust.id, "overdue")
    [overdue] = sent.to("ceo@trust.example")[before + 1:]
    assert overdue["Subject"].strip().endswith(f"was due on {late.strftime(ON)}")
    assert "we have not received it" in overdue.get_body(("plain",)).get_content()
    assert len(response_links(sent, "ceo@trust.example")) == 3


def test_nothing_is_sent_for_a_response_that_is_in_or_found_inadequate(app, sent, run_jobs):  # noqa: F811 - the fixture imported above
    trust, social_care = request_of(app, TRUST), request_of(app, SOCIAL_CARE)
    soon = _today(app) + timedelta(days=1)
    _set(app, trust.public_id, due_on=soon, submitted_at=datetime(2026, 11, 20, 12), submitted_by_name="Ann")
    _set(app, social_care.public_id, due_on=soon, inadequate_at=datetime(2026, 11, 20, 12))
    before = len(sent.messages)
    for request in (trust, social_care):
        _run(app, run_jobs, request.id, "reminder")
        _run(app, run_jobs, request.id, "overdue")
    assert len(sent.messages) == before
    with app.app_context():
        assert reminders.queue_lost() == 0


def test_after_more_time_is_granted_the_reminder_waits_for_the_new_date(app, sent, run_jobs):  # noqa: F811 - the fixture imported above
    trust = request_of(app, TRUST)
    soon = _today(app) + timedelta(days=2)
    _set(app, trust.public_id, due_on=soon)
    later = soon + timedelta(days=30)
    with app.app_context():
        row = db.session.get(ResponseRequest, trust.id)
        ask = extensions.ask(row, proposed_due=later, reason="Our board meets late this month.", name="Priya Patel",
                             today=clock.today())
        extensions.grant(ask, due_on=later, note="", by=find_user("lead@second.example"))
    run_jobs()  # the decision e-mail
    before = len(sent.to("ceo@trust.example"))
    _run(app, run_jobs, trust.id, "reminder")  # the job scheduled for the old date
    _run(app, run_jobs, trust.id, "overdue")
    assert len(sent.to("ceo@trust.example")) == before
    scheduled = _scheduled(app)
    new_reminder = scheduled[reminders.job_id(trust.id, "reminder", later)]
    assert new_reminder.date() == later - timedelta(days=app.config["REMINDER_DAYS_BEFORE"])
    assert scheduled[reminders.job_id(trust.id, "overdue", later)].date() == later + timedelta(days=1)
    # When that day comes (the due date nearer), it goes, naming the new date.
    _set(app, trust.public_id, due_on=_today(app) + timedelta(days=1))
    _run(app, run_jobs, trust.id, "reminder")
    assert sent.to("ceo@trust.example")[-1]["Subject"].strip().startswith("Reminder:")


def _awaited_request(app, *, due_in: int, sent_days_ago: int = 20, round: int = 1) -> str:
    """A request sent by e-mail some days ago, its reminder jobs never scheduled (Redis lost them)."""
    with app.app_context():
        on = clock.today()
        row = ResponseRequest(topic_group=get_group_by_slug(SECOND), organisation=find_by_name(TRUST), round=round,
                              to_name="Chief Executive", to_address="ceo@trust.example",
                              sent_at=clock.utcnow() - timedelta(days=sent_days_ago),
                              due_on=on + timedelta(days=due_in))
        db.session.add(row)
        db.session.commit()
        return row.public_id


def test_the_sweep_queues_only_what_has_fallen_due_and_redis_does_not_hold(app, second, run_jobs):  # noqa: F811
    reminder_due = _awaited_request(app, due_in=2)
    _awaited_request(app, due_in=20, round=2)  # its reminder is still ahead
    with app.app_context():
        assert reminders.queue_lost() == 1
        assert reminders.queue_lost() == 0  # queued now: Redis holds it
    run_jobs()
    with app.app_context():
        row = db.session.scalar(select(ResponseRequest).where(ResponseRequest.public_id == reminder_due))
        assert row.reminded_for_due == row.due_on
        assert reminders.queue_lost() == 0  # sent for this date
    # Sent too late for a reminder (two days before the date): none is owed.
    _awaited_request(app, due_in=2, sent_days_ago=0, round=3)
    with app.app_context():
        assert reminders.queue_lost() == 0


def test_a_starting_worker_sends_the_reminder_redis_lost(app, second, smtp, database_url, redis_url,  # noqa: F811
                                                          tmp_path):
    public_id = _awaited_request(app, due_in=1)
    env = {**app_env(app, database_url, redis_url, tmp_path), "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(app.config["MAIL_PORT"]), "BASE_URL": app.config["BASE_URL"]}
    with worker_process(env):
        deadline = time.monotonic() + 60
        while not smtp.to("ceo@trust.example") and time.monotonic() < deadline:
            time.sleep(0.2)
    [reminder] = smtp.to("ceo@trust.example")
    assert reminder["Subject"].strip().startswith("Reminder: your response to the recommendations of")
    [link] = response_links(smtp, "ceo@trust.example")
    browser = open_link(app.test_client(), link)
    assert browser.page.request.path == f"/portal/responses/{public_id}"
