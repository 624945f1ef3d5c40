"""Progress on the actions a submitted response promised: dated updates
(not started, on track, at risk, done, dropped) and target dates moved with
a reason, by an officer or by the responder through the portal (then only
the name they type is known).

Every update and every move is kept. The action itself carries its latest
update (progress_status, progress_on) so the tracker reads one row per
action; an update dated earlier than the latest is history, not news, and
leaves it alone. The first target date stays on the action
(original_target_date) whatever happens after.

Nothing here commits: the caller (a view) owns the transaction. Every rule
is checked before anything changes, so a refusal saves nothing.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import to_local, today as local_today
from scrutiny.extensions import db
from scrutiny.responses.models import (
    ActionDateChange, ActionProgress, ProgressStatus, RecommendationResponse, ResponseAction, ResponseRequest)

DATE_FORMAT = "%-d %B %Y"
MAX_NOTE = 2000
MAX_REASON = 2000
MAX_NAME = 200
NOT_SUBMITTED = "Progress can be recorded only once the response has been submitted"
# The GOV.UK tag colour of each status; the tag always says its word too.
TAGS = {ProgressStatus.NOT_STARTED: "govuk-tag--grey", ProgressStatus.ON_TRACK: "govuk-tag--green",
        ProgressStatus.AT_RISK: "govuk-tag--orange", ProgressStatus.DONE: "govuk-tag--blue",
        ProgressStatus.DROPPED: "govuk-tag--red"}


class ProgressError(ValueError):
    """An update or a move that cannot be saved. `errors` holds every
    (field, message) found, so the form shows them all at once; the field
    "form" is a refusal of the whole thing (the response is not submitted)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1])
        self.errors = errors


def tag(status: str) -> str:
    return TAGS.get(status, "govuk-tag--grey") if status else "govuk-tag--grey"


def statuses() -> list[ProgressStatus]:
    return list(ProgressStatus)


def can_record(action: ResponseAction) -> bool:
    """Only a submitted response's actions are promises to follow: a draft may still change."""
    return action.response.request.is_submitted


def find(request_ids: list[int], public_id: str) -> ResponseAction | None:
    """The action with this public id if it belongs to one of these requests."""
    if not request_ids:
        return None
    return db.session.scalar(
        select(ResponseAction).join(RecommendationResponse)
        .where(ResponseAction.public_id == public_id, RecommendationResponse.request_id.in_(request_ids)))


def of_group(group_id: int, public_id: str) -> ResponseAction | None:
    """The action if it belongs to a submitted response to this group (officers never see drafts)."""
    return db.session.scalar(
        select(ResponseAction).join(RecommendationResponse).join(ResponseRequest)
        .where(ResponseAction.public_id == public_id, ResponseRequest.topic_group_id == group_id,
               ResponseRequest.submitted_at.is_not(None)))


def history(action: ResponseAction) -> list[dict]:
    """Progress updates and date moves together, newest first: for the action's page."""
    items = [{"kind": "progress", "on": p.recorded_on, "at": p.created_at or datetime.min, "record": p,
              "by": p.recorded_by.name if p.recorded_by else p.recorded_by_name} for p in action.progress]
    items += [{"kind": "date", "on": to_local(c.changed_at).date(), "at": c.changed_at, "record": c,
               "by": c.changed_by.name if c.changed_by else c.changed_by_name} for c in action.date_changes]
    return sorted(items, key=lambda i: (i["on"], i["at"], i["record"].id), reverse=True)


def _name_problems(by: User | None, name: str) -> list[tuple[str, str]]:
    """A responder must give their name; an officer is known by their account."""
    name = (name or "").strip()
    if by is not None:
        return []
    if not name:
        return [("name", "Enter your full name")]
    if len(name) > MAX_NAME:
        return [("name", f"Your name must be {MAX_NAME} characters or fewer")]
    return []


def _refresh_latest(action: ResponseAction) -> None:
    """The action's latest update is the newest by the date it speaks for;
    of two on one day, the one recorded last."""
    db.session.flush()
    newest = max(action.progress, key=lambda p: (p.recorded_on, p.id), default=None)
    action.progress_status = newest.status if newest else ""
    action.progress_on = newest.recorded_on if newest else None


def progress_problems(action: ResponseAction, status: str, recorded_on: date | None, note: str, *,
                      by: User | None = None, name: str = "", today: date | None = None) -> list[tuple[str, str]]:
    """Everything wrong with this update, as (field, message); changes nothing."""
    if not can_record(action):
        return [("form", NOT_SUBMITTED)]
    today = today or local_today()
    errors: list[tuple[str, str]] = []
    if status not in {s.value for s in ProgressStatus}:
        errors.append(("status", "Choose the progress of the action: "
                       + ", ".join(s.label.lower() for s in ProgressStatus)))
    if recorded_on is not None and recorded_on > today:
        errors.append(("recorded_on", "The date of the update must be today or in the past, not "
                       f"{recorded_on.strftime(DATE_FORMAT)}"))
    if len((note or "").strip()) > MAX_NOTE:
        errors.append(("note", f"The note must be {MAX_NOTE} characters or fewer"))
    errors += _name_problems(by, name)
    return errors


def record_progress(action: ResponseAction, status: str, recorded_on: date | None = None, note: str = "", *,
                    by: User | None = None, name: str = "", today: date | None = None) -> ActionProgress:
    """A progress update on the action, dated `recorded_on` (today when not
    given). Raises ProgressError, having changed nothing, when refused."""
    errors = progress_problems(action, status, recorded_on, note, by=by, name=name, today=today)
    if errors:
        raise ProgressError(errors)
    update = ActionProgress(recorded_on=recorded_on or today or local_today(), status=status,
                            note=(note or "").strip(), recorded_by=by,
                            recorded_by_name="" if by is not None else name.strip())
    action.progress.append(update)
    _refresh_latest(action)
    return update


def move_problems(action: ResponseAction, new_date: date | None, reason: str, *, by: User | None = None,
                  name: str = "", today: date | None = None) -> list[tuple[str, str]]:
    """Everything wrong with this move, as (field, message); changes nothing."""
    if not can_record(action):
        return [("form", NOT_SUBMITTED)]
    today = today or local_today()
    reason = (reason or "").strip()
    errors: list[tuple[str, str]] = []
    if new_date is None:
        errors.append(("new_date", "Enter the new target date"))
    elif new_date == action.target_date:
        errors.append(("new_date", "The new target date must differ from the current one, "
                       f"{new_date.strftime(DATE_FORMAT)}"))
    elif new_date < today:
        errors.append(("new_date", "The new target date must be today or in the future"))
    if not reason:
        errors.append(("reason", "Enter the reason for moving the target date"))
    elif len(reason) > MAX_REASON:
        errors.append(("reason", f"The reason must be {MAX_REASON} characters or fewer"))
    errors += _name_problems(by, name)
    return errors


def move_date(action: ResponseAction, new_date: date | None, reason: str, *, by: User | None = None,
              name: str = "", today: date | None = None) -> ActionDateChange:
    """Move the action's target date, keeping why, who, and the date first
    given. Raises ProgressError, having changed nothing, when refused."""
    errors = move_problems(action, new_date, reason, by=by, name=name, today=today)
    if errors:
        raise ProgressError(errors)
    if action.original_target_date is None:  # made before the original was kept: the current one was first
        action.original_target_date = action.target_date
    change = ActionDateChange(from_date=action.target_date, to_date=new_date, reason=reason.strip(),
                              changed_by=by, changed_by_name="" if by is not None else name.strip())
    action.date_changes.append(change)
    action.target_date = new_date
    db.session.flush()
    return change
