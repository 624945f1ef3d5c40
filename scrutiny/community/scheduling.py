"""Jobs for later, enqueued only after the change they follow is committed:
an offer's deadline (`lapse_at`) and the end of an event's retention period
(`erase_after`). Recorded first, then enqueued, as the outbox does: a
rolled-back change schedules nothing, and a job Redis loses is made up by
every worker's sweep (`scrutiny.upkeep`), which runs the same checks from
the database. Job ids are fixed, so scheduling twice leaves one job.
"""
from __future__ import annotations

import logging
from datetime import timedelta, timezone

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session

from scrutiny import jobs
from scrutiny.extensions import db

log = logging.getLogger(__name__)

_PENDING = "community_jobs"  # in Session.info: (func, args, job id, when) to enqueue after the commit
LAPSE_JOB = "scrutiny.community.jobs.lapse_offers"
ERASE_JOB = "scrutiny.community.jobs.erase_due"


def _later(func: str, args: tuple, job_id: str, at) -> None:
    db.session.info.setdefault(_PENDING, []).append((func, args, job_id, at))


def lapse_at(signup) -> None:
    """Check the event's offers at this offer's deadline (and a minute after, for clocks apart)."""
    at = signup.offered_until + timedelta(seconds=5)
    _later(LAPSE_JOB, (signup.event_id,), f"event-offers-{signup.event_id}-{at:%Y%m%d%H%M%S}", at)


def erase_after(event) -> None:
    """Erase the residents' details once the retention period after the event has passed."""
    at = event.ends_at + timedelta(days=current_app.config["RESIDENT_DATA_RETENTION_DAYS"], minutes=1)
    _later(ERASE_JOB, (), f"community-erase-{at:%Y%m%d%H%M}", at)


def erase_conversation_after(request) -> None:
    at = request.closed_at + timedelta(days=current_app.config["RESIDENT_DATA_RETENTION_DAYS"], minutes=1)
    _later(ERASE_JOB, (), f"community-erase-{at:%Y%m%d%H%M}", at)


@orm_event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for func, args, job_id, at in session.info.pop(_PENDING, []):
        try:
            jobs.enqueue(func, *args, job_id=job_id, at=at.replace(tzinfo=timezone.utc))
        except RedisError as err:  # the sweep does the same from the database
            log.warning("%s%r not scheduled: %s", func, args, err)


@orm_event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
