"""The RQ queue, its Redis connection, enqueue helpers, and what the health
check reads. Jobs take ids, never ORM objects, and reload what they need."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import logging
from datetime import datetime

from flask import Flask, current_app, flash, g, has_request_context
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError, RedisError, TimeoutError as RedisTimeoutError
from rq import Queue, Retry, Worker
from rq.job import Job

log = logging.getLogger(__name__)

# What a user is told when a job could not be handed to Redis: the change is
# saved, and the worker's sweep (scrutiny.upkeep) enqueues what is owed.
_LATER = {
    "scrutiny.outbox.jobs.deliver": "The e-mail is saved and will be sent shortly.",
    "scrutiny.documents.jobs.build": "The build is saved and will start shortly.",
}
LATER_DEFAULT = "Your change is saved; what follows from it will happen shortly."


def init_app(app: Flask) -> None:
    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
    )


def redis_connection() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue(func: str, *args, retry_intervals: list[int] | None = None, at: datetime | None = None,
            timeout: int | None = None, job_id: str | None = None) -> Job | None:
    """Enqueue `func` (a dotted path, so callers need not import job modules).

    `retry_intervals`: seconds to wait before each retry on failure.
    `at`: run no earlier than this (UTC), through the worker's scheduler.
    `timeout`: seconds after which the worker stops the job.

    Every caller has saved what the job is for before enqueueing it, so an
    unreachable Redis is not the user's failure: it is logged, the user is
    told it will happen shortly, and None is returned; the worker's sweep
    finds the job owed from the database once Redis is back.
    """
    retry = Retry(max=len(retry_intervals), interval=retry_intervals) if retry_intervals else None
    options = {"retry": retry, "job_timeout": timeout, "job_id": job_id}
    try:
        if at is not None:
            return queue().enqueue_at(at, func, *args, **options)
        return queue().enqueue(func, *args, **options)
    except (RedisConnectionError, RedisTimeoutError) as err:
        log.warning("%s%r saved but not enqueued (Redis unreachable): %s", func, args, err)
        if at is None:  # a job for later (a reminder) is nothing the user waits for now
            _tell_later(_LATER.get(func, LATER_DEFAULT))
        return None


@contextmanager
def quietly():
    """No "will go shortly" message for what is enqueued inside: where the
    answer must be the same whether or not anything was sent ("e-mail me a
    new link", following), saying an e-mail is held up would tell."""
    if not has_request_context():
        yield
        return
    before = g.get("jobs_quiet", False)
    g.jobs_quiet = True
    try:
        yield
    finally:
        g.jobs_quiet = before


def for_any_address(func: str, address: str, description: str, do_now: Callable[[str], object]) -> None:
    """A request that must answer the same, in the same time, whether or not
    the typed address is known ("e-mail me a new link", "forgotten your
    password"): one job, described without the address and dropped once
    done, so no list of typed addresses builds up in Redis or the worker's
    log; the worker looks the address up. With Redis down, `do_now(address)`
    here, quietly (the outbox records what it sends and the sweep sends it)."""
    intervals = current_app.config["MAIL_RETRY_INTERVALS"]
    try:
        queue().enqueue(func, address, result_ttl=0, description=description,
                        retry=Retry(max=len(intervals), interval=intervals))
    except RedisError as err:
        log.warning("%s not enqueued, done here: %s", description, err.__class__.__name__)
        with quietly():
            do_now(address)


def _tell_later(message: str) -> None:
    """Once per request and message: several e-mails held up say it once."""
    if not has_request_context() or g.get("jobs_quiet", False):
        return
    told = g.setdefault("jobs_told_later", set())
    if message not in told:
        told.add(message)
        flash(message, "warning")


def live_workers() -> list[Worker]:
    """Workers that have sent a heartbeat recently (RQ drops stale ones)."""
    return Worker.all(connection=redis_connection())
