"""The group's reviews: its review points (add, move, remove the ones not
held), the review page where the group's judgement on each recommendation
is recorded, judgements between reviews, and closing the group once every
recommendation is achieved. The responses blueprint carries the routes
(`register`), so the pages sit under Responses in the group's navigation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import closing, overview, review_sheet, reviews, scale
from scrutiny.responses.forms import ButtonForm, ReviewDateForm, ReviewPointForm, error_list
from scrutiny.responses.models import ReviewPoint
from scrutiny.security import topic_group_access


def _point(group: TopicGroup, public_id: str) -> ReviewPoint:
    return reviews.find(group, public_id) or abort(404)


def _button() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


@topic_group_access("view")
def reviews_page(group: TopicGroup):
    on = today()
    return render_template("responses/reviews.html", group=group, any_sent=overview.any_sent(group),
                           points=[(p, *reviews.status(p, on)) for p in reviews.points_of(group)],
                           can_manage=group.can_manage(current_user), form=ButtonForm())


@topic_group_access("manage")
def add_review(group: TopicGroup):
    form = ReviewPointForm()
    if form.validate_on_submit():
        try:
            point = reviews.add(group, form.label.data, form.due_on.data, current_user)
        except reviews.ReviewError as err:
            db.session.rollback()
            for name, message in err.errors:
                getattr(form, name).errors.append(message)
        else:
            flash(f"Added the {point.label} on {point.due_on.strftime(reviews.DATE_FORMAT)}.", "success")
            return redirect(url_for("responses.reviews_page", slug=group.slug))
    return render_template("responses/review_new.html", group=group, form=form)


@topic_group_access("manage")
def review_date(group: TopicGroup, public_id: str):
    point = _point(group, public_id)
    if point.held_at is not None:
        flash(f"The {point.label} has been held, so its date stays as it was.", "important")
        return redirect(url_for("responses.reviews_page", slug=group.slug))
    form = ReviewDateForm(data={"due_on": point.due_on})
    if form.validate_on_submit():
        try:
            reviews.change_date(point, form.due_on.data)
        except reviews.ReviewError as err:
            db.session.rollback()
            form.due_on.errors.extend(message for _, message in err.errors)
            point = _point(group, public_id)
        else:
            flash(f"The {point.label} is now on {point.due_on.strftime(reviews.DATE_FORMAT)}.", "success")
            return redirect(url_for("responses.reviews_page", slug=group.slug))
    return render_template("responses/review_date.html", group=group, point=point, form=form)


@topic_group_access("manage")
def remove_review(group: TopicGroup, public_id: str):
    _button()
    point = _point(group, public_id)
    label = point.label
    try:
        reviews.remove(point)
    except reviews.ReviewError as err:
        db.session.rollback()
        flash(str(err), "important")
    else:
        flash(f"Removed the {label}.", "success")
    return redirect(url_for("responses.reviews_page", slug=group.slug))


def _sheet_page(group: TopicGroup, point: ReviewPoint | None, sheet: list, problems: list | None = None):
    summary, errors = error_list(problems or [])
    return render_template("responses/review.html", group=group, point=point, rows=sheet, form=ButtonForm(),
                           scale=scale.values(), can_manage=group.can_manage(current_user),
                           reasons_needed=[v for v in scale.values() if v.needs_reason],
                           achieved=[v for v in scale.values() if v.achieved],
                           problems=problems or [], summary=summary, errors=errors)


def _record(group: TopicGroup, point: ReviewPoint | None):
    _button()
    sheet = review_sheet.rows(group, point)
    review_sheet.typed_from(request.form, sheet)
    try:
        recorded = review_sheet.save(group, sheet, current_user, point)
    except review_sheet.SheetError as err:
        db.session.rollback()
        return _sheet_page(group, point, sheet, err.problems)
    where = f" at the {point.label}" if point else ""
    flash(f"Recorded the group’s judgement on {len(recorded)} "
          f"{'recommendation' if len(recorded) == 1 else 'recommendations'}{where}.", "success")
    if point is not None:
        return redirect(url_for("responses.review_page", slug=group.slug, public_id=point.public_id))
    return redirect(url_for("groups.show", slug=group.slug))


@topic_group_access("view")
def review_page(group: TopicGroup, public_id: str):
    point = _point(group, public_id)
    return _sheet_page(group, point, review_sheet.rows(group, point))


@topic_group_access("manage")
def record_review(group: TopicGroup, public_id: str):
    return _record(group, _point(group, public_id))


@topic_group_access("manage")
def judgements_page(group: TopicGroup):
    return _sheet_page(group, None, review_sheet.rows(group))


@topic_group_access("manage")
def record_judgements(group: TopicGroup):
    return _record(group, None)


@topic_group_access("manage")
def close_page(group: TopicGroup):
    """Asks before closing; says why not when the group cannot close this way."""
    can = closing.may_close(group)
    return render_template("responses/close.html", group=group, form=ButtonForm(), can_close=can,
                           note=closing.closing_note(group) if can else "",
                           why_not="" if can else closing.why_not(group))


@topic_group_access("manage")
def close_group(group: TopicGroup):
    _button()
    try:
        change = closing.close(group, current_user)
    except closing.ClosingError as err:
        db.session.rollback()
        flash(f"The topic group was not closed. {err}.", "important")
    else:
        flash(f"{group.title} is closed. {change.note}", "success")
    return redirect(url_for("groups.show", slug=group.slug))


def register(bp: Blueprint) -> None:
    """Add these pages to the responses blueprint (scrutiny.responses.views)."""
    bp.add_url_rule("/groups/<slug>/reviews", view_func=reviews_page, methods=["GET"])
    bp.add_url_rule("/groups/<slug>/reviews/new", view_func=add_review, methods=["GET", "POST"])
    bp.add_url_rule("/groups/<slug>/reviews/<public_id>/date", view_func=review_date, methods=["GET", "POST"])
    bp.add_url_rule("/groups/<slug>/reviews/<public_id>/remove", view_func=remove_review, methods=["POST"])
    bp.add_url_rule("/groups/<slug>/reviews/<public_id>", view_func=review_page, methods=["GET"])
    bp.add_url_rule("/groups/<slug>/reviews/<public_id>", view_func=record_review, methods=["POST"])
    bp.add_url_rule("/groups/<slug>/judgements", view_func=judgements_page, methods=["GET"])
    bp.add_url_rule("/groups/<slug>/judgements", view_func=record_judgements, methods=["POST"])
    bp.add_url_rule("/groups/<slug>/close", view_func=close_page, methods=["GET"])
    bp.add_url_rule("/groups/<slug>/close", view_func=close_group, methods=["POST"])
