"""An addressee's reply to the recommendations sent to it: a decision per
recommendation, the reason when it is not fully accepted, and actions.

Drafts keep whatever was typed, so a responder whose session ends loses
nothing; `problems` names what must still be put right, field by field, and
`submit` refuses until there is nothing. Both the responders' portal and
officers entering a reply from a letter call these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.responses.models import (
    ActionState, Decision, RecommendationResponse, ResponseAction, ResponseRequest)

TEXT_MAX = 20_000
NAME_MAX = 200


@dataclass
class ActionInput:
    description: str = ""
    state: str = ActionState.PLANNED
    owner_role: str = ""
    owner_name: str = ""
    target_date: date | None = None

    @property
    def is_blank(self) -> bool:
        return not (self.description.strip() or self.owner_role.strip() or self.owner_name.strip()
                    or self.target_date)


@dataclass
class AnswerInput:
    recommendation_id: int
    decision: str = ""
    reason: str = ""
    actions: list[ActionInput] = field(default_factory=list)
    cabinet_member: str = ""
    lead_officer: str = ""


@dataclass
class Problem:
    """What is wrong, and where: `field` is "<recommendation id>-decision",
    "<id>-reason" or "<id>-action-<n>-<owner_role|target_date|description>"
    (n counts from 0 in the order shown), so a form can put it beside the box."""

    field: str
    message: str


class ReplyError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def recommendations_for(request: ResponseRequest) -> list[Recommendation]:
    """The recommendations of the group addressed to this request's organisation, in number order."""
    return [r for r in request.topic_group.recommendations if request.organisation in r.addressees]


def answers(request: ResponseRequest) -> list[RecommendationResponse]:
    """One answer per recommendation addressed to the organisation, made
    (unanswered) where missing, in the recommendations' order."""
    by_recommendation = {a.recommendation_id: a for a in request.answers}
    ordered = []
    for recommendation in recommendations_for(request):
        answer = by_recommendation.get(recommendation.id)
        if answer is None:
            answer = RecommendationResponse(request=request, recommendation=recommendation)
            db.session.add(answer)
        ordered.append(answer)
    db.session.flush()  # new answers get their ids, which callers key on
    return ordered


def _check_editable(request: ResponseRequest) -> None:
    if request.is_submitted:
        raise ReplyError([Problem("form", "This response has been submitted and can no longer be changed")])


def save_draft(request: ResponseRequest, typed: list[AnswerInput], *, commit: bool = True) -> None:
    """Keep what was typed, complete or not; blank action rows are dropped.
    An action keeps its first target date as the original. With
    `commit=False` the caller owns the transaction: an officer's entry is
    submitted whole or rolled back, never left as a draft."""
    _check_editable(request)
    current = {a.recommendation_id: a for a in answers(request)}
    for entry in typed:
        answer = current.get(entry.recommendation_id)
        if answer is None:
            raise ReplyError([Problem("form", "That recommendation was not sent to this organisation")])
        answer.decision = entry.decision if entry.decision in {d.value for d in Decision} else ""
        answer.reason = entry.reason.strip()[:TEXT_MAX]
        answer.cabinet_member = entry.cabinet_member.strip()[:NAME_MAX]
        answer.lead_officer = entry.lead_officer.strip()[:NAME_MAX]
        answer.updated_at = utcnow()
        kept = [a for a in entry.actions if not a.is_blank]
        existing = list(answer.actions)
        for position, action_in in enumerate(kept):
            if position < len(existing):
                action = existing[position]
            else:
                action = ResponseAction()
                answer.actions.append(action)  # from the parent's side: the session takes it along
            action.position = position
            action.description = action_in.description.strip()[:TEXT_MAX]
            action.state = action_in.state if action_in.state in {s.value for s in ActionState} \
                else ActionState.PLANNED
            action.owner_role = action_in.owner_role.strip()[:NAME_MAX]
            action.owner_name = action_in.owner_name.strip()[:NAME_MAX]
            action.target_date = action_in.target_date
            if action.original_target_date is None:
                action.original_target_date = action_in.target_date
        for action in existing[len(kept):]:
            answer.actions.remove(action)
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def problems(request: ResponseRequest, today: date) -> list[Problem]:
    """Everything that stops this response being submitted, in page order."""
    found = []
    for answer in answers(request):
        rid = answer.recommendation_id
        number = answer.recommendation.number
        if not answer.decision:
            found.append(Problem(f"{rid}-decision", f"Recommendation {number}: choose whether you accept it"))
        elif answer.decision != Decision.ACCEPTED and not answer.reason:
            found.append(Problem(f"{rid}-reason", f"Recommendation {number}: say why it is not fully accepted"))
        if answer.decision == Decision.ACCEPTED and not answer.actions:
            found.append(Problem(f"{rid}-action-0-description",
                                 f"Recommendation {number}: say what you will do, or have in place, to meet it"))
        for n, action in enumerate(answer.actions):
            where, what = f"{rid}-action-{n}", f"Recommendation {number}, action {n + 1}"
            if not action.description:
                found.append(Problem(f"{where}-description", f"{what}: say what will be done"))
            if not action.owner_role:
                found.append(Problem(f"{where}-owner_role", f"{what}: give the role of the person responsible"))
            if action.state == ActionState.PLANNED:
                if action.target_date is None:
                    found.append(Problem(f"{where}-target_date", f"{what}: give a target date"))
                elif action.target_date < today:
                    found.append(Problem(f"{where}-target_date", f"{what}: the target date must not be in the past"))
    return found


def submit(request: ResponseRequest, *, name: str, email: str, today: date, entered_by=None) -> None:
    """Submit the saved draft as the organisation's response, recording who
    submitted it (an officer entering it from a letter is `entered_by`)."""
    _check_editable(request)
    found = problems(request, today)
    if found:
        db.session.rollback()
        raise ReplyError(found)
    # The dates the submitted response promises are the originals: a draft's
    # earlier dates were never promised, so changing them is no "date moved".
    for answer in request.answers:
        for action in answer.actions:
            action.original_target_date = action.target_date
    request.submitted_at = utcnow()
    request.submitted_by_name = name.strip()[:NAME_MAX]
    request.submitted_by_email = email.strip()[:254]
    if entered_by is not None:
        request.entered_by = entered_by
    db.session.commit()
