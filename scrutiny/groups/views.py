from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.forms import choice_list, lines
from scrutiny.groups import services
from scrutiny.groups.forms import GroupForm, StatusForm
from scrutiny.groups.models import TopicGroup
from scrutiny.groups.status import Status
from scrutiny.security import officer_required, topic_group_access

bp = Blueprint("groups", __name__)


@bp.get("/groups")
@officer_required
def index():
    groups = services.groups_for(current_user)
    mine = [g for g in groups if g.lead_officer_id == current_user.id]
    others = [g for g in groups if g.lead_officer_id != current_user.id]
    return render_template("groups/index.html", mine=mine, others=others)


@bp.get("/groups/<slug>")
@topic_group_access("view")
def show(group: TopicGroup):
    return render_template("groups/show.html", group=group, can_manage=group.can_manage(current_user),
                           closed_by=services.closed_by(group), parts=services.page_parts(group, current_user))


def _initial(group: TopicGroup | None) -> dict:
    """The form's starting values, as text the fields understand."""
    if group is None:
        return {"lead_officer_id": current_user.id}
    return {
        "title": group.title, "scope": group.scope, "chair_id": group.chair_id,
        "member_ids": [m.id for m in group.members], "lead_officer_id": group.lead_officer_id,
        "themes": "\n".join(t.name for t in group.themes),
        "lines_of_enquiry": "\n".join(line.text for line in group.lines_of_enquiry),
        "start_date": group.start_date, "end_date": group.end_date,
    }


def _form_for(group: TopicGroup | None) -> GroupForm:
    form = GroupForm(data=_initial(group))
    councillors, officers = services.people_to_choose()
    form.set_people(councillors, officers)
    form.people = {u.id: u for u in councillors + officers}
    return form


def _details(form: GroupForm) -> services.GroupDetails:
    people = form.people
    return services.GroupDetails(
        title=form.title.data,
        scope=form.scope.data or "",
        chair=people.get(form.chair_id.data),
        members=[people[i] for i in form.member_ids.data or [] if i in people],
        lead_officer=people.get(form.lead_officer_id.data),
        themes=lines(form.themes.data),
        lines_of_enquiry=lines(form.lines_of_enquiry.data),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )


def _save(group: TopicGroup | None, form: GroupForm):
    try:
        saved = services.save_group(group, _details(form))
    except services.GroupError as err:
        db.session.rollback()
        getattr(form, err.field or "title").errors.append(str(err))
        return None
    flash(f"Saved {saved.title}.", "success")
    return redirect(url_for("groups.show", slug=saved.slug))


@bp.route("/groups/new", methods=["GET", "POST"])
@officer_required
def new():
    form = _form_for(None)
    if form.validate_on_submit() and (response := _save(None, form)):
        return response
    return render_template("groups/form.html", form=form, group=None, title="Set up a topic group")


@bp.route("/groups/<slug>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def edit(group: TopicGroup):
    form = _form_for(group)
    if form.validate_on_submit() and (response := _save(group, form)):
        return response
    return render_template("groups/form.html", form=form, group=group, title=f"Edit {group.title}")


@bp.route("/groups/<slug>/status", methods=["GET", "POST"])
@topic_group_access("manage")
def status(group: TopicGroup):
    form = StatusForm()
    form.status.choices = choice_list((s.value, s.label) for s in group.status_enum.next_statuses)
    can_close = Status.CLOSED in group.status_enum.next_statuses
    if form.validate_on_submit():
        try:
            change = services.change_status(group, form.status.data, current_user,
                                            note=form.note.data if form.status.data == Status.CLOSED else "")
        except services.GroupError as err:
            db.session.rollback()
            getattr(form, err.field if err.field in ("status", "note") else "status").errors.append(str(err))
        else:
            flash(f"{group.title} moved to {change.to_label}.", "success")
            return redirect(url_for("groups.show", slug=group.slug))
    return render_template("groups/status.html", form=form, group=group, can_close=can_close,
                           closing_problems=services.closing_needs_reason(group) if can_close else [])
