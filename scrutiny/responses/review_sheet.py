"""The review page: each recommendation with what its addressees decided,
how their actions stand and the group's latest judgement, and the group's
judgements recorded from it, all or none (scrutiny.responses.judgements
has the rules). At a review point every recommendation is judged; between
reviews only the ones given a value."""
from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation
from scrutiny.groups.models import TopicGroup
from scrutiny.plurals import counted
from scrutiny.responses import judgements, references, review_hooks, scale
from scrutiny.responses.models import (Judgement, ProgressStatus, RecommendationResponse, ResponseRequest,
                                       ReviewPoint)
from scrutiny.responses.replies import Problem

SHORT_TEXT = 220  # characters of a recommendation's text the page shows


@dataclass
class Addressee:
    name: str
    decision: str  # "Accepted", "No response yet"
    progress: str  # "2 actions: 1 on track, 1 no update yet. 1 target date moved."


@dataclass
class Typed:
    value: str = ""
    reason: str = ""


@dataclass
class Row:
    recommendation: Recommendation
    reference: str
    text: str
    addressees: list[Addressee]
    latest: Judgement | None
    latest_value: scale.Value | None
    accepted_without_actions: bool
    typed: Typed = field(default_factory=Typed)

    @property
    def prefix(self) -> str:
        """The form's names for this row (an id must not start with a digit)."""
        return f"r{self.recommendation.id}"


class SheetError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _answers(group: TopicGroup) -> dict[tuple[int, int], RecommendationResponse]:
    """Each addressee's latest submitted answer to each recommendation (a
    further response the group asked for stands over the first)."""
    found: dict[tuple[int, int], tuple[int, RecommendationResponse]] = {}
    rows = db.session.execute(select(RecommendationResponse, ResponseRequest.organisation_id, ResponseRequest.round)
                              .join(ResponseRequest)
                              .where(ResponseRequest.topic_group_id == group.id,
                                     ResponseRequest.submitted_at.is_not(None)))
    for answer, organisation_id, round_ in rows:
        key = (answer.recommendation_id, organisation_id)
        if key not in found or found[key][0] < round_:
            found[key] = (round_, answer)
    return {key: answer for key, (_, answer) in found.items()}


def progress_summary(answer: RecommendationResponse) -> str:
    if not answer.actions:
        return "No actions given."
    states = Counter(a.progress_label for a in answer.actions)
    order = [s.label for s in ProgressStatus] + ["No update yet"]
    parts = ", ".join(f"{states[label]} {label.lower()}" for label in order if states[label])
    text = f"{counted(len(answer.actions), 'action')}: {parts}."
    moved = sum(1 for a in answer.actions if a.date_moved)
    if moved:
        text += f" {counted(moved, 'target date')} moved."
    return text


def rows(group: TopicGroup, point: ReviewPoint | None = None) -> list[Row]:
    """One row per recommendation. At a review already held, each row starts
    with the judgement recorded there, so it can be put right."""
    answers = _answers(group)
    recommendations = list(group.recommendations)
    latest = judgements.latest([r.id for r in recommendations])
    at_point = {}
    if point is not None and point.held_at is not None:
        at_point = {j.recommendation_id: j for j in sorted(point.judgements, key=lambda j: j.id)}  # the last stands
    found = []
    for recommendation in recommendations:
        lines = []
        for organisation in recommendation.addressees:
            answer = answers.get((recommendation.id, organisation.id))
            lines.append(Addressee(organisation.name, answer.decision_label if answer else "No response yet",
                                   progress_summary(answer) if answer else ""))
        last = latest.get(recommendation.id)
        here = at_point.get(recommendation.id)
        found.append(Row(recommendation, references.reference(group, recommendation),
                         textwrap.shorten(recommendation.text, SHORT_TEXT, placeholder="…"), lines, last,
                         scale.get(last.value) if last else None,
                         judgements.accepted_without_actions(recommendation),
                         Typed(here.value, here.reason) if here else Typed()))
    return found


def typed_from(formdata, sheet: list[Row]) -> None:
    """What was typed into each row, kept on the row to show again."""
    for row in sheet:
        row.typed = Typed(formdata.get(f"{row.prefix}-value", ""), formdata.get(f"{row.prefix}-reason", ""))


def save(group: TopicGroup, sheet: list[Row], by: User, point: ReviewPoint | None = None) -> list[Judgement]:
    """Record the typed judgements, all or none: SheetError names every row
    that is wrong, having saved nothing. At a review point every row needs
    a value and the point is marked held; between reviews, blank rows are left."""
    proposals, problems = [], []
    for row in sheet:
        if point is None and not row.typed.value and not row.typed.reason.strip():
            continue
        proposed = judgements.Proposed(row.recommendation, row.typed.value, row.typed.reason)
        try:
            judgements.check(proposed)
        except judgements.JudgementError as err:
            problems.append(Problem(f"{row.prefix}-{err.field}", str(err)))
        proposals.append(proposed)
    if not proposals:
        problems.append(Problem(f"{sheet[0].prefix}-value" if sheet else "form",
                                "Choose a judgement for at least one recommendation"))
    if problems:
        raise SheetError(problems)
    recorded = judgements.record(proposals, by, review_point=point, commit=False)
    if point is not None:
        point.held_at, point.held_by_id = utcnow(), by.id
        review_hooks.review_held(point)  # in the same transaction (publication records a public update)
    db.session.commit()
    return recorded
