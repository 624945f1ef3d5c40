from __future__ import annotations


from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access
from scrutiny.sessions import services
from scrutiny.sessions.forms import SessionForm, attendance_choices, attendance_form, member_choices
from scrutiny.sessions.ics import calendar_filename, session_calendar
from scrutiny.sessions.models import EvidenceSession

bp = Blueprint("sessions", __name__)

def _session_or_404(group: TopicGroup, session_id: str) -> EvidenceSession:
    return services.get_session(group, session_id) or abort(404)


@bp.get("/groups/<slug>/sessions")
@topic_group_access("view")
def index(group: TopicGroup):
    return render_template("sessions/index.html", group=group, sessions=services.sessions_for_group(group),
                           can_manage=group.can_manage(current_user), can_present=services.can_present)


@bp.get("/groups/<slug>/sessions/<session_id>")
@topic_group_access("view")
def show(group: TopicGroup, session_id: str):
    session = _session_or_404(group, session_id)
    return render_template("sessions/show.html", group=group, session=session,
                           can_manage=group.can_manage(current_user), can_present=services.can_present,
                           members_by_attendance=services.members_by_attendance(session))


@bp.get("/groups/<slug>/sessions/<session_id>/calendar.ics")
@topic_group_access("view")
def calendar(group: TopicGroup, session_id: str):
    session = _session_or_404(group, session_id)
    body = session_calendar(session, current_app.config["COUNCIL_NAME"], current_app.config["SERVICE_NAME"])
    return Response(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={calendar_filename(session)}",
    })


def _initial(session: EvidenceSession | None) -> dict:
    """The form's starting values, on the council's clock."""
    if session is None:
        return {}
    starts, ends = services.to_local(session.starts_at), services.to_local(session.ends_at)
    return {
        "title": session.title, "date": starts.date(), "start_time": starts.time(), "end_time": ends.time(),
        "location": session.location, "online_url": session.online_url, "agenda": session.agenda,
        "presenters": [slot.invitation_id for slot in session.slots],
    }


def _presenter_hints(form: SessionForm, session: EvidenceSession | None) -> list[dict]:
    """Say which witnesses already present at other sessions (they may present here too)."""
    hints = []
    for invitation in form.invitations:
        others = [slot.session for slot in invitation.slots if slot.session is not session]
        if others:
            where = "; ".join(f"“{other.title}” on {services.to_local(other.starts_at):%-d %B %Y}"
                              for other in others)
            here = len(others) < len(invitation.slots)
            hints.append({"hint": {"text": f"{'Also presenting' if here else 'Presenting'} at {where}."}})
        else:
            hints.append({})
    return hints


def _form_page(group: TopicGroup, session: EvidenceSession | None):
    form = SessionForm(data=_initial(session))
    form.set_invitations(services.presentable_invitations(group), session)
    if form.validate_on_submit():
        details = services.SessionDetails(
            title=form.title.data, day=form.date.data, starts=form.start_time.data, ends=form.end_time.data,
            location=form.location.data or "", online_url=form.online_url.data or "",
            agenda=form.agenda.data or "", presenter_ids=form.presenters.data or [],
        )
        try:
            saved = services.save_session(group, session, details)
        except services.SessionError as err:
            db.session.rollback()
            getattr(form, err.field or "title", form.title).errors.append(str(err))
        else:
            flash(f"Saved {saved.title}.", "success")
            return redirect(url_for("sessions.show", slug=group.slug, session_id=saved.public_id))
    title = f"Edit {session.title}" if session else "Schedule a session"
    return render_template("sessions/form.html", form=form, group=group, session=session, title=title,
                           presenter_hints=_presenter_hints(form, session))


@bp.route("/groups/<slug>/sessions/new", methods=["GET", "POST"])
@topic_group_access("manage")
def new(group: TopicGroup):
    return _form_page(group, None)


@bp.route("/groups/<slug>/sessions/<session_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def edit(group: TopicGroup, session_id: str):
    return _form_page(group, _session_or_404(group, session_id))


@bp.route("/groups/<slug>/sessions/<session_id>/record", methods=["GET", "POST"])
@topic_group_access("manage")
def record(group: TopicGroup, session_id: str):
    session = _session_or_404(group, session_id)
    form = attendance_form(session.slots, services.attendance_members(session), minutes=session.minutes,
                           member_status={r.user_id: r.status for r in session.member_attendance})
    if form.validate_on_submit():
        try:
            services.record_meeting(session, attendance=attendance_choices(form), members=member_choices(form),
                                    minutes=form.minutes.data or "")
        except services.SessionError as err:
            db.session.rollback()
            getattr(form, err.field or "minutes", form.minutes).errors.append(str(err))
        else:
            flash(f"Saved attendance and minutes for {session.title}.", "success")
            return redirect(url_for("sessions.show", slug=group.slug, session_id=session.public_id))
    return render_template("sessions/record.html", form=form, group=group, session=session)
