"""GET /healthz: is the database answering, is Redis, is any worker alive.

Anyone gets the status and its code (a load balancer needs no more); the
parts and their errors only staff, or a probe on the machine itself."""
from __future__ import annotations

import ipaddress

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
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
    status = 200 if database["ok"] else 503
    if not _may_see_details(database["ok"]):
        body = {"status": body["status"]}
    return jsonify(body), status


def _from_this_machine() -> bool:
    """The client, after the trusted proxies (TRUSTED_PROXIES), is loopback.
    A request forwarded by more proxies than trusted came from elsewhere: with
    TRUSTED_PROXIES=0 behind a proxy on this machine, every client would
    otherwise look local."""
    forwarded = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    if len(forwarded) > current_app.config["TRUSTED_PROXIES"]:
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _may_see_details(database_ok: bool) -> bool:
    if _from_this_machine():
        return True
    # With the database down, nobody can be looked up: only the machine sees why.
    return database_ok and current_user.is_authenticated and current_user.is_staff_officer
