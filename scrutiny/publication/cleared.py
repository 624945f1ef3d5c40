"""What of a group's evidence the public may see, and in what form: the one
place every public page, feed and file asks. An item is public only when an
officer cleared it to publish; its text is the redacted form when there is
one; a file is public only when cleared itself, as its redacted replacement
when there is one. Confidential evidence is never public, whatever was
decided, and the original always stays with the group."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.publication.models import Clearance, Decision


@dataclass(frozen=True)
class PublicFile:
    public_id: str  # the evidence file's
    name: str
    content_type: str
    size: int
    storage_key: str  # the replacement's when there is one, else the original's
    replaced: bool


@dataclass
class PublicItem:
    submission: Submission
    title: str
    given_by: str  # the organisation's name, or "": never a person
    text: str  # Markdown: the redacted form when redacted
    summary: str  # replaces redacted text that would mislead, when given
    redacted: bool
    files: list[PublicFile] = field(default_factory=list)


def going_public(group: TopicGroup) -> list[Submission]:
    """The evidence that could go public: accepted for the report and not confidential."""
    return list(db.session.scalars(
        select(Submission).where(Submission.topic_group_id == group.id,
                                 Submission.status == SubmissionStatus.ACCEPTED,
                                 Submission.confidential.is_(False))
        .order_by(Submission.submitted_at, Submission.id)))


def _clearances(group: TopicGroup) -> tuple[dict[int, Clearance], dict[int, Clearance]]:
    rows = db.session.scalars(select(Clearance).where(Clearance.topic_group_id == group.id)).all()
    return ({c.submission_id: c for c in rows if c.submission_id is not None},
            {c.evidence_file_id: c for c in rows if c.evidence_file_id is not None})


def uncleared(group: TopicGroup) -> list[Submission | EvidenceFile]:
    """Items and files still waiting for an officer's decision, in order:
    publishing is refused while any is left."""
    by_item, by_file = _clearances(group)
    waiting: list[Submission | EvidenceFile] = []
    for item in going_public(group):
        decided = by_item.get(item.id)
        if decided is None:
            waiting.append(item)
        elif decided.decision == Decision.WITHHOLD:
            continue  # its files are withheld with it: nothing of it goes out
        waiting += [f for f in item.files if not f.confidential and f.id not in by_file]
    return waiting


def public_items(group: TopicGroup) -> list[PublicItem]:
    by_item, by_file = _clearances(group)
    items = []
    for item in going_public(group):
        clearance = by_item.get(item.id)
        if clearance is None or clearance.decision != Decision.PUBLISH:
            continue
        public = PublicItem(
            submission=item, title=item.title,
            # An organisation's name only: `given_by` may name a resident.
            given_by=item.organisation.name if item.organisation else "",
            text=item.body if clearance.public_text is None else clearance.public_text,
            summary=clearance.summary, redacted=bool(clearance.redactions) or clearance.public_text is not None)
        for f in item.files:
            decided = by_file.get(f.id)
            if f.confidential or decided is None or decided.decision != Decision.PUBLISH:
                continue
            if decided.replacement_storage_key:
                public.files.append(PublicFile(f.public_id, decided.replacement_name, decided.replacement_content_type,
                                               decided.replacement_size or 0, decided.replacement_storage_key, True))
            else:
                public.files.append(PublicFile(f.public_id, f.download_name, f.content_type, f.size,
                                               f.storage_key, False))
        items.append(public)
    return items


def public_file(group: TopicGroup, file_public_id: str) -> PublicFile | None:
    """A file the public may download, or None (never say why: 404 alike)."""
    for item in public_items(group):
        for f in item.files:
            if f.public_id == file_public_id:
                return f
    return None
