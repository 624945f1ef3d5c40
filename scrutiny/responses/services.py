"""Who must respond to a group's recommendations, and by when.

When a response is due follows the kind of addressee
(``RESPONSE_DUE_RULES``): the council's executive two months from the
request (Local Government Act 2000, s.9FE), an NHS body 28 days from it
(Health Scrutiny Regulations 2013, reg. 22). Other kinds have no statutory
duty: an officer sets their date, and no letter is built until each has one.

The dates are kept in ``ResponseDue`` rows, made when the letters are first
prepared (the first build, or an officer setting a date) with the request
date of that day, and never moved by a rebuild. The first date an officer
gives an addressee with no statutory period needs no reason; changing a date
that is already there (the officer's or the statutory one) does, and the
reason is kept. A date earlier than the statutory period is a request, not a
new deadline: the officer confirms it, and the letter asks for an earlier
reply while naming the day the statutory period ends.

Nothing here commits: the caller (a view, a job, the CLI) owns the
transaction.
"""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import today, utcnow
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import kind_label
from scrutiny.responses.models import ResponseDue

OFFICER_RULE = "Set by the scrutiny officer"
DATE_FORMAT = "%-d %B %Y"
MAX_REASON = 2000
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve"]


class DueDateError(ValueError):
    """An officer's date that cannot be saved; `field` names the form field.
    `errors` holds every (field, message) found, so the form shows them all at once."""

    def __init__(self, message: str, field: str | None = None, errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.field = field
        self.errors = errors or [(field or "due_on", message)]


# ---- who is asked to respond --------------------------------------------------------------


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


# ---- the statutory periods ------------------------------------------------------------------


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


def rules() -> list[tuple[str, str, str]]:
    """(kind label, period, basis) for each kind with a statutory period."""
    return [(kind_label(kind), period_text(rule), rule["basis"])
            for kind, rule in current_app.config["RESPONSE_DUE_RULES"].items()]


def add_period(start: date, rule: dict) -> date:
    """Calendar months, the day clamped to the month's end (31 January + one
    month is the last day of February), then days."""
    return start + relativedelta(months=rule.get("months", 0), days=rule.get("days", 0))


def statutory_due(kind: str, requested_on: date) -> date | None:
    """The day the statutory period ends, or None for a kind without one."""
    rule = rule_for(kind)
    return add_period(requested_on, rule) if rule is not None else None


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


# ---- the stored dates -------------------------------------------------------------------------


def dues(group: TopicGroup) -> dict[int, ResponseDue]:
    """The group's stored due dates, by organisation id."""
    return {row.organisation_id: row for row in db.session.scalars(
        select(ResponseDue).where(ResponseDue.topic_group_id == group.id))}


def _new_row(group: TopicGroup, organisation: Organisation, on: date) -> ResponseDue:
    due_on, why = default_due(organisation.kind, on)
    row = ResponseDue(topic_group=group, organisation=organisation, requested_on=on, due_on=due_on,
                      rule=why, changed_reason="", earlier_confirmed=False)
    db.session.add(row)
    return row


def prepare(group: TopicGroup, on: date | None = None) -> dict[int, ResponseDue]:
    """Give every addressee without a due date row one, asked `on` (today);
    rows already there are kept as they are, so rebuilds never move a date."""
    rows = dues(group)
    on = on or today()
    for organisation in addressees(group):
        if organisation.id not in rows:
            rows[organisation.id] = _new_row(group, organisation, on)
    return rows


def missing_dates(group: TopicGroup) -> list[str]:
    """Addressees that need a date set by hand before a letter can ask for a response."""
    rows = dues(group)
    problems = []
    for organisation in addressees(group):
        row = rows.get(organisation.id)
        has_date = row.due_on is not None if row is not None else rule_for(organisation.kind) is not None
        if not has_date:
            problems.append(f"{organisation.name} ({kind_label(organisation.kind).lower()}) has no date by which "
                            "to respond: there is no statutory period for this kind of organisation, so set one "
                            "on the letters page")
    return problems


def request_date(row: ResponseDue | None) -> date:
    """The day the group asked, or asks if the letters are prepared today."""
    return row.requested_on if row is not None else today()


def current_due(row: ResponseDue | None, kind: str) -> date | None:
    """The date in force: the stored one, or the statutory one a first build would give."""
    if row is not None:
        return row.due_on
    return statutory_due(kind, request_date(None))


def reason_needed(row: ResponseDue | None, kind: str) -> bool:
    """A reason is kept only for a change: of an officer's date, or of the statutory one."""
    return current_due(row, kind) is not None


def set_due_date(group: TopicGroup, organisation: Organisation, due_on: date | None, reason: str,
                 by: User, *, earlier_confirmed: bool = False) -> ResponseDue:
    """An officer sets or changes the date an addressee should respond by;
    the reason (when one is needed), who and when are kept. Raises
    DueDateError, having changed nothing, when it is refused."""
    reason = (reason or "").strip()
    if due_on is None:
        raise DueDateError("Enter the date the response is due", "due_on")
    if addressee(group, organisation.id) is None:
        raise DueDateError(f"No recommendation is addressed to {organisation.name}", "due_on")
    row = dues(group).get(organisation.id)
    requested_on = request_date(row)
    if due_on <= requested_on:
        raise DueDateError(f"The date must be after the request on {requested_on.strftime(DATE_FORMAT)}", "due_on")
    errors: list[tuple[str, str]] = []
    if len(reason) > MAX_REASON:
        errors.append(("reason", f"The reason must be {MAX_REASON} characters or fewer"))
    elif not reason and reason_needed(row, organisation.kind):
        was = current_due(row, organisation.kind)
        errors.append(("reason", f"Enter the reason for changing the date from {was.strftime(DATE_FORMAT)}"))
    statutory = statutory_due(organisation.kind, requested_on)
    earlier = statutory is not None and due_on < statutory
    if earlier and not earlier_confirmed:
        errors.insert(0, ("earlier_confirmed", (
            f"{due_on.strftime(DATE_FORMAT)} is before the statutory period ends on "
            f"{statutory.strftime(DATE_FORMAT)}: confirm that the response is asked earlier, or choose a later date")))
    if errors:
        field, message = errors[0]
        raise DueDateError(message, field, errors)
    if row is None:
        row = _new_row(group, organisation, requested_on)
    row.due_on, row.rule, row.earlier_confirmed = due_on, OFFICER_RULE, earlier
    row.changed_reason, row.changed_by, row.changed_at = reason, by, utcnow()
    db.session.flush()
    return row


def describe(row: ResponseDue, kind: str) -> dict:
    """A due date as plain data for a letter: the date asked for and, where
    the addressee has a statutory period, the day it ends and on what basis."""
    rule = rule_for(kind)
    statutory = add_period(row.requested_on, rule) if rule is not None else None
    if statutory is None:
        against = "none"
    elif row.due_on < statutory:
        against = "earlier"
    elif row.due_on > statutory:
        against = "later"
    else:
        against = "statutory"
    return {
        "on": row.due_on.isoformat(),
        "text": row.due_on.strftime(DATE_FORMAT),
        "requested_on": row.requested_on.isoformat(),
        "requested_text": row.requested_on.strftime(DATE_FORMAT),
        # "none" (no statutory period), "statutory", "earlier" (asked, not
        # required) or "later" (the team agreed more time).
        "against_statutory": against,
        "statutory_text": statutory.strftime(DATE_FORMAT) if statutory else None,
        "basis": rule["basis"] if rule else None,
        "period": period_text(rule) if rule else None,
    }
