from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovCheckboxInput, GovFileInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import BooleanField, EmailField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from scrutiny.forms import DayMonthYearField, choice_list


class _Common(FlaskForm):
    questions = TextAreaField("Questions for the witness", widget=GovTextArea(),
                              validators=[DataRequired("Enter at least one question"), Length(max=10_000)],
                              description="One question on each line. Filled in from the group’s key lines of enquiry.")
    deadline = DayMonthYearField("Deadline for written evidence", description="For example, 27 3 2026")
    send_now = BooleanField("Send the invitation email now", widget=GovCheckboxInput(),
                            description="Leave unticked to save it as a draft and send it later.")
    # Asked only when the organisation was invited before (see services.earlier_invitations).
    invite_again = BooleanField("Yes, invite them again", widget=GovCheckboxInput())
    seen_earlier = HiddenField()


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class InvitationForm(_Common):
    organisation_id = SelectField("Organisation", coerce=_optional_int, widget=GovSelect(),
                                  validators=[DataRequired("Choose the organisation")])
    contact_name = StringField("Contact name", widget=GovTextInput(),
                               validators=[DataRequired("Enter the contact’s name"), Length(max=200)])
    contact_role = StringField("Role (optional)", widget=GovTextInput(),
                               validators=[Optional(), Length(max=200, message="Enter a role of 200 characters or fewer")],
                               description="Their job title, for example Head of Equality. The final report names "
                                           "witnesses with their role.")
    contact_email = EmailField("Contact email address", widget=GovTextInput(),
                               validators=[DataRequired("Enter the contact’s email address"), Length(max=254)])
    submit = SubmitField("Save invitation", widget=GovSubmitInput())

    def set_organisations(self, organisations):
        # A required select must open with an empty-value placeholder (HTML's rule, and GOV.UK's).
        self.organisation_id.choices = choice_list([("", "Choose an organisation")] +
                                                   [(o.id, o.name) for o in organisations])


class BulkInvitationForm(_Common):
    organisation_ids = SelectMultipleField("Organisations", coerce=int, widget=GovCheckboxesInput(),
                                           validators=[Optional()],
                                           description="Only organisations with a contact email address are listed; "
                                                       "the invitation goes to that address.")
    submit = SubmitField("Invite these organisations", widget=GovSubmitInput())

    def set_organisations(self, organisations):
        self.organisation_ids.choices = choice_list((o.id, f"{o.name} ({o.email})") for o in organisations)


class ImportForm(_Common):
    csv_file = FileField("CSV file", widget=GovFileInput(),
                         description="Columns: organisation, name, email, and if you have them the contact’s "
                                     "role and the kind of organisation. A first row of headings is fine. "
                                     "Organisations not on the list yet are added once you confirm.")
    submit = SubmitField("Import and invite", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """The CSRF token for the send / remind / withdraw buttons."""


class FilterForm(FlaskForm):
    class Meta:
        csrf = False
