"""The lead officer's reminder before each review point: an e-mail
REMINDER_DAYS_BEFORE days ahead, at the council's morning hour, saying
which review, when, and where to record the group's judgements.

Redis only holds the schedule. The job is scheduled after the commit that
made or moved the review point, under an id made of the point and its due
date, and decides again when it runs: nothing for a review held, removed
or moved (the move scheduled its own), and one reminder per due date
(`ReviewPoint.reminded_for_due`, claimed in the transaction that records
the e-mail, so a sweep racing the scheduled job sends nothing more).
`requeue_lost`, run by every starting worker, finds from the database the
reminders owed and schedules them again.
"""
from __future__ import annotations

import logging
from datetime import date, time, timedelta, timezone

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from scrutiny import jobs, outbox
from scrutiny.clock import local_to_utc, today, utcnow
from scrutiny.extensions import db
from scrutiny.responses.models import ReviewPoint

log = logging.getLogger(__name__)

JOB = "scrutiny.responses.review_reminders.remind"
KIND = "review_reminder"
DATE_FORMAT = "%-d %B %Y"
_PENDING = "review_reminders_pending"  # key in Session.info: points to schedule after the commit


def reminder_day(point: ReviewPoint) -> date:
    return point.due_on - timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])


def _job_id(point_id: int, due_on: date) -> str:
    return f"review-reminder-{point_id}-{due_on:%Y%m%d}"


def schedule(point_id: int, due_on: date) -> None:
    """At the morning hour of the reminder day; now if that has passed."""
    at = local_to_utc(due_on - timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"]),
                      time(current_app.config["REMINDER_HOUR"]))
    job_id = _job_id(point_id, due_on)
    if at <= utcnow():
        jobs.enqueue(JOB, point_id, due_on.isoformat(), job_id=job_id)
    else:
        jobs.enqueue(JOB, point_id, due_on.isoformat(), at=at.replace(tzinfo=timezone.utc), job_id=job_id)


def schedule_after_commit(point: ReviewPoint) -> None:
    """Call after flushing a new or moved review point; its reminder is
    scheduled once the caller commits, never for a rolled-back one."""
    db.session.info.setdefault(_PENDING, []).append((point.id, point.due_on))


@event.listens_for(Session, "after_commit")
def _schedule_committed(session: Session) -> None:
    for point_id, due_on in session.info.pop(_PENDING, []):
        try:
            schedule(point_id, due_on)
        except RedisError as err:  # the point is saved; a starting worker schedules its reminder
            log.warning("reminder for review point %s not scheduled: %s", point_id, err)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _owed():
    """Review points still to be reminded of: not held, not past, not yet
    reminded for their present date."""
    return select(ReviewPoint).where(
        ReviewPoint.held_at.is_(None), ReviewPoint.due_on >= today(),
        or_(ReviewPoint.reminded_for_due.is_(None), ReviewPoint.reminded_for_due != ReviewPoint.due_on))


def requeue_lost() -> int:
    """Schedule again every reminder owed (Redis may have lost it: the job id
    is fixed per point and date, so one it still has is only replaced).
    Returns how many were due now."""
    due_now = 0
    for point in db.session.scalars(_owed()):
        schedule(point.id, point.due_on)
        due_now += reminder_day(point) <= today()
    return due_now


def review_link(point: ReviewPoint) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/groups/{point.topic_group.slug}/reviews/{point.public_id}"


def remind(point_id: int, due_on: str) -> str:
    """The scheduled job: decides again, then queues the e-mail to the lead officer."""
    point = db.session.get(ReviewPoint, point_id)
    if point is None:
        return "no such review point: removed"
    if point.held_at is not None:
        return "already held"
    if point.due_on.isoformat() != due_on:
        return "the review moved: its own reminder is scheduled"
    if point.reminded_for_due == point.due_on:
        return "already sent"
    on = today()
    if on > point.due_on:
        return "the review's date has passed"
    if on < reminder_day(point):  # run early (a retry, a sweep): wait for the day
        schedule(point.id, point.due_on)
        return "rescheduled"
    group = point.topic_group
    lead = group.lead_officer
    if lead is None:
        return "no lead officer to remind"
    claimed = db.session.execute(update(ReviewPoint).where(
        ReviewPoint.id == point.id,
        or_(ReviewPoint.reminded_for_due.is_(None), ReviewPoint.reminded_for_due != point.due_on))
        .values(reminded_for_due=point.due_on))
    if claimed.rowcount != 1:
        db.session.rollback()
        return "another run sent it"
    when = point.due_on.strftime(DATE_FORMAT)
    outbox.queue_email(lead.email, KIND, f"Reminder: the {point.label} of {group.title} is on {when}", kind=KIND,
                       to_name=lead.name, topic_group=group, user=lead, recipient=lead, point=point, when=when,
                       days=(point.due_on - on).days, link=review_link(point),
                       recommendations=len(group.recommendations))
    db.session.commit()
    return "queued"
