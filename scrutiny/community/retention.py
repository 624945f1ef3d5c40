"""Residents' details are kept only as long as needed.

RESIDENT_DATA_RETENTION_DAYS after a discussion ends, its sign-ups' names,
e-mail addresses, phone numbers and access needs are blanked (`erased_at`)
and every e-mail to them is deleted from the outbox; the rows stay, as
anonymous counts, beside the event's own record. A closed one-to-one
request loses its personal fields the same period after it was closed (the
officers' notes are kept; they are told to name no one). A resident can
also erase their own sign-up at once, by the link in their e-mails.

Run by a job scheduled for each event's and request's end of retention and
by every worker's sweep, so nothing is kept longer when Redis lost a job.
Each erasure is logged with its counts, never a name.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from scrutiny import clock
from scrutiny.audit import services as audit
from scrutiny.community.models import (
    ConversationRequest, ConversationStatus, DiscussionEvent, EventSignup, EventStatus)
from scrutiny.extensions import db
from scrutiny.outbox.models import Email

ACKNOWLEDGEMENT_KIND = "conversation_received"


def _blank(signup: EventSignup, now: datetime) -> None:
    signup.name = signup.email = signup.phone = signup.access_needs = ""
    signup.manage_token_hash = None
    signup.erased_at = now


def erase_signup(signup: EventSignup, now: datetime | None = None) -> None:
    """One sign-up's details and e-mails, now. The caller commits."""
    now = now or clock.utcnow()
    # The foreign key's cascade would do this on PostgreSQL only when the row goes; the row stays.
    db.session.execute(delete(Email).where(Email.event_signup_id == signup.id))
    _blank(signup, now)


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(days=current_app.config["RESIDENT_DATA_RETENTION_DAYS"])


def erase_due(now: datetime | None = None) -> int:
    """Erase everything whose retention period has passed. The caller
    commits. Returns how many sign-ups and requests were erased."""
    now = now or clock.utcnow()
    cutoff = _cutoff(now)
    erased = 0
    for event in db.session.scalars(select(DiscussionEvent).where(
            DiscussionEvent.ends_at <= cutoff, DiscussionEvent.contacts_erased_at.is_(None),
            DiscussionEvent.status != EventStatus.DRAFT).order_by(DiscussionEvent.id)):
        signups = [s for s in event.signups if s.erased_at is None]
        emails = db.session.execute(delete(Email).where(Email.event_signup_id.in_(
            select(EventSignup.id).where(EventSignup.event_id == event.id)))).rowcount
        for signup in signups:
            _blank(signup, now)
        event.contacts_erased_at = now
        audit.record("resident_details_erased", obj=event, group=event.topic_group, actor=audit.SYSTEM,
                     details={"sign_ups": len(signups), "emails": emails,
                              "retention_days": current_app.config["RESIDENT_DATA_RETENTION_DAYS"]})
        erased += len(signups)
    requests = list(db.session.scalars(select(ConversationRequest).where(
        ConversationRequest.status == ConversationStatus.CLOSED, ConversationRequest.closed_at <= cutoff,
        ConversationRequest.erased_at.is_(None)).order_by(ConversationRequest.id)))
    by_group: dict[int, list[ConversationRequest]] = {}
    for request in requests:
        by_group.setdefault(request.topic_group_id, []).append(request)
    for group_requests in by_group.values():
        emails = 0
        for request in group_requests:
            emails += db.session.execute(delete(Email).where(Email.conversation_request_id == request.id)).rowcount
            erase_request(request, now)
        audit.record("conversation_details_erased", group=group_requests[0].topic_group, actor=audit.SYSTEM,
                     details={"requests": len(group_requests), "emails": emails,
                              "retention_days": current_app.config["RESIDENT_DATA_RETENTION_DAYS"]})
        erased += len(group_requests)
    return erased


def erase_request(request: ConversationRequest, now: datetime) -> None:
    """Who asked and how to reach them; the preferred language and the way
    they asked to be contacted stay, as counts, with the officers' notes."""
    request.name = request.contact = request.times = request.access_needs = ""
    request.erased_at = now
