"""Time as the council reads it. The database stores naive UTC; people type
and read the council's own clock (TIMEZONE, e.g. Europe/London with BST)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def utcnow() -> datetime:
    """Naive UTC, as the database stores it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today() -> date:
    return datetime.now(local_zone()).date()


def to_local(stored: datetime) -> datetime:
    """A stored (naive UTC) time as the council's clock reads it."""
    return stored.replace(tzinfo=stored.tzinfo or timezone.utc).astimezone(local_zone())


def local_to_utc(day: date, at: time) -> datetime:
    """The council's day and time as stored (naive UTC)."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def exists_locally(day: date, at: time) -> bool:
    """False for the hour the clocks skip in spring: it does not exist."""
    return to_local(local_to_utc(day, at)).replace(tzinfo=None) == datetime.combine(day, at)
