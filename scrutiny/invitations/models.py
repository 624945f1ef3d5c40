from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id
from scrutiny.organisations.models import Organisation
from scrutiny.outbox.models import Email
from scrutiny.sessions.models import EvidenceSession, SessionSlot

if TYPE_CHECKING:
    pass


class InvitationStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUBMITTED = "evidence_submitted"
    OVERDUE = "overdue"  # shown, never stored: a sent/opened/accepted one past its deadline
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Still waiting for the witness: these can go overdue and get reminders.
AWAITING = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.ACCEPTED)

TAG_CLASSES = {
    InvitationStatus.DRAFT: "govuk-tag--grey",
    InvitationStatus.SENT: "govuk-tag--blue",
    InvitationStatus.OPENED: "govuk-tag--light-blue",
    InvitationStatus.ACCEPTED: "govuk-tag--turquoise",
    InvitationStatus.DECLINED: "govuk-tag--orange",
    InvitationStatus.SUBMITTED: "govuk-tag--green",
    InvitationStatus.OVERDUE: "govuk-tag--red",
    InvitationStatus.WITHDRAWN: "govuk-tag--grey",
}


class Invitation(db.Model):
    """A witness asked to give evidence to a topic group."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_role: Mapped[str] = mapped_column(String(200), default="")  # e.g. "Head of Equality"
    questions: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24), default=InvitationStatus.DRAFT, index=True)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    # Withdrawing bumps the epoch, which ends every portal session opened
    # before it (sessions remember the epoch they were opened in).
    portal_epoch: Mapped[int] = mapped_column(default=0)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # The deadline each automatic reminder was last sent for: one reminder
    # per deadline, and a new one if the deadline moves.
    reminded_for_deadline: Mapped[date | None] = mapped_column(Date)
    overdue_notice_for_deadline: Mapped[date | None] = mapped_column(Date)

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("invitations", order_by="Invitation.created_at", cascade="all, delete-orphan"))
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    # A witness may present at several sessions, once at each: soonest first.
    slots: Mapped[list[SessionSlot]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan",
        order_by=lambda: (select(EvidenceSession.starts_at)
                          .where(EvidenceSession.id == SessionSlot.session_id).scalar_subquery(),
                          SessionSlot.id))
    emails: Mapped[list[Email]] = relationship(back_populates="invitation", order_by="Email.created_at.desc()",
                                               cascade="all, delete-orphan")

    def effective_status(self, today: date) -> InvitationStatus:
        status = InvitationStatus(self.status)
        if status in AWAITING and self.deadline < today:
            return InvitationStatus.OVERDUE
        return status

    def presentation_session(self, now: datetime) -> EvidenceSession | None:
        """The session a presentation the witness saves now is filed against: the
        next of their sessions not yet over, or, once all are over, the last one.
        The witness is not asked: most present once, and the one who presents
        twice is most likely preparing for the next session."""
        sessions = [slot.session for slot in self.slots]
        upcoming = [s for s in sessions if s.ends_at >= now]
        if upcoming:
            return min(upcoming, key=lambda s: s.starts_at)
        return max(sessions, key=lambda s: s.starts_at, default=None)


class PortalToken(db.Model):
    """A single-use portal link. Only a hash of the token is kept: the token
    itself exists only in the e-mail that carried it."""

    __tablename__ = "portal_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    invitation: Mapped[Invitation] = relationship(backref=db.backref("portal_tokens", cascade="all, delete-orphan"))
