"""Publishing a topic group: what stops it (named, each with where to fix
it), publishing the report, then the organisations' responses, withdrawing,
and the public updates each step leaves (PublicationEvent, in words a
resident reads).

Every step checks first and changes nothing when refused; what it changes
(the Publication row, whose `version_id` SQLAlchemy moves on every update,
and its event) is committed in one transaction, or rolled back whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from scrutiny.audit import services as audit
from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.documents import services as documents
from scrutiny.documents.models import Document, DocumentKind
from scrutiny.evidence.models import EvidenceFile, Submission
from scrutiny.extensions import db
from scrutiny.findings import agreement
from scrutiny.groups.hooks import PagePart
from scrutiny.groups.models import TopicGroup
from scrutiny.plurals import counted
from scrutiny.publication import cleared, following, page_cache
from scrutiny.publication.models import EventKind, Publication, PublicationEvent
from scrutiny.responses.models import ResponseRequest, ReviewPoint

MAX_REASON = 2000
MONITORING_SUMMARY = ("The group looked at what has been done about each recommendation and recorded its "
                      "judgement.")


@dataclass(frozen=True)
class Problem:
    """What stops a step, and the page (endpoint and its arguments besides
    the group's slug) where an officer puts it right."""

    message: str
    endpoint: str
    args: dict = field(default_factory=dict)
    link_text: str = ""


class PublicationError(ValueError):
    """A refused step: `problems` names everything that stops it."""

    def __init__(self, problems: list[Problem], field_name: str | None = None):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
        self.field = field_name


def publication_of(group: TopicGroup) -> Publication | None:
    return db.session.get(Publication, group.id)


def live_publication(group: TopicGroup) -> Publication | None:
    publication = publication_of(group)
    return publication if publication is not None and publication.is_live else None


def latest_report(group: TopicGroup) -> Document | None:
    """The final report the public downloads: the newest finished build."""
    return documents.latest_done(group, DocumentKind.REPORT)


# ---- what stops publishing -------------------------------------------------------------


def _evidence_problem(waiting: Submission | EvidenceFile) -> Problem:
    if isinstance(waiting, EvidenceFile):
        item = waiting.submission
        return Problem(f"The file “{waiting.download_name}” of “{item.title}” has not been cleared for publication",
                       "evidence.submission", {"public_id": item.public_id}, f"Clear “{waiting.download_name}”")
    return Problem(f"The evidence “{waiting.title}” has not been cleared for publication",
                   "evidence.submission", {"public_id": waiting.public_id}, f"Clear “{waiting.title}”")


def problems(group: TopicGroup) -> list[Problem]:
    """Everything that stops the group's report going public, each named."""
    found = []
    if agreement.signed_off_draft(group) is None:
        found.append(Problem("The group has not signed off its draft: the chair signs it off once the members "
                             "have agreed it", "agreement.draft", link_text="Go to the draft and its agreement"))
    report = latest_report(group)
    if report is None:
        found.append(Problem("The final report PDF has not been built", "documents.index",
                             link_text="Build the final report on the documents page"))
    elif report.id in documents.out_of_date(group, [report]):
        found.append(Problem(f"The final report PDF (version {report.version}) is out of date: build it again so "
                             "the public reads what the group agreed", "documents.index",
                             link_text="Build the final report again on the documents page"))
    found += [_evidence_problem(waiting) for waiting in cleared.uncleared(group)]
    return found


def letters_sent(group: TopicGroup) -> bool:
    return db.session.scalar(select(ResponseRequest.id).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.sent_at.is_not(None)).limit(1)) is not None


def responding_organisations(group: TopicGroup) -> int:
    """How many organisations have submitted a response (any round)."""
    return db.session.scalar(select(func.count(func.distinct(ResponseRequest.organisation_id))).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.submitted_at.is_not(None))) or 0


def response_problems(group: TopicGroup) -> list[Problem]:
    """What stops the responses going public beside the report."""
    found = []
    if live_publication(group) is None:
        found.append(Problem("Publish the final report first", "publication.page",
                             link_text="Publish the final report"))
    if not letters_sent(group):
        found.append(Problem("The recommendation letters have not been sent", "documents.letters_page",
                             link_text="Send the letters"))
    elif responding_organisations(group) == 0:
        found.append(Problem("No organisation has submitted a response yet", "responses.overview_page",
                             link_text="See the responses"))
    return found


# ---- steps ------------------------------------------------------------------------------


def _touch(publication: Publication, at: datetime) -> None:
    """An UPDATE of the row even when nothing else on it changed, so its
    version (and so every public page's ETag) moves with what it shows."""
    publication.updated_at = at


def record_event(group: TopicGroup, kind: EventKind | str, title: str, summary: str = "",
                 at: datetime | None = None) -> PublicationEvent:
    """A public update on the group's feed. Added to the session, not
    committed: it belongs to the caller's transaction."""
    at = at or utcnow()
    event = PublicationEvent(topic_group=group, kind=str(EventKind(kind)), title=title, summary=summary,
                             happened_at=at)
    db.session.add(event)
    publication = publication_of(group)
    if publication is not None:
        _touch(publication, at)
    return event


def _committed(step, group: TopicGroup | None = None):
    """Runs `step`, committing once; any failure rolls back everything it did.
    Then the group's public pages are dropped from the page cache."""
    try:
        result = step()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if group is not None:
        page_cache.forget(group.slug)
    return result


def publish(group: TopicGroup, by: User | None, at: datetime | None = None, *, check: bool = True,
            tell: bool = True) -> Publication:
    """The report goes public (again, after a withdrawal), and its followers
    and witnesses are e-mailed (recorded in the same transaction). Refused,
    naming every problem, while anything stops it. `check=False, tell=False`
    are for loading a case's history only: its report PDF is built
    afterwards, and history e-mails nobody."""
    found = problems(group) if check else []
    current = live_publication(group)
    if current is not None:
        found.insert(0, Problem("The report is already published", "publication.page"))
    if found:
        raise PublicationError(found)

    def step():
        when = at or utcnow()
        publication = publication_of(group)
        if publication is None:
            publication = Publication(topic_group=group)
            db.session.add(publication)
        publication.published_at, publication.published_by = when, by
        publication.withdrawn_at, publication.withdrawn_by, publication.withdrawal_reason = None, None, ""
        _touch(publication, when)
        audit.record("report_published", obj=publication, group=group, actor=by)
        event = record_event(group, EventKind.REPORT_PUBLISHED, "Final report published",
                             f"The final report of the review “{group.title}” is published.", at=when)
        if tell:
            db.session.flush()
            following.notify(group, event)
        return publication

    return _committed(step, group)


def publish_responses(group: TopicGroup, by: User | None, at: datetime | None = None, *,
                      tell: bool = True) -> Publication:
    """The organisations' submitted responses go public beside the report,
    and followers and witnesses are told (not when `tell` is False: history)."""
    found = response_problems(group)
    publication = publication_of(group)
    if not found and publication.responses_published_at is not None:
        found.append(Problem("The responses are already published", "publication.page"))
    if found:
        raise PublicationError(found)

    def step():
        when = at or utcnow()
        publication.responses_published_at = when
        _touch(publication, when)
        audit.record("responses_published", obj=publication, group=group, actor=by)
        organisations = counted(responding_organisations(group), "organisation")
        event = record_event(group, EventKind.RESPONSES_PUBLISHED, f"Responses from {organisations} published",
                             "What each organisation decided about the recommendations addressed to it, and "
                             "what it will do.", at=when)
        if tell:
            db.session.flush()
            following.notify(group, event)
        return publication

    return _committed(step, group)


def withdraw(group: TopicGroup, by: User | None, reason: str = "", at: datetime | None = None) -> Publication:
    """Takes the review down: its page then says when, and why if given."""
    reason = (reason or "").strip()
    publication = live_publication(group)
    if publication is None:
        raise PublicationError([Problem("The review is not published, so there is nothing to withdraw",
                                        "publication.page")])
    if len(reason) > MAX_REASON:
        raise PublicationError([Problem(f"The reason must be {MAX_REASON} characters or fewer",
                                        "publication.page")], "reason")

    def step():
        when = at or utcnow()
        publication.withdrawn_at, publication.withdrawn_by, publication.withdrawal_reason = when, by, reason
        _touch(publication, when)
        audit.record("publication_withdrawn", obj=publication, group=group, actor=by, details={"reason": reason})
        record_event(group, EventKind.WITHDRAWN, "Review withdrawn", reason, at=when)
        return publication

    return _committed(step, group)


def review_held(point: ReviewPoint) -> None:
    """Registered with scrutiny.responses.review_hooks: a review held is a
    public update of a published review. Inside the review's transaction."""
    group = point.topic_group
    if live_publication(group) is None:
        return
    record_event(group, EventKind.MONITORING, f"{point.label}: judgements recorded", MONITORING_SUMMARY,
                 at=point.held_at)


def events(group: TopicGroup) -> list[PublicationEvent]:
    """The group's public updates, newest first."""
    return list(db.session.scalars(select(PublicationEvent).where(PublicationEvent.topic_group_id == group.id)
                                   .order_by(PublicationEvent.happened_at.desc(), PublicationEvent.id.desc())))


# ---- the group's page ---------------------------------------------------------------------


def page_part(group: TopicGroup, user: User) -> PagePart | None:
    """Where the group's publication stands, on its page, for officers."""
    if not group.can_manage(user):
        return None
    return PagePart("publication/_part.html", {"publication": publication_of(group)})
