"""The respondents' forms, in the page's language (lazy texts, read per
request). The questions themselves are the survey's (`recording` reads
them from the posted form); this form carries the token against forgery,
the consent box and the honeypot."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from scrutiny.community.forms import Honeypot


class AnswersForm(FlaskForm):
    consented = BooleanField()  # asked only when the lawful basis is consent; drawn by the template
    # "website": a box people never see (templates hide it with its label); software fills it.
    website = Honeypot("Website")


class RespondentWithdrawForm(FlaskForm):
    reference = StringField(_l("Reference"), widget=GovTextInput(), validators=[
        DataRequired(_l("Enter the reference from your confirmation page")),
        Length(max=40, message=_l("Enter the reference from your confirmation page, for example 7KQ2MX9PTA"))],
        filters=[lambda typed: typed.strip() if typed else typed],
        description=_l("It is on the page you saw after sending your answers, for example 7KQ2MX9PTA"))
    submit = SubmitField(_l("Withdraw my answers"), widget=GovSubmitInput())
