"""The response page's fields, one set per recommendation, named as
`replies.Problem.field` names them ("<id>-reason", "<id>-action-<n>-owner_role"),
so each error links to its box. Read from the posted form or from the
saved draft into the same plain rows the template shows."""
from __future__ import annotations

from dataclasses import dataclass, field

from scrutiny.responses.forms import TypedAction as ActionRow, not_a_real_date, target_date, typed_actions
from scrutiny.responses.models import ActionState, RecommendationResponse
from scrutiny.responses.replies import ActionInput, AnswerInput, Problem

MAX_ROWS = 50  # actions per recommendation read from one form
# Before each field's name and id: an id must not start with a digit for CSS
# selectors (and some assistive tools) to find it.
PREFIX = "rec-"


@dataclass
class AnswerRow:
    answer: RecommendationResponse
    decision: str = ""
    reason: str = ""
    cabinet_member: str = ""
    lead_officer: str = ""
    actions: list[ActionRow] = field(default_factory=list)  # responses.forms.TypedAction: the officers' form's rows

    @property
    def rid(self) -> int:
        return self.answer.recommendation_id


def from_answers(answers: list[RecommendationResponse], blank_rows: dict[int, int] | None = None) -> list[AnswerRow]:
    """The saved draft, with `blank_rows[id]` (one by default) empty action rows after each answer's actions."""
    rows = []
    for answer in answers:
        actions = typed_actions(answer)
        actions += [ActionRow() for _ in range((blank_rows or {}).get(answer.recommendation_id, 1))]
        rows.append(AnswerRow(answer, answer.decision, answer.reason, answer.cabinet_member, answer.lead_officer,
                              actions))
    return rows


def from_post(form, answers: list[RecommendationResponse]) -> tuple[list[AnswerRow], list[AnswerInput], list[Problem]]:
    """(rows as typed, the service's inputs, dates that are not real dates)."""
    rows, inputs, problems = [], [], []
    for answer in answers:
        rid = answer.recommendation_id
        row = AnswerRow(answer, *(form.get(f"{PREFIX}{rid}-{name}", "") for name in (
            "decision", "reason", "cabinet_member", "lead_officer")))
        typed = AnswerInput(rid, row.decision, row.reason, cabinet_member=row.cabinet_member,
                            lead_officer=row.lead_officer)
        for n in range(MAX_ROWS):
            prefix = f"{PREFIX}{rid}-action-{n}"
            if f"{prefix}-description" not in form:
                break
            action = ActionRow(*(form.get(f"{prefix}-{name}", "") for name in (
                "description", "state", "owner_role", "owner_name", "target_date-day", "target_date-month",
                "target_date-year")))
            row.actions.append(action)
            try:
                when = target_date(action)
            except ValueError:
                when = None
                problems.append(not_a_real_date(rid, answer.recommendation.number, n))
            typed.actions.append(ActionInput(action.description, action.state or ActionState.PLANNED,
                                             action.owner_role, action.owner_name, when))
        rows.append(row)
        inputs.append(typed)
    return rows, inputs, problems


def error_list(problems: list[Problem]) -> list[dict]:
    """For the GOV.UK error summary: a date's link goes to its day box."""
    return [{"text": p.message, "href": f"#{PREFIX}{p.field}" + ("-day" if p.field.endswith("target_date") else "")}
            for p in problems]


def errors_by_field(problems: list[Problem]) -> dict[str, str]:
    return {f"{PREFIX}{p.field}": p.message for p in problems}
