from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from scrutiny.forms import DayMonthYearField, choice_list


class VersionedForm(FlaskForm):
    # The version of the row the officer opened; a newer one means a colleague saved meanwhile.
    version = HiddenField()


class FindingForm(VersionedForm):
    title = StringField("Title", widget=GovTextInput(), validators=[Length(max=300)],
                        description="A short heading for the finding, as the report will print it")
    text = TextAreaField("What the group found", widget=GovTextArea(), validators=[Length(max=50_000)],
                         description="The narrative, in as many paragraphs as it needs. Leave a blank line "
                                     "between paragraphs.")
    theme_ids = SelectMultipleField("Themes", widget=GovCheckboxesInput(), coerce=int, validate_choice=False,
                                    description="Choose every theme the finding belongs to")
    submit = SubmitField("Save finding", widget=GovSubmitInput())

    def set_themes(self, themes) -> None:
        self.theme_ids.choices = choice_list((t.id, t.name) for t in themes)


class EvidenceLinkForm(FlaskForm):
    submission_id = SelectField("Evidence", widget=GovSelect(), coerce=lambda v: int(v) if v else None,
                                validate_choice=False)
    note = StringField("Note (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)],
                       description="Where in the evidence: a page, a paragraph or a short quotation")
    link = SubmitField("Link this evidence", widget=GovSubmitInput())

    def set_evidence(self, items) -> None:
        def label(s):
            extra = " (confidential)" if s.confidential else ""
            source = f" – {s.organisation.name}" if s.organisation else ""
            return f"{s.kind_label}: {s.title}{source}{extra}"

        self.submission_id.choices = [("", "Choose evidence")] + [(s.id, label(s)) for s in items]


class LinkNoteForm(FlaskForm):
    note = StringField("Note (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)],
                       description="Where in the evidence: a page, a paragraph or a short quotation")
    submit = SubmitField("Save note", widget=GovSubmitInput())


class RecommendationForm(VersionedForm):
    text = TextAreaField("What should change", widget=GovTextArea(), validators=[Length(max=5000)],
                         description="Say who should do what, so the organisation can act on it")
    explanation = TextAreaField("Why the group makes it (optional)", widget=GovTextArea(),
                                validators=[Optional(), Length(max=20_000)])
    finding_ids = SelectMultipleField("Findings it rests on", widget=GovCheckboxesInput(), coerce=int,
                                      validate_choice=False)
    addressee_ids = SelectMultipleField("Addressed to", widget=GovCheckboxesInput(), coerce=int,
                                        validate_choice=False,
                                        description="Choose every organisation that should act on it")
    addressed_to = StringField("Label beside the organisations (optional)", widget=GovTextInput(),
                               validators=[Optional(), Length(max=300)],
                               description="For example, All health services. The report prints it beside "
                                           "the organisations, never instead of them.")
    measure = TextAreaField("Measure of success", widget=GovTextArea(), validators=[Optional(), Length(max=5000)],
                            description="How the group will know it has worked")
    timescale = StringField("Timescale", widget=GovTextInput(), validators=[Optional(), Length(max=300)],
                            description="By when, for example Within 12 months")
    new_organisation_name = StringField("Name of the organisation", widget=GovTextInput(),
                                        validators=[Optional(), Length(max=200)])
    new_organisation_kind = SelectField("Kind of organisation", widget=GovSelect(), validate_choice=False)
    add_organisation = SubmitField("Add organisation", widget=GovSubmitInput())
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())

    def set_choices(self, findings, organisations) -> None:
        self.finding_ids.choices = choice_list(
            (f.id, f"{f.number}. {f.title or f.text[:80]}") for f in findings)
        self.addressee_ids.choices = choice_list((o.id, o.name) for o in organisations)
        kinds = current_app.config["ORGANISATION_KINDS"]
        self.new_organisation_kind.choices = [("", "Choose a kind")] + list(kinds.items())


class OverrideForm(FlaskForm):
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[Length(max=2000)])
    submit = SubmitField("Let it through", widget=GovSubmitInput())


class SectionForm(VersionedForm):
    title = StringField("Heading", widget=GovTextInput(), validators=[Length(max=200)])
    body = TextAreaField("Text", widget=GovTextArea(), validators=[Length(max=100_000)],
                         description="Leave a blank line between paragraphs.")
    submit = SubmitField("Save section", widget=GovSubmitInput())


class SettingsForm(VersionedForm):
    committee = StringField("Committee the report goes to", widget=GovTextInput(),
                            validators=[Optional(), Length(max=200)],
                            description="For example, Health Scrutiny Committee")
    meeting_date = DayMonthYearField("Date of the meeting", description="For example, 14 10 2026")
    reference = StringField("Reference (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=100)],
                            description="The council’s reference for the report, for example HSC/2026/07")
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A POST with nothing to type: delete, move, withdraw."""
