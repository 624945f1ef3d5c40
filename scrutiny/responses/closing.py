"""The recommendations' standing on the group's page, and closing the group
when every one is judged achieved: the move to Closed says what closed it
("All 8 recommendations judged Green (Achieved) at the 12-month review,
14 June 2027"). Closing any other way needs the officer's reason
(registered with groups as a closing check)."""
from __future__ import annotations

from scrutiny.auth.models import User
from scrutiny.clock import to_local
from scrutiny.extensions import db
from scrutiny.groups import services as groups
from scrutiny.groups.hooks import PagePart
from scrutiny.groups.models import StatusChange, TopicGroup
from scrutiny.groups.status import Status, can_move
from scrutiny.plurals import counted
from scrutiny.responses import judgements, overview, scale
from scrutiny.responses.models import ReviewPoint

DATE_FORMAT = "%-d %B %Y"


class ClosingError(ValueError):
    pass


def _achieved_words() -> str:
    """"Green (Achieved)", or each achieved value of the council's scale."""
    achieved = [v for v in scale.values() if v.achieved]
    return " or ".join(f"{v.label} ({v.meaning})" for v in achieved) or "achieved"


def may_close(group: TopicGroup) -> bool:
    return can_move(group.status, Status.CLOSED) and judgements.all_achieved(group)


def standing_part(group: TopicGroup, user) -> PagePart | None:
    """For the group's page, once its letters have gone: how many
    recommendations stand at each value, how many await a judgement."""
    if not overview.any_sent(group):
        return None
    can_manage = group.can_manage(user)
    all_done = judgements.all_achieved(group)
    return PagePart("responses/_standing.html", {
        "counts": judgements.counts(group), "total": len(group.recommendations), "all_achieved": all_done,
        "can_close": can_manage and all_done and can_move(group.status, Status.CLOSED),
        "closed": group.status == Status.CLOSED, "can_manage": can_manage,
        "next_review": next((p for p in group.review_points if p.held_at is None), None)})


def closing_check(group: TopicGroup) -> str | None:
    """Why closing needs a reason: recommendations not judged achieved."""
    ids = [r.id for r in group.recommendations]
    if not ids or judgements.all_achieved(group):
        return None
    achieved = {v.value for v in scale.values() if v.achieved}
    latest = judgements.latest(ids)
    short = len(ids) - sum(1 for j in latest.values() if j.value in achieved)
    return f"{short} of {counted(len(ids), 'recommendation')} {'is' if short == 1 else 'are'} not judged " \
           f"{_achieved_words()}."


def closing_note(group: TopicGroup) -> str:
    """What closed the group, in words, from the latest judgements."""
    recommendations = group.recommendations
    latest = judgements.latest([r.id for r in recommendations])
    values = [scale.get(v) for v in dict.fromkeys(j.value for j in latest.values())]
    if len(values) == 1:
        judged = f"{values[0].label} ({values[0].meaning})"
    else:
        by_value = {v.value: sum(1 for j in latest.values() if j.value == v.value) for v in values}
        judged = "achieved: " + ", ".join(f"{by_value[v.value]} {v.label} ({v.meaning})" for v in values)
    who = f"All {counted(len(recommendations), 'recommendation')}" if len(recommendations) > 1 \
        else "The group’s recommendation"
    point_ids = {j.review_point_id for j in latest.values()}
    point = db.session.get(ReviewPoint, point_ids.pop()) if len(point_ids) == 1 and None not in point_ids else None
    if point is not None and point.held_at is not None:
        where = f" at the {point.label}, {to_local(point.held_at).strftime(DATE_FORMAT)}"
    else:
        last = max(j.recorded_at for j in latest.values())
        where = f", the last on {to_local(last).strftime(DATE_FORMAT)}"
    return f"{who} judged {judged}{where}."


def why_not(group: TopicGroup) -> str:
    """Why the group cannot be closed as achieved; "" when it can."""
    if group.status == Status.CLOSED:
        return "This topic group is already closed"
    if not group.recommendations:
        return "The group has no recommendations to judge"
    if not judgements.all_achieved(group):
        return (f"{closing_check(group)[:-1]}. Record the group’s judgements at a review, or close the group from "
                "its Change stage page, giving the reason")
    if not can_move(group.status, Status.CLOSED):
        return (f"A topic group cannot move from {group.status_label} to Closed: move it to "
                f"{Status.MONITORING_RESPONSES.label} first")
    return ""


def close(group: TopicGroup, by: User) -> StatusChange:
    problem = why_not(group)
    if problem:
        raise ClosingError(problem)
    try:
        return groups.change_status(group, Status.CLOSED, by, note=closing_note(group))
    except groups.GroupError as err:
        raise ClosingError(str(err)) from None

