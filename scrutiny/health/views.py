"""GET /healthz: is the database answering, is Redis, is any worker alive."""
from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from scrutiny import jobs
from scrutiny.extensions import db, limiter
from scrutiny.security import public

bp = Blueprint("health", __name__)


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except SQLAlchemyError as exc:
        db.session.rollback()
        return {"ok": False, "error": exc.__class__.__name__}


def _redis_and_workers() -> tuple[dict, dict]:
    try:
        jobs.redis_connection().ping()
    except RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}, {"ok": False, "count": 0}
    try:
        count = len(jobs.live_workers())
    except RedisError as exc:
        return {"ok": True}, {"ok": False, "count": 0, "error": exc.__class__.__name__}
    return {"ok": True}, {"ok": count > 0, "count": count}


@bp.get("/healthz")
@limiter.exempt
@public
def healthz():
    database = _database()
    redis, workers = _redis_and_workers()
    body = {
        "status": "ok" if database["ok"] and redis["ok"] and workers["ok"] else "degraded",
        "database": database,
        "redis": redis,
        "workers": workers,
    }
    # Only the database decides: without Redis pages still work, jobs wait.
    return jsonify(body), 200 if database["ok"] else 503
