"""An officer grants or refuses a responder's ask for more time, from the
response page (the ask, its form and every earlier one are shown there)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import extensions
from scrutiny.responses.extension_forms import DecideMoreTimeForm
from scrutiny.responses.views import _request, _show, bp
from scrutiny.security import topic_group_access

DATE_FORMAT = extensions.DATE_FORMAT


@bp.post("/groups/<slug>/responses/<public_id>/more-time")
@topic_group_access("manage")
def decide_more_time(group: TopicGroup, public_id: str):
    found = _request(group, public_id)
    form = DecideMoreTimeForm()
    if not form.validate() and form.csrf_token.errors:
        abort(400)
    pending = extensions.waiting(found)
    back = redirect(url_for("responses.response_page", slug=group.slug, public_id=found.public_id,
                            _anchor="more-time"))
    if not extensions.can_decide(pending) or form.extension.data != str(pending.id):
        flash("That request for more time has already been decided, or the response is in: see below.", "important")
        return back
    decision = request.form.get("decision")
    if decision not in (extensions.GRANTED, extensions.REFUSED):
        abort(400)
    try:
        if form.grant_due.errors and decision == extensions.GRANTED:
            raise extensions.ExtensionError({})  # not a real date: its own message stands
        if decision == extensions.GRANTED:
            extensions.grant(pending, due_on=form.grant_due.data, note=form.note.data, by=current_user)
        else:
            extensions.refuse(pending, note=form.note.data, by=current_user)
    except extensions.ExtensionError as err:
        db.session.rollback()
        if decision == extensions.REFUSED:
            form.grant_due.errors = []  # the date is not used to refuse
        for name, message in err.errors.items():
            field = getattr(form, name, None)
            (field.errors if field is not None else form.form_errors).append(message)
        return _show(group, _request(group, public_id), decide_form=form)
    organisation = found.organisation.name
    if decision == extensions.GRANTED:
        flash(f"More time granted: {organisation} is now asked to respond by "
              f"{form.grant_due.data.strftime(DATE_FORMAT)}. We are e-mailing them.", "success")
    else:
        flash(f"Request for more time refused. We are e-mailing {organisation}.", "success")
    return back
