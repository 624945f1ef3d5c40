from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import Role, User
from scrutiny.extensions import db
from scrutiny.groups.status import TAG_CLASSES, Status

group_members = Table(
    "topic_group_members",
    db.metadata,
    Column("topic_group_id", ForeignKey("topic_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class TopicGroup(db.Model):
    __tablename__ = "topic_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # Scope and terms of reference, in Markdown.
    scope: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default=Status.SCOPING, index=True)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lead_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # The stable part of its recommendations' references ("2026-27/EHI"),
    # fixed when its letters are first sent (scrutiny.responses.references).
    tracker_code: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    lead_officer: Mapped[User | None] = relationship(foreign_keys=[lead_officer_id])
    members: Mapped[list[User]] = relationship(secondary=group_members, order_by=User.name)
    themes: Mapped[list[Theme]] = relationship(
        back_populates="topic_group", order_by="Theme.position", cascade="all, delete-orphan"
    )
    lines_of_enquiry: Mapped[list[LineOfEnquiry]] = relationship(
        back_populates="topic_group", order_by="LineOfEnquiry.position", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="topic_group",
        order_by="StatusChange.changed_at.desc(), StatusChange.id.desc()",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<TopicGroup {self.slug}>"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def status_label(self) -> str:
        return self.status_enum.label

    @property
    def status_tag_class(self) -> str:
        return TAG_CLASSES[self.status_enum]

    @property
    def councillors(self) -> list[User]:
        """Chair first, then the other members."""
        others = [m for m in self.members if m.id != self.chair_id]
        return ([self.chair] if self.chair else []) + others

    def is_member(self, user: User) -> bool:
        return user.id == self.chair_id or any(m.id == user.id for m in self.members)

    def can_view(self, user: User) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        if user.role in (Role.ADMIN, Role.OFFICER):
            return True
        return user.role == Role.COUNCILLOR and self.is_member(user)

    def can_manage(self, user: User) -> bool:
        # Scrutiny teams are small and cover for each other, so any officer
        # may manage any group; the lead officer is who it belongs to.
        return user.is_authenticated and user.is_active and user.role in (Role.ADMIN, Role.OFFICER)


class Theme(db.Model):
    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("topic_group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)

    topic_group: Mapped[TopicGroup] = relationship(back_populates="themes")


class LineOfEnquiry(db.Model):
    __tablename__ = "lines_of_enquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    topic_group: Mapped[TopicGroup] = relationship(back_populates="lines_of_enquiry")


class StatusChange(db.Model):
    """Who moved a group between stages, and when: the group's history."""

    __tablename__ = "topic_group_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Why, where the move needs saying (what closed a group).
    note: Mapped[str] = mapped_column(Text, default="")

    topic_group: Mapped[TopicGroup] = relationship(back_populates="status_changes")
    changed_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def from_label(self) -> str:
        return Status(self.from_status).label

    @property
    def to_label(self) -> str:
        return Status(self.to_status).label
