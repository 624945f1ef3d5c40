"""The RQ queue, its Redis connection, enqueue helpers, and what the health
check reads. Jobs take ids, never ORM objects, and reload what they need."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, Worker
from rq.job import Job


def init_app(app: Flask) -> None:
    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
    )


def redis_connection() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue(func: str, *args, retry_intervals: list[int] | None = None, at: datetime | None = None,
            timeout: int | None = None, job_id: str | None = None) -> Job:
    """Enqueue `func` (a dotted path, so callers need not import job modules).

    `retry_intervals`: seconds to wait before each retry on failure.
    `at`: run no earlier than this (UTC), through the worker's scheduler.
    `timeout`: seconds after which the worker stops the job.
    """
    retry = Retry(max=len(retry_intervals), interval=retry_intervals) if retry_intervals else None
    options = {"retry": retry, "job_timeout": timeout, "job_id": job_id}
    if at is not None:
        return queue().enqueue_at(at, func, *args, **options)
    return queue().enqueue(func, *args, **options)


def live_workers() -> list[Worker]:
    """Workers that have sent a heartbeat recently (RQ drops stale ones)."""
    return Worker.all(connection=redis_connection())
