"""Notes from a discussion or a one-to-one conversation become evidence of
the topic group (kind "community"), recorded by an officer like other
evidence they record, and naming no one."""
from __future__ import annotations

from scrutiny.auth.models import User
from scrutiny.clock import to_local
from scrutiny.community.models import ConversationRequest, DiscussionEvent
from scrutiny.evidence import recorded
from scrutiny.evidence.models import Submission
from scrutiny.groups.models import TopicGroup

NotRecorded = recorded.NotRecorded
DISCUSSION, CONVERSATION = "discussion", "conversation"


def title_for_event(event: DiscussionEvent) -> str:
    return f"Notes from the group discussion “{event.title}”, {to_local(event.starts_at):%-d %B %Y}"


def title_for_conversation(request: ConversationRequest) -> str:
    when = to_local(request.closed_at or request.created_at)
    return f"Notes from a one-to-one conversation, {when:%-d %B %Y}"


def record(group: TopicGroup, *, via: str, title: str, summary: str, body: str, theme_ids: list[str],
           by: User) -> Submission:
    """The caller commits; NotRecorded names each problem, and nothing is stored."""
    return recorded.record_community_notes(group, via=via, title=title, summary=summary, body=body,
                                           theme_ids=theme_ids, by=by)
