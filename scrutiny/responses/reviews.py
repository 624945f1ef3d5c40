"""The group's review points: when it looks again at what has been done
about its recommendations. The council's usual ones (REVIEW_AFTER_MONTHS)
are made when the letters first go; officers add, move and remove the
ones not yet held. The lead officer is reminded before each
(scrutiny.responses.review_reminders)."""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import review_reminders
from scrutiny.responses.models import ReviewPoint

DATE_FORMAT = "%-d %B %Y"
MAX_LABEL = 100


class ReviewError(ValueError):
    """What is wrong with a review point as typed: `errors` pairs each form
    field with its message (the first is also the exception's message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1])
        self.errors = errors


def default_label(months: int) -> str:
    return f"{months}-month review"


def create_defaults(group: TopicGroup, sent_on: date, by: User | None) -> list[ReviewPoint]:
    """The council's usual review points, counted in calendar months from the
    day the letters went; none when the group has some already. The caller
    commits (the reminders are scheduled after it)."""
    if group.review_points:
        return []
    points = [ReviewPoint(topic_group=group, label=default_label(months),
                          due_on=sent_on + relativedelta(months=months), created_by_id=by.id if by else None)
              for months in current_app.config["REVIEW_AFTER_MONTHS"]]
    db.session.add_all(points)
    db.session.flush()
    for point in points:
        review_reminders.schedule_after_commit(point)
    return points


def find(group: TopicGroup, public_id: str) -> ReviewPoint | None:
    """A review point only if it belongs to this group."""
    return db.session.scalar(select(ReviewPoint).where(
        ReviewPoint.topic_group_id == group.id, ReviewPoint.public_id == public_id))


def points_of(group: TopicGroup) -> list[ReviewPoint]:
    return list(db.session.scalars(select(ReviewPoint).where(ReviewPoint.topic_group_id == group.id)
                                   .order_by(ReviewPoint.due_on, ReviewPoint.id)))


def status(point: ReviewPoint, on: date) -> tuple[str, str]:
    """(words, GOV.UK tag class) for the reviews page."""
    if point.held_at is not None:
        return "Held", "govuk-tag--green"
    if point.due_on < on:
        return "Due: not held yet", "govuk-tag--red"
    return "To come", "govuk-tag--blue"


def _label_problem(group: TopicGroup, label: str) -> str | None:
    if not label:
        return "Enter a name for the review, for example 18-month review"
    if len(label) > MAX_LABEL:
        return f"The name must be {MAX_LABEL} characters or fewer"
    if any(p.label.casefold() == label.casefold() for p in group.review_points):
        return f"The group already has a review called {label}"
    return None


def _date_problem(due_on: date | None) -> str | None:
    if due_on is None:
        return "Enter the date of the review"
    if due_on < today():
        return f"The date of the review must be today or later (today is {today().strftime(DATE_FORMAT)})"
    return None


def add(group: TopicGroup, label: str, due_on: date | None, by: User) -> ReviewPoint:
    label = " ".join((label or "").split())
    errors = [(name, problem) for name, problem in (("label", _label_problem(group, label)),
                                                    ("due_on", _date_problem(due_on))) if problem]
    if errors:
        raise ReviewError(errors)
    point = ReviewPoint(topic_group=group, label=label, due_on=due_on, created_by_id=by.id)
    db.session.add(point)
    db.session.flush()
    review_reminders.schedule_after_commit(point)
    db.session.commit()
    return point


def _not_held(point: ReviewPoint, doing: str) -> None:
    if point.held_at is not None:
        raise ReviewError([("form", f"The {point.label} has been held, so it cannot be {doing}")])


def change_date(point: ReviewPoint, due_on: date | None) -> ReviewPoint:
    """A new date for a review not yet held; its reminder follows it (one
    per due date: a moved review is reminded of again)."""
    _not_held(point, "moved")
    problem = _date_problem(due_on)
    if problem:
        raise ReviewError([("due_on", problem)])
    point.due_on = due_on
    review_reminders.schedule_after_commit(point)
    db.session.commit()
    return point


def remove(point: ReviewPoint) -> None:
    """Only a review not yet held: a held one carries the group's judgements.
    Its reminder job finds it gone and sends nothing."""
    _not_held(point, "removed")
    db.session.delete(point)
    db.session.commit()
