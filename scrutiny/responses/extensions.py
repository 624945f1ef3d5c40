"""A responder asks for more time; an officer grants or refuses.

An organisation may ask, through the portal, up to its due date, once at a
time: while an ask waits for a decision it cannot ask again. The group's
lead officer is e-mailed (the scrutiny team's address stands in when the
group has none, so an ask is never left unseen). Granting moves the
request's due date (to the date asked for or another later one) and keeps
the links already sent working until the new date plus the portal's grace
days; the automatic reminders follow the new date by themselves
(`reminders`). Either way the responder is e-mailed the decision. Every ask
stays on record with its decision, who made it and when.
"""
from __future__ import annotations

import logging
from datetime import date

from flask import current_app
from redis.exceptions import RedisError

from scrutiny import outbox
from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.responses import links, reminders
from scrutiny.responses.models import ExtensionRequest, ResponseRequest

log = logging.getLogger(__name__)

GRANTED, REFUSED = "granted", "refused"
DATE_FORMAT = "%-d %B %Y"
TEXT_MAX = 5000
NAME_MAX = 200
ASKED, DECIDED = "response_more_time_asked", "response_more_time_decided"


class ExtensionError(ValueError):
    """Nothing was changed; `errors` maps each form field to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _on(day: date) -> str:
    return day.strftime(DATE_FORMAT)


def history(request: ResponseRequest) -> list[ExtensionRequest]:
    """Every ask, first first."""
    return list(request.extensions)


def waiting(request: ResponseRequest) -> ExtensionRequest | None:
    return next((e for e in request.extensions if not e.decision), None)


def why_not(request: ResponseRequest, today: date) -> str | None:
    """Why this organisation cannot ask for more time now, or None if it can."""
    if request.is_submitted:
        return "Your response has been submitted, so there is no more time to ask for"
    pending = waiting(request)
    if pending is not None:
        return (f"You have already asked for more time, to {_on(pending.proposed_due)}: the scrutiny team will "
                "e-mail you their decision")
    if request.due_on is None:
        return "This request has no due date to move: contact the scrutiny team"
    if today > request.due_on:
        return (f"You can only ask for more time up to the due date, {_on(request.due_on)}. "
                "Contact the scrutiny team instead")
    return None


def _text(value: str, errors: dict, field: str, missing: str, maximum: int, what: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) > maximum:
        errors[field] = f"{what} must be {maximum:,} characters or fewer"
    return value


def ask(request: ResponseRequest, *, proposed_due: date | None, reason: str, name: str,
        today: date) -> ExtensionRequest:
    """Record the ask and e-mail the lead officer, in one commit; raises
    ExtensionError, having changed nothing, naming each field that is wrong."""
    errors: dict[str, str] = {}
    problem = why_not(request, today)
    if problem:
        errors["proposed_due"] = problem
    elif proposed_due is None:
        errors["proposed_due"] = "Enter the date you propose to respond by"
    elif proposed_due <= request.due_on:
        errors["proposed_due"] = f"The date you propose must be after the current due date, {_on(request.due_on)}"
    reason = _text(reason, errors, "reason", "Enter why you need more time", TEXT_MAX, "Your reasons")
    name = _text(name, errors, "name", "Enter your full name", NAME_MAX, "Your name")
    if errors:
        raise ExtensionError(errors)
    extension = ExtensionRequest(request=request, asked_at=utcnow(), asked_by_name=name, reason=reason,
                                 due_before=request.due_on, proposed_due=proposed_due)
    db.session.add(extension)
    db.session.flush()
    _tell_the_team(extension)
    db.session.commit()
    return extension


def officer_page(request: ResponseRequest) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/groups/{request.topic_group.slug}/responses/{request.public_id}#more-time"


def _tell_the_team(extension: ExtensionRequest) -> None:
    request = extension.request
    group = request.topic_group
    lead = group.lead_officer
    to_address = lead.email if lead is not None else current_app.config["SCRUTINY_TEAM_EMAIL"]
    subject = f"{request.organisation.name} asks for more time to respond: {group.title}"
    outbox.queue_email(to_address, ASKED, subject, kind=ASKED, to_name=lead.name if lead else "",
                       topic_group=group, user=lead, extension=extension, request=request,
                       recipient_name=lead.name if lead else "", link=officer_page(request))


def can_decide(extension: ExtensionRequest | None) -> bool:
    """A waiting ask, on a response not yet in: once it is, there is nothing to decide."""
    return extension is not None and not extension.decision and not extension.request.is_submitted


def _check_open(extension: ExtensionRequest) -> None:
    if not can_decide(extension):
        raise ExtensionError({"decision": "This request for more time has already been decided, or the response "
                                          "is in"})


def grant(extension: ExtensionRequest, *, due_on: date | None, note: str, by: User) -> None:
    """Move the due date to `due_on` (after the current one), keep the links
    sent working until then, and e-mail the responder; one commit."""
    _check_open(extension)
    request = extension.request
    errors: dict[str, str] = {}
    if due_on is None:
        errors["grant_due"] = "Enter the new due date"
    elif due_on <= request.due_on:
        errors["grant_due"] = f"The new due date must be after the current one, {_on(request.due_on)}"
    note = (note or "").strip()
    if len(note) > TEXT_MAX:
        errors["note"] = f"The note must be {TEXT_MAX:,} characters or fewer"
    if errors:
        raise ExtensionError(errors)
    request.due_on = due_on
    now = utcnow()
    for token in request.tokens:
        if token.used_at is None and token.expires_at > now:  # live links keep working to the new date
            token.expires_at = links.link_expiry(request)
    _decide(extension, GRANTED, note, by, granted_due=due_on)
    _reschedule(request)


def refuse(extension: ExtensionRequest, *, note: str, by: User) -> None:
    """Keep the due date; the note (why) goes to the responder. One commit."""
    _check_open(extension)
    errors: dict[str, str] = {}
    note = _text(note, errors, "note", "Enter why the request for more time is refused: it is e-mailed to "
                                       f"{extension.request.organisation.name}", TEXT_MAX, "The note")
    if errors:
        raise ExtensionError(errors)
    _decide(extension, REFUSED, note, by)


def _decide(extension: ExtensionRequest, decision: str, note: str, by: User, granted_due: date | None = None):
    extension.decision, extension.granted_due, extension.decision_note = decision, granted_due, note
    extension.decided_by, extension.decided_at = by, utcnow()
    request = extension.request
    group = request.topic_group
    verb = "granted" if decision == GRANTED else "refused"
    subject = f"Your request for more time has been {verb}: {group.title}"
    outbox.queue_email(request.to_address, DECIDED, subject, kind=DECIDED, to_name=request.to_name,
                       topic_group=group, extension=extension, request=request, organisation=request.organisation,
                       new_link=f"{current_app.config['BASE_URL'].rstrip('/')}/portal/new-link")
    db.session.commit()


def _reschedule(request: ResponseRequest) -> None:
    """The reminders for the new date. The old jobs would reschedule
    themselves, but a reminder already sent for the old date has no job left."""
    try:
        reminders.schedule(request)
    except RedisError as err:  # the date is saved; a starting worker queues what falls due
        log.warning("reminders for response request %s not scheduled: %s", request.id, err)
