"""The group's judgement on each recommendation, on the council's scale
(scrutiny.responses.scale). Every judgement is kept; the latest is the
recommendation's standing. One service for the review page, the tracker's
bulk update and its CSV import, so the rules are the same from each."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import scale
from scrutiny.responses.models import (Decision, Judgement, RecommendationResponse, ResponseRequest,
                                       ReviewPoint)

MAX_REASON = 2000
AWAITING = "awaiting"  # no judgement yet: counted beside the scale's values


class JudgementError(ValueError):
    """A judgement that cannot be recorded; `field` names the form field."""

    def __init__(self, message: str, field: str = "value"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Proposed:
    recommendation: Recommendation
    value: str
    reason: str = ""


def accepted_without_actions(recommendation: Recommendation) -> bool:
    """Every submitted answer accepts it (fully or partly) and none names an
    action: "accepted" on paper only, so it cannot be judged achieved."""
    answers = db.session.scalars(
        select(RecommendationResponse).join(ResponseRequest)
        .where(RecommendationResponse.recommendation_id == recommendation.id,
               ResponseRequest.submitted_at.is_not(None))).all()
    accepting = [a for a in answers if a.decision in (Decision.ACCEPTED, Decision.PARTIALLY_ACCEPTED)]
    return bool(accepting) and not any(a.actions for a in accepting)


def check(proposed: Proposed) -> scale.Value:
    """The scale value, or JudgementError naming what is wrong."""
    label = f"Recommendation {proposed.recommendation.number}"
    value = scale.get(proposed.value)
    if value is None:
        choices = ", ".join(v.label for v in scale.values())
        raise JudgementError(f"{label}: choose a judgement ({choices})")
    reason = proposed.reason.strip()
    if value.needs_reason and not reason:
        raise JudgementError(f"{label}: say why it is {value.label.lower()}", "reason")
    if len(reason) > MAX_REASON:
        raise JudgementError(f"{label}: the reason must be {MAX_REASON} characters or fewer", "reason")
    if value.achieved and accepted_without_actions(proposed.recommendation):
        raise JudgementError(f"{label} was accepted but no action was given: it cannot be judged "
                             f"{value.label.lower()} ({value.meaning.lower()}) until something is done")
    return value


def record(proposals: list[Proposed], by: User, review_point: ReviewPoint | None = None,
           commit: bool = True) -> list[Judgement]:
    """Check every proposal first, then record them all, or raise the first
    JudgementError having recorded none."""
    for proposed in proposals:
        check(proposed)
    judgements = [Judgement(recommendation=p.recommendation, value=p.value, reason=p.reason.strip(),
                            recorded_by=by, review_point=review_point) for p in proposals]
    db.session.add_all(judgements)
    if commit:
        db.session.commit()
    return judgements


def latest(recommendation_ids: list[int]) -> dict[int, Judgement]:
    """The latest judgement of each recommendation that has one, in one query."""
    if not recommendation_ids:
        return {}
    newest = (select(func.max(Judgement.id)).where(Judgement.recommendation_id.in_(recommendation_ids))
              .group_by(Judgement.recommendation_id))
    rows = db.session.scalars(select(Judgement).where(Judgement.id.in_(newest)))
    return {j.recommendation_id: j for j in rows}


def counts(group: TopicGroup) -> list[tuple[scale.Value | None, int]]:
    """How many of the group's recommendations stand at each value of the
    scale, then how many await a judgement (None): for the group page."""
    ids = [r.id for r in group.recommendations]
    standing = Counter(j.value for j in latest(ids).values())
    awaiting = len(ids) - sum(standing.values())
    return [(value, standing.get(value.value, 0)) for value in scale.values()] + [(None, awaiting)]


def all_achieved(group: TopicGroup) -> bool:
    """Every recommendation's latest judgement counts as achieved: the group may close."""
    ids = [r.id for r in group.recommendations]
    if not ids:
        return False
    achieved = {v.value for v in scale.values() if v.achieved}
    found = latest(ids)
    return len(found) == len(ids) and all(j.value in achieved for j in found.values())
