from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length, StopValidation

from scrutiny.forms import DayMonthYearField
from scrutiny.responses.services import MAX_REASON


class _Needed:
    """Required, but quiet when the date input already said what is wrong with it."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


class DueDateForm(FlaskForm):
    due_on = DayMonthYearField("Date the response is due", description="For example, 27 3 2027",
                               validators=[_Needed("Enter the date the response is due")])
    # Whether it is needed depends on the organisation's statutory period:
    # the service decides, and the page shows it only where there is one.
    earlier_confirmed = BooleanField("I confirm the response is asked earlier than the statutory period",
                                     widget=GovCheckboxInput())
    # Needed only to change a date already there: the service says when.
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[Length(max=MAX_REASON,
                                              message=f"The reason must be {MAX_REASON} characters or fewer")])
    submit = SubmitField("Save the date", widget=GovSubmitInput())
