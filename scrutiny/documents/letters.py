"""Recommendation letters: one to each organisation the group's
recommendations are addressed to, listing only its own recommendations and
the date by which it is asked to respond (the dates and who is asked are
``scrutiny.responses.services``; this module only turns them into letters).

A letter is addressed to the organisation's named contact ("Dear Dr Okoye"),
or, when only a role is known, to the role ("Dear Chief Executive"); an
organisation with neither gets no letter, and the letters page and the build
say which. Each letter carries a reference (the report's reference, or one
made from the group's title and year, then the addressee's initials), the
scrutiny team's reply-to address and phone where configured, and is signed
by the group's chair.

``letter_context`` gives a letter's template (``templates/pdf/letter.html``,
under the name ``letter``) plain JSON data about one organisation only, so
a letter's input hash changes only when its own recommendations, its contact,
its due date, or what every letter shares (the group's title, chair, lead
officer, the council's name and contact details) change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from scrutiny.branding.services import logo_for_documents
from scrutiny.documents.errors import DocumentError
from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
from scrutiny.documents.report import clean as _clean
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.groups.services import slugify
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import kind_label
from scrutiny.responses import services as responses
from scrutiny.responses.models import ResponseDue

SUBJECT_PREFIX = "organisation:"
# Words left out of initials: "Health in Hertfordshire" is HH.
_SMALL_WORDS = {"a", "an", "and", "at", "for", "in", "of", "on", "the", "to", "&"}

# Who is asked, and when: the responses package's, re-exported for callers
# that think in letters (the documents service, the CLI).
addressees = responses.addressees
addressee = responses.addressee
recommendations_for = responses.recommendations_for
prepare = responses.prepare
due_rules = responses.rules


# ---- who gets a letter ----------------------------------------------------------------


def subject_for(organisation: Organisation) -> str:
    return f"{SUBJECT_PREFIX}{organisation.id}"


def organisation_id_of(subject: str) -> int | None:
    if not subject.startswith(SUBJECT_PREFIX):
        return None
    number = subject[len(SUBJECT_PREFIX):]
    return int(number) if number.isdigit() else None


def has_contact(organisation: Organisation) -> bool:
    """A letter needs someone to be addressed to: a name, or at least a role."""
    return bool((organisation.contact_name or "").strip() or (organisation.contact_role or "").strip())


def letter_problems(group: TopicGroup) -> list[str]:
    """What stops the letters being built, for the officer: nobody to write
    to or to sign, an addressee with no contact, a date still to set."""
    found = addressees(group)
    if not found:
        return ["No recommendation is addressed to an organisation yet: choose who each recommendation is "
                "addressed to on the recommendations page"]
    problems = []
    if group.chair is None:
        problems.append("The group has no chair to sign the letters: choose one on the topic group’s edit page")
    for organisation in found:
        if not has_contact(organisation):
            problems.append(f"{organisation.name} has no contact to address the letter to: add a contact name "
                            "(or at least a role) on the organisation’s page")
    return problems + responses.missing_dates(group)


# ---- references -------------------------------------------------------------------------------


def initials(name: str) -> str:
    """"East and North Hertfordshire NHS Trust" → "ENHNT"."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", name) if w.casefold() not in _SMALL_WORDS]
    return "".join(w[0] for w in words).upper() or "ORG"


def _codes(group: TopicGroup) -> dict[int, str]:
    """Each addressee's initials, made unique within the group (by id order,
    so adding an addressee never renames an older one's letters)."""
    codes: dict[int, str] = {}
    taken: dict[str, int] = {}
    for organisation in sorted(addressees(group), key=lambda o: o.id):
        code = initials(organisation.name)
        taken[code] = taken.get(code, 0) + 1
        codes[organisation.id] = code if taken[code] == 1 else f"{code}{taken[code]}"
    return codes


def group_reference(group: TopicGroup) -> str:
    """The report's reference, or the group's initials and the year its review began."""
    settings = getattr(group, "report_settings", None)
    if settings is not None and (settings.reference or "").strip():
        return settings.reference.strip()
    began = group.start_date or (group.created_at.date() if group.created_at else responses.request_date(None))
    return f"{initials(group.title)}/{began.year}"


def reference(group: TopicGroup, organisation: Organisation) -> str:
    """"HSC/2021/03-ENHNT": one reference per letter, for the reply to quote."""
    return f"{group_reference(group)}-{_codes(group)[organisation.id]}"


# ---- the letter's data ------------------------------------------------------------------------


def _address_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def letter_context(group: TopicGroup, subject: str, version: int, built_on: date) -> dict:
    """Everything one letter shows, as plain JSON data about its addressee only.

    Only `version`, `built_on` and `date` change from one build to the next
    (left out of the input hash). No e-mail address is read from the
    group's data: replies go to the scrutiny team's configured address, for
    the lead officer's attention.
    """
    organisation_id = organisation_id_of(subject)
    organisation = addressee(group, organisation_id) if organisation_id is not None else None
    if organisation is None:
        raise DocumentError("No recommendation of the group is addressed to this organisation any more")
    if not has_contact(organisation):
        raise DocumentError(f"{organisation.name} has no contact to address the letter to")
    row = responses.dues(group).get(organisation.id)
    if row is None or row.due_on is None:
        raise DocumentError(f"{organisation.name} has no date by which to respond: set one on the letters page")
    council = current_app.config["COUNCIL_NAME"]
    contact_name = (organisation.contact_name or "").strip()
    contact_role = (organisation.contact_role or "").strip()
    # The council writing to its own executive: "the council’s executive",
    # not the council's name twice over.
    own_council = organisation.kind == "council_executive" and organisation.name.casefold() == council.casefold()
    return {
        "council_name": council,
        "title": group.title,
        "slug": group.slug,
        "chair": group.chair.name if group.chair else None,
        "lead_officer": group.lead_officer.name if group.lead_officer else None,
        "reference": reference(group, organisation),
        "reply_to": {"email": (current_app.config.get("SCRUTINY_TEAM_EMAIL") or "").strip(),
                     "phone": (current_app.config.get("SCRUTINY_TEAM_PHONE") or "").strip()},
        # The council's logo, when an administrator has uploaded one, as a
        # data: URI (the renderer fetches nothing else); its bytes are hashed with the rest.
        "logo": logo_for_documents(),
        "organisation": {
            "name": organisation.name, "kind": organisation.kind, "kind_label": kind_label(organisation.kind),
            "contact_name": contact_name, "contact_role": contact_role,
            "address": _address_lines(organisation.postal_address),
            "own_council": own_council,
            "called": "the council’s executive" if own_council else organisation.name,
        },
        "salutation": f"Dear {contact_name or contact_role}",
        "recommendations": [{"number": r.number, "text": _clean(r.text), "explanation": _clean(r.explanation)}
                            for r in recommendations_for(group, organisation)],
        "due": responses.describe(row, organisation.kind),
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(responses.DATE_FORMAT),
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
    has_contact: bool
    provisional_on: date | None  # unprepared: the date a build today would give
    provisional_rule: str
    latest: Document | None  # the latest version, whatever its state
    latest_done: Document | None

    @property
    def needs_date(self) -> bool:
        return (self.due.due_on is None) if self.due is not None else self.provisional_on is None


def letter_rows(group: TopicGroup) -> list[LetterRow]:
    rows = responses.dues(group)
    latest: dict[str, Document] = {}
    latest_done: dict[str, Document] = {}
    for document in db.session.scalars(select(Document).where(
            Document.topic_group_id == group.id, Document.kind == DocumentKind.LETTER)
            .order_by(Document.version.desc())):
        latest.setdefault(document.subject, document)
        if document.status == DocumentStatus.DONE:
            latest_done.setdefault(document.subject, document)
    on = responses.request_date(None)
    result = []
    for organisation in addressees(group):
        subject = subject_for(organisation)
        provisional_on, provisional_rule = responses.default_due(organisation.kind, on)
        result.append(LetterRow(
            organisation=organisation, kind_label=kind_label(organisation.kind),
            numbers=[r.number for r in recommendations_for(group, organisation)],
            due=rows.get(organisation.id), has_contact=has_contact(organisation),
            provisional_on=provisional_on, provisional_rule=provisional_rule,
            latest=latest.get(subject), latest_done=latest_done.get(subject)))
    return result
