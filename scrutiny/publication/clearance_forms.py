"""The officers' forms for clearing evidence: the item's text and each file."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount, GovFileInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea)
from wtforms import FieldList, Form, FormField, RadioField, SelectField, SubmitField, TextAreaField

from scrutiny.forms import choice_list
from scrutiny.publication.clearance import NOTE_MAX, SUMMARY_MAX, Problem
from scrutiny.publication.models import Ground

BLANK_ROWS = 2  # empty redaction rows offered beneath those already made
CHOOSE_GROUND = ""
REPLACE = "replace"


class RedactionRow(Form):
    """One passage withheld. A row left empty is ignored."""

    passage = TextAreaField("Passage to redact", widget=GovTextArea(),
                            description="Copy it from the text as submitted. Every place it appears is redacted.")
    ground = SelectField("Ground for withholding it", widget=GovSelect(), validate_choice=False,
                         choices=choice_list([(CHOOSE_GROUND, "Choose a ground")]
                                             + [(g.value, g.label) for g in Ground]))
    note = TextAreaField("Public interest note", widget=GovTextArea(),
                         description="Why withholding it outweighs the public interest in disclosing it.")

    @property
    def is_empty(self) -> bool:
        return not any((f.data or "").strip() for f in (self.passage, self.ground, self.note))


class ItemClearanceForm(FlaskForm):
    # The service checks the decision, so a tampered value gets its message.
    decision = RadioField("Decision", widget=GovRadioInput(), validate_choice=False, choices=choice_list([
        ("publish", "Publish it, with any passages below redacted"),
        ("withhold", "Withhold it: it stays with the topic group"),
    ]))
    redactions = FieldList(FormField(RedactionRow), min_entries=0)
    summary = TextAreaField("Summary for the public (optional)", widget=GovCharacterCount(),
                            description="Shown in place of the text where the redacted text would mislead.")
    preview = SubmitField("Preview the public text", widget=GovSubmitInput())
    submit = SubmitField("Save decision", widget=GovSubmitInput())
    max_summary = SUMMARY_MAX
    max_note = NOTE_MAX

    def rows(self) -> list[tuple[int, tuple[str, str, str]]]:
        """(row number, (passage, ground, note)) of the rows filled in."""
        return [(i, (e.form.passage.data or "", e.form.ground.data or "", e.form.note.data or ""))
                for i, e in enumerate(self.redactions.entries) if not e.form.is_empty]

    def add_blank_rows(self) -> None:
        while sum(1 for e in self.redactions.entries if e.form.is_empty) < BLANK_ROWS:
            self.redactions.append_entry()

    def show(self, problems: list[Problem], row_numbers: list[int]) -> None:
        """Each problem against its field: a redaction's against its row."""
        for problem in problems:
            if problem.field == "redactions" and problem.row is not None:
                row = self.redactions.entries[row_numbers[problem.row]].form
                field = getattr(row, problem.part or "passage")
            else:
                field = getattr(self, problem.field)
            field.errors = list(field.errors) + [problem.message]
        # A FieldList gathers its rows' errors once, when validated: gather them again.
        rows = [e.errors for e in self.redactions.entries]
        self.redactions.errors = rows if any(rows) else []


class FileClearanceForm(FlaskForm):
    decision = RadioField("What should the public get?", widget=GovRadioInput(), validate_choice=False,
                          choices=choice_list([
                              ("publish", "Publish the file as it is"),
                              ("withhold", "Withhold it: it stays with the topic group"),
                              (REPLACE, "Publish a redacted version instead"),
                          ]))
    replacement = FileField("Redacted version", widget=GovFileInput(),
                            description="A PDF, PNG or JPEG with the redacted text removed, not covered over. "
                                        "Its author, title, comments and other details are removed before "
                                        "it is kept. The original file stays as it is.")
    submit = SubmitField("Save decision for this file", widget=GovSubmitInput())

    def show(self, problems: list[Problem]) -> None:
        for problem in problems:
            field = self.replacement if problem.field == "replacement" else self.decision
            field.errors = list(field.errors) + [problem.message]
