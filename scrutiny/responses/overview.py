"""What each addressee has done with the group's recommendations: one row per
request (a further response the group asked for is a row of its own), the
overdue ones first, then by the date they are due."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses.models import ResponseRequest

DATE_FORMAT = "%-d %B %Y"


@dataclass
class Status:
    key: str  # not_sent, awaiting, overdue, submitted, entered
    text: str
    tag: str  # the GOV.UK tag colour class


def status(request: ResponseRequest, today: date) -> Status:
    if request.is_submitted:
        when = request.submitted_at.strftime(DATE_FORMAT)
        if request.entered_by_id is not None:
            officer = request.entered_by.name if request.entered_by else "an officer"
            return Status("entered", f"Entered by {officer} on {when} from a letter or e-mail", "govuk-tag--green")
        return Status("submitted", f"Submitted on {when} by {request.submitted_by_name}", "govuk-tag--green")
    if request.sent_at is None:
        return Status("not_sent", "Not sent yet", "govuk-tag--grey")
    if request.due_on is not None and request.due_on < today:
        return Status("overdue", "Overdue", "govuk-tag--red")
    return Status("awaiting", "Awaiting response", "govuk-tag--blue")


def requests_of(group: TopicGroup, today: date) -> list[tuple[ResponseRequest, Status]]:
    rows = [(r, status(r, today)) for r in db.session.scalars(
        select(ResponseRequest).where(ResponseRequest.topic_group_id == group.id))]
    rows.sort(key=lambda pair: (pair[1].key != "overdue", pair[0].due_on or date.max,
                                pair[0].organisation.name.casefold(), pair[0].round))
    return rows


def any_sent(group: TopicGroup) -> bool:
    return db.session.scalar(select(ResponseRequest.id).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.sent_at.is_not(None)).limit(1)) is not None


def find(group: TopicGroup, public_id: str) -> ResponseRequest | None:
    """A request only if it belongs to this group."""
    return db.session.scalar(select(ResponseRequest).where(
        ResponseRequest.topic_group_id == group.id, ResponseRequest.public_id == public_id))


def rounds(request: ResponseRequest) -> list[ResponseRequest]:
    """Every request to the same organisation for the same group, first round first."""
    return list(db.session.scalars(select(ResponseRequest).where(
        ResponseRequest.topic_group_id == request.topic_group_id,
        ResponseRequest.organisation_id == request.organisation_id).order_by(ResponseRequest.round)))
