from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.ids import public_id
from scrutiny.organisations.models import Organisation
from scrutiny.sessions.models import EvidenceSession


class DocumentKind(StrEnum):
    REPORT = "report"
    LETTER = "letter"
    AGENDA = "agenda"
    PACK = "agenda_pack"
    TRACKER = "tracker"
    RESPONSES = "responses"
    TRACKER_ALL = "tracker_all"  # council-wide: no topic group
    SURVEY_RESULTS = "survey_results"  # subject "survey:<id>" (scrutiny/surveys/results_document.py)

    @property
    def label(self) -> str:
        return {"report": "Final report", "letter": "Recommendation letter", "agenda": "Agenda",
                "agenda_pack": "Agenda pack", "tracker": "Recommendations tracker",
                "responses": "Responses to recommendations",
                "tracker_all": "Recommendations tracker, every group",
                "survey_results": "Survey results"}[self.value]


class DocumentStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


HEARTBEAT = "heartbeat"  # the key of a running build's last sign of life in timings_json


class Document(db.Model):
    """One build of one compiled document, kept as a version.

    `subject` tells the documents of a kind apart within a group: "" for the
    report and the responses to its recommendations, "organisation:<id>" for a letter, "session:<id>" for an agenda
    pack. Versions count up per (group, kind, subject). A council-wide
    document (the tracker of every group) has no group: its versions count up
    per (kind, subject), kept unique by a partial index since the constraint
    over the group's column counts no two NULLs equal.
    """

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("topic_group_id", "kind", "subject", "version"),
                      Index("uq_documents_council_wide_version", "kind", "subject", "version", unique=True,
                            sqlite_where=text("topic_group_id IS NULL"),
                            postgresql_where=text("topic_group_id IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_id)
    topic_group_id: Mapped[int | None] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_sessions.id", ondelete="SET NULL"))
    version: Mapped[int]
    # Hash of everything the build reads (data, templates, stylesheet, fonts,
    # PDF variant): a request whose hash matches the latest version gets it.
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The data counters (scrutiny.data_versions), code, settings, templates
    # and day this version was last found current at: while they are the
    # same, a request gets it without the data being read (services.request_build).
    inputs_stamp: Mapped[str] = mapped_column(String(64), default="", server_default="")
    variant: Mapped[str] = mapped_column(String(20), default="pdf/ua-1")  # "" for a merged pack
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    rq_job_id: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(200))
    page_count: Mapped[int | None]
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    timings_json: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str] = mapped_column(Text, default="")

    topic_group: Mapped[TopicGroup | None] = relationship()  # None: council-wide
    organisation: Mapped[Organisation | None] = relationship()
    session: Mapped[EvidenceSession | None] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label

    @property
    def timings(self) -> dict[str, float]:
        return {k: v for k, v in json.loads(self.timings_json or "{}").items() if k != HEARTBEAT}

    @property
    def heard_at(self) -> datetime | None:
        """When a running build last said it is alive (see documents.jobs).
        The schema is fixed this round, so there is no column of its own:
        while the build runs, `timings_json` holds only its heartbeat, and
        the build's timings replace it when it finishes. Before the first
        heartbeat, the time it started."""
        beat = json.loads(self.timings_json or "{}").get(HEARTBEAT)
        return datetime.fromisoformat(beat) if beat else self.started_at

    @property
    def council_wide(self) -> bool:
        return self.topic_group_id is None

    @property
    def is_finished(self) -> bool:
        return self.status in (DocumentStatus.DONE, DocumentStatus.FAILED)
