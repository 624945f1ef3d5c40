"""Automatic reminders to an organisation that owes a response, by the rules
of the witnesses' (scrutiny.invitations): a reminder REMINDER_DAYS_BEFORE
days before the due date and an overdue notice the day after it, each at
REMINDER_HOUR of the council's clock, scheduled once the request's e-mail
has gone.

The job decides again when it runs: nothing for a response that is in, found
inadequate, or already reminded for this due date; if the due date moved
later (more time granted) it schedules itself for the new one. Its e-mail
carries a fresh response link, minted when it is sent (`sending.prepare_email`).

A job's id names its request, kind and due date, so scheduling the same
reminder twice leaves one job. Redis is only the schedule: `queue_lost`,
run by every starting worker, finds from the database what has fallen due
and not been sent, and queues whatever Redis no longer holds.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from scrutiny import jobs
from scrutiny.clock import local_to_utc, today, utcnow
from scrutiny.extensions import db
from scrutiny.responses import links, sending
from scrutiny.responses.models import ResponseRequest

log = logging.getLogger(__name__)

REMINDER, OVERDUE = "reminder", "overdue"
EMAIL_KINDS = {REMINDER: sending.REMINDER, OVERDUE: sending.OVERDUE}
JOB = "scrutiny.responses.reminders.automatic_reminder"
_PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED)


def job_id(request_id: int, kind: str, due_on: date) -> str:
    return f"response-{kind}-{request_id}-{due_on:%Y%m%d}"


def moments(request: ResponseRequest) -> dict[str, datetime]:
    """When each falls due for the request's current due date (naive UTC)."""
    hour = time(current_app.config["REMINDER_HOUR"])
    before = timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    return {REMINDER: local_to_utc(request.due_on - before, hour),
            OVERDUE: local_to_utc(request.due_on + timedelta(days=1), hour)}


def _awaited(request: ResponseRequest | None) -> bool:
    return (request is not None and links.is_live(request) and not request.is_submitted
            and request.due_on is not None)


def _enqueue(request: ResponseRequest, kind: str, at: datetime | None = None) -> None:
    jobs.enqueue(JOB, request.id, kind, job_id=job_id(request.id, kind, request.due_on),
                 at=at.replace(tzinfo=timezone.utc) if at is not None else None)


def schedule(request: ResponseRequest) -> None:
    """Schedule what is still ahead for the current due date."""
    if not _awaited(request):
        return
    now = utcnow()
    for kind, at in moments(request).items():
        if at > now:
            _enqueue(request, kind, at)


def schedule_quietly(request_id: int) -> None:
    """The job queued once a request's e-mail has gone (`sending`). A Redis
    failure is only logged: a starting worker queues what falls due."""
    try:
        schedule(db.session.get(ResponseRequest, request_id))
    except RedisError as err:
        log.warning("reminders for response request %s not scheduled: %s", request_id, err)


def automatic_reminder(request_id: int, kind: str) -> str:
    """Runs at the scheduled time and decides again."""
    request = db.session.get(ResponseRequest, request_id)
    if not _awaited(request):
        return "not awaiting a response"
    now_day = today()
    at = moments(request)[kind]
    if kind == REMINDER:
        if request.reminded_for_due == request.due_on or now_day > request.due_on:
            return "not due"
        if now_day < request.due_on - timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"]):
            # The due date moved later (more time granted): wait for the new day.
            _enqueue(request, kind, at)
            return "rescheduled"
        request.reminded_for_due = request.due_on
    else:
        if request.overdue_notice_for_due == request.due_on:
            return "already sent"
        if now_day <= request.due_on:
            _enqueue(request, kind, at)
            return "rescheduled"
        request.overdue_notice_for_due = request.due_on
    sending.queue_link_email(request, EMAIL_KINDS[kind])
    db.session.commit()
    return "queued"


def _held_by_redis(job: str) -> bool:
    try:
        return Job.fetch(job, connection=jobs.redis_connection()).get_status() in _PENDING
    except NoSuchJobError:
        return False


def queue_lost() -> int:
    """Queue now every reminder and overdue notice that has fallen due, has
    not been sent for the current due date, and whose job Redis no longer
    holds. One the request was sent too late for is never owed. Returns how many."""
    now, now_day = utcnow(), today()
    horizon = now_day + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    count = 0
    for request in db.session.scalars(select(ResponseRequest).where(
            ResponseRequest.sent_at.is_not(None), ResponseRequest.submitted_at.is_(None),
            ResponseRequest.inadequate_at.is_(None), ResponseRequest.due_on.is_not(None),
            ResponseRequest.due_on <= horizon).order_by(ResponseRequest.id)):
        for kind, at in moments(request).items():
            if not request.sent_at < at <= now:
                continue
            if kind == REMINDER and (request.reminded_for_due == request.due_on or now_day > request.due_on):
                continue
            if kind == OVERDUE and request.overdue_notice_for_due == request.due_on:
                continue
            if _held_by_redis(job_id(request.id, kind, request.due_on)):
                continue
            _enqueue(request, kind)
            count += 1
    return count


def requeue_lost() -> int:
    """Everything `queue_lost` queues, and every reminder and overdue notice
    still ahead whose scheduled job Redis no longer holds (restarted empty,
    or down when the request's e-mail went), scheduled again from the
    database. Run by every worker at start and in its sweep. Returns how many."""
    count = queue_lost()
    now = utcnow()
    for request in db.session.scalars(select(ResponseRequest).where(
            ResponseRequest.sent_at.is_not(None), ResponseRequest.submitted_at.is_(None),
            ResponseRequest.inadequate_at.is_(None), ResponseRequest.due_on >= today() - timedelta(days=1))):
        if not _awaited(request):
            continue
        for kind, at in moments(request).items():
            if at > now and not _held_by_redis(job_id(request.id, kind, request.due_on)):
                _enqueue(request, kind, at)
                count += 1
    return count
