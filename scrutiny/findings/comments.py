"""Councillors' comments on the group's text: a plain-text thread under each
finding, recommendation and report section.

Comments are not part of the text members agree to, so they stay open while
the draft is signed off: the group may still discuss it (and ask to reopen).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.findings.models import Comment, CommentTarget, Finding, Recommendation, ReportSection
from scrutiny.groups.models import TopicGroup

MAX_COMMENT = 2000
TARGET_MODELS = {CommentTarget.FINDING: Finding, CommentTarget.RECOMMENDATION: Recommendation,
                 CommentTarget.SECTION: ReportSection}


class CommentError(ValueError):
    def __init__(self, message: str, field: str | None = "body"):
        super().__init__(message)
        self.field = field


def target(group: TopicGroup, kind: str, target_id: int) -> Finding | Recommendation | ReportSection | None:
    """The commented item, only if it belongs to this group."""
    try:
        model = TARGET_MODELS[CommentTarget(kind)]
    except ValueError:
        return None
    item = db.session.get(model, target_id)
    return item if item is not None and item.topic_group_id == group.id else None


def target_label(kind: str, item) -> str:
    if kind == CommentTarget.FINDING:
        return f"finding {item.number}"
    if kind == CommentTarget.RECOMMENDATION:
        return f"recommendation {item.number}"
    return f"“{item.heading}”"


def can_comment(group: TopicGroup, user: User) -> bool:
    """The group's councillors (chair and members) and the scrutiny officers."""
    return group.can_manage(user) or group.is_member(user)


def add_comment(group: TopicGroup, author: User, kind: str, target_id: int, body: str,
                at: datetime | None = None) -> Comment:
    if not can_comment(group, author):
        raise CommentError("Only the topic group's councillors and the scrutiny officers can comment", None)
    item = target(group, kind, target_id)
    if item is None:
        raise CommentError("That item is no longer in the group's text", None)
    body = (body or "").strip()
    if not body:
        raise CommentError("Enter your comment")
    if len(body) > MAX_COMMENT:
        raise CommentError(f"Your comment must be {MAX_COMMENT} characters or fewer; it is {len(body)}")
    comment = Comment(topic_group=group, target_kind=str(CommentTarget(kind)), target_id=item.id, author=author,
                      body=body, created_at=at or utcnow())
    db.session.add(comment)
    db.session.flush()
    return comment


def threads(group: TopicGroup) -> dict[tuple[str, int], list[Comment]]:
    """Every comment of the group in one query, keyed by (kind, item id), oldest first."""
    rows = db.session.scalars(select(Comment).where(Comment.topic_group_id == group.id)
                              .order_by(Comment.created_at, Comment.id))
    grouped: dict[tuple[str, int], list[Comment]] = defaultdict(list)
    for comment in rows:
        grouped[(comment.target_kind, comment.target_id)].append(comment)
    return grouped
