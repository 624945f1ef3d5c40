"""The group's conclusions written the way the officers' pages write them,
for the report tests: findings with narratives and evidence links,
recommendations resting on findings, report text, settings and sign-off.

Each helper *sets* what it is given (replacing links, sections or drafts
already there), so the tests do not depend on what the case files load."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from scrutiny.evidence.models import Submission
from scrutiny.extensions import db
from scrutiny.findings.models import (
    Draft, DraftStatus, Finding, FindingEvidence, Recommendation, ReportSection, ReportSettings)
from scrutiny.groups.models import Theme, TopicGroup
from scrutiny.groups.services import get_group_by_slug

MATERNITY = "Maternity care and women from BAME backgrounds"


def finding(group: TopicGroup, number: int) -> Finding:
    return next(f for f in group.findings if f.number == number)


def recommendation(group: TopicGroup, number: int) -> Recommendation:
    return next(r for r in group.recommendations if r.number == number)


def submission(group: TopicGroup, title: str) -> Submission:
    return db.session.scalars(select(Submission).where(
        Submission.topic_group_id == group.id, Submission.title == title)).one()


def set_links(group: TopicGroup, number: int, links: list[tuple[str, str]]) -> None:
    """Finding `number` rests on these (evidence title, note), in this order."""
    target = finding(group, number)
    target.evidence_links.clear()
    db.session.flush()
    for position, (title, note) in enumerate(links):
        target.evidence_links.append(FindingEvidence(submission=submission(group, title), note=note,
                                                     position=position))
    db.session.flush()


def set_sections(group: TopicGroup, sections: list[tuple[str, str, str]]) -> None:
    """The report's text: (kind, title, body) in order."""
    group.report_sections.clear()
    db.session.flush()
    for position, (kind, title, body) in enumerate(sections):
        group.report_sections.append(ReportSection(kind=kind, title=title, body=body, position=position))
    db.session.flush()


def set_settings(group: TopicGroup, committee="", meeting_date=None, reference="") -> None:
    if group.report_settings is None:
        group.report_settings = ReportSettings()
    group.report_settings.committee = committee
    group.report_settings.meeting_date = meeting_date
    group.report_settings.reference = reference
    db.session.flush()


def set_signed_off(group: TopicGroup, signed: bool, on: datetime = datetime(2021, 9, 20, 10, 0)) -> None:
    """Drafts replaced by one: signed off (on `on`) or still with the members."""
    group.drafts.clear()
    db.session.flush()
    group.drafts.append(Draft(number=1, status=DraftStatus.SIGNED_OFF if signed else DraftStatus.CIRCULATED,
                              signed_off_at=on if signed else None))
    db.session.flush()


def set_themes(group: TopicGroup, number: int, names: list[str]) -> None:
    themes = {t.name: t for t in db.session.scalars(select(Theme).where(Theme.topic_group_id == group.id))}
    finding(group, number).themes = [themes[n] for n in names]
    db.session.flush()


NARRATIVE_1 = """Outcome data for **diabetes**, mental health and maternity call for urgent action.

The integrated care board's figures show diabetes is more common, and found later, in people from
South Asian and Black backgrounds.

- Uptake of the prevention programme is lowest where the risk is highest.
- Referrals vary widely between practices.

## Maternity

Maternity outcomes were not examined in depth (see recommendation 6)."""


def conclude_demo(slug: str) -> TopicGroup:
    """The demo's conclusions as a group would write them, every finding
    resting on evidence (finding 2 also on the confidential maternity
    submission, accepted as evidence seen in confidence)."""
    group = get_group_by_slug(slug)
    submission(group, MATERNITY).status = "accepted"
    finding(group, 1).title = "Outcomes call for urgent action"
    finding(group, 1).text = NARRATIVE_1
    finding(group, 2).title = "Services know too little about their patients’ needs"
    finding(group, 3).title = "Low trust delays treatment"
    set_themes(group, 3, ["Trust and access", "Cultural competence"])
    set_links(group, 1, [("Diabetes outcomes by ethnicity", "p. 4")])
    set_links(group, 2, [("What residents told us about health services", ""),
                         (MATERNITY, "case review 3, secret-note")])
    set_links(group, 3, [("Mental health services and BAME communities", "slide 2"),
                         ("What residents told us about health services", "p. 2")])
    set_links(group, 4, [("Mental health services and BAME communities", "")])
    set_links(group, 5, [(MATERNITY, "")])
    rests_on = {1: [2], 2: [1, 3], 3: [2, 3], 4: [1, 4], 5: [4, 5], 6: [1]}
    for number, findings in rests_on.items():
        rec = recommendation(group, number)
        rec.findings = [finding(group, n) for n in findings]
    recommendation(group, 2).measure = "Fewer people from BAME communities first reach the trust in crisis."
    recommendation(group, 2).timescale = "Within 12 months"
    set_sections(group, [
        ("foreword", "", "This review listened to residents whose voices are too often missed.\n\n"
                         "I thank everyone who shared their experience with us."),
        ("summary", "", "Health services in the county do not yet serve BAME residents equally."),
        ("custom", "A note on language", "We say *BAME* because the witnesses did."),
        ("conclusions", "", "Change needs every part of the health system."),
    ])
    set_settings(group, committee="Health Scrutiny Committee", meeting_date=date(2021, 10, 14),
                 reference="HSC/2021/07")
    db.session.commit()
    return group
