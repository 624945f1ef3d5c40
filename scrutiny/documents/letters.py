"""Recommendation letters: one to each organisation the group's
recommendations are addressed to, listing only its own recommendations and
the date by which it must respond.

When a response is due follows the kind of addressee
(``RESPONSE_DUE_RULES``): the council's executive two months from the
request (Local Government Act 2000, s.9FE), an NHS body 28 days from it
(Health Scrutiny Regulations 2013, reg. 22). Other kinds have no statutory
duty: an officer sets their date, and no letter is built until each has one.

The dates are kept in ``ResponseDue`` rows, made when the letters are first
prepared (the first build, or an officer setting a date) with the request
date of that day, and never moved by a rebuild. An officer may change one
with a reason, which is kept.

``letter_context`` gives a letter's template (``templates/pdf/letter.html``,
under the name ``letter``) plain JSON data about one organisation only, so
a letter's input hash changes only when its own recommendations, its due
date, or what every letter shares (the group's title, chair, lead officer,
the council's name) change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import today, utcnow
from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
from scrutiny.responses.models import ResponseDue
from scrutiny.documents.report import EMAIL_RE, EMAIL_REMOVED
from scrutiny.documents.services import DocumentError
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.groups.services import slugify
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import kind_label

SUBJECT_PREFIX = "organisation:"
OFFICER_RULE = "Set by the scrutiny officer"
DATE_FORMAT = "%-d %B %Y"
MAX_REASON = 2000
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve"]


class LetterError(ValueError):
    """An officer's change that cannot be saved; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- who gets a letter ----------------------------------------------------------------


def subject_for(organisation: Organisation) -> str:
    return f"{SUBJECT_PREFIX}{organisation.id}"


def organisation_id_of(subject: str) -> int | None:
    if not subject.startswith(SUBJECT_PREFIX):
        return None
    number = subject[len(SUBJECT_PREFIX):]
    return int(number) if number.isdigit() else None


def addressees(group: TopicGroup) -> list[Organisation]:
    """Every organisation any recommendation of the group is addressed to, by name."""
    found: dict[int, Organisation] = {}
    for recommendation in group.recommendations:
        for organisation in recommendation.addressees:
            found.setdefault(organisation.id, organisation)
    return sorted(found.values(), key=lambda o: o.name.casefold())


def addressee(group: TopicGroup, organisation_id: int) -> Organisation | None:
    return next((o for o in addressees(group) if o.id == organisation_id), None)


def recommendations_for(group: TopicGroup, organisation: Organisation) -> list[Recommendation]:
    return [r for r in group.recommendations if any(o.id == organisation.id for o in r.addressees)]


# ---- due dates ------------------------------------------------------------------------------


def rule_for(kind: str) -> dict | None:
    """The configured rule for a kind of organisation, or None: an officer sets the date."""
    return current_app.config["RESPONSE_DUE_RULES"].get(kind)


def period_text(rule: dict) -> str:
    """"two months", "28 days", "one month and 7 days"."""
    def count(n: int, one: str, many: str) -> str:
        word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
        return f"{word} {one if n == 1 else many}"

    parts = []
    if rule.get("months"):
        parts.append(count(rule["months"], "month", "months"))
    if rule.get("days"):
        parts.append(f"{rule['days']} {'day' if rule['days'] == 1 else 'days'}")
    return " and ".join(parts) or "no time"


def add_period(start: date, rule: dict) -> date:
    """Calendar months, the day clamped to the month's end (31 January + one
    month is the last day of February), then days."""
    return start + relativedelta(months=rule.get("months", 0), days=rule.get("days", 0))


def default_due(kind: str, requested_on: date) -> tuple[date | None, str]:
    """(due date, why) for an addressee of this kind asked on `requested_on`;
    (None, "") when the kind has no rule."""
    rule = rule_for(kind)
    if rule is None:
        return None, ""
    period = period_text(rule)
    when = requested_on.strftime(DATE_FORMAT)
    # "Two months from 25 November 2026"; a period in days runs from the request.
    start = when if rule.get("months") and not rule.get("days") else f"the request of {when}"
    why = f"{period[0].upper()}{period[1:]} from {start}: {rule['basis']}"
    return add_period(requested_on, rule), why[:200]


def dues(group: TopicGroup) -> dict[int, ResponseDue]:
    """The group's stored due dates, by organisation id."""
    return {row.organisation_id: row for row in db.session.scalars(
        select(ResponseDue).where(ResponseDue.topic_group_id == group.id))}


def _new_row(group: TopicGroup, organisation: Organisation, on: date) -> ResponseDue:
    due_on, why = default_due(organisation.kind, on)
    row = ResponseDue(topic_group=group, organisation=organisation, requested_on=on, due_on=due_on,
                      rule=why, changed_reason="")
    db.session.add(row)
    return row


def prepare(group: TopicGroup) -> dict[int, ResponseDue]:
    """Give every addressee without a due date row one, asked today; rows
    already there are kept as they are, so rebuilds never move a date."""
    rows = dues(group)
    on = today()
    created = False
    for organisation in addressees(group):
        if organisation.id not in rows:
            rows[organisation.id] = _new_row(group, organisation, on)
            created = True
    if created:
        db.session.commit()
    return rows


def missing_dates(group: TopicGroup) -> list[str]:
    """What stops the letters being built, for the officer: addressees that
    need a date set by hand, and a group with nobody to write to or sign."""
    found = addressees(group)
    if not found:
        return ["No recommendation is addressed to an organisation yet: choose who each recommendation is "
                "addressed to on the recommendations page"]
    problems = []
    if group.chair is None:
        problems.append("The group has no chair to sign the letters: choose one on the topic group’s edit page")
    rows = dues(group)
    for organisation in found:
        row = rows.get(organisation.id)
        has_date = row.due_on is not None if row is not None else rule_for(organisation.kind) is not None
        if not has_date:
            problems.append(f"{organisation.name} ({kind_label(organisation.kind).lower()}) has no date by which "
                            "to respond: there is no statutory period for this kind of organisation, so set one "
                            "on the letters page")
    return problems


def set_due_date(group: TopicGroup, organisation: Organisation, due_on: date | None, reason: str,
                 by: User) -> ResponseDue:
    """An officer sets or changes the date an addressee must respond by; the
    reason, who and when are kept. Nothing is saved when it is refused."""
    reason = (reason or "").strip()
    if due_on is None:
        raise LetterError("Enter the date the response is due", "due_on")
    if not reason:
        raise LetterError("Enter the reason for the date", "reason")
    if len(reason) > MAX_REASON:
        raise LetterError(f"The reason must be {MAX_REASON} characters or fewer", "reason")
    if addressee(group, organisation.id) is None:
        raise LetterError(f"No recommendation is addressed to {organisation.name}", "due_on")
    row = dues(group).get(organisation.id)
    requested_on = row.requested_on if row is not None else today()
    if due_on <= requested_on:
        raise LetterError(f"The date must be after the request on {requested_on.strftime(DATE_FORMAT)}", "due_on")
    if row is None:
        row = _new_row(group, organisation, requested_on)
    row.due_on, row.rule = due_on, OFFICER_RULE
    row.changed_reason, row.changed_by, row.changed_at = reason, by, utcnow()
    db.session.commit()
    return row


# ---- the letter's data ------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return EMAIL_RE.sub(EMAIL_REMOVED, (text or "").strip())


def letter_context(group: TopicGroup, subject: str, version: int, built_on: date) -> dict:
    """Everything one letter shows, as plain JSON data about its addressee only.

    Only `version`, `built_on` and `date` change from one build to the next
    (left out of the input hash). No e-mail address is read: responses go to
    the scrutiny team, for the lead officer's attention.
    """
    organisation_id = organisation_id_of(subject)
    organisation = addressee(group, organisation_id) if organisation_id is not None else None
    if organisation is None:
        raise DocumentError("No recommendation of the group is addressed to this organisation any more")
    row = dues(group).get(organisation.id)
    if row is None or row.due_on is None:
        raise DocumentError(f"{organisation.name} has no date by which to respond: set one on the letters page")
    rule = rule_for(organisation.kind)
    recommendations = recommendations_for(group, organisation)
    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "title": group.title,
        "slug": group.slug,
        "chair": group.chair.name if group.chair else None,
        "lead_officer": group.lead_officer.name if group.lead_officer else None,
        "organisation": {"name": organisation.name, "kind": organisation.kind,
                         "kind_label": kind_label(organisation.kind)},
        "recommendations": [{"number": r.number, "text": _clean(r.text), "explanation": _clean(r.explanation)}
                            for r in recommendations],
        "due": {
            "on": row.due_on.isoformat(),
            "text": row.due_on.strftime(DATE_FORMAT),
            "requested_on": row.requested_on.isoformat(),
            "requested_text": row.requested_on.strftime(DATE_FORMAT),
            "rule": row.rule,
            # The statutory period, when this kind of addressee has one.
            "basis": rule["basis"] if rule else None,
            "period": period_text(rule) if rule else None,
            "set_by_officer": row.changed_at is not None,
        },
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(DATE_FORMAT),
    }


def letter_filename(group: TopicGroup, subject: str, version: int) -> str:
    organisation_id = organisation_id_of(subject)
    organisation = db.session.get(Organisation, organisation_id) if organisation_id is not None else None
    name = slugify(organisation.name) if organisation is not None else f"organisation-{organisation_id}"
    return f"{group.slug}-letter-{name}-v{version}.pdf"


# ---- the letters page -------------------------------------------------------------------------


@dataclass
class LetterRow:
    """One addressee on the letters page."""

    organisation: Organisation
    kind_label: str
    numbers: list[int]
    due: ResponseDue | None  # None until the letters are prepared
    provisional_on: date | None  # unprepared: the date a build today would give
    provisional_rule: str
    latest: Document | None  # the latest version, whatever its state
    latest_done: Document | None

    @property
    def needs_date(self) -> bool:
        return (self.due.due_on is None) if self.due is not None else self.provisional_on is None


def letter_rows(group: TopicGroup) -> list[LetterRow]:
    rows = dues(group)
    latest: dict[str, Document] = {}
    latest_done: dict[str, Document] = {}
    for document in db.session.scalars(select(Document).where(
            Document.topic_group_id == group.id, Document.kind == DocumentKind.LETTER)
            .order_by(Document.version.desc())):
        latest.setdefault(document.subject, document)
        if document.status == DocumentStatus.DONE:
            latest_done.setdefault(document.subject, document)
    on = today()
    result = []
    for organisation in addressees(group):
        subject = subject_for(organisation)
        provisional_on, provisional_rule = default_due(organisation.kind, on)
        result.append(LetterRow(
            organisation=organisation, kind_label=kind_label(organisation.kind),
            numbers=[r.number for r in recommendations_for(group, organisation)],
            due=rows.get(organisation.id), provisional_on=provisional_on, provisional_rule=provisional_rule,
            latest=latest.get(subject), latest_done=latest_done.get(subject)))
    return result
