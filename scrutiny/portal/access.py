"""The portal session: which invitations and response requests this
browser may open.

Kept server-side (PortalSession): the browser holds only a random id in a
cookie of its own (PORTAL_COOKIE_NAME), the database only its SHA-256, so
signing out ends every copy of the cookie, and nothing of the portal sits in
the staff's session cookie (an officer who opens a witness link keeps their
own session as it was). A session ends after PORTAL_IDLE_MINUTES unused, and
at the latest expiry of the links that opened it.

A used link grants its invitation's (or request's) public id at its portal
epoch. Withdrawing an invitation, or ending a request, bumps its epoch, so
every session opened before that stops reaching it at the next request.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from typing import Callable

from flask import abort, after_this_request, current_app, g, request
from sqlalchemy import select

from scrutiny import clock, links
from scrutiny.evidence import services as evidence
from scrutiny.extensions import db
from scrutiny.invitations import services as invitations
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.portal.models import PortalSession
from scrutiny.responses import links as response_links
from scrutiny.responses.models import ResponseRequest

INVITATIONS, REQUESTS = "invitations", "requests"
# Browsing reads the session; its last visit is written at most this often.
SEEN_EVERY = timedelta(minutes=1)


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["PORTAL_IDLE_MINUTES"])


def _current() -> PortalSession | None:
    """This browser's live portal session, if any (looked up once a request)."""
    if "portal_session" in g:
        return g.portal_session
    g.portal_session = found = _look_up(request.cookies.get(current_app.config["PORTAL_COOKIE_NAME"]))
    return found


def _look_up(cookie: str | None) -> PortalSession | None:
    if not cookie:
        return None
    portal = db.session.scalar(select(PortalSession).where(PortalSession.token_hash == links.hash_token(cookie)))
    now = clock.utcnow()
    if portal is None or portal.ended_at is not None or portal.expires_at <= now \
            or now - portal.last_seen_at >= _idle_limit():
        return None
    if now - portal.last_seen_at >= SEEN_EVERY:
        # Committed here, before the view: nothing of the view's is pending yet.
        portal.last_seen_at = now
        db.session.commit()
    return portal


def _grant(kind: str, public_id: str, epoch: int, until: datetime) -> None:
    """Open this browser's session (or a new one) to one more thing, until
    `until` at least. The browser gets a new id each time: a cookie planted
    before the link was used never learns what the link opened."""
    portal, now = _current(), clock.utcnow()
    if portal is None:
        portal = PortalSession(created_at=now, last_seen_at=now, expires_at=until, grants={})
        db.session.add(portal)
    token, portal.token_hash = links.new_token()
    grants = {INVITATIONS: {}, REQUESTS: {}, **(portal.grants or {})}
    portal.grants = {**grants, kind: {**grants[kind], public_id: epoch}}  # a new dict: JSON changes are not tracked
    portal.expires_at = max(portal.expires_at, until)
    portal.last_seen_at = now
    db.session.commit()
    g.portal_session = portal
    _set_cookie(token)


def _set_cookie(token: str) -> None:
    config = current_app.config

    @after_this_request
    def send(response):
        # No Max-Age: it goes when the browser closes; the server ends it sooner.
        response.set_cookie(config["PORTAL_COOKIE_NAME"], token, secure=config["PORTAL_COOKIE_SECURE"],
                            httponly=True, samesite="Lax", path="/")
        return response


def remember(invitation: Invitation) -> None:
    _grant(INVITATIONS, invitation.public_id, invitation.portal_epoch, invitations.link_expiry(invitation))


def remember_request(response_request: ResponseRequest) -> None:
    _grant(REQUESTS, response_request.public_id, response_request.portal_epoch,
           response_links.link_expiry(response_request))


def forget() -> None:
    """Sign out: the session ends for this browser and any copy of its cookie."""
    portal = _current()
    if portal is not None:
        portal.ended_at = clock.utcnow()
        db.session.commit()
    g.portal_session = None
    config = current_app.config

    @after_this_request
    def drop(response):
        response.delete_cookie(config["PORTAL_COOKIE_NAME"], secure=config["PORTAL_COOKIE_SECURE"],
                               httponly=True, samesite="Lax", path="/")
        return response


def _live(kind: str, load: Callable, still_open: Callable) -> list:
    """The granted things of one kind that still open; ended ones are dropped."""
    portal = _current()
    if portal is None:
        return []
    opened = (portal.grants or {}).get(kind, {})
    live, keep = [], {}
    for public_id, epoch in opened.items():
        thing = load(public_id)
        if thing is not None and thing.portal_epoch == epoch and still_open(thing):
            live.append(thing)
            keep[public_id] = epoch
    if keep != opened:
        portal.grants = {**portal.grants, kind: keep}
        db.session.commit()
    return live


def current_requests() -> list[ResponseRequest]:
    """The response requests this session may open."""
    return _live(REQUESTS, response_links.by_public_id, response_links.is_live)


def current_invitations() -> list[Invitation]:
    """The invitations this session may open."""
    return _live(INVITATIONS, invitations.by_public_id, lambda i: i.status != InvitationStatus.WITHDRAWN)


def responder_request(view: Callable) -> Callable:
    """Loads <request_id> if this session opened it with a link; anything else is a 404."""

    @wraps(view)
    def wrapped(request_id: str, *args, **kwargs):
        found = next((r for r in current_requests() if r.public_id == request_id), None)
        if found is None:
            abort(404)
        g.response_request = found
        return view(found, *args, **kwargs)

    wrapped.required_roles = ("portal",)
    return wrapped


def witness_invitation(view: Callable) -> Callable:
    """Loads <invitation_id> if it is this witness's; anything else is a 404."""

    @wraps(view)
    def wrapped(invitation_id: str, *args, **kwargs):
        invitation = next((i for i in current_invitations() if i.public_id == invitation_id), None)
        if invitation is None:
            abort(404)
        g.invitation = invitation
        return view(invitation, *args, **kwargs)

    wrapped.required_roles = ("portal",)
    return wrapped


def witness_submission(view: Callable) -> Callable:
    """Loads <submission_id> if it belongs to one of this witness's invitations."""

    @wraps(view)
    def wrapped(submission_id: str, *args, **kwargs):
        submission = evidence.witness_submission([i.id for i in current_invitations()], submission_id)
        if submission is None:
            abort(404)
        return view(submission, *args, **kwargs)

    wrapped.required_roles = ("portal",)
    return wrapped
