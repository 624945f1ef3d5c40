"""Pages that bring several features together (a member's own groups with
their latest reports and the tracker of their recommendations): the one
place above groups, documents and responses, so none has to import another."""
from __future__ import annotations

from scrutiny.auth.models import Role, User
from scrutiny.clock import today
from scrutiny.documents.models import Document
from scrutiny.documents.services import latest_reports
from scrutiny.groups.models import TopicGroup
from scrutiny.groups.services import groups_for
from scrutiny.responses import tracker


def my_groups(user: User) -> tuple[list[TopicGroup], dict[int, Document]]:
    """The user's groups and the latest finished report of each."""
    groups = groups_for(user)
    return groups, latest_reports(groups)


def my_tracker(user: User) -> tracker.Page | None:
    """A councillor's groups' recommendations, overdue responses first,
    with counts; None for officers, whose tracker is its own page."""
    if user.role != Role.COUNCILLOR:
        return None
    return tracker.page(tracker.tracked_groups(user), today(), tracker.Filters(), size=10_000)
