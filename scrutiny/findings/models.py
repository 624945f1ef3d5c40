"""The group's own conclusions: findings resting on evidence, recommendations
resting on findings, the report's text, and the members' agreement to them.

Every item an officer edits carries a `version_id` (SQLAlchemy's optimistic
locking): a form remembers the version it was opened at, and a save against
a newer one is refused with who changed it and when, instead of silently
overwriting a colleague's work.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.evidence.models import Submission
from scrutiny.extensions import db
from scrutiny.groups.models import Theme, TopicGroup
from scrutiny.organisations.models import Organisation

recommendation_addressees = Table(
    "recommendation_addressees",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)

finding_themes = Table(
    "finding_themes",
    db.metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

recommendation_findings = Table(
    "recommendation_findings",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
)


class Finding(db.Model):
    """What the group found. `number` is its place in the report (1, 2, ...);
    officers reorder findings by swapping numbers."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("topic_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)  # the narrative, Markdown
    version_id: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("findings", order_by="Finding.number", cascade="all, delete-orphan")
    )
    themes: Mapped[list[Theme]] = relationship(secondary=finding_themes, order_by=Theme.position, lazy="selectin")
    evidence_links: Mapped[list[FindingEvidence]] = relationship(
        back_populates="finding", order_by="FindingEvidence.position", cascade="all, delete-orphan",
        lazy="selectin")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class FindingEvidence(db.Model):
    """A finding rests on this piece of evidence (an accepted library item,
    a session's minutes); `note` points into it (a page, a quotation)."""

    __tablename__ = "finding_evidence"
    __table_args__ = (UniqueConstraint("finding_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    finding: Mapped[Finding] = relationship(back_populates="evidence_links")
    submission: Mapped[Submission] = relationship(lazy="joined")


class Recommendation(db.Model):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("topic_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)  # what should change
    # Why the group makes it: health scrutiny reports must explain each one.
    explanation: Mapped[str] = mapped_column(Text, default="")
    # A label the report may print beside the organisations ("All health
    # services"); never instead of them: the organisations are `addressees`.
    addressed_to: Mapped[str] = mapped_column(String(300), default="")
    measure: Mapped[str] = mapped_column(Text, default="")  # how the group will know it worked
    timescale: Mapped[str] = mapped_column(String(300), default="")  # by when
    version_id: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("recommendations", order_by="Recommendation.number", cascade="all, delete-orphan")
    )
    # Loaded with the recommendations: every page that lists them names them.
    addressees: Mapped[list[Organisation]] = relationship(
        secondary=recommendation_addressees, order_by=Organisation.name, lazy="selectin"
    )
    findings: Mapped[list[Finding]] = relationship(
        secondary=recommendation_findings, order_by=Finding.number, lazy="selectin")
    quality_overrides: Mapped[list[QualityOverride]] = relationship(
        back_populates="recommendation", cascade="all, delete-orphan", lazy="selectin")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class QualityOverride(db.Model):
    """An officer's reason for letting a recommendation through a quality
    check it fails (no measure of success, say); shown to the chair."""

    __tablename__ = "recommendation_quality_overrides"
    __table_args__ = (UniqueConstraint("recommendation_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"),
                                                   index=True)
    item: Mapped[str] = mapped_column(String(32))  # addressee, change, measure, timescale
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(server_default=func.now())

    recommendation: Mapped[Recommendation] = relationship(back_populates="quality_overrides")
    by: Mapped[User | None] = relationship(lazy="joined")


class SectionKind(StrEnum):
    FOREWORD = "foreword"
    SUMMARY = "summary"
    CONCLUSIONS = "conclusions"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"foreword": "Chair’s foreword", "summary": "Key messages and executive summary",
                "conclusions": "Conclusions", "custom": "Other section"}[self.value]


class ReportSection(db.Model):
    """A section of the report's text in Markdown. The foreword, summary and
    conclusions are one each per group; custom sections are many, ordered
    by `position`."""

    __tablename__ = "report_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=SectionKind.CUSTOM)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    version_id: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("report_sections", order_by="ReportSection.position", cascade="all, delete-orphan"))
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def kind_label(self) -> str:
        return SectionKind(self.kind).label

    @property
    def heading(self) -> str:
        return self.title or self.kind_label


class ReportSettings(db.Model):
    """Where the report goes: the committee, the meeting, its reference."""

    __tablename__ = "report_settings"

    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"),
                                                primary_key=True)
    committee: Mapped[str] = mapped_column(String(200), default="")
    meeting_date: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")
    version_id: Mapped[int] = mapped_column(default=1)

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("report_settings", uselist=False, cascade="all, delete-orphan"))

    __mapper_args__ = {"version_id_col": version_id}


class CommentTarget(StrEnum):
    FINDING = "finding"
    RECOMMENDATION = "recommendation"
    SECTION = "section"


class Comment(db.Model):
    """A councillor's (or officer's) plain-text comment on a finding, a
    recommendation or a report section. `digested_at` is set once the lead
    officer's hourly digest has carried it."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    digested_at: Mapped[datetime | None] = mapped_column(index=True)

    topic_group: Mapped[TopicGroup] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")


class DraftStatus(StrEnum):
    CIRCULATED = "circulated"  # with the members for agreement
    SIGNED_OFF = "signed_off"  # agreed: the group's conclusions are locked
    SUPERSEDED = "superseded"  # a later draft replaced it (recirculated or reopened)

    @property
    def label(self) -> str:
        return {"circulated": "With members for agreement", "signed_off": "Signed off",
                "superseded": "Superseded"}[self.value]


class Draft(db.Model):
    """A numbered version of the group's conclusions as sent to the members:
    a frozen snapshot (findings, recommendations, report text) that members
    agree to and the chair signs off. Versions are kept so any two can be
    compared."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("topic_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=DraftStatus.CIRCULATED)
    snapshot_json: Mapped[str] = mapped_column(Text, default="{}")
    snapshot_hash: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")  # the officer's covering note to members
    circulated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    circulated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when an officer signed off on the chair's behalf: the chair at the time.
    signed_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("drafts", order_by="Draft.number", cascade="all, delete-orphan"))
    circulated_by: Mapped[User | None] = relationship(foreign_keys=[circulated_by_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    signed_for: Mapped[User | None] = relationship(foreign_keys=[signed_for_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
    votes: Mapped[list[DraftVote]] = relationship(back_populates="draft", cascade="all, delete-orphan",
                                                  order_by="DraftVote.at", lazy="selectin")

    @property
    def snapshot(self) -> dict:
        return json.loads(self.snapshot_json or "{}")

    @property
    def status_label(self) -> str:
        return DraftStatus(self.status).label


class Vote(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        return {"agree": "Agree", "disagree": "Disagree", "abstain": "Abstain"}[self.value]


class DraftVote(db.Model):
    """One member's answer to one draft; changing one's mind replaces it."""

    __tablename__ = "draft_votes"
    __table_args__ = (UniqueConstraint("draft_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(server_default=func.now())

    draft: Mapped[Draft] = relationship(back_populates="votes")
    user: Mapped[User] = relationship(lazy="joined")

    @property
    def decision_label(self) -> str:
        return Vote(self.decision).label
