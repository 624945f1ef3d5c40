"""The two forms of an action's page, for officers and (with the name they
type) for responders in the portal. The rules are the progress service's:
these only read what was typed, so its messages land on each field.

Both forms share a page, so no two fields share a name (or an id)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField

from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.forms import DayMonthYearField, choice_list
from scrutiny.responses import progress
from scrutiny.responses.models import ProgressStatus, ResponseAction


class ProgressForm(FlaskForm):
    status = RadioField("Progress", widget=GovRadioInput(), validate_choice=False,
                        choices=choice_list((s.value, s.label) for s in ProgressStatus))
    recorded_on = DayMonthYearField("Date of the update",
                                    description="The day this update speaks for; leave it blank for today. "
                                                "For example, 27 3 2027")
    note = TextAreaField("Note (optional)", widget=GovTextArea(),
                         description="What has been done, what comes next, or what stands in the way.")
    record = SubmitField("Record progress", widget=GovSubmitInput())

    # The service's field names, where the form's differ.
    fields_for = {"form": "status"}


class MoveDateForm(FlaskForm):
    new_date = DayMonthYearField("New target date", description="For example, 27 3 2027")
    reason = TextAreaField("Reason for moving the date", widget=GovTextArea(),
                           description="Kept with the date: the group sees it beside the date first given.")
    move = SubmitField("Change the target date", widget=GovSubmitInput())

    fields_for = {"form": "new_date"}


class PortalProgressForm(ProgressForm):
    recorded_by = StringField("Your full name", widget=GovTextInput(),
                              description="We record who gave each update.")

    fields_for = {"form": "status", "name": "recorded_by"}


class PortalMoveDateForm(MoveDateForm):
    changed_by = StringField("Your full name", widget=GovTextInput(),
                             description="We record who moved the date.")

    fields_for = {"form": "new_date", "name": "changed_by"}


def progress_form(portal: bool = False, **kwargs) -> ProgressForm:
    return (PortalProgressForm if portal else ProgressForm)(**kwargs)


def move_form(portal: bool = False, **kwargs) -> MoveDateForm:
    return (PortalMoveDateForm if portal else MoveDateForm)(**kwargs)


def typed_name(form: FlaskForm) -> str:
    field = form.fields_for.get("name")
    return getattr(form, field).data or "" if field else ""


def show_errors(form: FlaskForm, errors: list[tuple[str, str]]) -> None:
    """The service's (field, message) pairs on the form's fields; a refusal
    of the whole thing ("form") goes on its first field."""
    for field, message in errors:
        target = getattr(form, form.fields_for.get(field, field))
        if message not in target.errors:
            target.errors = [*target.errors, message]


def save_progress(form: ProgressForm, action: ResponseAction, *, by: User | None = None) -> bool:
    """Record the update as typed. False when refused: every problem is then
    on the form (the date boxes' own and the service's), and nothing is saved."""
    form.validate()  # only the date boxes can fail here: "must be a real date"
    args = (action, form.status.data or "", form.recorded_on.data, form.note.data or "")
    errors = progress.progress_problems(*args, by=by, name=typed_name(form))
    if errors or form.errors:
        show_errors(form, errors)
        return False
    progress.record_progress(*args, by=by, name=typed_name(form))
    db.session.commit()
    return True


def save_move(form: MoveDateForm, action: ResponseAction, *, by: User | None = None) -> bool:
    """Move the date as typed; False, with every problem on the form and nothing saved, when refused."""
    form.validate()
    args = (action, form.new_date.data, form.reason.data or "")
    errors = progress.move_problems(*args, by=by, name=typed_name(form))
    if form.new_date.errors:  # not a real date: the service's "enter a date" would say it twice
        errors = [e for e in errors if e[0] != "new_date"]
    if errors or form.errors:
        show_errors(form, errors)
        return False
    progress.move_date(*args, by=by, name=typed_name(form))
    db.session.commit()
    return True
