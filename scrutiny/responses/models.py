"""Responses to recommendations: for now, when each addressee must respond."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.organisations.models import Organisation


class ResponseDue(db.Model):
    """When an addressee must respond to the recommendations sent to it.

    The default follows the kind of addressee (RESPONSE_DUE_RULES); an officer
    may change it, and the reason is kept.
    """

    __tablename__ = "response_dues"
    __table_args__ = (UniqueConstraint("topic_group_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    requested_on: Mapped[date] = mapped_column(Date)  # the day the recommendations are sent
    due_on: Mapped[date | None] = mapped_column(Date)  # None: an officer must set it
    rule: Mapped[str] = mapped_column(String(200), default="")  # why this date, for the letter and officers
    changed_reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime | None]
    # An officer confirmed a date earlier than the statutory period: the
    # letter then asks for an earlier reply rather than claiming the period changed.
    earlier_confirmed: Mapped[bool] = mapped_column(default=False)

    topic_group: Mapped[TopicGroup] = relationship()
    organisation: Mapped[Organisation] = relationship()
    changed_by: Mapped[User | None] = relationship()
