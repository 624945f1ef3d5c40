from __future__ import annotations

from scrutiny.auth.models import User
from scrutiny.documents.models import Document
from scrutiny.documents.services import latest_reports
from scrutiny.groups.models import TopicGroup
from scrutiny.groups.services import groups_for


def my_groups(user: User) -> tuple[list[TopicGroup], dict[int, Document]]:
    """The user's groups and the latest finished report of each."""
    groups = groups_for(user)
    return groups, latest_reports(groups)
