from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, RadioField, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from scrutiny.forms import choice_list


class OrganisationForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the organisation’s name"), Length(max=200)])
    # The service checks the kind against the settings and says what is wrong.
    kind = RadioField("Kind of organisation", widget=GovRadioInput(), validate_choice=False,
                      validators=[DataRequired("Choose what kind of organisation this is")],
                      description="The kind decides how recommendations addressed to it are followed up.")
    email = EmailField("Contact email address (optional)", widget=GovTextInput(), validators=[
        Optional(), Email("Enter an email address in the correct format, like name@example.org"), Length(max=254)])
    website = URLField("Website (optional)", widget=GovTextInput(), validators=[
        Optional(), URL(message="Enter a web address starting with https://"), Length(max=500)])
    notes = TextAreaField("Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choice_list(current_app.config["ORGANISATION_KINDS"].items())
