"""The recommendations tracker's pages: a group's (its councillors may look,
officers may change judgements) and every group's (officers), each with its
CSV export and import and a judgement for many recommendations at once."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, \
    stream_with_context, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import scale, tracker, tracker_csv
from scrutiny.responses.tracker_judgements import Problem, TrackerError, record_for
from scrutiny.security import officer_required, topic_group_access
from scrutiny.uploads import UploadRefused, human_size

bp = Blueprint("tracker", __name__)


class ImportForm(FlaskForm):
    csv_file = FileField("CSV file", widget=GovFileInput())
    submit = SubmitField("Import the judgements", widget=GovSubmitInput())


def _groups(group: TopicGroup | None) -> list[TopicGroup]:
    """The groups whose rows the page reads: only the one filtered on, when
    the all-groups page is filtered by group (the others are not read)."""
    if group is not None:
        return [group] if tracker.is_tracked(group) else []
    found = tracker.tracked_groups(current_user)
    slug = request.args.get("group", "")
    return [g for g in found if g.slug == slug] if slug and request.method == "GET" else found


def _show(group: TopicGroup | None, *, problems: list[Problem] | None = None, typed: dict | None = None):
    filters = tracker.Filters.from_args(request.args)
    if group is not None:
        filters = tracker.Filters(**{**filters.__dict__, "group": ""})
    groups = _groups(group)
    listed = groups if group is not None or not filters.group else tracker.tracked_groups(current_user)
    number = request.args.get("page", "1")
    found = tracker.page(groups, today(), filters, int(number) if number.isdigit() else 1)
    can_manage = group.can_manage(current_user) if group is not None else True
    return render_template("responses/tracker.html", group=group, groups=listed, page=found, filters=filters,
                           organisations=tracker.organisations(groups), decisions=tracker.DECISIONS,
                           sorts=tracker.SORTS, scale=scale.values(), can_manage=can_manage,
                           problems=problems or [], typed=typed or {}, any_filter=filters.any)


def _endpoint(group: TopicGroup | None, name: str, **args) -> str:
    if group is not None:
        return url_for(f"tracker.group_{name}", slug=group.slug, **args)
    return url_for(f"tracker.all_{name}", **args)


def _bulk(group: TopicGroup | None):
    if not FlaskForm().validate_on_submit():
        abort(400)
    selected = {int(i) for i in request.form.getlist("selected") if i.isdigit()}
    value, reason = request.form.get("value", ""), request.form.get("reason", "")
    rows = [r for r in tracker.load(_groups(group), today(), sorted(selected) or [-1])]
    try:
        count = record_for(rows, value, reason, current_user)
    except TrackerError as err:
        db.session.rollback()
        return _show(group, problems=err.problems, typed={"selected": selected, "value": value, "reason": reason})
    label = scale.get(value).label
    flash(f"Recorded the judgement {label} for {count} {'recommendation' if count == 1 else 'recommendations'}.",
          "success")
    return redirect(_endpoint(group, "page", **tracker.Filters.from_args(request.args).as_args()))


def _csv(group: TopicGroup | None):
    filters = tracker.Filters.from_args(request.args)
    day = today()
    lines = tracker_csv.export_lines(_groups(group), day, filters)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{tracker_csv.filename(day, group)}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _import(group: TopicGroup | None):
    form = ImportForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        upload = form.csv_file.data
        if not upload or not upload.filename:
            form.csv_file.errors.append("Choose the CSV file to import")
        else:
            try:
                records = tracker_csv.read_upload(upload.stream, upload.filename)
                done = tracker_csv.import_rows(records, _groups(group), today(), current_user)
            except (UploadRefused, tracker_csv.FileError) as err:
                form.csv_file.errors.append(str(err))
            except TrackerError as err:
                db.session.rollback()
                problems = err.problems
                form.csv_file.errors.append(
                    f"Nothing was imported: {len({p.line for p in problems})} "
                    f"{'row has' if len({p.line for p in problems}) == 1 else 'rows have'} problems, listed below. "
                    "Put them right and upload the file again")
            else:
                flash(f"Imported the file: {done.changed} "
                      f"{'judgement' if done.changed == 1 else 'judgements'} recorded, {done.unchanged} "
                      f"{'row' if done.unchanged == 1 else 'rows'} unchanged.", "success")
                return redirect(_endpoint(group, "page"))
    elif request.method == "POST" and form.csrf_token.errors:
        abort(400)
    return render_template("responses/tracker_import.html", group=group, form=form, problems=problems,
                           columns=tracker_csv.COLUMNS, editable=tracker_csv.EDITABLE, scale=scale.values(),
                           limit=human_size(current_app.config["MAX_UPLOAD_BYTES"]))


# ---- one group --------------------------------------------------------------------------------


@bp.get("/groups/<slug>/tracker")
@topic_group_access("view")
def group_page(group: TopicGroup):
    return _show(group)


@bp.post("/groups/<slug>/tracker/judgements")
@topic_group_access("manage")
def group_judgements(group: TopicGroup):
    return _bulk(group)


@bp.get("/groups/<slug>/tracker.csv")
@topic_group_access("manage")
def group_csv(group: TopicGroup):
    return _csv(group)


@bp.route("/groups/<slug>/tracker/import", methods=["GET", "POST"])
@topic_group_access("manage")
def group_import(group: TopicGroup):
    return _import(group)


# ---- every group -----------------------------------------------------------------------------


@bp.get("/tracker")
@officer_required
def all_page():
    return _show(None)


@bp.post("/tracker/judgements")
@officer_required
def all_judgements():
    return _bulk(None)


@bp.get("/tracker.csv")
@officer_required
def all_csv():
    return _csv(None)


@bp.route("/tracker/import", methods=["GET", "POST"])
@officer_required
def all_import():
    return _import(None)
