"""Queueing e-mail to anyone: record it in the database, then hand it to a worker.

The pattern every caller follows:

    email = outbox.queue_email(...)   # rendered now, added and flushed
    ... other changes in the same transaction ...
    db.session.commit()               # the caller owns the commit

The job is enqueued by a session hook right *after* that commit, never
before it: a worker can never look for a row that is not yet visible, and a
rolled-back transaction sends nothing. If Redis is down at that moment, or
loses the job later, the row is still there (status queued) and
`requeue_lost`, run by every worker at start and every minute, enqueues it again: the
database is the truth, Redis only a to-do list. The job id is fixed per
e-mail (`email-<id>`), so a job is never enqueued twice by accident.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from scrutiny import jobs, mail
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.outbox.models import UNSENT, Email, EmailStatus

log = logging.getLogger(__name__)

_PENDING = "outbox_pending"  # key in Session.info: ids to enqueue after the commit


def job_id(email_id: int) -> str:
    return f"email-{email_id}"


def queue_email(to_address: str, template: str, subject: str, *, kind: str, to_name: str = "",
                topic_group=None, user=None, **context) -> Email:
    """Render templates/email/<template>.txt and .html now and record the
    message; it is sent after the caller commits. `context` reaches the
    templates, with `subject`, `group` (the topic group) and `council_name`."""
    context.setdefault("group", topic_group)
    context.setdefault("council_name", current_app.config["COUNCIL_NAME"])
    text, html = mail.render(template, subject=subject, **context)
    email = Email(to_address=to_address, to_name=to_name, subject=subject, kind=kind,
                  body_text=text, body_html=html, topic_group_id=topic_group.id if topic_group else None,
                  user_id=user.id if user else None, status=EmailStatus.QUEUED)
    return queue(email)


def queue(email: Email) -> Email:
    """Record an e-mail built by the caller (for a witness, whose body is
    rendered at send time); sent after the caller commits."""
    db.session.add(email)
    db.session.flush()  # the id, for the job
    db.session.info.setdefault(_PENDING, []).append(email.id)
    return email


def enqueue(email_id: int) -> None:
    jobs.enqueue("scrutiny.outbox.jobs.deliver", email_id, job_id=job_id(email_id),
                 retry_intervals=current_app.config["MAIL_RETRY_INTERVALS"])


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for email_id in session.info.pop(_PENDING, []):
        try:
            enqueue(email_id)
        except RedisError as err:  # the row is safe; a starting worker enqueues it
            log.warning("e-mail %s recorded but not enqueued: %s", email_id, err)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def requeue_lost(grace: timedelta | None = None) -> int:
    """Enqueue again every unsent e-mail whose job Redis no longer has (Redis
    was down when it was queued, restarted without persistence, or was
    flushed). Run by every worker at start and in its sweep. Returns how many."""
    connection = jobs.redis_connection()
    if grace is None:
        grace = timedelta(seconds=current_app.config["OUTBOX_LOST_GRACE_SECONDS"])
    cutoff = utcnow() - grace
    count = 0
    for email_id in db.session.scalars(select(Email.id).where(Email.status.in_(UNSENT),
                                                                Email.created_at <= cutoff)):
        try:
            Job.fetch(job_id(email_id), connection=connection)
        except NoSuchJobError:
            enqueue(email_id)
            count += 1
    return count
