"""Recording what was done, and reading the record back.

`record` adds a row to the caller's session and never commits: the row is
saved with the change it describes, or rolled back with it. An event that
changes nothing else (a sign-in, a download) is saved by `record_alone`.

This feature sits below every other (they all call it), so it imports none
of them: the objects it describes are read by their attributes, and the
pages' lists of groups and people come from the rows themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, Iterator

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import and_, func, inspect, select, true

from scrutiny.audit.models import AuditEvent
from scrutiny.clock import local_to_utc, utcnow
from scrutiny.extensions import db
from scrutiny.paging import Page, paginate

SYSTEM = "system"
NOT_SIGNED_IN = "Someone not signed in"
UNKNOWN_ADDRESS = "unknown address"

# Every action the log holds, in the words of the page's filter.
ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "user_created": "Account created",
    "role_changed": "Role changed",
    "account_deactivated": "Account deactivated",
    "account_reactivated": "Account reactivated",
    "password_changed": "Password changed",
    "invitation_created": "Invitation created",
    "invitation_withdrawn": "Invitation withdrawn",
    "evidence_downloaded": "Confidential evidence downloaded",
    "document_build_requested": "Document build requested",
    "draft_signed_off": "Draft report signed off",
    "draft_reopened": "Signed-off draft reopened",
    "report_published": "Report published",
    "responses_published": "Responses published",
    "publication_withdrawn": "Publication withdrawn",
    "evidence_cleared": "Evidence cleared for publication (redactions)",
    "file_cleared": "Evidence file cleared for publication",
    "redacted_file_uploaded": "Redacted replacement file uploaded",
    "follower_erased": "Follower erased (unsubscribed)",
    "unconfirmed_followers_erased": "Unconfirmed followers erased",
    "survey_opened": "Survey opened",
    "survey_closed": "Survey closed",
    "survey_reopened": "Survey reopened",
    "survey_response_entered": "Survey response entered (paper or interview)",
    "survey_response_withdrawn": "Survey response withdrawn",
    "resident_details_erased": "Residents' sign-up details erased (retention)",
    "conversation_details_erased": "One-to-one requests' details erased (retention)",
    "resident_erased_own_details": "A resident deleted their sign-up details",
    "survey_results_drawn": "Survey results added to the evidence",
}

PAGE_SIZE = 50


def record(action: str, *, obj: Any = None, group: Any = None, details: dict | None = None,
           actor: Any = None) -> AuditEvent:
    """Add the event to the session, to be committed with the change.

    `actor`: a user, or a label for an outsider ("Witness: Carers in
    Northshire"); by default the signed-in user, else "system" outside a
    request (CLI, jobs). `obj`: the model the action was done to.
    `group`: its topic group, when the object does not say."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to ACTIONS")
    actor_id, actor_name = _actor(actor)
    kind, object_id, label = _describe(obj)
    event = AuditEvent(action=action, happened_at=utcnow(), actor_user_id=actor_id, actor_name=actor_name[:200],
                       ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
                       object_type=kind, object_id=object_id[:64], object_label=label[:300],
                       topic_group_id=_group_id(group, obj), details=details or {})
    db.session.add(event)
    return event


def record_alone(action: str, **kwargs) -> AuditEvent:
    """An event that is its own change: recorded and committed now."""
    event = record(action, **kwargs)
    db.session.commit()
    return event


def sign_in_attempt(account: Any, *, succeeded: bool) -> AuditEvent:
    """A sign-in, or a failed one. The address tried is kept only when it is
    an account's (else it could be anyone's, or a password typed in the
    wrong box); never the password."""
    if succeeded:
        return record_alone("sign_in", obj=account, actor=account)
    return record_alone("sign_in_failed", obj=account, actor=NOT_SIGNED_IN,
                        details={"email": account.email if account is not None else UNKNOWN_ADDRESS})


def _actor(actor: Any) -> tuple[int | None, str]:
    if isinstance(actor, str):
        return None, actor
    if actor is None:
        if not has_request_context():
            return None, SYSTEM
        if not current_user.is_authenticated:
            return None, NOT_SIGNED_IN
        actor = current_user
    return actor.id, f"{actor.name} ({actor.email})"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _describe(obj: Any) -> tuple[str, str, str]:
    """(type, id, label) of the object as it is now; ids are public ids where
    the object has one. Outsiders' addresses are never part of a label."""
    if obj is None:
        return "", "", ""
    kind = _snake(type(obj).__name__)
    state = inspect(obj)
    if state.pending:
        db.session.flush()  # a new row: its ids come with its INSERT
    object_id = str(getattr(obj, "public_id", None) or getattr(obj, "slug", None)
                    or "-".join(str(part) for part in state.identity or ()))
    label = _LABELS.get(kind, _default_label)(obj)
    return kind, object_id, label


def _default_label(obj: Any) -> str:
    for name in ("title", "download_name", "name"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return ""


_LABELS = {
    "user": lambda u: f"{u.name} ({u.email})",
    "invitation": lambda i: f"Invitation to {i.organisation.name}",
    "document": lambda d: f"{d.kind_label} version {d.version}",
    "draft": lambda d: f"Draft {d.number}",
    "publication": lambda p: p.topic_group.title,
    "submission": lambda s: s.title or "Evidence",
    "follower": lambda f: f"A follower of {f.topic_group.title}",
    "survey": lambda s: (s.title or {}).get("en", "") or "Survey",
}


def _group_id(group: Any, obj: Any) -> int | None:
    if group is not None:
        return group.id
    if obj is None:
        return None
    if getattr(obj, "topic_group_id", None) is not None:
        return obj.topic_group_id
    submission = getattr(obj, "submission", None)  # an evidence file's group is its submission's
    return getattr(submission, "topic_group_id", None)


# ---- reading the log -----------------------------------------------------------------------------


class FilterError(ValueError):
    """A filter typed wrongly; the message names which."""


@dataclass
class Filters:
    action: str = ""
    person: str = ""  # an actor's user id, or "outsiders" for everyone without an account
    group: str = ""  # a topic group's id
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> tuple[Filters, dict[str, str]]:
        """The filters in a page's query string, and what was wrong with them
        by field name (a wrong one is ignored, with a message)."""
        problems = {}
        dates = {}
        for name, label in (("from", "The ‘from’ date"), ("to", "The ‘to’ date")):
            typed = (args.get(name) or "").strip()
            if not typed:
                continue
            try:
                dates[name] = date.fromisoformat(typed)
            except ValueError:
                problems[name] = f"{label} must be a date like 2026-11-30, not “{typed[:20]}”"
        found = cls(action=args.get("action", "") if args.get("action", "") in ACTIONS else "",
                    person=_id_or(args.get("person", ""), "outsiders"), group=_id_or(args.get("group", "")),
                    since=dates.get("from"), until=dates.get("to"))
        if found.since and found.until and found.since > found.until:
            problems["from"] = "The ‘from’ date must be on or before the ‘to’ date"
            found.since = found.until = None
        return found, problems

    def as_args(self) -> dict[str, str]:
        args = {"action": self.action, "person": self.person, "group": self.group,
                "from": self.since.isoformat() if self.since else "", "to": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in args.items() if v}

    def clauses(self) -> list:
        where = []
        if self.action:
            where.append(AuditEvent.action == self.action)
        if self.person == "outsiders":
            where.append(AuditEvent.actor_user_id.is_(None))
        elif self.person:
            where.append(AuditEvent.actor_user_id == int(self.person))
        if self.group:
            where.append(AuditEvent.topic_group_id == int(self.group))
        # Days are the council's; rows are kept in UTC.
        if self.since:
            where.append(AuditEvent.happened_at >= local_to_utc(self.since, time()))
        if self.until:
            where.append(AuditEvent.happened_at < local_to_utc(self.until + timedelta(days=1), time()))
        return where


def _id_or(value: str, *words: str) -> str:
    return value if value.isdigit() or value in words else ""


def page(filters: Filters, number: int = 1) -> Page:
    """One page of the events, newest first."""
    return paginate(select(AuditEvent).where(and_(true(), *filters.clauses()))
                    .order_by(AuditEvent.happened_at.desc(), AuditEvent.id.desc()), number, PAGE_SIZE)


def events(filters: Filters, batch: int = 500) -> Iterator[AuditEvent]:
    """Every event the filters match, newest first, read a batch at a time."""
    where = and_(true(), *filters.clauses())
    query = select(AuditEvent).where(where).order_by(AuditEvent.happened_at.desc(), AuditEvent.id.desc())
    yield from db.session.scalars(query.execution_options(yield_per=batch))


def people() -> list[tuple[int, str]]:
    """(user id, name) of every staff member the log names, by their latest name."""
    latest = (select(AuditEvent.actor_user_id, func.max(AuditEvent.id).label("last"))
              .where(AuditEvent.actor_user_id.is_not(None)).group_by(AuditEvent.actor_user_id).subquery())
    rows = db.session.execute(select(AuditEvent.actor_user_id, AuditEvent.actor_name)
                              .join(latest, AuditEvent.id == latest.c.last))
    return sorted(((uid, name) for uid, name in rows), key=lambda r: r[1].lower())


def groups() -> list[tuple[int, str]]:
    """(id, title) of every topic group the log names. Read from the table by
    name, not through the groups feature, which itself records events here."""
    table = db.metadata.tables["topic_groups"]
    ids = select(AuditEvent.topic_group_id).where(AuditEvent.topic_group_id.is_not(None)).distinct()
    rows = db.session.execute(select(table.c.id, table.c.title).where(table.c.id.in_(ids)).order_by(table.c.title))
    return [(gid, title) for gid, title in rows]


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)
