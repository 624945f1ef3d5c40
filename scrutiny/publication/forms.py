from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class FollowForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.org"),
        Length(max=254, message="Enter an email address of 254 characters or fewer"),
    ], filters=[lambda typed: typed.strip() if typed else typed],  # spaces pasted with an address
        description="We send a link to this address to confirm it is yours.")
    submit = SubmitField("Follow this review", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A page whose only field is its button (and the CSRF token)."""
