"""Responses to recommendations: when each addressee must respond, the
letters sent with their response links, and the answers that come back."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id
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


class Decision(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    NOT_ACCEPTED = "not_accepted"

    @property
    def label(self) -> str:
        return {"accepted": "Accepted", "partially_accepted": "Partially accepted",
                "not_accepted": "Not accepted"}[self.value]


class ActionState(StrEnum):
    IN_PLACE = "in_place"
    PLANNED = "planned"

    @property
    def label(self) -> str:
        return {"in_place": "Already in place", "planned": "Planned"}[self.value]


class ResponseRequest(db.Model):
    """One addressee asked to respond to the recommendations sent to it: the
    letter sent, the response link, and the answer as a whole. A further
    response the group asks for is a new request (round 2, 3…) beside it."""

    __tablename__ = "response_requests"
    __table_args__ = (UniqueConstraint("topic_group_id", "organisation_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    # The letter version sent (its PDF goes with the e-mail).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    # Ending a request (withdrawn, superseded) bumps the epoch, which ends
    # every portal session opened on it, as for invitations.
    portal_epoch: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None]
    submitted_by_name: Mapped[str] = mapped_column(String(200), default="")
    submitted_by_email: Mapped[str] = mapped_column(String(254), default="")
    # A response an officer entered from a letter or e-mail, with the original.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    original_storage_key: Mapped[str | None] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(200), default="")
    original_content_type: Mapped[str] = mapped_column(String(120), default="")
    original_size: Mapped[int | None] = mapped_column(BigInteger)
    original_sha256: Mapped[str] = mapped_column(String(64), default="")
    # The group found the response inadequate and asked for a further one.
    inadequate_reason: Mapped[str] = mapped_column(Text, default="")
    inadequate_at: Mapped[datetime | None]
    inadequate_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The due date each automatic reminder was last sent for (as invitations).
    reminded_for_due: Mapped[date | None] = mapped_column(Date)
    overdue_notice_for_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    topic_group: Mapped[TopicGroup] = relationship()
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    inadequate_by: Mapped[User | None] = relationship(foreign_keys=[inadequate_by_id])
    answers: Mapped[list[RecommendationResponse]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ResponseToken(db.Model):
    """A response link (scrutiny.links): only its hash is kept; opening it
    shows a button, and only the POST behind the button spends it."""

    __tablename__ = "response_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("response_requests.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    request: Mapped[ResponseRequest] = relationship(
        backref=db.backref("tokens", cascade="all, delete-orphan"))


class RecommendationResponse(db.Model):
    """An addressee's answer to one recommendation: its decision, the reason
    when not fully accepted, and the actions it will take or has in place."""

    __tablename__ = "recommendation_responses"
    __table_args__ = (UniqueConstraint("request_id", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("response_requests.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(24), default="")  # "" until answered
    reason: Mapped[str] = mapped_column(Text, default="")
    # For the council's executive, as recommendation action plans show them.
    cabinet_member: Mapped[str] = mapped_column(String(200), default="")
    lead_officer: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    request: Mapped[ResponseRequest] = relationship(back_populates="answers")
    recommendation: Mapped[Recommendation] = relationship()
    actions: Mapped[list[ResponseAction]] = relationship(
        back_populates="response", order_by="ResponseAction.position", cascade="all, delete-orphan",
        lazy="selectin")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label if self.decision else "Not answered yet"


class ResponseAction(db.Model):
    """What will be done (or is done) about a recommendation, by whom, by when.
    The target date first given is kept: a later one needs a reason."""

    __tablename__ = "response_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    response_id: Mapped[int] = mapped_column(ForeignKey("recommendation_responses.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default=ActionState.PLANNED)
    owner_role: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    target_date: Mapped[date | None] = mapped_column(Date)
    original_target_date: Mapped[date | None] = mapped_column(Date)
    # The latest progress update (ActionProgress keeps them all), kept here so
    # the tracker reads one row per action rather than a history per action.
    progress_status: Mapped[str] = mapped_column(String(16), default="")  # "" until first reported
    progress_on: Mapped[date | None] = mapped_column(Date)

    response: Mapped[RecommendationResponse] = relationship(back_populates="actions")
    progress: Mapped[list[ActionProgress]] = relationship(
        back_populates="action", order_by="(ActionProgress.recorded_on, ActionProgress.id)",
        cascade="all, delete-orphan")
    date_changes: Mapped[list[ActionDateChange]] = relationship(
        back_populates="action", order_by="ActionDateChange.changed_at", cascade="all, delete-orphan")

    @property
    def date_moved(self) -> bool:
        return self.original_target_date is not None and self.target_date != self.original_target_date

    @property
    def progress_label(self) -> str:
        return ProgressStatus(self.progress_status).label if self.progress_status else "No update yet"


class ExtensionRequest(db.Model):
    """A responder asks for more time, with reasons; an officer grants or refuses."""

    __tablename__ = "response_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("response_requests.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(server_default=func.now())
    asked_by_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)
    due_before: Mapped[date | None] = mapped_column(Date)
    proposed_due: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(12), default="")  # "", granted, refused
    # What the officer granted: the date asked for, or another.
    granted_due: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    request: Mapped[ResponseRequest] = relationship(
        backref=db.backref("extensions", order_by="ExtensionRequest.asked_at", cascade="all, delete-orphan"))
    decided_by: Mapped[User | None] = relationship()


# ---- monitoring ---------------------------------------------------------------

class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "on_track": "On track", "at_risk": "At risk",
                "done": "Done", "dropped": "Dropped"}[self.value]


class ActionProgress(db.Model):
    """One progress update on an action, by an officer or by the responder
    through the portal (then only their name is known)."""

    __tablename__ = "action_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("response_actions.id", ondelete="CASCADE"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)  # the date the update speaks for
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    action: Mapped[ResponseAction] = relationship(back_populates="progress")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return ProgressStatus(self.status).label


class ActionDateChange(db.Model):
    """An action's target date moved: from, to, why and who. The first date
    stays on the action (original_target_date); this is the history between."""

    __tablename__ = "action_date_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("response_actions.id", ondelete="CASCADE"), index=True)
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_by_name: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())

    action: Mapped[ResponseAction] = relationship(back_populates="date_changes")
    changed_by: Mapped[User | None] = relationship()


class ReviewPoint(db.Model):
    """A scheduled look at progress (for example 6 and 12 months after the
    report), when the group records its judgement on each recommendation."""

    __tablename__ = "review_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))  # "6-month review"
    due_on: Mapped[date] = mapped_column(Date)
    held_at: Mapped[datetime | None]  # the judgements were recorded
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The due date the lead officer's reminder was sent for (as invitations).
    reminded_for_due: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("review_points", order_by="ReviewPoint.due_on", cascade="all, delete-orphan"))
    held_by: Mapped[User | None] = relationship(foreign_keys=[held_by_id])


class Judgement(db.Model):
    """The group's own judgement on a recommendation at a review: a value of
    the council's scale (scrutiny.responses.scale) and, where the scale asks
    for one, a reason. The latest is the recommendation's standing."""

    __tablename__ = "recommendation_judgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"),
                                                   index=True)
    review_point_id: Mapped[int | None] = mapped_column(ForeignKey("review_points.id", ondelete="SET NULL"),
                                                        index=True)
    value: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(server_default=func.now())

    recommendation: Mapped[Recommendation] = relationship(
        backref=db.backref("judgements", order_by="Judgement.id", cascade="all, delete-orphan"))
    review_point: Mapped[ReviewPoint | None] = relationship(backref="judgements")
    recorded_by: Mapped[User | None] = relationship()
