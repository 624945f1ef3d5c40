"""How sign-in makes guessing slow without locking a password's owner out.

Only failed attempts count, and each count, once full, answers 429 until its
window passes:

- per account, from browsers that have never signed in to it
  (SIGN_IN_LIMITS): guessing one account's password is slow from however
  many addresses;
- per known browser (SIGN_IN_LIMITS): a browser that signed in to the
  account before carries a signed cookie saying so and counts on its own, so
  a stranger's guesses never refuse the owner's right password on the
  owner's own browser (OWASP's "device cookies");
- per client address (SIGN_IN_CLIENT_LIMITS): one address cannot try many
  accounts. Behind proxies it is the client's own (TRUSTED_PROXIES).

A browser that has never signed in to the account shares the account's
count: an owner on a new browser while someone is guessing waits, as the
guesser does; nobody can sign in from a new browser faster than a guesser.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from scrutiny.auth.services import normalise_email

COOKIE = "known_browser"
SALT = "sign-in-known-browser"
MOST_ACCOUNTS = 5  # a shared computer remembers only the last few accounts signed in on it


def account_limit() -> str:
    return current_app.config["SIGN_IN_LIMITS"]


def client_limit() -> str:
    return current_app.config["SIGN_IN_CLIENT_LIMITS"]


def _typed_email() -> str:
    return normalise_email(request.form.get("email", ""))


def _account_ref(email: str) -> str:
    """The cookie names accounts by a hash: the browser need not show addresses."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _known_accounts() -> dict[str, str]:
    """account ref -> this browser's own id for it, from a cookie we signed."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    max_age = current_app.config["SIGN_IN_KNOWN_BROWSER_DAYS"] * 24 * 3600
    try:
        known = _serializer().loads(raw, max_age=max_age)
    except BadSignature:  # forged, altered, or too old: a browser like any other
        return {}
    return known if isinstance(known, dict) else {}


def _browser_id() -> str | None:
    return _known_accounts().get(_account_ref(_typed_email()))


def from_unknown_browser() -> bool:
    return _browser_id() is None


def from_known_browser() -> bool:
    return _browser_id() is not None


def account_key() -> str:
    return "sign-in:" + _typed_email()


def known_browser_key() -> str:
    return f"sign-in:{_typed_email()}:browser:{_browser_id()}"


def remember_browser(response: Response, email: str) -> Response:
    """After a successful sign-in: this browser is known to the account."""
    known = _known_accounts()
    ref = _account_ref(normalise_email(email))
    known.pop(ref, None)
    known[ref] = secrets.token_urlsafe(12)
    known = dict(list(known.items())[-MOST_ACCOUNTS:])
    response.set_cookie(COOKIE, _serializer().dumps(known),
                        max_age=current_app.config["SIGN_IN_KNOWN_BROWSER_DAYS"] * 24 * 3600,
                        path="/sign-in", httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
