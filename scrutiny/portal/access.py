"""The portal session: which invitations and response requests this
browser may open.

A used link puts its invitation's (or request's) public id and portal epoch
into the signed session cookie. Withdrawing an invitation, or ending a
request, bumps its epoch, so every session opened before that stops working
at the next request.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, g, session

from scrutiny.evidence import services as evidence
from scrutiny.invitations import services as invitations
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.responses import links as response_links
from scrutiny.responses.models import ResponseRequest

SESSION_KEY = "portal"
RESPONSES_KEY = "portal_responses"


def remember(invitation: Invitation) -> None:
    opened = dict(session.get(SESSION_KEY, {}))
    opened[invitation.public_id] = invitation.portal_epoch
    session[SESSION_KEY] = opened
    session.permanent = True


def remember_request(request: ResponseRequest) -> None:
    opened = dict(session.get(RESPONSES_KEY, {}))
    opened[request.public_id] = request.portal_epoch
    session[RESPONSES_KEY] = opened
    session.permanent = True


def forget() -> None:
    session.pop(SESSION_KEY, None)
    session.pop(RESPONSES_KEY, None)


def current_requests() -> list[ResponseRequest]:
    """The response requests this session may open; ended ones are dropped from it."""
    opened = session.get(RESPONSES_KEY, {})
    live, keep = [], {}
    for public_id, epoch in opened.items():
        request = response_links.by_public_id(public_id)
        if request and request.portal_epoch == epoch and response_links.is_live(request):
            live.append(request)
            keep[public_id] = epoch
    if keep != opened:
        session[RESPONSES_KEY] = keep
    return live


def responder_request(view: Callable) -> Callable:
    """Loads <request_id> if this session opened it with a link; anything else is a 404."""

    @wraps(view)
    def wrapped(request_id: str, *args, **kwargs):
        request = next((r for r in current_requests() if r.public_id == request_id), None)
        if request is None:
            abort(404)
        g.response_request = request
        return view(request, *args, **kwargs)

    wrapped.required_roles = ("portal",)
    return wrapped


def current_invitations() -> list[Invitation]:
    """The invitations this session may open; ended ones are dropped from it."""
    opened = session.get(SESSION_KEY, {})
    live, keep = [], {}
    for public_id, epoch in opened.items():
        invitation = invitations.by_public_id(public_id)
        if invitation and invitation.portal_epoch == epoch and invitation.status != InvitationStatus.WITHDRAWN:
            live.append(invitation)
            keep[public_id] = epoch
    if keep != opened:
        session[SESSION_KEY] = keep
    return live


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
