"""Residents' pages, open to everyone with no sign-in: a group's upcoming
discussions, each with its places left (never who has them), signing up,
the link in their e-mails, and "speak to us one-to-one".

Against spam: a honeypot box (a filled one is answered as if taken and
stores nothing) and a limit per client on forms taken
(COMMUNITY_FORM_LIMITS). Every page is offered in the council's languages
(`/ar/take-part/...`); a sign-up or request records the language of the
page it was made on, and the resident's e-mails and links follow it."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from scrutiny.community import conversations, events, manage as managing, signups
from scrutiny.community.forms import ButtonForm, ConversationRequestForm, SignupForm
from scrutiny.community.models import SignupStatus
from scrutiny import form_limits
from scrutiny.extensions import db
from scrutiny.i18n import current as page_language, in_languages
from scrutiny.security import public

bp = Blueprint("take_part", __name__)





@bp.context_processor
def helpers():
    return {"language_names": events.language_names, "places_left": signups.places_left,
            "open_for_signup": signups.open_for_signup, "hide_account": True}


def _group_or_404(slug: str):
    return events.group_for_residents(slug) or abort(404)


def _event_or_404(group, event_id: str):
    return events.public_event(group, event_id) or abort(404)


@bp.get("/take-part/<slug>/discussions")
@public
@in_languages
def discussions(slug: str):
    group = _group_or_404(slug)
    return render_template("community/public/discussions.html", group=group, events=events.upcoming(group))


@bp.get("/take-part/<slug>/discussions/<event_id>")
@public
@in_languages
def event(slug: str, event_id: str):
    group = _group_or_404(slug)
    return render_template("community/public/event.html", group=group, event=_event_or_404(group, event_id))


@bp.route("/take-part/<slug>/discussions/<event_id>/sign-up", methods=["GET", "POST"])
@form_limits.forms_taken("COMMUNITY_FORM_LIMITS")
@public
@in_languages
def sign_up(slug: str, event_id: str):
    group = _group_or_404(slug)
    found = _event_or_404(group, event_id)
    if not signups.open_for_signup(found):
        return render_template("community/public/event.html", group=group, event=found)
    form = SignupForm()
    if form.is_submitted() and form.website.filled():
        form_limits.taken()  # software filling every box: answered as if taken, nothing kept
        return render_template("community/public/signed_up.html", group=group, event=found, signup=None)
    if form.validate_on_submit():
        resident = signups.Resident(name=form.name.data, email=form.email.data, phone=form.phone.data or "",
                                    access_needs=form.access_needs.data or "", language=page_language().code)
        try:
            signup = signups.sign_up(found, resident)
            db.session.commit()
        except signups.SignupError as err:
            db.session.rollback()
            form.form_errors.append(str(err))
        else:
            form_limits.taken()
            return render_template("community/public/signed_up.html", group=group, event=found,
                                   signup=signup, SignupStatus=SignupStatus)
    return render_template("community/public/sign_up.html", group=group, event=found, form=form)


@bp.route("/take-part/<slug>/one-to-one", methods=["GET", "POST"])
@form_limits.forms_taken("COMMUNITY_FORM_LIMITS")
@public
@in_languages
def one_to_one(slug: str):
    group = _group_or_404(slug)
    form = ConversationRequestForm()
    if form.is_submitted() and form.website.filled():
        form_limits.taken()
        return render_template("community/public/one_to_one_sent.html", group=group, asked=None)
    if form.validate_on_submit():
        asked = conversations.Asked(
            name=form.name.data, preferred_language=form.preferred_language.data,
            contact_method=form.contact_method.data, contact=form.contact.data, times=form.times.data or "",
            access_needs=form.access_needs.data or "", language=page_language().code)
        try:
            made = conversations.ask(group, asked)
            db.session.commit()
        except conversations.ConversationError as err:
            db.session.rollback()
            getattr(form, err.field or "name").errors.append(str(err))
        else:
            form_limits.taken()
            return render_template("community/public/one_to_one_sent.html", group=group, asked=made)
    return render_template("community/public/one_to_one.html", group=group, form=form)


# The token in this address: sent with no Referer (scrutiny.create_app), kept out of logs (scrutiny.redaction).
@bp.route("/take-part/discussions/manage/<token>", methods=["GET", "POST"])
@public
@in_languages
def manage(token: str):
    signup = managing.by_token(token)
    if signup is None:
        return render_template("community/public/manage_unknown.html")  # as the follow links do
    form = ButtonForm()
    problem = None
    if form.validate_on_submit():
        try:
            done = managing.act(signup, request.form.get("action", ""))
            db.session.commit()
        except signups.SignupError as err:
            db.session.rollback()
            problem = str(err)
        else:
            return render_template("community/public/manage_done.html", done=done, event=signup.event,
                                   group=signup.event.topic_group, signup=signup)
    return render_template("community/public/manage.html", signup=signup, event=signup.event,
                           group=signup.event.topic_group, form=form, problem=problem,
                           SignupStatus=SignupStatus)
