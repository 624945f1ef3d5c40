"""The lead officer's hourly digest of the councillors' comments.

One e-mail per group per hour, not one per comment: `comment_added` schedules
the group's digest for the end of the current hour under a job id made of the
group and the hour, so the tenth comment of the hour schedules nothing new.
The digest lists every comment not yet digested and marks them digested in
the transaction that records its e-mail, so a digest run twice (or a sweep
racing the scheduled job) sends nothing more. Redis only holds the schedule;
comments waiting too long are found from the database by `schedule_overdue`,
run by every starting worker.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from scrutiny import jobs, outbox
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.findings.models import Comment, CommentTarget, Finding, Recommendation, ReportSection
from scrutiny.groups.models import TopicGroup

log = logging.getLogger(__name__)

JOB = "scrutiny.findings.comment_digest.send_digest"


def _job_id(group_id: int, hour: datetime) -> str:
    return f"comment-digest-{group_id}-{hour:%Y%m%d%H}"


def _end_of_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def comment_added(comment: Comment) -> None:
    """Call after committing a comment: schedules its group's digest for the
    end of this hour (once per group and hour, however many comments)."""
    now = utcnow()
    try:
        jobs.enqueue(JOB, comment.topic_group_id, at=_end_of_hour(now).replace(tzinfo=timezone.utc),
                     job_id=_job_id(comment.topic_group_id, now))
    except RedisError as err:  # the comment is saved; a starting worker schedules its digest
        log.warning("digest for group %s not scheduled: %s", comment.topic_group_id, err)


def schedule_overdue(older_than: timedelta = timedelta(hours=1)) -> int:
    """Digest now every group with a comment undigested for longer than
    `older_than` (its scheduled job was lost with Redis). Returns how many."""
    now = utcnow()
    group_ids = list(db.session.scalars(select(Comment.topic_group_id).distinct().where(
        Comment.digested_at.is_(None), Comment.created_at <= now - older_than)))
    for group_id in group_ids:
        jobs.enqueue(JOB, group_id, job_id=_job_id(group_id, now))
    return len(group_ids)


@dataclass
class DigestItem:
    author: str
    item: str  # what was commented on: "Finding 2: Waiting lists", "Recommendation 3", "Section: Conclusions"
    body: str
    created_at: datetime


def _item_label(comment: Comment) -> str:
    if comment.target_kind == CommentTarget.FINDING:
        finding = db.session.get(Finding, comment.target_id)
        return f"Finding {finding.number}: {finding.title}" if finding else "A finding since deleted"
    if comment.target_kind == CommentTarget.RECOMMENDATION:
        recommendation = db.session.get(Recommendation, comment.target_id)
        return f"Recommendation {recommendation.number}" if recommendation else "A recommendation since deleted"
    section = db.session.get(ReportSection, comment.target_id)
    return f"Section: {section.heading}" if section else "A report section since deleted"


def send_digest(group_id: int) -> str:
    """Queue ONE e-mail to the group's lead officer with every undigested
    comment but their own, and mark them all digested with it."""
    group = db.session.get(TopicGroup, group_id)
    if group is None:
        return "no such group"
    lead = group.lead_officer
    if lead is None:
        return "no lead officer: the comments wait for one"
    comments = list(db.session.scalars(select(Comment).where(
        Comment.topic_group_id == group.id, Comment.digested_at.is_(None)).order_by(Comment.created_at, Comment.id)))
    if not comments:
        return "nothing to digest"
    # Only rows still undigested are claimed: a second run that raced this
    # one claims fewer than it read, and backs off without sending.
    claimed = db.session.execute(update(Comment).where(
        Comment.id.in_([c.id for c in comments]), Comment.digested_at.is_(None)).values(digested_at=utcnow()))
    if claimed.rowcount != len(comments):
        db.session.rollback()
        return "another digest took these comments"
    # The lead officer's own comments are digested too, without telling them.
    others = [c for c in comments if c.author_id != lead.id]
    if others:
        items = [DigestItem(c.author.name if c.author else "A former user", _item_label(c), c.body, c.created_at)
                 for c in others]
        count = f"{len(items)} new comment" + ("" if len(items) == 1 else "s")
        outbox.queue_email(lead.email, "comment_digest", f"{count} on {group.title}", kind="comment_digest",
                           to_name=lead.name, topic_group=group, user=lead, items=items, recipient=lead,
                           link=f"{current_app.config['BASE_URL'].rstrip('/')}/groups/{group.slug}/draft")
    db.session.commit()
    return f"{len(others)} comments sent"
