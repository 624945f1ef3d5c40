"""What the public may see of a topic group, and the record of deciding it."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.evidence.models import EvidenceFile, Submission
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id


class Publication(db.Model):
    """A group's public page: published (when, by whom), its responses
    published (a second moment residents are told of), or withdrawn with a
    notice. One row per group; `version_id` moves with every change, so a
    public page's ETag changes when anything on it could have."""

    __tablename__ = "publications"

    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"),
                                                primary_key=True)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responses_published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")  # shown on the notice when given
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version_id: Mapped[int] = mapped_column(default=1)

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("publication", uselist=False, cascade="all, delete-orphan"))
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_live(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None


class EventKind(StrEnum):
    REPORT_PUBLISHED = "report_published"
    RESPONSES_PUBLISHED = "responses_published"
    MONITORING = "monitoring"  # the group recorded its judgements at a review
    WITHDRAWN = "withdrawn"


class PublicationEvent(db.Model):
    """One entry in a review's public feed: what happened, in public words."""

    __tablename__ = "publication_events"
    __table_args__ = (Index("ix_publication_events_group_time", "topic_group_id", "happened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    happened_at: Mapped[datetime] = mapped_column(server_default=func.now())
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")

    topic_group: Mapped[TopicGroup] = relationship()


class Decision(StrEnum):
    PUBLISH = "publish"  # as it is, or as redacted
    WITHHOLD = "withhold"  # stays with the group only


class Clearance(db.Model):
    """An officer's decision that an evidence item (or one of its files) may
    go public, and in what form: the redacted text, a summary where the
    redacted text would mislead, or a redacted replacement file. The
    original stays with the group untouched."""

    __tablename__ = "clearances"
    __table_args__ = (UniqueConstraint("submission_id"), UniqueConstraint("evidence_file_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    # Exactly one of these: the item's text, or one of its files.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(12))
    public_text: Mapped[str | None] = mapped_column(Text)  # the body as published; None: as submitted
    summary: Mapped[str] = mapped_column(Text, default="")  # replaces redacted text that would mislead
    # A redacted replacement for a file (metadata stripped before it is stored).
    replacement_storage_key: Mapped[str | None] = mapped_column(String(200))
    replacement_name: Mapped[str] = mapped_column(String(200), default="")
    replacement_content_type: Mapped[str] = mapped_column(String(120), default="")
    replacement_size: Mapped[int | None] = mapped_column(BigInteger)
    replacement_sha256: Mapped[str] = mapped_column(String(64), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(server_default=func.now())

    topic_group: Mapped[TopicGroup] = relationship()
    submission: Mapped[Submission | None] = relationship()
    evidence_file: Mapped[EvidenceFile | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
    redactions: Mapped[list[Redaction]] = relationship(
        back_populates="clearance", order_by="Redaction.id", cascade="all, delete-orphan")


class Ground(StrEnum):
    """Why a passage is withheld: Schedule 12A to the Local Government Act
    1972 (paragraphs 1 to 7), or confidential information (s.100A)."""

    INDIVIDUAL = "12a_1"
    IDENTITY = "12a_2"
    FINANCIAL = "12a_3"
    LABOUR_RELATIONS = "12a_4"
    LEGAL_PRIVILEGE = "12a_5"
    NOTICES_ORDERS = "12a_6"
    CRIME = "12a_7"
    CONFIDENTIAL = "s100a"

    @property
    def label(self) -> str:
        return {
            "12a_1": "Schedule 12A, paragraph 1: information relating to an individual",
            "12a_2": "Schedule 12A, paragraph 2: information likely to reveal the identity of an individual",
            "12a_3": "Schedule 12A, paragraph 3: financial or business affairs of a person",
            "12a_4": "Schedule 12A, paragraph 4: labour relations",
            "12a_5": "Schedule 12A, paragraph 5: legal professional privilege",
            "12a_6": "Schedule 12A, paragraph 6: proposed notices, orders or directions",
            "12a_7": "Schedule 12A, paragraph 7: the prevention, investigation or prosecution of crime",
            "s100a": "Confidential information (section 100A)",
        }[self.value]


class Redaction(db.Model):
    """One passage withheld from the public form, and why."""

    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    clearance_id: Mapped[int] = mapped_column(ForeignKey("clearances.id", ondelete="CASCADE"), index=True)
    passage: Mapped[str] = mapped_column(Text)  # exactly what is withheld (a replacement file must not hold it)
    ground: Mapped[str] = mapped_column(String(12))
    public_interest_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(server_default=func.now())

    clearance: Mapped[Clearance] = relationship(back_populates="redactions")
    decided_by: Mapped[User | None] = relationship()

    @property
    def ground_label(self) -> str:
        return Ground(self.ground).label


class Follower(db.Model):
    """Someone following a review by e-mail: only the address is kept, and
    erased on unsubscribing. Confirmed by the link e-mailed (double opt-in);
    only hashes of the links' tokens are kept."""

    __tablename__ = "followers"
    __table_args__ = (UniqueConstraint("topic_group_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    unsubscribe_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    asked_at: Mapped[datetime] = mapped_column(server_default=func.now())
    confirmed_at: Mapped[datetime | None]

    topic_group: Mapped[TopicGroup] = relationship()

