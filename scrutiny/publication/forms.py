from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from scrutiny.publication.services import MAX_REASON


class WithdrawForm(FlaskForm):
    """The reason is optional; when given, the public notice shows it."""

    reason = TextAreaField(
        "Why the review is withdrawn (optional)", widget=GovTextArea(),
        description="The public page shows this beside the date it was withdrawn.",
        validators=[Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer")])
    submit = SubmitField("Withdraw the review", widget=GovSubmitInput())
