"""Officers' editing of the group's conclusions: findings and the evidence
they rest on, recommendations and their quality check, the report's text and
settings.

The rules live here, with no request in sight; the views own the commit.
Every change is refused while the group's draft is signed off (see
`agreement.is_locked`), and every edit of a versioned row is refused when a
colleague saved it since the officer opened the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from scrutiny.auth.models import User
from scrutiny.clock import to_local, utcnow
from scrutiny.evidence.models import Submission, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.findings.agreement import signed_off_draft
from scrutiny.findings.models import (
    Finding,
    FindingEvidence,
    QualityOverride,
    Recommendation,
    ReportSection,
    ReportSettings,
    SectionKind,
)
from scrutiny.groups.models import TopicGroup
from scrutiny.organisations.models import Organisation

# A recommendation shorter than this does not say what should change.
MIN_CHANGE_LENGTH = 20
FIXED_SECTIONS = (SectionKind.FOREWORD, SectionKind.SUMMARY, SectionKind.CONCLUSIONS)


class EditError(ValueError):
    """Bad input, named after the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Locked(Exception):
    """The group's draft is signed off: its conclusions cannot change."""

    def __init__(self, group: TopicGroup):
        draft = signed_off_draft(group)
        by = draft.signed_off_by.name if draft and draft.signed_off_by else "the chair"
        when = f" on {to_local(draft.signed_off_at):%-d %B %Y}" if draft and draft.signed_off_at else ""
        super().__init__(f"The draft was signed off by {by}{when}, so findings, recommendations and report "
                         "text are locked. Reopen the draft to change them.")
        self.group = group


class Conflict(Exception):
    """Someone saved the row after the officer opened the form."""

    def __init__(self, row):
        who = row.updated_by.name if getattr(row, "updated_by", None) else "Someone"
        at = getattr(row, "updated_at", None)
        when = f" at {to_local(at):%H:%M on %-d %B %Y}" if at else ""
        super().__init__(f"{who} changed this{when}. Your text is below: check their version, "
                         "then save again to replace it.")
        self.row = row


def check_unlocked(group: TopicGroup) -> None:
    if signed_off_draft(group) is not None:
        raise Locked(group)


def check_version(row, opened_version: str | int | None) -> None:
    """Refuse a save against a version newer than the one the form was opened at."""
    if row is None or row.id is None:
        return
    try:
        opened = int(opened_version)
    except (TypeError, ValueError):
        opened = None
    if opened != row.version_id:
        raise Conflict(row)


def _stamp(row, by: User | None) -> None:
    row.updated_at = utcnow()
    row.updated_by = by


def _renumber(model, group: TopicGroup, order: list[int], column: str = "number") -> None:
    """Give the rows of `order` (ids) the numbers 1, 2, ... in one go.

    Plain UPDATEs, not the ORM's: a new place in the list is not an edit of
    the item, so it must not bump the version a colleague's open form holds.
    The numbers go negative first: (topic_group_id, number) is unique and
    swapping two rows would otherwise collide halfway.
    """
    table = model.__table__
    col = table.c[column]
    for step in (-1, 1):
        for position, row_id in enumerate(order, start=1):
            db.session.execute(update(table).where(table.c.id == row_id).values({col: step * position}))
    for row in db.session.identity_map.values():
        if isinstance(row, model) and row.topic_group_id == group.id:
            db.session.expire(row, [column])


def _move(model, group: TopicGroup, rows: list, row, direction: str, column: str = "number") -> None:
    ids = [r.id for r in rows]
    index = ids.index(row.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ids):
        return
    ids[index], ids[other] = ids[other], ids[index]
    _renumber(model, group, ids, column)


# Evidence --------------------------------------------------------------------

def citable_evidence(group: TopicGroup) -> list[Submission]:
    """What a finding may rest on: the group's accepted evidence, minutes included."""
    return list(db.session.scalars(
        select(Submission).where(Submission.topic_group_id == group.id,
                                 Submission.status == SubmissionStatus.ACCEPTED)
        .options(selectinload(Submission.themes))
        .order_by(Submission.kind, Submission.title)))


def _citable(group: TopicGroup, submission_id: int | None, field_name: str) -> Submission:
    submission = db.session.get(Submission, submission_id) if submission_id else None
    if submission is None or submission.topic_group_id != group.id:
        raise EditError("Choose a piece of this group’s evidence", field_name)
    if submission.status != SubmissionStatus.ACCEPTED:
        raise EditError(f"“{submission.title}” is {submission.status_label.lower()}, not accepted for the "
                        "report: accept it in the evidence library first, or choose other evidence", field_name)
    return submission


# Findings --------------------------------------------------------------------

def findings_of(group: TopicGroup) -> list[Finding]:
    return list(db.session.scalars(
        select(Finding).where(Finding.topic_group_id == group.id).order_by(Finding.number)
        .options(selectinload(Finding.evidence_links), selectinload(Finding.themes))))


def get_finding(group: TopicGroup, finding_id: int) -> Finding | None:
    finding = db.session.get(Finding, finding_id)
    return finding if finding is not None and finding.topic_group_id == group.id else None


@dataclass
class FindingDetails:
    title: str
    text: str
    theme_ids: list[int] = field(default_factory=list)


def save_finding(group: TopicGroup, finding: Finding | None, details: FindingDetails, by: User | None,
                 opened_version=None) -> Finding:
    check_unlocked(group)
    check_version(finding, opened_version)
    title, text = (details.title or "").strip(), (details.text or "").strip()
    if not title:
        raise EditError("Enter the finding’s title", "title")
    if not text:
        raise EditError("Enter what the group found", "text")
    themes = {t.id: t for t in group.themes}
    unknown = [i for i in details.theme_ids if i not in themes]
    if unknown:
        raise EditError("Choose themes of this group only", "theme_ids")
    if finding is None:
        number = (db.session.scalar(select(func.max(Finding.number)).where(Finding.topic_group_id == group.id))
                  or 0) + 1
        finding = Finding(topic_group=group, number=number)
        db.session.add(finding)
    finding.title, finding.text = title, text
    finding.themes = [themes[i] for i in details.theme_ids]
    _stamp(finding, by)
    db.session.flush()
    return finding


def delete_finding(group: TopicGroup, finding: Finding) -> None:
    check_unlocked(group)
    db.session.delete(finding)
    db.session.flush()
    remaining = db.session.scalars(select(Finding.id).where(Finding.topic_group_id == group.id)
                                   .order_by(Finding.number))
    _renumber(Finding, group, list(remaining))


def move_finding(group: TopicGroup, finding: Finding, direction: str) -> None:
    check_unlocked(group)
    rows = list(db.session.scalars(select(Finding).where(Finding.topic_group_id == group.id)
                                   .order_by(Finding.number)))
    _move(Finding, group, rows, finding, direction)


def link_evidence(group: TopicGroup, finding: Finding, submission_id: int | None, note: str,
                  by: User | None) -> FindingEvidence:
    check_unlocked(group)
    submission = _citable(group, submission_id, "submission_id")
    if any(link.submission_id == submission.id for link in finding.evidence_links):
        raise EditError(f"Finding {finding.number} already cites “{submission.title}”: change its note below",
                        "submission_id")
    link = FindingEvidence(submission=submission, note=(note or "").strip(),
                           position=max((lk.position for lk in finding.evidence_links), default=-1) + 1)
    finding.evidence_links.append(link)
    _stamp(finding, by)
    db.session.flush()
    return link


def get_link(finding: Finding, link_id: int) -> FindingEvidence | None:
    return next((link for link in finding.evidence_links if link.id == link_id), None)


def update_link_note(group: TopicGroup, finding: Finding, link: FindingEvidence, note: str,
                     by: User | None) -> None:
    check_unlocked(group)
    link.note = (note or "").strip()
    _stamp(finding, by)
    db.session.flush()


def unlink_evidence(group: TopicGroup, finding: Finding, link: FindingEvidence, by: User | None) -> None:
    check_unlocked(group)
    finding.evidence_links.remove(link)
    _stamp(finding, by)
    db.session.flush()


# Recommendations -------------------------------------------------------------

def recommendations_of(group: TopicGroup) -> list[Recommendation]:
    return list(db.session.scalars(
        select(Recommendation).where(Recommendation.topic_group_id == group.id).order_by(Recommendation.number)))


def get_recommendation(group: TopicGroup, recommendation_id: int) -> Recommendation | None:
    rec = db.session.get(Recommendation, recommendation_id)
    return rec if rec is not None and rec.topic_group_id == group.id else None


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


@dataclass
class RecommendationDetails:
    text: str
    explanation: str = ""
    finding_ids: list[int] = field(default_factory=list)
    addressee_ids: list[int] = field(default_factory=list)
    addressed_to: str = ""
    measure: str = ""
    timescale: str = ""


def save_recommendation(group: TopicGroup, rec: Recommendation | None, details: RecommendationDetails,
                        by: User | None, opened_version=None) -> Recommendation:
    check_unlocked(group)
    check_version(rec, opened_version)
    text = (details.text or "").strip()
    if not text:
        raise EditError("Enter what should change", "text")
    if not details.addressee_ids:
        raise EditError("Choose at least one organisation the recommendation is addressed to", "addressee_ids")
    orgs = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(details.addressee_ids)))}
    missing = [i for i in details.addressee_ids if i not in orgs]
    if missing:
        raise EditError(f"There is no organisation with the number {missing[0]}: it may have been removed; "
                        "choose from the list", "addressee_ids")
    findings = {f.id: f for f in group.findings}
    if any(i not in findings for i in details.finding_ids):
        raise EditError("Choose findings of this group only", "finding_ids")
    if rec is None:
        number = (db.session.scalar(select(func.max(Recommendation.number))
                                    .where(Recommendation.topic_group_id == group.id)) or 0) + 1
        rec = Recommendation(topic_group=group, number=number)
        db.session.add(rec)
    rec.text = text
    rec.explanation = (details.explanation or "").strip()
    rec.addressed_to = (details.addressed_to or "").strip()
    rec.measure = (details.measure or "").strip()
    rec.timescale = (details.timescale or "").strip()
    rec.addressees = [orgs[i] for i in details.addressee_ids]
    rec.findings = sorted((findings[i] for i in details.finding_ids), key=lambda f: f.number)
    _stamp(rec, by)
    db.session.flush()
    return rec


def delete_recommendation(group: TopicGroup, rec: Recommendation) -> None:
    check_unlocked(group)
    db.session.delete(rec)
    db.session.flush()
    remaining = db.session.scalars(select(Recommendation.id).where(Recommendation.topic_group_id == group.id)
                                   .order_by(Recommendation.number))
    _renumber(Recommendation, group, list(remaining))


def move_recommendation(group: TopicGroup, rec: Recommendation, direction: str) -> None:
    check_unlocked(group)
    _move(Recommendation, group, recommendations_of(group), rec, direction)


def add_organisation(name: str, kind: str) -> Organisation:
    """An organisation typed on the recommendation form, so the officer
    need not leave it (and lose what they typed) to add one."""
    from scrutiny.organisations import services as organisations_service

    name = (name or "").strip()
    if not name:
        raise EditError("Enter the name of the organisation to add", "new_organisation_name")
    existing = organisations_service.find_by_name(name)
    if existing is not None:
        return existing
    if kind not in organisations_service.kinds():
        raise EditError("Choose what kind of organisation this is", "new_organisation_kind")
    org = Organisation(name=name, kind=kind)
    db.session.add(org)
    db.session.flush()
    return org


# The quality check -------------------------------------------------------------

QUALITY_ITEMS = {
    "addressee": "Names an organisation it is addressed to",
    "change": "Says what should change",
    "measure": "Has a measure of success",
    "timescale": "Has a timescale",
}


def _passes(rec: Recommendation, item: str) -> bool:
    if item == "addressee":
        return bool(rec.addressees)
    if item == "change":
        return len((rec.text or "").strip()) >= MIN_CHANGE_LENGTH
    if item == "measure":
        return bool((rec.measure or "").strip())
    return bool((rec.timescale or "").strip())


def quality(rec: Recommendation) -> list[dict]:
    """Each item of the quality check: whether it passes, and if not, whether
    an officer let it through, why, who and when."""
    overrides = {o.item: o for o in rec.quality_overrides}
    result = []
    for item, label in QUALITY_ITEMS.items():
        ok = _passes(rec, item)
        override = overrides.get(item) if not ok else None
        result.append({
            "item": item, "label": label, "ok": ok,
            "override_reason": override.reason if override else None,
            "override_by": override.by.name if override and override.by else None,
            "override_at": override.at if override else None,
        })
    return result


def override_quality(group: TopicGroup, rec: Recommendation, item: str, reason: str,
                     by: User | None) -> QualityOverride:
    check_unlocked(group)
    if item not in QUALITY_ITEMS:
        raise EditError("Choose an item of the quality check", "item")
    reason = (reason or "").strip()
    if not reason:
        raise EditError(f"Enter why this recommendation may go without: {QUALITY_ITEMS[item].lower()}", "reason")
    override = next((o for o in rec.quality_overrides if o.item == item), None)
    if override is None:
        override = QualityOverride(item=item, reason=reason)
        rec.quality_overrides.append(override)
    override.reason, override.by, override.at = reason, by, utcnow()
    db.session.flush()
    return override


def withdraw_override(group: TopicGroup, rec: Recommendation, item: str) -> None:
    check_unlocked(group)
    for override in list(rec.quality_overrides):
        if override.item == item:
            rec.quality_overrides.remove(override)
    db.session.flush()


# Report text -----------------------------------------------------------------

def sections_of(group: TopicGroup) -> dict:
    """The fixed sections (None where not written yet) and the custom ones in order."""
    rows = list(db.session.scalars(select(ReportSection).where(ReportSection.topic_group_id == group.id)
                                   .order_by(ReportSection.position, ReportSection.id)))
    fixed = {kind.value: next((r for r in rows if r.kind == kind), None) for kind in FIXED_SECTIONS}
    return {"fixed": fixed, "custom": [r for r in rows if r.kind == SectionKind.CUSTOM]}


def get_section(group: TopicGroup, section_id: int) -> ReportSection | None:
    section = db.session.get(ReportSection, section_id)
    return section if section is not None and section.topic_group_id == group.id else None


def fixed_section(group: TopicGroup, kind: str) -> ReportSection | None:
    return db.session.scalar(select(ReportSection).where(ReportSection.topic_group_id == group.id,
                                                         ReportSection.kind == kind))


def save_section(group: TopicGroup, section: ReportSection | None, *, kind: str, title: str, body: str,
                 by: User | None, opened_version=None) -> ReportSection:
    check_unlocked(group)
    check_version(section, opened_version)
    kind = SectionKind(kind)
    title, body = (title or "").strip(), (body or "").strip()
    if kind == SectionKind.CUSTOM and not title:
        raise EditError("Enter the section’s heading", "title")
    if not body:
        raise EditError(f"Enter the text of the {(title or kind.label)}", "body")
    if section is None:
        if kind != SectionKind.CUSTOM and fixed_section(group, kind) is not None:
            # Two officers started the same foreword: the second must see the first's.
            raise Conflict(fixed_section(group, kind))
        last = db.session.scalar(select(func.max(ReportSection.position))
                                 .where(ReportSection.topic_group_id == group.id)) or 0
        section = ReportSection(topic_group=group, kind=kind.value, position=last + 1)
        db.session.add(section)
    section.title = title if kind == SectionKind.CUSTOM else ""
    section.body = body
    _stamp(section, by)
    db.session.flush()
    return section


def delete_section(group: TopicGroup, section: ReportSection) -> None:
    check_unlocked(group)
    db.session.delete(section)
    db.session.flush()


def move_section(group: TopicGroup, section: ReportSection, direction: str) -> None:
    """Custom sections only: the foreword, summary and conclusions have their places."""
    check_unlocked(group)
    custom = sections_of(group)["custom"]
    if section not in custom:
        return
    ids = [s.id for s in custom]
    index = ids.index(section.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ids):
        return
    ids[index], ids[other] = ids[other], ids[index]
    table = ReportSection.__table__
    for position, row_id in enumerate(ids, start=1):
        db.session.execute(update(table).where(table.c.id == row_id).values(position=position))
    for row in custom:
        db.session.expire(row, ["position"])


def settings_of(group: TopicGroup) -> ReportSettings | None:
    return db.session.get(ReportSettings, group.id)


def save_settings(group: TopicGroup, *, committee: str, meeting_date: date | None, reference: str,
                  opened_version=None) -> ReportSettings:
    check_unlocked(group)
    settings = settings_of(group)
    if settings is not None:
        try:
            opened = int(opened_version)
        except (TypeError, ValueError):
            opened = None
        if opened != settings.version_id:
            raise Conflict(settings)
    else:
        settings = ReportSettings(topic_group_id=group.id)
        db.session.add(settings)
    settings.committee = (committee or "").strip()
    settings.meeting_date = meeting_date
    settings.reference = (reference or "").strip()
    db.session.flush()
    return settings


def updated_label(row) -> str:
    """Who last saved a row and when, for the pages that list them."""
    at: datetime | None = getattr(row, "updated_at", None)
    if at is None:
        return ""
    who = row.updated_by.name if row.updated_by else "someone"
    return f"Last saved by {who} at {to_local(at):%H:%M on %-d %B %Y}"


# The evidence map --------------------------------------------------------------

@dataclass
class EvidenceRow:
    submission: Submission
    links: list[FindingEvidence]  # the findings citing it, in their order
    recommendations: list[Recommendation]  # resting on those findings


@dataclass
class EvidenceMap:
    rows: list[EvidenceRow]
    findings: list[Finding]
    recommendations: list[Recommendation]
    unused: list[Submission]
    findings_without_evidence: list[Finding]
    recommendations_without_finding: list[Recommendation]
    recommendations_without_addressee: list[Recommendation]
    unaccepted_links: list[FindingEvidence]

    @property
    def blocking(self) -> bool:
        return bool(self.findings_without_evidence or self.recommendations_without_addressee)


def evidence_map(group: TopicGroup) -> EvidenceMap:
    """Evidence × findings × recommendations in a handful of queries, however
    many items the group holds (a benchmark runs it on 1,000 items)."""
    from sqlalchemy.orm import lazyload

    from scrutiny.findings import checks

    linked = (select(FindingEvidence.submission_id).join(Finding)
              .where(Finding.topic_group_id == group.id).scalar_subquery())
    # Files and themes are not shown here; loading them would cost a query per
    # 500 items. Linked items withdrawn since are loaded too, to be flagged.
    evidence = list(db.session.scalars(
        select(Submission).where(Submission.topic_group_id == group.id,
                                 (Submission.status == SubmissionStatus.ACCEPTED) | Submission.id.in_(linked))
        .options(lazyload(Submission.files), lazyload(Submission.themes))
        .order_by(Submission.kind, Submission.title, Submission.id)))
    # The links' submissions are already in the session: many-to-one by key, no SQL.
    findings = list(db.session.scalars(
        select(Finding).where(Finding.topic_group_id == group.id).order_by(Finding.number)
        .options(selectinload(Finding.evidence_links).lazyload(FindingEvidence.submission),
                 lazyload(Finding.themes))))
    recommendations = list(db.session.scalars(
        select(Recommendation).where(Recommendation.topic_group_id == group.id).order_by(Recommendation.number)
        .options(selectinload(Recommendation.findings).options(lazyload(Finding.themes),
                                                               lazyload(Finding.evidence_links)))))
    resting_on: dict[int, list[Recommendation]] = {}
    for rec in recommendations:
        for finding in rec.findings:
            resting_on.setdefault(finding.id, []).append(rec)
    citing: dict[int, list[FindingEvidence]] = {}
    for finding in findings:
        for link in finding.evidence_links:
            citing.setdefault(link.submission_id, []).append(link)
    rows = []
    for submission in evidence:
        links = citing.get(submission.id, [])
        recs = {r.id: r for link in links for r in resting_on.get(link.finding_id, [])}
        rows.append(EvidenceRow(submission, links, sorted(recs.values(), key=lambda r: r.number)))
    return EvidenceMap(
        rows=rows, findings=findings, recommendations=recommendations,
        unused=[row.submission for row in rows if not row.links],
        findings_without_evidence=checks.findings_without_evidence(group, findings),
        recommendations_without_finding=checks.recommendations_without_finding(group, recommendations),
        recommendations_without_addressee=checks.recommendations_without_addressee(group, recommendations),
        unaccepted_links=checks.links_to_unaccepted_evidence(group, findings),
    )
