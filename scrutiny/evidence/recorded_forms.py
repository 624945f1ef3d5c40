from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea,
    GovTextInput)
from wtforms import (
    BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField,
    TextAreaField)
from wtforms.validators import Length, Optional

from scrutiny.clock import to_local
from scrutiny.evidence.models import SubmissionKind
from scrutiny.evidence.recorded import GIVEN_BY_MAX, RECEIVED_VIA, Received
from scrutiny.evidence.services import WITNESS_KINDS
from scrutiny.evidence.form_fields import confidential_field, files_field, summary_field
from scrutiny.forms import choice_list

_VIA_CHOICES = tuple((value, words[0].upper() + words[1:]) for value, words in RECEIVED_VIA.items())


class RecordedEvidenceForm(FlaskForm):
    """Evidence received another way. The service checks every choice, so a
    tampered value gets its message; the validators here only bound lengths."""

    received_via = RadioField("How did the evidence come?", widget=GovRadioInput(), validate_choice=False,
                              choices=choice_list(_VIA_CHOICES))
    invitation = SelectField("Which invited witness gave it?", widget=GovSelect(), validate_choice=False,
                             description="Choose “No invitation” if it came from someone the group did not invite.")
    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False,
                               description="Only when there is no invitation: an invited witness’s organisation "
                                           "is used for their evidence.")
    given_by = StringField("Who gave it", widget=GovTextInput(), validators=[Optional(), Length(max=GIVEN_BY_MAX)],
                           description="Their name and role, for example “Sam Patel, carers’ support worker”. "
                                       "Needed when there is no invitation; otherwise the invited witness is "
                                       "named.")
    session = SelectField("Evidence session", widget=GovSelect(), validate_choice=False,
                          description="Needed if it was given orally.")
    kind = RadioField("What kind of evidence is this?", widget=GovRadioInput(), validate_choice=False,
                      choices=choice_list((k.value, SubmissionKind(k).label) for k in WITNESS_KINDS))
    title = StringField("Title", widget=GovTextInput(), validators=[Optional(), Length(max=300)])
    summary = summary_field()
    body = TextAreaField("Text of the evidence", widget=GovTextArea(), validators=[Optional(), Length(max=100_000)],
                         description="The letter or e-mail, or a note of what was said. Leave a blank line between "
                                     "paragraphs.")
    themes = SelectMultipleField("Which themes does it cover?", widget=GovCheckboxesInput(), validate_choice=False,
                                 description="Choose any that apply.")
    confidential = confidential_field()
    files = files_field()
    files_confidential = BooleanField("These files are confidential", widget=GovCheckboxInput())
    submit = SubmitField("Add evidence", widget=GovSubmitInput())

    def set_choices(self, *, invitations, organisations, sessions, themes) -> None:
        self.invitation.choices = choice_list(
            [("", "No invitation")]
            + [(str(i.id), f"{i.contact_name}, {i.organisation.name}") for i in invitations])
        self.organisation.choices = choice_list(
            [("", "None: not from an organisation")] + [(str(o.id), o.name) for o in organisations])
        self.session.choices = choice_list(
            [("", "Not at a session")] + [(str(s.id), f"{s.title}, {to_local(s.starts_at):%-d %B %Y}") for s in sessions])
        self.themes.choices = choice_list((str(t.id), t.name) for t in themes)

    def received(self) -> Received:
        return Received(
            received_via=self.received_via.data or "", invitation=self.invitation.data or "",
            organisation=self.organisation.data or "", given_by=self.given_by.data or "",
            session=self.session.data or "", kind=self.kind.data or "", title=self.title.data or "",
            summary=self.summary.data or "", body=self.body.data or "", themes=list(self.themes.data or []),
            confidential=bool(self.confidential.data), files_confidential=bool(self.files_confidential.data))
