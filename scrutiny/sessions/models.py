from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id


class EvidenceSession(db.Model):
    """A meeting where the topic group hears witnesses."""

    __tablename__ = "evidence_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Stored in UTC, shown in the council's time zone.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")  # Markdown
    minutes: Mapped[str] = mapped_column(Text, default="")  # Markdown, after the session
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("evidence_sessions", order_by="EvidenceSession.starts_at", cascade="all, delete-orphan"))
    slots: Mapped[list[SessionSlot]] = relationship(
        back_populates="session", order_by="SessionSlot.position", cascade="all, delete-orphan")


class SessionSlot(db.Model):
    """A witness presenting at a session, and whether they came."""

    __tablename__ = "session_slots"
    # A witness may present at several sessions, once at each.
    __table_args__ = (UniqueConstraint("session_id", "invitation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("evidence_sessions.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    attended: Mapped[bool | None]

    session: Mapped[EvidenceSession] = relationship(back_populates="slots")
    invitation: Mapped["Invitation"] = relationship(back_populates="slots")  # noqa: F821


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"present": "Present", "apologies": "Sent apologies", "absent": "Absent"}[self.value]


class MemberAttendance(db.Model):
    """A councillor of the group at a session: present, apologies or absent."""

    __tablename__ = "session_member_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("evidence_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    recorded_at: Mapped[datetime] = mapped_column(server_default=func.now())

    session: Mapped[EvidenceSession] = relationship(
        backref=db.backref("member_attendance", cascade="all, delete-orphan"))
    user: Mapped["User"] = relationship()  # noqa: F821
