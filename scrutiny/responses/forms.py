from __future__ import annotations

from flask_wtf import FlaskForm
from dataclasses import dataclass, field
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from scrutiny.forms import DayMonthYearField
from scrutiny.responses.models import ActionState, RecommendationResponse
from scrutiny.responses.replies import ActionInput, AnswerInput, Problem
from scrutiny.responses.services import MAX_REASON


class _Needed:
    """Required, but quiet when the date input already said what is wrong with it."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


class DueDateForm(FlaskForm):
    due_on = DayMonthYearField("Date the response is due", description="For example, 27 3 2027",
                               validators=[_Needed("Enter the date the response is due")])
    # Whether it is needed depends on the organisation's statutory period:
    # the service decides, and the page shows it only where there is one.
    earlier_confirmed = BooleanField("I confirm the response is asked earlier than the statutory period",
                                     widget=GovCheckboxInput())
    # Needed only to change a date already there: the service says when.
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[Length(max=MAX_REASON,
                                              message=f"The reason must be {MAX_REASON} characters or fewer")])
    submit = SubmitField("Save the date", widget=GovSubmitInput())


class InadequateForm(FlaskForm):
    """The group finds a response inadequate: the service says what is missing."""

    reason = TextAreaField("Why the group finds this response inadequate", widget=GovTextArea())
    due_on = DayMonthYearField("Date the further response is due", description="For example, 27 3 2027")
    submit = SubmitField("Find inadequate and ask for a further response", widget=GovSubmitInput())


class EnterResponseForm(FlaskForm):
    """Only the CSRF token: the answers' fields are named after the
    recommendations (see `typed_entry`), as the reply service names its problems."""


# ---- the answers typed into the officer's entry form ------------------------------------------


def field_id(problem_field: str | int) -> str:
    """The form's id for a reply service field ("12-reason" -> "r12-reason"):
    an id starting with a digit is no CSS selector, so links and styles would miss it."""
    text = str(problem_field)
    return f"r{text}" if text[:1].isdigit() else text


def error_list(problems: list[Problem]) -> tuple[list[dict], dict[str, str]]:
    """The GOV.UK error summary's items, and the first message for each field by its id."""
    summary, errors = [], {}
    for problem in problems:
        where = field_id(problem.field)
        errors.setdefault(where, problem.message)
        if problem.field == "form":
            summary.append({"text": problem.message})
        else:
            summary.append({"text": problem.message,
                            "href": f"#{where}-day" if where.endswith("target_date") else f"#{where}"})
    return summary, errors


@dataclass
class TypedAction:
    """One action row as typed, the date's boxes kept as they were."""

    description: str = ""
    state: str = ActionState.PLANNED
    owner_role: str = ""
    owner_name: str = ""
    day: str = ""
    month: str = ""
    year: str = ""

    @property
    def is_blank(self) -> bool:
        return not any(v.strip() for v in (self.description, self.owner_role, self.owner_name,
                                           self.day, self.month, self.year))


@dataclass
class TypedAnswer:
    recommendation_id: int
    decision: str = ""
    reason: str = ""
    cabinet_member: str = ""
    lead_officer: str = ""
    actions: list[TypedAction] = field(default_factory=list)


def typed_actions(answer: RecommendationResponse) -> list[TypedAction]:
    """A saved answer's actions as the form shows them (the date in its three boxes)."""
    return [TypedAction(a.description, a.state, a.owner_role, a.owner_name,
                        *((str(a.target_date.day), str(a.target_date.month), str(a.target_date.year))
                          if a.target_date else ("", "", "")))
            for a in answer.actions]


def from_saved(answer: RecommendationResponse) -> TypedAnswer:
    return TypedAnswer(answer.recommendation_id, answer.decision, answer.reason, answer.cabinet_member,
                       answer.lead_officer, typed_actions(answer))


def typed_entry(formdata, recommendation_ids: list[int]) -> list[TypedAnswer]:
    """What was typed for each recommendation; wholly blank action rows dropped,
    so the rows are numbered as the reply service numbers them."""
    typed = []
    for rid in recommendation_ids:
        def get(name: str, rid=rid) -> str:
            return formdata.get(f"{field_id(rid)}-{name}", "")

        count = int(get("actions")) if get("actions").isdigit() else 0
        actions = [TypedAction(get(f"action-{n}-description"), get(f"action-{n}-state") or ActionState.PLANNED,
                               get(f"action-{n}-owner_role"), get(f"action-{n}-owner_name"),
                               get(f"action-{n}-target_date-day"), get(f"action-{n}-target_date-month"),
                               get(f"action-{n}-target_date-year"))
                   for n in range(min(count, 50))]
        typed.append(TypedAnswer(rid, get("decision"), get("reason"), get("cabinet_member"), get("lead_officer"),
                                 [a for a in actions if not a.is_blank]))
    return typed


def target_date(action: TypedAction) -> date | None:
    """None when the three boxes are blank; ValueError when they are not a real date."""
    parts = (action.day.strip(), action.month.strip(), action.year.strip())
    if not any(parts):
        return None
    day, month, year = (int(p) for p in parts)  # ValueError: not a real date
    if year < 1000:
        raise ValueError
    return date(year, month, day)


def not_a_real_date(recommendation_id: int, number: int, n: int) -> Problem:
    return Problem(f"{recommendation_id}-action-{n}-target_date",
                   f"Recommendation {number}, action {n + 1}: the target date must be a real date, for example 27 3 2027")


def answer_inputs(typed: list[TypedAnswer], numbers: dict[int, int]) -> tuple[list[AnswerInput], list[Problem]]:
    """The typed answers as the reply service takes them, and the dates that
    are not real dates (`numbers`: each recommendation's number, for the message)."""
    inputs, problems = [], []
    for answer in typed:
        actions = []
        for n, action in enumerate(answer.actions):
            try:
                target = target_date(action)
            except ValueError:
                target = None
                problems.append(not_a_real_date(answer.recommendation_id, numbers[answer.recommendation_id], n))
            actions.append(ActionInput(action.description, action.state, action.owner_role, action.owner_name,
                                       target))
        inputs.append(AnswerInput(answer.recommendation_id, answer.decision, answer.reason, actions,
                                  answer.cabinet_member, answer.lead_officer))
    return inputs, problems


# ---- review points -------------------------------------------------------------------------------


class ReviewPointForm(FlaskForm):
    """A review point's name and date; the reviews service checks them."""

    label = StringField("Name of the review", widget=GovTextInput(), description="For example, 18-month review",
                        validators=[DataRequired("Enter a name for the review, for example 18-month review")])
    due_on = DayMonthYearField("Date of the review", description="For example, 14 6 2027",
                               validators=[_Needed("Enter the date of the review")])
    submit = SubmitField("Add the review", widget=GovSubmitInput())


class ReviewDateForm(FlaskForm):
    due_on = DayMonthYearField("New date of the review", description="For example, 14 6 2027",
                               validators=[_Needed("Enter the new date of the review")])
    submit = SubmitField("Save the date", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """Only the CSRF token: for a button (remove, close) or a form whose
    fields are named after the recommendations (the review page)."""
