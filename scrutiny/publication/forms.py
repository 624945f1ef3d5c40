from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from scrutiny.publication.services import MAX_REASON


class WithdrawForm(FlaskForm):
    """The reason is optional; when given, the public notice shows it."""

    reason = TextAreaField(
        "Why the review is withdrawn (optional)", widget=GovTextArea(),
        description="The public page shows this beside the date it was withdrawn.",
        validators=[Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer")])
    submit = SubmitField("Withdraw the review", widget=GovSubmitInput())


class FollowForm(FlaskForm):
    """On the public follow page, so in the page's language (lazy: read per request)."""

    email = EmailField(_l("Email address"), widget=GovTextInput(), validators=[
        DataRequired(_l("Enter your email address")),
        Email(_l("Enter an email address in the correct format, like name@example.org")),
        Length(max=254, message=_l("Enter an email address of 254 characters or fewer")),
    ], filters=[lambda typed: typed.strip() if typed else typed],  # spaces pasted with an address
        description=_l("We send a link to this address to confirm it is yours."))
    submit = SubmitField(_l("Follow this review"), widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A page whose only field is its button (and the CSRF token)."""
