from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import (
    BooleanField, EmailField, RadioField, SelectMultipleField, StringField, SubmitField,
    TextAreaField)
from wtforms.validators import DataRequired, Email, Length, Optional

from scrutiny.evidence.models import SubmissionKind
from scrutiny.evidence.services import NOTICE_NOT_CONFIRMED, WITNESS_KINDS
from scrutiny.evidence.form_fields import confidential_field, files_field, summary_field
from scrutiny.forms import choice_list


class NewLinkForm(FlaskForm):
    email = EmailField("Your email address", widget=GovTextInput(),
                       validators=[DataRequired("Enter the email address your invitation or letter was sent to")],
                       description="The address your invitation or letter was sent to.")
    submit = SubmitField("Email me a new link", widget=GovSubmitInput())


class StartForm(FlaskForm):
    """The button on an e-mailed link's page: pressing it, not opening the
    link, spends the link."""
    submit = SubmitField("Open your evidence page", widget=GovSubmitInput())


class RespondForm(FlaskForm):
    response = RadioField("Will you give evidence?", widget=GovRadioInput(), validate_choice=False,
                          choices=choice_list([("accept", "Yes, we will give evidence"),
                                               ("decline", "No, we cannot give evidence")]),
                          validators=[DataRequired("Choose yes or no")],
                          description="If you say yes, you can write and upload evidence below.")
    decline_reason = TextAreaField("If not, why not?", widget=GovTextArea(),
                                   validators=[Optional(), Length(max=2000)],
                                   description="This helps the group understand gaps in its evidence.")
    submit = SubmitField("Send answer", widget=GovSubmitInput())


class EvidenceForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(),
                        validators=[DataRequired("Enter a title for your evidence"), Length(max=300)])
    kind = RadioField("What kind of evidence is this?", widget=GovRadioInput(), validate_choice=False,
                      choices=choice_list((k.value, SubmissionKind(k).label) for k in WITNESS_KINDS),
                      validators=[DataRequired("Choose what kind of evidence this is")],
                      description="A presentation is slides you will show or have shown at an evidence session.")
    summary = summary_field()
    body = TextAreaField("Your written evidence", widget=GovTextArea(), validators=[Optional(), Length(max=100_000)],
                         description="Leave a blank line between paragraphs.")
    theme_ids = SelectMultipleField("Which themes does it cover?", coerce=int, widget=GovCheckboxesInput(),
                                    validators=[Optional()], description="Choose any that apply.")
    confidential = confidential_field()
    files = files_field()
    files_confidential = BooleanField("The files I am uploading now are confidential", widget=GovCheckboxInput())
    save = SubmitField("Save draft", widget=GovSubmitInput())
    check = SubmitField("Save and check before submitting", widget=GovSubmitInput())

    def set_themes(self, themes):
        self.theme_ids.choices = choice_list((t.id, t.name) for t in themes)


class ConfirmForm(FlaskForm):
    notice_confirmed = BooleanField("I have read the privacy and publication notice", widget=GovCheckboxInput(),
                                    validators=[DataRequired(NOTICE_NOT_CONFIRMED)])
    submit = SubmitField("Submit evidence", widget=GovSubmitInput())


class FileActionForm(FlaskForm):
    """For the small per-file buttons (remove, mark confidential)."""


class StartResponseForm(FlaskForm):
    """The button on a response link's page: pressing it spends the link."""
    submit = SubmitField("Open the response page", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    """Only the CSRF token: the answers' fields depend on the recommendations
    and are read by `read_answers`."""


class SubmitResponseForm(FlaskForm):
    name = StringField("Your full name", widget=GovTextInput(),
                       validators=[DataRequired("Enter your full name"), Length(max=200)])
    email = EmailField("Your email address", widget=GovTextInput(),
                       validators=[DataRequired("Enter your email address"), Length(max=254),
                                   Email("Enter an email address in the correct format, like name@example.com")],
                       description="We will email you a receipt listing your answers.")
    submit = SubmitField("Submit the response", widget=GovSubmitInput())
