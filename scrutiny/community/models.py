"""Hearing from residents directly: group discussions they sign up to, and
one-to-one conversations they ask for.

A resident's name, contact details and access needs are kept only until the
configured retention period after the event (or after a one-to-one request
is closed); a scheduled job then erases them (`erased_at`), leaving the rows
as anonymous counts. The record of what happened (attendees, organisations,
languages) is the event's own and outlives them.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id


class EventStatus(StrEnum):
    DRAFT = "draft"  # being set up; not public
    PUBLISHED = "published"  # residents can sign up
    CANCELLED = "cancelled"
    CLOSED = "closed"  # held, and its record written

    @property
    def label(self) -> str:
        return {"draft": "Draft", "published": "Published", "cancelled": "Cancelled",
                "closed": "Closed"}[self.value]


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"  # holds a place
    WAITING = "waiting"  # on the waiting list, in order of signing up
    OFFERED = "offered"  # a place freed: theirs if they accept by offered_until
    CANCELLED = "cancelled"  # by the resident or an officer
    LAPSED = "lapsed"  # did not accept an offered place in time

    @property
    def label(self) -> str:
        # Residents read it on their manage page, in its language.
        return {"confirmed": _l("Place confirmed"), "waiting": _l("Waiting list"), "offered": _l("Place offered"),
                "cancelled": _l("Cancelled"), "lapsed": _l("Offer lapsed")}[self.value]


class DiscussionEvent(db.Model):
    """A group discussion on a set date, in a place or online."""

    __tablename__ = "discussion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    starts_at: Mapped[datetime]  # UTC, as every time the app stores
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(Text, default="")  # the address, "" when online only
    online: Mapped[bool] = mapped_column(default=False)
    # How to join online: e-mailed to those with a place, never on the public page.
    joining_details: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int]
    # Of the capacity, places held back for invited community groups: officers
    # book them; the public sign-up sees capacity - held_back.
    held_back: Mapped[int] = mapped_column(default=0)
    languages: Mapped[list] = mapped_column(JSON, default=list)  # language codes spoken at it
    access_offered: Mapped[str] = mapped_column(Text, default="")  # step-free, hearing loop, interpreters...
    terms: Mapped[str] = mapped_column(Text, default="")  # what a resident accepts when signing up
    # Hours a resident promoted from the waiting list has to accept the place.
    accept_hours: Mapped[int] = mapped_column(default=48)
    status: Mapped[str] = mapped_column(String(12), default=EventStatus.DRAFT)
    # The record officers write when closing it: outlives the residents' details.
    attendees: Mapped[int | None]
    organisations_present: Mapped[str] = mapped_column(Text, default="")
    languages_used: Mapped[list] = mapped_column(JSON, default=list)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the sign-ups' names and contact details were erased (retention).
    contacts_erased_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    topic_group: Mapped[TopicGroup] = relationship()
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    signups: Mapped[list[EventSignup]] = relationship(
        back_populates="event", order_by="EventSignup.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def status_label(self) -> str:
        return EventStatus(self.status).label


class EventSignup(db.Model):
    """A resident's place (or place in the queue) at a discussion."""

    __tablename__ = "event_signups"
    __table_args__ = (Index("ix_event_signups_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    event_id: Mapped[int] = mapped_column(ForeignKey("discussion_events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default=SignupStatus.CONFIRMED)
    # Booked by an officer into a place held back for an invited group.
    held_back: Mapped[bool] = mapped_column(default=False)
    invited_group: Mapped[str] = mapped_column(String(200), default="")
    # Personal data, erased (blanked) after the retention period or on request.
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")  # of the pages and e-mails
    # The link in their e-mails (cancel, accept an offered place, delete my
    # details): only its hash. Opening it changes nothing; its buttons do.
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    terms_accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    offered_at: Mapped[datetime | None]
    offered_until: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]

    event: Mapped[DiscussionEvent] = relationship(back_populates="signups")

    @property
    def status_label(self) -> str:
        return SignupStatus(self.status).label


class ConversationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "Waiting", "closed": "Closed"}[self.value]


class ConversationRequest(db.Model):
    """"Speak to us one-to-one": a resident asks, officers call back and close it with notes."""

    __tablename__ = "conversation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ConversationStatus.OPEN, index=True)
    # Personal data, erased after the retention period once closed.
    name: Mapped[str] = mapped_column(String(200), default="")
    preferred_language: Mapped[str] = mapped_column(String(100), default="")
    contact_method: Mapped[str] = mapped_column(String(20), default="")  # email, phone, text
    contact: Mapped[str] = mapped_column(String(254), default="")
    times: Mapped[str] = mapped_column(Text, default="")  # when suits them
    access_needs: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")  # of the form they used
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Officers' notes on the call: kept, but the evidence item drawn from them names no one.
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime | None]

    topic_group: Mapped[TopicGroup] = relationship()
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def status_label(self) -> str:
        return ConversationStatus(self.status).label
