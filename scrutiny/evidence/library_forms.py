from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount, GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput)
from wtforms import Form, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from scrutiny.evidence.library import KIND_CHOICES, OFFICER_SUMMARY_MAX, STATUS_CHOICES, Facets
from scrutiny.forms import choice_list

ANY_ORGANISATION = ""
LEAVE_AS_IT_IS = "unchanged"


def _with_count(label: str, count: int) -> str:
    return f"{label} ({count})"


class LibraryFilterForm(Form):
    """The filters: a GET form, so a filtered list has an address to share.

    Nothing typed here can be wrong: unknown values are simply ignored.
    """

    q = StringField("Search titles, summaries and text", widget=GovTextInput())
    kind = SelectMultipleField("Kind of evidence", widget=GovCheckboxesInput(), validate_choice=False)
    status = SelectMultipleField("Status", widget=GovCheckboxesInput(), validate_choice=False)
    theme = SelectMultipleField("Theme", widget=GovCheckboxesInput(), validate_choice=False)
    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False)

    def set_choices(self, facets: Facets, themes) -> None:
        self.kind.choices = choice_list((v, _with_count(label, facets.kinds.get(v, 0))) for v, label in KIND_CHOICES)
        self.status.choices = choice_list(
            (v, _with_count(label, facets.statuses.get(v, 0))) for v, label in STATUS_CHOICES)
        self.theme.choices = choice_list((str(t.id), _with_count(t.name, facets.themes.get(t.id, 0))) for t in themes)
        self.organisation.choices = choice_list(
            [(ANY_ORGANISATION, "All organisations")]
            + [(str(org_id), _with_count(name, count)) for org_id, name, count in facets.organisations])

    def chosen(self, field) -> list[str]:
        """The values ticked that are among the field's choices."""
        offered = {c.value for c in field.choices}
        return [v for v in field.data or [] if v in offered]

    @property
    def organisation_id(self) -> int | None:
        offered = {c.value for c in self.organisation.choices} - {ANY_ORGANISATION}
        return int(self.organisation.data) if self.organisation.data in offered else None

    @property
    def is_filtered(self) -> bool:
        return bool((self.q.data or "").strip() or self.chosen(self.kind) or self.chosen(self.status)
                    or self.chosen(self.theme) or self.organisation_id is not None)


class ReviewForm(FlaskForm):
    # The service checks the decision and themes, so a tampered value gets its message.
    decision = RadioField("Decision", widget=GovRadioInput(), validate_choice=False,
                          choices=choice_list([("accepted", "Accept for the report"), ("set_aside", "Set aside"),
                                               (LEAVE_AS_IT_IS, "Leave it as it is")]))
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), validate_choice=False,
                                 description="The themes of the topic group this evidence bears on.")
    officer_summary = TextAreaField(
        "Officer summary", widget=GovCharacterCount(), validators=[Optional()],
        description="What the evidence says and why it matters, for the councillors.")
    submit = SubmitField("Save review", widget=GovSubmitInput())
    max_summary = OFFICER_SUMMARY_MAX

    def set_themes(self, themes) -> None:
        self.themes.choices = choice_list((str(t.id), t.name) for t in themes)

    @property
    def decision_value(self) -> str | None:
        return None if self.decision.data in (None, "", LEAVE_AS_IT_IS) else self.decision.data
