"""The group finds a response inadequate and asks for a further one, as
parliamentary committees do: the response keeps the group's reason, and a
new request (the next round, to the same organisation) starts the clock
again. The sending of its letter is the letters' business; until then it
shows as not sent yet."""
from __future__ import annotations

from datetime import date

from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.responses.models import ResponseRequest

DATE_FORMAT = "%-d %B %Y"
REASON_MAX = 20_000


class InadequateError(ValueError):
    """Nothing was changed; `errors` maps each form field to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def can_find_inadequate(request: ResponseRequest) -> bool:
    return request.is_submitted and request.inadequate_at is None


def find_inadequate(request: ResponseRequest, *, reason: str, due_on: date | None, by: User,
                    today: date) -> ResponseRequest:
    """Record the group's finding on `request` and make the request for a
    further response, due on `due_on`; both commit together."""
    if not can_find_inadequate(request):
        raise InadequateError({"reason": "Only a submitted response not already found inadequate can be"})
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Enter why the group finds this response inadequate"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    if due_on is None:
        errors["due_on"] = "Enter the date the further response is due"
    elif due_on < today:
        errors["due_on"] = f"The date the further response is due must be today or later, not {due_on.strftime(DATE_FORMAT)}"
    if errors:
        raise InadequateError(errors)
    request.inadequate_reason, request.inadequate_at, request.inadequate_by = reason, utcnow(), by
    further = ResponseRequest(topic_group_id=request.topic_group_id, organisation_id=request.organisation_id,
                              round=request.round + 1, due_on=due_on, to_name=request.to_name,
                              to_address=request.to_address)
    db.session.add(further)
    db.session.commit()
    return further
