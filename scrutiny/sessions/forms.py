from __future__ import annotations

import re
from datetime import time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from scrutiny.forms import DayMonthYearField, choice_list
from scrutiny.sessions import services
from scrutiny.sessions.models import AttendanceStatus

TIME_RE = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")

ATTENDED, ABSENT = "attended", "absent"
ATTENDANCE = {ATTENDED: True, ABSENT: False}


class TimeOfDayField(StringField):
    """A time typed as hours and minutes on the 24-hour clock: 14:30 (or 14.30, 9:05)."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        match = TIME_RE.match(text)
        try:
            if not match:
                raise ValueError
            self.data = time(int(match.group(1)), int(match.group(2)))
        except ValueError:
            self.data = None
            raise ValueError(
                f"{self.label.text} must be a real time on the 24-hour clock, for example 14:30") from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, time):
            return self.data.strftime("%H:%M")
        return self.data or ""


class Needed:
    """Like DataRequired, but quiet when the field already said what is wrong with its input."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


def _online_url(form, field):
    if problem := services.online_url_problem(field.data):
        raise ValidationError(problem)


class SessionForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), description="For example, Hearing from carers",
                        validators=[DataRequired("Enter a title for the session"),
                                    Length(max=services.MAX_TITLE)])
    date = DayMonthYearField("Date", description="For example, 14 10 2026",
                             validators=[Needed("Enter the date of the session")])
    start_time = TimeOfDayField("Start time", description="Use the 24-hour clock, for example 14:30",
                                validators=[Needed("Enter the time the session starts")])
    end_time = TimeOfDayField("End time", description="For example, 16:00",
                              validators=[Needed("Enter the time the session ends")])
    location = StringField("Location (optional)", widget=GovTextInput(),
                           description="The room and building, for example Committee Room 2, County Hall",
                           validators=[Optional(), Length(max=services.MAX_LOCATION)])
    online_url = StringField("Online meeting link (optional)", widget=GovTextInput(),
                             description="The link to join the meeting online, starting with https://",
                             validators=[Optional(), _online_url])
    agenda = TextAreaField(
        "Agenda (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=20000)],
        description="What will happen, in order.")
    # The service checks each choice, so a stale or tampered one gets its own message.
    presenters = SelectMultipleField(
        "Witnesses presenting", coerce=int, widget=GovCheckboxesInput(), validate_choice=False,
        validators=[Optional()],
        description="Witnesses present in the order listed. Witnesses who declined or were withdrawn "
                    "are not listed.")
    submit = SubmitField("Save session", widget=GovSubmitInput())

    def set_invitations(self, invitations, session=None):
        """Offer this session's presenters first, in their order, then the rest."""
        def key(invitation):
            mine = [s for s in invitation.slots if session is not None and s.session_id == session.id]
            return (0, mine[0].position) if mine else (1, 0)

        ordered = sorted(invitations, key=key)
        self.presenters.choices = choice_list((i.id, services.presenter_label(i)) for i in ordered)
        self.invitations = ordered


def attendance_form(slots, members=(), minutes: str = "", member_status=None):
    """Present / Sent apologies / Absent for each councillor of the group, one
    Attended / Did not attend question for each presenter, then the minutes."""

    class AttendanceForm(FlaskForm):
        pass

    for member in members:
        setattr(AttendanceForm, f"member_{member.id}", RadioField(
            member.name, widget=GovRadioInput(), validate_choice=False, validators=[Optional()],
            choices=choice_list([(s.value, s.label) for s in AttendanceStatus])))
    for slot in slots:
        label = services.presenter_label(slot.invitation)
        setattr(AttendanceForm, f"attended_{slot.invitation_id}", RadioField(
            f"Did {label} attend?", widget=GovRadioInput(), validate_choice=False, validators=[Optional()],
            choices=choice_list([(ATTENDED, "Attended"), (ABSENT, "Did not attend")])))
    AttendanceForm.minutes = TextAreaField(
        "Minutes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=100000)],
        description="What the witnesses said and what the group asked.")
    AttendanceForm.submit = SubmitField("Save attendance and minutes", widget=GovSubmitInput())

    data = {f"attended_{s.invitation_id}": {True: ATTENDED, False: ABSENT}.get(s.attended) for s in slots}
    data.update({f"member_{m.id}": (member_status or {}).get(m.id) for m in members})
    data["minutes"] = minutes
    form = AttendanceForm(data=data)
    form.slots, form.members = list(slots), list(members)
    return form


def attendance_choices(form) -> dict[int, bool | None]:
    """The answers as the service wants them: invitation id -> True, False or None (not recorded)."""
    answers = {}
    for slot in form.slots:
        value = getattr(form, f"attended_{slot.invitation_id}").data
        answers[slot.invitation_id] = ATTENDANCE.get(value)
    return answers


def member_choices(form) -> dict[int, str | None]:
    """Councillors' answers: user id -> an AttendanceStatus value, or None (not recorded).
    Anything else is passed on, for the service to refuse with a message."""
    return {m.id: getattr(form, f"member_{m.id}").data or None for m in form.members}
