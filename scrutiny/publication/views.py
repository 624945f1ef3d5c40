"""The officers' publication page: where the group's publication stands,
what stops the next step (each linked to where it is put right), and the
buttons that publish the report, publish the responses or withdraw."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from scrutiny.groups.models import TopicGroup
from scrutiny.publication import services
from scrutiny.publication.forms import WithdrawForm
from scrutiny.security import topic_group_access

bp = Blueprint("publication", __name__)


def _page(group: TopicGroup, withdraw_form: WithdrawForm | None = None, refused: list | None = None,
          status: int = 200):
    publication = services.publication_of(group)
    live = publication is not None and publication.is_live
    return render_template(
        "publication/page.html", group=group, publication=publication, live=live,
        problems=[] if live else services.problems(group),
        response_problems=services.response_problems(group) if live else [],
        events=services.events(group), withdraw_form=withdraw_form or WithdrawForm(),
        refused=refused or []), status


def _refused(group: TopicGroup, err: services.PublicationError):
    return _page(group, refused=err.problems, status=400)


@bp.get("/groups/<slug>/publication")
@topic_group_access("manage")
def page(group: TopicGroup):
    return _page(group)


@bp.post("/groups/<slug>/publication/publish")
@topic_group_access("manage")
def publish(group: TopicGroup):
    if not FlaskForm().validate_on_submit():
        return _page(group, status=400)
    try:
        services.publish(group, current_user)
    except services.PublicationError as err:
        return _refused(group, err)
    flash("The review is published: its public page is open to everyone.", "success")
    return redirect(url_for("publication.page", slug=group.slug))


@bp.post("/groups/<slug>/publication/publish-responses")
@topic_group_access("manage")
def publish_responses(group: TopicGroup):
    if not FlaskForm().validate_on_submit():
        return _page(group, status=400)
    try:
        services.publish_responses(group, current_user)
    except services.PublicationError as err:
        return _refused(group, err)
    flash("The responses are published on the review’s public page.", "success")
    return redirect(url_for("publication.page", slug=group.slug))


@bp.post("/groups/<slug>/publication/withdraw")
@topic_group_access("manage")
def withdraw(group: TopicGroup):
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _page(group, withdraw_form=form, status=400)
    try:
        services.withdraw(group, current_user, form.reason.data or "")
    except services.PublicationError as err:
        if err.field == "reason":
            form.reason.errors = [str(err)]
            return _page(group, withdraw_form=form, status=400)
        return _refused(group, err)
    flash("The review is withdrawn: its public page now says so.", "success")
    return redirect(url_for("publication.page", slug=group.slug))
