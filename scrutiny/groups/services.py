"""Topic groups: creating and editing them, who sits on them, their stages."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from scrutiny.auth.models import Role, User
from scrutiny.extensions import db
from scrutiny.groups import hooks
from scrutiny.groups.models import LineOfEnquiry, StatusChange, Theme, TopicGroup, group_members
from scrutiny.groups.status import Status, can_move


class GroupError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def people_to_choose() -> tuple[list[User], list[User]]:
    """(councillors, officers and administrators) who can sit on a group."""
    from scrutiny.auth.services import users_with_role

    return users_with_role(Role.COUNCILLOR), users_with_role(Role.OFFICER) + users_with_role(Role.ADMIN)


@dataclass
class GroupDetails:
    """What an officer sets on a topic group, however it arrives (form, CLI, demo)."""

    title: str
    scope: str = ""
    chair: User | None = None
    members: list[User] = field(default_factory=list)
    lead_officer: User | None = None
    themes: list[str] = field(default_factory=list)
    lines_of_enquiry: list[str] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None


def get_group_by_slug(slug: str) -> TopicGroup | None:
    return db.session.scalar(select(TopicGroup).where(TopicGroup.slug == slug))


def groups_for(user: User) -> list[TopicGroup]:
    """The groups a user may open: all for officers, their own for councillors."""
    query = (select(TopicGroup).options(selectinload(TopicGroup.chair))
             .order_by(TopicGroup.start_date.desc(), TopicGroup.title))
    if user.role == Role.COUNCILLOR:
        member_of = select(group_members.c.topic_group_id).where(group_members.c.user_id == user.id)
        query = query.where(or_(TopicGroup.chair_id == user.id, TopicGroup.id.in_(member_of)))
    elif user.role not in (Role.ADMIN, Role.OFFICER):
        return []
    return list(db.session.scalars(query))


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80] or "topic-group"


def _unique_slug(title: str) -> str:
    base = slugify(title)
    slug, n = base, 2
    while get_group_by_slug(slug) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check(details: GroupDetails) -> None:
    if not details.title.strip():
        raise GroupError("Enter a title for the topic group", "title")
    if details.start_date and details.end_date and details.end_date < details.start_date:
        raise GroupError("The end date must be the same as or after the start date", "end_date")
    for person, what, field_name in ((details.chair, "chair", "chair_id"),):
        if person is not None and person.role != Role.COUNCILLOR:
            raise GroupError(f"The {what} must be a councillor", field_name)
    if any(m.role != Role.COUNCILLOR for m in details.members):
        raise GroupError("Members must be councillors", "member_ids")
    if details.lead_officer is not None and details.lead_officer.role not in (Role.OFFICER, Role.ADMIN):
        raise GroupError("The lead officer must be a scrutiny officer", "lead_officer_id")


def _sync_themes(group: TopicGroup, names: list[str]) -> None:
    """Keep themes that stay (findings point at them), add new, drop the rest."""
    by_name = {t.name.lower(): t for t in group.themes}
    kept = []
    for position, name in enumerate(names):
        theme = by_name.pop(name.lower(), None) or Theme(name=name)
        theme.name, theme.position = name, position
        kept.append(theme)
    group.themes = kept


def _sync_lines(group: TopicGroup, texts: list[str]) -> None:
    existing = {line.text: line for line in group.lines_of_enquiry}
    group.lines_of_enquiry = [
        _positioned(existing.pop(text, None) or LineOfEnquiry(text=text), position)
        for position, text in enumerate(texts)
    ]


def _positioned(line: LineOfEnquiry, position: int) -> LineOfEnquiry:
    line.position = position
    return line


def save_group(group: TopicGroup | None, details: GroupDetails) -> TopicGroup:
    """Create (group=None) or update a topic group in one transaction."""
    _check(details)
    if group is None:
        group = TopicGroup(slug=_unique_slug(details.title), status=Status.SCOPING)
        db.session.add(group)
    group.title = details.title.strip()
    group.scope = details.scope.strip()
    group.chair = details.chair
    group.members = [m for m in details.members if details.chair is None or m.id != details.chair.id]
    group.lead_officer = details.lead_officer
    group.start_date, group.end_date = details.start_date, details.end_date
    _sync_themes(group, details.themes)
    _sync_lines(group, details.lines_of_enquiry)
    db.session.commit()
    return group


MAX_NOTE = 2000


def closing_needs_reason(group: TopicGroup) -> list[str]:
    """Why closing the group now needs the officer's reason (what other
    features say is unfinished); empty when it needs none."""
    return hooks.closing_problems(group)


def change_status(group: TopicGroup, target: Status | str, by: User, note: str = "") -> StatusChange:
    """Move the group on, recording who and, where given, why. Closing while
    another feature says the work is unfinished needs a reason."""
    try:
        target = Status(target)
    except ValueError:
        raise GroupError("Choose a stage to move the topic group to", "status") from None
    if not can_move(group.status, target):
        raise GroupError(
            f"A topic group cannot move from {group.status_label} to {target.label}", "status"
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise GroupError(f"The reason must be {MAX_NOTE} characters or fewer", "note")
    if target == Status.CLOSED and not note:
        unfinished = closing_needs_reason(group)
        if unfinished:
            raise GroupError(f"{' '.join(unfinished)} Enter the reason for closing the topic group now", "note")
    change = StatusChange(from_status=group.status, to_status=target, changed_by=by, note=note)
    group.status = target
    group.status_changes.append(change)
    db.session.commit()
    return change


def closed_by(group: TopicGroup) -> StatusChange | None:
    """The move that closed the group, while it is closed."""
    if group.status != Status.CLOSED:
        return None
    return next((c for c in group.status_changes if c.to_status == Status.CLOSED), None)


def page_parts(group: TopicGroup, user: User) -> list[hooks.PagePart]:
    """What other features show on the group's page (responses: the
    recommendations' standing and closing)."""
    return hooks.page_parts(group, user)
