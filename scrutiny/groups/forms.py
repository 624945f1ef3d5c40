from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from scrutiny.forms import DayMonthYearField, MaxLines, choice_list

NOBODY = ""


def _optional_int(value):
    return int(value) if value not in (None, "", NOBODY) else None


class GroupForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(),
                        validators=[DataRequired("Enter a title for the topic group"), Length(max=200)])
    scope = TextAreaField(
        "Scope and terms of reference", widget=GovTextArea(), validators=[Optional(), Length(max=20000)],
        description="What the group will look at and why.")
    chair_id = SelectField("Chair", coerce=_optional_int, widget=GovSelect(), validators=[Optional()])
    member_ids = SelectMultipleField("Members", coerce=int, widget=GovCheckboxesInput(), validators=[Optional()],
                                     description="The councillors who sit on the group, besides the chair.")
    lead_officer_id = SelectField("Lead officer", coerce=_optional_int, widget=GovSelect(), validators=[Optional()])
    themes = TextAreaField("Themes", widget=GovTextArea(), validators=[Optional(), MaxLines(30, 100, "themes")],
                           description="One theme on each line, for example: Diabetes")
    lines_of_enquiry = TextAreaField(
        "Key lines of enquiry", widget=GovTextArea(),
        validators=[Optional(), MaxLines(40, 1000, "key lines of enquiry")],
        description="One question on each line. Witnesses are asked to address these.")
    start_date = DayMonthYearField("Start date", description="For example, 27 3 2025")
    end_date = DayMonthYearField("End date", description="For example, 31 7 2025")
    submit = SubmitField("Save topic group", widget=GovSubmitInput())

    def set_people(self, councillors, officers):
        self.chair_id.choices = choice_list([(NOBODY, "Not chosen yet")] + [(u.id, u.name) for u in councillors])
        self.member_ids.choices = choice_list((u.id, u.name) for u in councillors)
        self.lead_officer_id.choices = choice_list([(NOBODY, "Not chosen yet")] + [(u.id, u.name) for u in officers])


class StatusForm(FlaskForm):
    # The service checks the move, so a stale or tampered choice gets its message.
    status = RadioField("Move the topic group to", widget=GovRadioInput(), validate_choice=False,
                        validators=[DataRequired("Choose a stage to move the topic group to")],
                        description="Only the stages the group can move to from here are listed.")
    # Needed to close a group whose work another feature says is unfinished:
    # the service decides, the page says when.
    note = TextAreaField("Reason for closing the topic group", widget=GovTextArea(),
                         validators=[Length(max=2000, message="The reason must be 2000 characters or fewer")])
    submit = SubmitField("Change stage", widget=GovSubmitInput())
