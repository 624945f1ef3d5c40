"""The date an addressee is asked to respond by, set by an officer from the
letters page (the URL stays under the group's letters); the responses that
come back, an officer entering one received by letter or e-mail, and the
group finding one inadequate."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import extensions, inadequate, officer_entry, overview, replies, review_views, services
from scrutiny.responses.extension_forms import DecideMoreTimeForm
from scrutiny.responses.forms import (
    DueDateForm, EnterResponseForm, InadequateForm, TypedAction, answer_inputs, error_list, from_saved, typed_entry)
from scrutiny.responses.models import ActionState, Decision, ResponseRequest
from scrutiny.security import topic_group_access
from scrutiny.storage import send_stored
from scrutiny.uploads import download_name

bp = Blueprint("responses", __name__)


@bp.route("/groups/<slug>/letters/<int:organisation_id>/due-date", methods=["GET", "POST"])
@topic_group_access("manage")
def due_date(group: TopicGroup, organisation_id: int):
    organisation = services.addressee(group, organisation_id) or abort(404)
    row = services.dues(group).get(organisation.id)
    current = services.current_due(row, organisation.kind)
    statutory_on, statutory_rule = services.default_due(organisation.kind, services.request_date(row))
    form = DueDateForm(data={"due_on": current, "earlier_confirmed": bool(row and row.earlier_confirmed)})
    if form.validate_on_submit():
        try:
            services.set_due_date(group, organisation, form.due_on.data, form.reason.data, current_user,
                                  earlier_confirmed=form.earlier_confirmed.data and statutory_on is not None)
        except services.DueDateError as err:
            db.session.rollback()
            for field, message in err.errors:
                getattr(form, field).errors.append(message)
        else:
            db.session.commit()
            flash(f"{organisation.name} is now asked to respond by "
                  f"{form.due_on.data.strftime(services.DATE_FORMAT)}.", "success")
            return redirect(url_for("documents.letters_page", slug=group.slug))
    return render_template("responses/due_date.html", group=group, organisation=organisation, row=row, form=form,
                           kind_label=services.kind_label(organisation.kind), statutory_on=statutory_on,
                           statutory_rule=statutory_rule, current=current,
                           reason_needed=services.reason_needed(row, organisation.kind))


# ---- the responses that come back --------------------------------------------------------------


@bp.get("/groups/<slug>/responses")
@topic_group_access("view")
def overview_page(group: TopicGroup):
    rows = overview.requests_of(group, today())
    return render_template("responses/overview.html", group=group, rows=rows, any_sent=overview.any_sent(group),
                           any_submitted=any(row.is_submitted for row, _ in rows),
                           can_manage=group.can_manage(current_user))


def _request(group: TopicGroup, public_id: str) -> ResponseRequest:
    return overview.find(group, public_id) or abort(404)


def _show(group: TopicGroup, found: ResponseRequest, form: InadequateForm | None = None,
          decide_form: DecideMoreTimeForm | None = None):
    can_manage = group.can_manage(current_user)
    if form is None and can_manage and inadequate.can_find_inadequate(found):
        form = InadequateForm()
    pending = extensions.waiting(found)
    if decide_form is None and can_manage and extensions.can_decide(pending):
        decide_form = DecideMoreTimeForm(data={"extension": str(pending.id), "grant_due": pending.proposed_due})
    answers = replies.answers(found) if found.is_submitted else []
    db.session.rollback()  # answers() may make unanswered rows: a page shows, it never writes
    return render_template("responses/response.html", group=group, request_row=found,
                           status=overview.status(found, today()), answers=answers, can_manage=can_manage,
                           form=form, rounds=overview.rounds(found), more_time=extensions.history(found),
                           pending=pending, decide_form=decide_form if extensions.can_decide(pending) else None)


@bp.get("/groups/<slug>/responses/<public_id>")
@topic_group_access("view")
def response_page(group: TopicGroup, public_id: str):
    return _show(group, _request(group, public_id))


@bp.get("/groups/<slug>/responses/<public_id>/original")
@topic_group_access("view")
def original(group: TopicGroup, public_id: str):
    found = _request(group, public_id)
    if not found.original_storage_key:
        abort(404)
    response = send_stored(found.original_storage_key, mimetype=found.original_content_type,
                           download_name=download_name(found.original_name, found.original_content_type),
                           sha256=found.original_sha256, size=found.original_size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/groups/<slug>/responses/<public_id>/inadequate")
@topic_group_access("manage")
def find_inadequate(group: TopicGroup, public_id: str):
    found = _request(group, public_id)
    form = InadequateForm()
    if form.validate_on_submit():
        try:
            further = inadequate.find_inadequate(found, reason=form.reason.data or "", due_on=form.due_on.data,
                                                 by=current_user, today=today())
        except inadequate.InadequateError as err:
            db.session.rollback()
            for name, message in err.errors.items():
                getattr(form, name).errors.append(message)
        else:
            flash(f"The group has found this response inadequate. A further response from "
                  f"{found.organisation.name} is due by {further.due_on.strftime(overview.DATE_FORMAT)}; "
                  "its letter is not sent yet.", "success")
            return redirect(url_for("responses.response_page", slug=group.slug, public_id=found.public_id))
    elif form.csrf_token.errors:
        abort(400)
    return _show(group, found, form)


@bp.route("/groups/<slug>/responses/<public_id>/enter", methods=["GET", "POST"])
@topic_group_access("manage")
def enter(group: TopicGroup, public_id: str):
    found = _request(group, public_id)
    if found.is_submitted:
        flash("This response has already been submitted, so it cannot be entered again.", "important")
        return redirect(url_for("responses.response_page", slug=group.slug, public_id=found.public_id))
    saved = replies.answers(found)
    numbers = {a.recommendation_id: a.recommendation.number for a in saved}
    recommendations = {a.recommendation_id: a.recommendation for a in saved}
    form = EnterResponseForm()
    problems: list = []
    signed_by = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        typed = typed_entry(request.form, list(numbers))
        signed_by = request.form.get("signed_by", "")
        adding = request.form.get("add_action", "")
        if not adding:
            inputs, typing_problems = answer_inputs(typed, numbers)
            upload = request.files.get("original")
            try:
                officer_entry.enter(found, inputs, signed_by=signed_by,
                                    upload=(upload.stream, upload.filename) if upload else None,
                                    by=current_user, today=today(), typing_problems=typing_problems)
            except replies.ReplyError as err:
                problems = err.problems
                found = _request(group, public_id)
            else:
                flash(f"Entered the response from {found.organisation.name}.", "success")
                return redirect(url_for("responses.response_page", slug=group.slug, public_id=found.public_id))
    else:
        typed = [from_saved(a) for a in saved]
        db.session.rollback()  # the GET only reads
    for answer in typed:  # a blank row to type the next action in
        answer.actions.append(TypedAction())
    summary, errors = error_list(problems)
    return render_template("responses/enter.html", group=group, request_row=found, form=form, typed=typed,
                           recommendations=recommendations, problems=problems, summary=summary, errors=errors,
                           signed_by=signed_by,
                           decisions=list(Decision), states=list(ActionState),
                           upload_limit=current_app.config["MAX_UPLOAD_BYTES"])


# The reviews' pages are on this blueprint too (their own module).
review_views.register(bp)
