"""An action of a submitted response, for the group's officers and
councillors: its latest progress, its target date (and the one first
given), everything recorded since, and, for officers, the forms to record
progress and move the date. Drafts are the responder's: not here."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import progress
from scrutiny.responses.models import ProgressStatus, ResponseAction
from scrutiny.responses.progress_forms import move_form, progress_form, save_move, save_progress
from scrutiny.responses.views import bp
from scrutiny.security import topic_group_access


@bp.app_template_global("progress_tag")
def progress_tag(status: str) -> str:
    """The colour of a progress status's tag, for every page that shows one (the portal's too)."""
    return progress.tag(status)


def _action(group: TopicGroup, public_id: str) -> ResponseAction:
    return progress.of_group(group.id, public_id) or abort(404)


def _show(group: TopicGroup, action: ResponseAction, progress_with=None, move_with=None):
    can_manage = group.can_manage(current_user)
    return render_template("responses/action.html", group=group, action=action,
                           request_row=action.response.request, history=progress.history(action),
                           can_manage=can_manage,
                           progress_form=progress_with or (progress_form() if can_manage else None),
                           move_form=move_with or (move_form() if can_manage else None))


def _back(group: TopicGroup, action: ResponseAction):
    return redirect(url_for("responses.action_page", slug=group.slug, public_id=action.public_id))


@bp.get("/groups/<slug>/actions/<public_id>")
@topic_group_access("view")
def action_page(group: TopicGroup, public_id: str):
    return _show(group, _action(group, public_id))


@bp.post("/groups/<slug>/actions/<public_id>/progress")
@topic_group_access("manage")
def record_progress(group: TopicGroup, public_id: str):
    action = _action(group, public_id)
    form = progress_form()
    if not save_progress(form, action, by=current_user):
        db.session.rollback()
        return _show(group, action, progress_with=form)
    flash(f"Progress recorded: {ProgressStatus(form.status.data).label.lower()}.", "success")
    return _back(group, action)


@bp.post("/groups/<slug>/actions/<public_id>/target-date")
@topic_group_access("manage")
def move_date(group: TopicGroup, public_id: str):
    action = _action(group, public_id)
    form = move_form()
    if not save_move(form, action, by=current_user):
        db.session.rollback()
        return _show(group, action, move_with=form)
    flash(f"The target date is now {action.target_date.strftime(progress.DATE_FORMAT)}.", "success")
    return _back(group, action)
