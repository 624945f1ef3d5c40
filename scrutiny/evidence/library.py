"""The evidence library: everything a topic group has received, in one list,
and the officer's review of each piece (accept it, set it aside, tag it).

A witness's draft is theirs until they submit it, so drafts never appear here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from scrutiny.audit import services as audit
from scrutiny.auth.models import User
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionKind, SubmissionStatus, submission_themes
from scrutiny.evidence.search import matching_submission_ids
from scrutiny.extensions import db
from scrutiny.paging import Page, paginate
from scrutiny.groups.models import Theme, TopicGroup
from scrutiny.organisations.models import Organisation

OFFICER_SUMMARY_MAX = 2000

# What a reviewer may decide; None leaves the status as it is.
DECISIONS = (SubmissionStatus.ACCEPTED, SubmissionStatus.SET_ASIDE)
# The statuses the library shows (and filters by), in the order people read them.
LIBRARY_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED, SubmissionStatus.SET_ASIDE)
LIBRARY_PAGE_SIZE = 50  # pieces of evidence a library page shows

STATUS_TAG_CLASSES = {
    SubmissionStatus.DRAFT: "govuk-tag--grey",
    SubmissionStatus.SUBMITTED: "govuk-tag--blue",
    SubmissionStatus.ACCEPTED: "govuk-tag--green",
    SubmissionStatus.SET_ASIDE: "govuk-tag--grey",
}

_FILE_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "text/csv": "CSV",
    "text/plain": "Text",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
}


class LibraryError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Facets:
    """How many pieces of evidence the group holds of each kind, status,
    theme and organisation: the counts beside the filters."""

    total: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    themes: dict[int, int] = field(default_factory=dict)
    # (id, name, count), by name
    organisations: list[tuple[int, str, int]] = field(default_factory=list)


def status_tag_class(status: str) -> str:
    return STATUS_TAG_CLASSES.get(SubmissionStatus(status), "govuk-tag--grey")


def file_type_label(content_type: str) -> str:
    return _FILE_TYPES.get((content_type or "").split(";")[0].strip().lower(), content_type or "Unknown")


def _of_group(group: TopicGroup, include_drafts: bool = False) -> Select:
    query = select(Submission).where(Submission.topic_group_id == group.id)
    if not include_drafts:
        query = query.where(Submission.status != SubmissionStatus.DRAFT)
    return query


def _theme_ids(themes: Iterable[Theme | int | str]) -> list[int]:
    ids = []
    for theme in themes:
        try:
            ids.append(theme.id if isinstance(theme, Theme) else int(theme))
        except (TypeError, ValueError):
            continue
    return ids


def library(group: TopicGroup, **filters) -> list[Submission]:
    """The group's evidence, newest submitted first, filtered (see `_library`)."""
    return list(db.session.scalars(_library(group, **filters)).unique())


def library_page(group: TopicGroup, number: int = 1, **filters) -> Page:
    """One page of LIBRARY_PAGE_SIZE of it: a library of a thousand items is
    megabytes of HTML when shown at once."""
    return paginate(_library(group, **filters), number, LIBRARY_PAGE_SIZE)


def _library(group: TopicGroup, *, themes: Iterable[Theme | int] = (), organisation_id: int | None = None,
             kinds: Iterable[str] = (), statuses: Iterable[str] = (), query: str = "",
             include_drafts: bool = False) -> Select:
    """Within one filter any choice matches (theme A or B); across filters all
    must (theme A, and written evidence, and matching the words typed)."""
    stmt = _of_group(group, include_drafts).options(
        joinedload(Submission.organisation),
        selectinload(Submission.themes),
        selectinload(Submission.files),
        # For "added by ... received by post from ..." on evidence officers recorded.
        selectinload(Submission.added_by),
        selectinload(Submission.invitation),
        selectinload(Submission.session),
    )
    theme_ids = _theme_ids(themes)
    if theme_ids:
        tagged = select(submission_themes.c.submission_id).where(submission_themes.c.theme_id.in_(theme_ids))
        stmt = stmt.where(Submission.id.in_(tagged))
    if organisation_id is not None:
        stmt = stmt.where(Submission.organisation_id == organisation_id)
    kinds = [str(k) for k in kinds]
    if kinds:
        stmt = stmt.where(Submission.kind.in_(kinds))
    statuses = [str(s) for s in statuses]
    if statuses:
        stmt = stmt.where(Submission.status.in_(statuses))
    matching = matching_submission_ids(query)
    if matching is not None:
        stmt = stmt.where(Submission.id.in_(matching))
    received = func.coalesce(Submission.submitted_at, Submission.created_at)
    return stmt.order_by(received.desc(), Submission.id.desc())


def facet_counts(group: TopicGroup) -> Facets:
    """Counts over all the group's evidence (drafts excluded), for the filters."""
    evidence = (select(Submission.id, Submission.kind, Submission.status, Submission.organisation_id)
                .where(Submission.topic_group_id == group.id, Submission.status != SubmissionStatus.DRAFT)
                .subquery())
    facets = Facets()
    for kind, status, count in db.session.execute(
            select(evidence.c.kind, evidence.c.status, func.count()).group_by(evidence.c.kind, evidence.c.status)):
        facets.kinds[kind] = facets.kinds.get(kind, 0) + count
        facets.statuses[status] = facets.statuses.get(status, 0) + count
        facets.total += count
    for theme_id, count in db.session.execute(
            select(submission_themes.c.theme_id, func.count())
            .join(evidence, evidence.c.id == submission_themes.c.submission_id)
            .group_by(submission_themes.c.theme_id)):
        facets.themes[theme_id] = count
    facets.organisations = [
        (org_id, name, count) for org_id, name, count in db.session.execute(
            select(Organisation.id, Organisation.name, func.count())
            .join(evidence, evidence.c.organisation_id == Organisation.id)
            .group_by(Organisation.id, Organisation.name)
            .order_by(Organisation.name))
    ]
    return facets


def get_submission(group: TopicGroup, public_id: str, *, include_drafts: bool = False) -> Submission | None:
    """A piece of the group's evidence by its public id; None if it is not the group's
    (or is still a witness's draft)."""
    return db.session.scalar(_of_group(group, include_drafts).where(Submission.public_id == public_id))


def get_file(group: TopicGroup, public_id: str) -> EvidenceFile | None:
    """A file of the group's evidence; None if it is another group's, or in a draft."""
    return db.session.scalar(
        select(EvidenceFile).join(EvidenceFile.submission)
        .where(EvidenceFile.public_id == public_id,
               Submission.topic_group_id == group.id,
               Submission.status != SubmissionStatus.DRAFT))


def note_download(file: EvidenceFile) -> None:
    """Who opened confidential evidence is on the audit log."""
    if file.is_confidential:
        audit.record_alone("evidence_downloaded", obj=file, details={"submission": file.submission.public_id})


def review(submission: Submission, *, decision: str | None, themes: Iterable[Theme | int | str] = (),
           officer_summary: str = "", by: User) -> Submission:
    """Record an officer's review: the decision (None leaves the status as it
    is), the themes it bears on (replacing any before) and their summary."""
    if submission.status not in LIBRARY_STATUSES:
        raise LibraryError("Only evidence that has been submitted can be reviewed", "decision")
    if decision in ("", None):
        decision = None
    elif decision not in DECISIONS:
        raise LibraryError("Choose whether to accept the evidence for the report, set it aside or leave it as it is",
                           "decision")
    group_themes = {str(t.id): t for t in submission.topic_group.themes}
    chosen: list[Theme] = []
    for theme in themes:
        key = str(theme.id if isinstance(theme, Theme) else theme).strip()
        if key not in group_themes:
            raise LibraryError("Choose only themes of this topic group", "themes")
        if group_themes[key] not in chosen:
            chosen.append(group_themes[key])
    officer_summary = (officer_summary or "").strip()
    if len(officer_summary) > OFFICER_SUMMARY_MAX:
        raise LibraryError(f"The officer summary must be {OFFICER_SUMMARY_MAX} characters or fewer "
                           f"(it is {len(officer_summary)})", "officer_summary")

    if decision is not None:
        submission.status = SubmissionStatus(decision)
    submission.themes = sorted(chosen, key=lambda t: t.position)
    submission.officer_summary = officer_summary
    submission.reviewed_by = by
    submission.reviewed_at = datetime.now(timezone.utc).replace(tzinfo=None)  # stored naive, in UTC
    db.session.commit()
    return submission


KIND_CHOICES = tuple((k.value, k.label) for k in SubmissionKind)
STATUS_CHOICES = tuple((s.value, s.label) for s in LIBRARY_STATUSES)
