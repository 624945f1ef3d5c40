"""E-mailed links, one mechanism for witnesses, responders and password
resets: 256 random bits in the e-mail, only a SHA-256 hash in the database.

Mail scanners open every link on delivery, so opening a link never spends
it: the GET shows a page with a button, and only the POST behind that button
spends the token. Each kind keeps its own table of hashes (what a token
opens differs: an invitation, a response request, an account), with the
same columns: token_hash, expires_at, used_at. This module is what they share.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Callable, TypeVar

from sqlalchemy import select

from scrutiny.clock import utcnow
from scrutiny.extensions import db

# Why a link does not open what it was sent for.
UNKNOWN, USED, EXPIRED, WITHDRAWN = "unknown", "used", "expired", "withdrawn"

Record = TypeVar("Record")


def new_token() -> tuple[str, str]:
    """(token for the e-mail, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def look_up(model: type[Record], token: str, *, live: Callable[[Record], bool]) -> tuple[Record | None, str | None]:
    """The record behind a link if it still opens, else (None, why not):
    UNKNOWN, WITHDRAWN (what it opens has ended: `live` says), USED or
    EXPIRED. Reading changes nothing."""
    record = db.session.scalar(select(model).where(model.token_hash == hash_token(token)))
    if record is None:
        return None, UNKNOWN
    if not live(record):
        return None, WITHDRAWN
    if record.used_at is not None:
        return None, USED
    if record.expires_at <= utcnow():
        return None, EXPIRED
    return record, None
