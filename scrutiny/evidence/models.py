from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import Theme, TopicGroup
from scrutiny.ids import public_id
from scrutiny.invitations.models import Invitation
from scrutiny.organisations.models import Organisation
from scrutiny.sessions.models import EvidenceSession


class SubmissionKind(StrEnum):
    WRITTEN = "written"
    DATA = "data"
    PRESENTATION = "presentation"
    MINUTES = "minutes"
    SURVEY = "survey"  # a survey's results, drawn by officers (surveys)
    COMMUNITY = "community"  # notes of group discussions and one-to-one conversations, naming no one

    @property
    def label(self) -> str:
        return {"written": "Written evidence", "data": "Data", "presentation": "Presentation",
                "minutes": "Minutes", "survey": "Survey results",
                "community": "Community engagement"}[self.value]


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # accepted for the report
    SET_ASIDE = "set_aside"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "submitted": "Submitted", "accepted": "Accepted for the report",
                "set_aside": "Set aside"}[self.value]


submission_themes = Table(
    "submission_themes",
    db.metadata,
    Column("submission_id", ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Submission(db.Model):
    """A piece of evidence: written evidence, data, a presentation or minutes."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    # None for evidence officers record themselves (minutes of a session).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_sessions.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default=SubmissionKind.WRITTEN, index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    status: Mapped[str] = mapped_column(String(20), default=SubmissionStatus.DRAFT, index=True)
    # Seen by the topic group only; never published.
    confidential: Mapped[bool] = mapped_column(default=False)
    officer_summary: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    submitted_at: Mapped[datetime | None]
    # Evidence an officer recorded for a witness (sent by e-mail or post, or
    # given orally at a session): who recorded it, how it came, who gave it.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_via: Mapped[str] = mapped_column(String(20), default="")  # "" = the portal
    given_by: Mapped[str] = mapped_column(String(200), default="")
    # When the witness confirmed the privacy and publication notice, and which
    # text (its SHA-256), so a changed notice is known to be unconfirmed.
    notice_confirmed_at: Mapped[datetime | None]
    notice_sha256: Mapped[str] = mapped_column(String(64), default="")
    # The survey whose results this is (kind "survey"), so it can be drawn again.
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"), index=True)

    topic_group: Mapped[TopicGroup] = relationship()
    invitation: Mapped[Invitation | None] = relationship(
        backref=db.backref("submissions", order_by="Submission.created_at", cascade="all, delete-orphan"))
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    session: Mapped[EvidenceSession | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=submission_themes, order_by=Theme.position,
                                               lazy="selectin")
    files: Mapped[list[EvidenceFile]] = relationship(back_populates="submission", order_by="EvidenceFile.id",
                                                     cascade="all, delete-orphan", lazy="selectin")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    @property
    def kind_label(self) -> str:
        return SubmissionKind(self.kind).label

    @property
    def status_label(self) -> str:
        return SubmissionStatus(self.status).label

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT


class EvidenceFile(db.Model):
    """An uploaded file. Stored under a generated key; the name is data only."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    # The type the file's name claimed when its content showed another (a
    # PowerPoint renamed .pdf): stored as what it is, the name kept as given.
    named_as: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(20))  # document, data, presentation, image
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    confidential: Mapped[bool] = mapped_column(default=False)
    # Pages of a PDF, counted once at upload so builds need not open the file.
    page_count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    submission: Mapped[Submission] = relationship(back_populates="files")

    @property
    def download_name(self) -> str:
        """The name to save it under: as given, but with the extension of
        what it really is (a PowerPoint file sent as "slides.pdf" saves as
        "slides.pptx"), so it opens in the right program."""
        from scrutiny.uploads import download_name

        return download_name(self.original_name, self.content_type) if self.named_as else self.original_name

    @property
    def is_confidential(self) -> bool:
        return self.confidential or self.submission.confidential
