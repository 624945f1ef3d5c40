"""The forms for asking for more time (the responder's, in the portal) and
deciding (the officer's). They only read what was typed, dates included;
what is allowed is `extensions`' to say, so its messages name the fields here."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import HiddenField, StringField, TextAreaField

from scrutiny.forms import DayMonthYearField


class AskMoreTimeForm(FlaskForm):
    proposed_due = DayMonthYearField("The date you propose to respond by", description="For example, 27 3 2027")
    reason = TextAreaField("Why you need more time", widget=GovTextArea(),
                           description="The scrutiny team reads this when deciding.")
    name = StringField("Your full name", widget=GovTextInput())


class DecideMoreTimeForm(FlaskForm):
    # The ask this decides: a second officer deciding the same one at once is told, not overruled.
    extension = HiddenField()
    grant_due = DayMonthYearField("New due date, if you grant more time", description="For example, 27 3 2027")
    note = TextAreaField("Note to the organisation", widget=GovTextArea())
