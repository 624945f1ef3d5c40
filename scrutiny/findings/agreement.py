"""The members' agreement to the group's conclusions: drafts sent to them,
their answers, the chair's sign-off, and reopening.

Once the latest draft is signed off, findings, recommendations and report
text are locked: changing them needs a reopen with a reason, which starts a
new draft.

A draft carries a snapshot of the text as circulated (plain JSON) and its
SHA-256, so the page can tell members when the live text has moved on from
what they are agreeing to, and a sign-off always covers the exact words the
members saw. Services here check the rules and change the session; the
caller commits.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from scrutiny import outbox
from scrutiny.audit import services as audit
from scrutiny.auth.models import User
from scrutiny.clock import to_local, utcnow
from scrutiny.extensions import db
from scrutiny.findings.models import Draft, DraftStatus, DraftVote, ReportSection, SectionKind, Vote
from scrutiny.groups.models import TopicGroup

MAX_REASON = 2000
MAX_NOTE = 2000
# The report's reading order for sections of each kind; custom ones by position.
SECTION_ORDER = {SectionKind.FOREWORD: 0, SectionKind.SUMMARY: 1, SectionKind.CONCLUSIONS: 2, SectionKind.CUSTOM: 3}


class AgreementError(ValueError):
    """A refused step, with the message the user reads and the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def latest_draft(group: TopicGroup) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.topic_group_id == group.id)
                             .order_by(Draft.number.desc()).limit(1))


def signed_off_draft(group: TopicGroup) -> Draft | None:
    """The draft the group signed off, while it stands (not reopened)."""
    draft = latest_draft(group)
    return draft if draft is not None and draft.status == DraftStatus.SIGNED_OFF else None


def is_locked(group: TopicGroup) -> bool:
    return signed_off_draft(group) is not None


def circulated_draft(group: TopicGroup) -> Draft | None:
    """The draft with the members now, if any: the one they answer and the chair signs off."""
    draft = latest_draft(group)
    return draft if draft is not None and draft.status == DraftStatus.CIRCULATED else None


def drafts(group: TopicGroup) -> list[Draft]:
    return list(db.session.scalars(select(Draft).where(Draft.topic_group_id == group.id)
                                   .order_by(Draft.number.desc())))


def draft_by_number(group: TopicGroup, number: int) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.topic_group_id == group.id, Draft.number == number))


# The text as it stands

def ordered_sections(group: TopicGroup) -> list[ReportSection]:
    return sorted(group.report_sections, key=lambda s: (SECTION_ORDER.get(s.kind, 3), s.position, s.id))


def snapshot(group: TopicGroup) -> dict:
    """The group's text now, as plain data: what members read and agree to.
    Items keep their database id in `key`, so two versions can be compared
    item by item even after renumbering."""
    return {
        "sections": [
            {"key": f"section:{s.id}", "kind": s.kind, "heading": s.heading, "body": s.body}
            for s in ordered_sections(group)
        ],
        "findings": [
            {"key": f"finding:{f.id}", "number": f.number, "title": f.title, "text": f.text,
             "themes": [t.name for t in f.themes],
             "evidence": [{"title": link.submission.title, "note": link.note} for link in f.evidence_links]}
            for f in group.findings
        ],
        "recommendations": [
            {"key": f"recommendation:{r.id}", "number": r.number, "text": r.text, "explanation": r.explanation,
             "addressed_to": r.addressed_to, "addressees": [o.name for o in r.addressees],
             "findings": [f.number for f in r.findings], "measure": r.measure, "timescale": r.timescale,
             "overrides": [{"item": o.item, "reason": o.reason}
                           for o in sorted(r.quality_overrides, key=lambda o: o.item)]}
            for r in group.recommendations
        ],
    }


def snapshot_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_changed_since(draft: Draft, group: TopicGroup) -> bool:
    return snapshot_hash(snapshot(group)) != draft.snapshot_hash


# Who may do what

def is_voting_member(group: TopicGroup, user: User) -> bool:
    """The chair and the members answer; officers organise but do not vote."""
    return any(c.id == user.id for c in group.councillors)


def is_chair(group: TopicGroup, user: User) -> bool:
    return group.chair_id is not None and group.chair_id == user.id


def can_sign_off(group: TopicGroup, user: User) -> bool:
    return is_chair(group, user) or group.can_manage(user)


def can_reopen(group: TopicGroup, user: User) -> bool:
    return is_chair(group, user) or group.can_manage(user)


# Steps

def circulate(group: TopicGroup, officer: User, note: str = "", at: datetime | None = None) -> Draft:
    """Send the text as it is now to the members: a new numbered draft, and
    any earlier one still with them is superseded (their answers stay on it).
    Each member is e-mailed a link to it, sent once the caller commits
    (unless `at` records a draft sent in the past)."""
    if not group.can_manage(officer):
        raise AgreementError("Only the scrutiny officers send the draft to members")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise AgreementError(f"The note to members must be {MAX_NOTE} characters or fewer", "note")
    latest = latest_draft(group)
    if latest is not None and latest.status == DraftStatus.SIGNED_OFF:
        raise AgreementError(f"Draft {latest.number} is signed off. Reopen it, with a reason, before sending "
                             "a new draft")
    data = snapshot(group)
    if not (data["sections"] or data["findings"] or data["recommendations"]):
        raise AgreementError("There is nothing to send yet: write the findings, recommendations or report "
                             "text first")
    digest = snapshot_hash(data)
    if latest is not None and latest.status == DraftStatus.CIRCULATED and latest.snapshot_hash == digest:
        raise AgreementError(f"Draft {latest.number} is already with the members and the text has not "
                             "changed since")
    if latest is not None and latest.status == DraftStatus.CIRCULATED:
        latest.status = DraftStatus.SUPERSEDED
    draft = Draft(topic_group=group, number=(latest.number + 1) if latest else 1, status=DraftStatus.CIRCULATED,
                  snapshot_json=json.dumps(data, ensure_ascii=False), snapshot_hash=digest, note=note,
                  circulated_at=at or utcnow(), circulated_by=officer)
    db.session.add(draft)
    db.session.flush()
    if at is None:  # sent now; one recorded as sent in the past (the demo's history) tells no one
        _tell_members(group, draft, data, superseded=latest if latest is not None and
                      latest.status == DraftStatus.SUPERSEDED else None)
    return draft


def _tell_members(group: TopicGroup, draft: Draft, data: dict, superseded: Draft | None) -> None:
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/groups/{group.slug}/draft"
    subject = f"Draft {draft.number} of {group.title}: for your agreement"
    for member in group.councillors:
        if member.active and member.email:
            outbox.queue_email(member.email, "draft_circulated", subject, kind="draft_circulated",
                               to_name=member.name, topic_group=group, user=member, recipient=member, draft=draft,
                               superseded=superseded, link=link, findings=len(data["findings"]),
                               recommendations=len(data["recommendations"]), sections=len(data["sections"]),
                               sent_by=draft.circulated_by.name if draft.circulated_by else "")


def _current(group: TopicGroup, number: int | None, doing: str) -> Draft:
    """The circulated draft, checked against the number on the form the user read."""
    draft = circulated_draft(group)
    if draft is None:
        latest = latest_draft(group)
        if latest is not None and latest.status == DraftStatus.SIGNED_OFF:
            raise AgreementError(f"Draft {latest.number} is already signed off, so you cannot {doing}")
        raise AgreementError(f"No draft is with the members, so you cannot {doing}")
    if number is not None and number != draft.number:
        raise AgreementError(f"Draft {draft.number} has replaced draft {number} since you opened the page. "
                             f"Read draft {draft.number}, then {doing}")
    return draft


def record_vote(group: TopicGroup, user: User, decision: str, reason: str = "", number: int | None = None,
                at: datetime | None = None) -> DraftVote:
    """A member's answer to the circulated draft; a second answer replaces the first."""
    if not is_voting_member(group, user):
        raise AgreementError("Only the chair and members of the topic group answer the draft")
    draft = _current(group, number, "answer it")
    try:
        decision = Vote(decision)
    except ValueError:
        raise AgreementError("Choose whether you agree, disagree or abstain", "decision") from None
    reason = (reason or "").strip()
    if decision == Vote.DISAGREE and not reason:
        raise AgreementError("Give your reason for disagreeing, so the group can consider it", "reason")
    if len(reason) > MAX_REASON:
        raise AgreementError(f"Your reason must be {MAX_REASON} characters or fewer", "reason")
    vote = next((v for v in draft.votes if v.user_id == user.id), None)
    if vote is None:
        vote = DraftVote(user=user)
        draft.votes.append(vote)
    vote.decision, vote.reason, vote.at = decision, reason, at or utcnow()
    db.session.flush()
    return vote


def sign_off(group: TopicGroup, user: User, number: int | None = None, at: datetime | None = None) -> Draft:
    """The chair agrees the circulated draft for the group, or an officer does
    so on the chair's behalf (recorded as such). The text then locks."""
    if not can_sign_off(group, user):
        raise AgreementError("Only the chair, or a scrutiny officer on the chair's behalf, signs off the draft")
    draft = _current(group, number, "sign it off")
    if text_changed_since(draft, group):
        raise AgreementError(f"The text has changed since draft {draft.number} went to members. Send the "
                             "new draft to members before signing off")
    on_behalf = not is_chair(group, user)
    if on_behalf and group.chair is None:
        raise AgreementError("The topic group has no chair to sign off for. Name the chair first")
    draft.status = DraftStatus.SIGNED_OFF
    draft.signed_off_at = at or utcnow()
    draft.signed_off_by = user
    draft.signed_for = group.chair if on_behalf else None
    audit.record("draft_signed_off", obj=draft, actor=user, details={"on_behalf_of_chair": on_behalf})
    db.session.flush()
    return draft


def reopen(group: TopicGroup, user: User, reason: str, at: datetime | None = None) -> Draft:
    """Unlock a signed-off draft to change it. The draft keeps its sign-off and
    gains the reopening; the next circulation is a new draft number."""
    if not can_reopen(group, user):
        raise AgreementError("Only the chair or a scrutiny officer can reopen the signed-off draft")
    draft = signed_off_draft(group)
    if draft is None:
        raise AgreementError("Nothing is signed off, so there is nothing to reopen")
    reason = (reason or "").strip()
    if not reason:
        raise AgreementError("Give the reason for reopening the signed-off draft", "reason")
    if len(reason) > MAX_REASON:
        raise AgreementError(f"The reason must be {MAX_REASON} characters or fewer", "reason")
    draft.status = DraftStatus.SUPERSEDED
    draft.reopened_at = at or utcnow()
    draft.reopened_by = user
    draft.reopen_reason = reason
    audit.record("draft_reopened", obj=draft, actor=user, details={"reason": reason})
    db.session.flush()
    return draft


# What the pages and other features read

@dataclass
class Answer:
    member: User
    vote: DraftVote | None

    @property
    def answered(self) -> bool:
        return self.vote is not None


def answers(group: TopicGroup, draft: Draft) -> list[Answer]:
    """Each voting member of the group (chair first) with their answer, or None
    if they have not answered; votes from people no longer on the group follow."""
    votes = {v.user_id: v for v in draft.votes}
    rows = [Answer(m, votes.pop(m.id, None)) for m in group.councillors]
    return rows + [Answer(v.user, v) for v in votes.values()]


def tally(draft: Draft) -> dict[str, int]:
    counts = {v.value: 0 for v in Vote}
    for vote in draft.votes:
        counts[vote.decision] = counts.get(vote.decision, 0) + 1
    return counts


def draft_label(draft: Draft) -> str:
    if draft.reopened_at is not None:
        return "Signed off, then reopened"
    return draft.status_label


def status_for(group: TopicGroup) -> dict:
    """Where the group's agreement stands, for other features (the report's
    DRAFT mark and cover date, the group page)."""
    draft = latest_draft(group)
    if draft is None:
        return {"number": None, "status": None, "label": "Not yet sent to members", "signed_off": False,
                "signed_off_by": None, "signed_for": None, "signed_off_at": None, "signed_off_on": None,
                "circulated_at": None, "reopened": False}
    signed = draft.status == DraftStatus.SIGNED_OFF
    return {
        "number": draft.number,
        "status": draft.status,
        "label": f"Draft {draft.number}: {draft_label(draft)}",
        "signed_off": signed,
        "signed_off_by": draft.signed_off_by.name if signed and draft.signed_off_by else None,
        "signed_for": draft.signed_for.name if signed and draft.signed_for else None,
        "signed_off_at": draft.signed_off_at if signed else None,  # naive UTC, as stored
        "signed_off_on": to_local(draft.signed_off_at).date() if signed and draft.signed_off_at else None,
        "circulated_at": draft.circulated_at,
        "reopened": draft.reopened_at is not None,
    }
