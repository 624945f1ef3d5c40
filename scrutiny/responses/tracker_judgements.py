"""Judgements recorded from the tracker, for many recommendations at once
(the bulk update and the CSV import): every one is checked by the
judgements service first, and either all are recorded or none, with each
problem named by the recommendation's reference."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.responses import judgements, scale
from scrutiny.responses.tracker import Row


@dataclass
class Problem:
    reference: str
    message: str
    line: int | None = None  # the spreadsheet's row number, for an import
    field: str = ""


@dataclass
class TrackerError(ValueError):
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)


def named(error: judgements.JudgementError, row: Row) -> str:
    """The service's message with the recommendation called by its reference."""
    message = str(error)
    own = f"Recommendation {row.number}"
    if message.startswith(own + ": "):
        return message[len(own) + 2:][:1].upper() + message[len(own) + 3:]
    if message.startswith(own):
        return row.reference + message[len(own):]
    return message


def recommendations(rows: list[Row]) -> dict[int, Recommendation]:
    if not rows:
        return {}
    return {r.id: r for r in db.session.scalars(
        select(Recommendation).where(Recommendation.id.in_([row.recommendation_id for row in rows])))}


def prepare(wanted: list[tuple[Row, str, str, int | None]]) -> list[judgements.Proposed]:
    """(row, value, reason, line) each checked; TrackerError naming every
    one that cannot be recorded."""
    found = recommendations([row for row, *_ in wanted])
    proposals, problems = [], []
    for row, value, reason, line in wanted:
        proposed = judgements.Proposed(found[row.recommendation_id], value, reason)
        try:
            judgements.check(proposed)
        except judgements.JudgementError as err:
            problems.append(Problem(row.reference, named(err, row), line, err.field))
        else:
            proposals.append(proposed)
    if problems:
        raise TrackerError(problems)
    return proposals


def record_for(rows: list[Row], value: str, reason: str, by: User) -> int:
    """One judgement for each of these rows, all or nothing; how many."""
    if not rows:
        raise TrackerError([Problem("", "Select at least one recommendation", field="selected")])
    if scale.get(value) is None:
        choices = ", ".join(v.label for v in scale.values())
        raise TrackerError([Problem("", f"Choose a judgement ({choices})", field="value")])
    proposals = prepare([(row, value, reason, None) for row in rows])
    judgements.record(proposals, by=by, commit=True)
    return len(proposals)
