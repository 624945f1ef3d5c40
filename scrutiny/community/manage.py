"""What a resident's manage link opens: their own sign-up, and buttons to
cancel their place, accept a place offered to them, or delete their details.
Opening the link reads only; each button's POST acts (mail scanners open
every link)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scrutiny import clock, links
from scrutiny.audit import services as audit
from scrutiny.community import retention, signups
from scrutiny.community.models import EventSignup
from scrutiny.extensions import db

CANCEL, ACCEPT, DELETE = "cancel", "accept", "delete"
RESIDENT = "Resident (link in their e-mail)"


def by_token(token: str) -> EventSignup | None:
    """The sign-up behind a link, or None (unknown, or its details erased)."""
    if not token:
        return None
    signup = db.session.scalar(select(EventSignup).where(EventSignup.manage_token_hash == links.hash_token(token)))
    return signup if signup is not None and signup.erased_at is None else None


def act(signup: EventSignup, action: str) -> str:
    """Do what the resident pressed; returns what was done. The caller commits."""
    if action == CANCEL:
        signups.cancel(signup, by_resident=True)
        return CANCEL
    if action == ACCEPT:
        signups.accept(signup)
        return ACCEPT
    if action == DELETE:
        delete_my_details(signup)
        return DELETE
    raise signups.SignupError(_l("Choose what to do"))


def delete_my_details(signup: EventSignup) -> None:
    """At the resident's request: their place goes (and is offered on), then
    their details and every e-mail to them."""
    now = clock.utcnow()
    event = signup.event
    if signup.status in signups.ACTIVE:
        signups.cancel(signup, by_resident=False, now=now)
    retention.erase_signup(signup, now)
    audit.record("resident_erased_own_details", obj=event, group=event.topic_group, actor=RESIDENT,
                 details={"sign_ups": 1})
