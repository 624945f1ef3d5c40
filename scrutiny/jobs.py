"""The RQ queue, its Redis connection, and what the health check reads."""
from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Worker


def init_app(app: Flask) -> None:
    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
    )


def redis_connection() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def live_workers() -> list[Worker]:
    """Workers that have sent a heartbeat recently (RQ drops stale ones)."""
    return Worker.all(connection=redis_connection())
