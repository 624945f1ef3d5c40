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
    # Who recommendation letters are addressed to: "Dear <name>", or the role alone.
    contact_name = StringField("Contact name (optional)", widget=GovTextInput(), validators=[Optional(), Length(
        max=200, message="The contact name must be 200 characters or fewer")],
        description="The person recommendation letters are addressed to, for example Dr Amara Okoye.")
    contact_role = StringField("Contact’s role (optional)", widget=GovTextInput(), validators=[Optional(), Length(
        max=200, message="The contact’s role must be 200 characters or fewer")],
        description="For example, Chief Executive. With no name, letters are addressed to the role.")
    postal_address = TextAreaField("Postal address (optional)", widget=GovTextArea(), validators=[Optional(), Length(
        max=1000, message="The postal address must be 1000 characters or fewer")],
        description="One line for each part of the address, as it should appear on a letter.")
    notes = TextAreaField("Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choice_list(current_app.config["ORGANISATION_KINDS"].items())
