"""Officers' pages: discussion events and their sign-ups, one-to-one
requests, and notes from both added to the evidence. Councillors of the
group may read the events; residents' details are for officers only."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from scrutiny.clock import to_local
from scrutiny.community import conversations, events, notes, signups
from scrutiny.community.forms import (
    BookHeldBackForm, ButtonForm, CloseConversationForm, CloseEventForm, EventForm, NotesForm)
from scrutiny.community.models import ConversationStatus, EventStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access

bp = Blueprint("community", __name__)


@bp.context_processor
def helpers():
    return {"language_names": events.language_names, "contact_method": conversations.contact_method_label,
            "places_left": signups.places_left, "held_back_left": signups.held_back_left,
            "waiting_count": signups.waiting_count}


def _event_or_404(group: TopicGroup, event_id: str):
    return events.get_event(group, event_id) or abort(404)


def _to_event(group, event, message: str | None = None, category: str = "success"):
    if message:
        flash(message, category)
    return redirect(url_for("community.event", slug=group.slug, event_id=event.public_id))


def _field_error(form, err, default: str) -> None:
    getattr(form, getattr(err, "field", None) or default, getattr(form, default)).errors.append(str(err))


@bp.get("/groups/<slug>/community")
@topic_group_access("view")
def index(group: TopicGroup):
    can_manage = group.can_manage(current_user)
    return render_template("community/index.html", group=group, events=events.events_for(group),
                           can_manage=can_manage,
                           waiting_requests=len(conversations.queue_for(group)) if can_manage else 0)


def _initial(event) -> dict:
    if event is None:
        return {"accept_hours": 48, "languages": ["en"]}
    starts, ends = to_local(event.starts_at), to_local(event.ends_at)
    return {"title": event.title, "description": event.description, "date": starts.date(),
            "start_time": starts.time(), "end_time": ends.time(), "online": "online" if event.online else "place",
            "place": event.place, "joining_details": event.joining_details, "capacity": event.capacity,
            "held_back": event.held_back, "languages": event.languages, "access_offered": event.access_offered,
            "terms": event.terms, "accept_hours": event.accept_hours}


def _event_form(group: TopicGroup, event):
    form = EventForm(data=_initial(event))
    if form.validate_on_submit():
        try:
            saved = events.save_event(group, event, form.details(), by=current_user)
            db.session.commit()
        except events.EventError as err:
            db.session.rollback()
            _field_error(form, err, "title")
        else:
            return _to_event(group, saved, f"Saved {saved.title}.")
    title = f"Edit {event.title}" if event else "Set up a group discussion"
    return render_template("community/event_form.html", group=group, form=form, event=event, title=title)


@bp.route("/groups/<slug>/community/events/new", methods=["GET", "POST"])
@topic_group_access("manage")
def event_new(group: TopicGroup):
    return _event_form(group, None)


@bp.route("/groups/<slug>/community/events/<event_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def event_edit(group: TopicGroup, event_id: str):
    return _event_form(group, _event_or_404(group, event_id))


@bp.get("/groups/<slug>/community/events/<event_id>")
@topic_group_access("view")
def event(group: TopicGroup, event_id: str):
    found = _event_or_404(group, event_id)
    can_manage = group.can_manage(current_user)
    # Residents' details, needed to plan (access needs), for officers only and only until erased.
    listed = signups.sign_ups(found) if can_manage else []
    return render_template("community/event.html", group=group, event=found, can_manage=can_manage,
                           signups=listed, button=ButtonForm(), EventStatus=EventStatus,
                           public_path=url_for("take_part.event", slug=group.slug, event_id=found.public_id))


@bp.post("/groups/<slug>/community/events/<event_id>/publish")
@topic_group_access("manage")
def event_publish(group: TopicGroup, event_id: str):
    found = _event_or_404(group, event_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        events.publish(found)
        db.session.commit()
    except events.EventError as err:
        db.session.rollback()
        return _to_event(group, found, str(err), "warning")
    return _to_event(group, found, f"Published {found.title}: residents can sign up.")


@bp.route("/groups/<slug>/community/events/<event_id>/cancel", methods=["GET", "POST"])
@topic_group_access("manage")
def event_cancel(group: TopicGroup, event_id: str):
    found = _event_or_404(group, event_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            told = events.cancel(found)
            db.session.commit()
        except events.EventError as err:
            db.session.rollback()
            return _to_event(group, found, str(err), "warning")
        return _to_event(group, found, f"Cancelled {found.title}. {told} residents will be e-mailed.")
    return render_template("community/event_cancel.html", group=group, event=found, form=form)


@bp.route("/groups/<slug>/community/events/<event_id>/book", methods=["GET", "POST"])
@topic_group_access("manage")
def event_book(group: TopicGroup, event_id: str):
    found = _event_or_404(group, event_id)
    form = BookHeldBackForm()
    if form.validate_on_submit():
        try:
            booked = signups.book_held_back(found, form.invited_group.data, form.places.data)
            db.session.commit()
        except signups.SignupError as err:
            db.session.rollback()
            _field_error(form, err, "invited_group")
        else:
            return _to_event(group, found, f"Booked {len(booked)} places for {form.invited_group.data}.")
    return render_template("community/event_book.html", group=group, event=found, form=form)


@bp.post("/groups/<slug>/community/events/<event_id>/sign-ups/<signup_id>/cancel")
@topic_group_access("manage")
def signup_cancel(group: TopicGroup, event_id: str, signup_id: str):
    found = _event_or_404(group, event_id)
    signup = events.signup_of(found, signup_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        signups.cancel(signup, by_resident=False)
        db.session.commit()
    except signups.SignupError as err:
        db.session.rollback()
        return _to_event(group, found, str(err), "warning")
    return _to_event(group, found, "Cancelled the place. If anyone was waiting, the next is offered it.")


@bp.route("/groups/<slug>/community/events/<event_id>/close", methods=["GET", "POST"])
@topic_group_access("manage")
def event_close(group: TopicGroup, event_id: str):
    found = _event_or_404(group, event_id)
    form = CloseEventForm(data={"languages_used": found.languages})
    if form.validate_on_submit():
        try:
            events.close(found, attendees=form.attendees.data, organisations=form.organisations.data or "",
                         languages_used=list(form.languages_used.data or []), by=current_user)
            db.session.commit()
        except events.EventError as err:
            db.session.rollback()
            _field_error(form, err, "attendees")
        else:
            return _to_event(group, found, f"Closed {found.title} with its record.")
    return render_template("community/event_close.html", group=group, event=found, form=form)


def _notes_page(group: TopicGroup, *, via: str, title: str, back: str, about: str):
    form = NotesForm(data={"title": title})
    form.themes.choices = [(str(t.id), t.name) for t in group.themes]
    if form.validate_on_submit():
        try:
            added = notes.record(group, via=via, title=form.title.data, summary=form.summary.data or "",
                                 body=form.body.data, theme_ids=list(form.themes.data or []), by=current_user)
            db.session.commit()
        except notes.NotRecorded as problems:
            db.session.rollback()
            for name, messages in problems.errors.items():
                getattr(form, name, form.title).errors = list(getattr(form, name, form.title).errors) + messages
        else:
            flash(f"Added {added.title} to the evidence library. It is waiting for review.", "success")
            return redirect(url_for("evidence.submission", slug=group.slug, public_id=added.public_id))
    return render_template("community/notes.html", group=group, form=form, back=back, about=about)


@bp.route("/groups/<slug>/community/events/<event_id>/notes", methods=["GET", "POST"])
@topic_group_access("manage")
def event_notes(group: TopicGroup, event_id: str):
    found = _event_or_404(group, event_id)
    return _notes_page(group, via=notes.DISCUSSION, title=notes.title_for_event(found),
                       back=url_for("community.event", slug=group.slug, event_id=found.public_id),
                       about=found.title)


@bp.get("/groups/<slug>/community/conversations")
@topic_group_access("manage")
def conversations_page(group: TopicGroup):
    return render_template("community/conversations.html", group=group, waiting=conversations.queue_for(group),
                           closed=conversations.closed_for(group),
                           form_path=url_for("take_part.one_to_one", slug=group.slug))


@bp.route("/groups/<slug>/community/conversations/<request_id>", methods=["GET", "POST"])
@topic_group_access("manage")
def conversation(group: TopicGroup, request_id: str):
    found = conversations.get_request(group, request_id) or abort(404)
    form = CloseConversationForm()
    if found.status == ConversationStatus.OPEN and form.validate_on_submit():
        try:
            conversations.close(found, form.notes.data, by=current_user)
            db.session.commit()
        except conversations.ConversationError as err:
            db.session.rollback()
            _field_error(form, err, "notes")
        else:
            flash("Closed the request. Add the notes to the evidence if the group should see them.", "success")
            return redirect(url_for("community.conversation", slug=group.slug, request_id=found.public_id))
    return render_template("community/conversation.html", group=group, asked=found, form=form,
                           ConversationStatus=ConversationStatus)


@bp.route("/groups/<slug>/community/conversations/<request_id>/notes", methods=["GET", "POST"])
@topic_group_access("manage")
def conversation_notes(group: TopicGroup, request_id: str):
    found = conversations.get_request(group, request_id) or abort(404)
    if found.status != ConversationStatus.CLOSED:
        abort(404)
    return _notes_page(group, via=notes.CONVERSATION, title=notes.title_for_conversation(found),
                       back=url_for("community.conversation", slug=group.slug, request_id=found.public_id),
                       about="a one-to-one conversation")
