"""E-mailed links, one mechanism for witnesses, responders and password
resets: 256 random bits in the e-mail, only a SHA-256 hash in the database.

Mail scanners open every link on delivery, so opening a link never spends
it: the GET shows a page with a button, and only the POST behind that button
spends the token. Callers keep their own table of hashes (what a token opens
differs); this module is the part they share.
"""
from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """(token for the e-mail, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()
