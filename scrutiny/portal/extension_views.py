"""A responder asks for more time, from the response page, up to the due
date (the rules are `responses.extensions`')."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from scrutiny.clock import today
from scrutiny.extensions import db
from scrutiny.portal.access import responder_request
from scrutiny.portal.views import bp
from scrutiny.responses import extensions
from scrutiny.responses.extension_forms import AskMoreTimeForm
from scrutiny.responses.models import ResponseRequest


@bp.route("/responses/<request_id>/more-time", methods=["GET", "POST"])
@responder_request
def ask_more_time(response_request: ResponseRequest):
    form = AskMoreTimeForm()
    if request.method == "POST":
        if not form.validate() and form.csrf_token.errors:
            abort(400)
        try:
            extensions.ask(response_request, proposed_due=form.proposed_due.data, reason=form.reason.data,
                           name=form.name.data, today=today())
        except extensions.ExtensionError as err:
            db.session.rollback()
            for name, message in err.errors.items():
                field = getattr(form, name)
                # A date that is not a real date keeps its own message, unless asking is closed.
                if not field.errors or name == "proposed_due" and extensions.why_not(response_request, today()):
                    field.errors = [message]
        else:
            flash("Your request for more time has been sent to the scrutiny team. We will e-mail "
                  f"{response_request.to_address} their decision.", "success")
            return redirect(url_for("portal.response", request_id=response_request.public_id, _anchor="more-time"))
        closed = None  # the form again, with what was typed
    else:
        closed = extensions.why_not(response_request, today())
    return render_template("portal/more_time.html", response_request=response_request, form=form, closed=closed,
                           more_time=extensions.history(response_request))


@bp.context_processor
def _more_time_on_the_response_pages():
    # The response pages show the asks and the way to make one without their views knowing.
    return {"more_time_of": extensions.history,
            "more_time_closed": lambda response_request: extensions.why_not(response_request, today())}
