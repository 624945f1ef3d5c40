"""The date an addressee is asked to respond by, set by an officer from the
letters page (the URL stays under the group's letters)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import services
from scrutiny.responses.forms import DueDateForm
from scrutiny.security import topic_group_access

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
