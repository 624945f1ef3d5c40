"""The members' agreement to the group's conclusions: drafts sent to them,
their answers, the chair's sign-off, and reopening.

Once the latest draft is signed off, findings, recommendations and report
text are locked: changing them needs a reopen with a reason, which starts a
new draft.
"""
from __future__ import annotations

from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.findings.models import Draft, DraftStatus
from scrutiny.groups.models import TopicGroup


def latest_draft(group: TopicGroup) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.topic_group_id == group.id)
                             .order_by(Draft.number.desc()).limit(1))


def signed_off_draft(group: TopicGroup) -> Draft | None:
    """The draft the group signed off, while it stands (not reopened)."""
    draft = latest_draft(group)
    return draft if draft is not None and draft.status == DraftStatus.SIGNED_OFF else None


def is_locked(group: TopicGroup) -> bool:
    return signed_off_draft(group) is not None
