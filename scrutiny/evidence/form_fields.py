"""Fields that the witness's evidence form and the officers' "received another
way" form share, so both say the same about files and confidentiality."""
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovTextArea
from wtforms import BooleanField, MultipleFileField, TextAreaField
from wtforms.validators import Length, Optional

FILES_HINT = ("Documents (PDF, Word, OpenDocument), data (CSV, Excel), presentations (PDF, PowerPoint, "
              "OpenDocument) or images (PNG, JPEG), up to {limit} each. You can choose more than one file.")


def summary_field() -> TextAreaField:
    return TextAreaField("Summary", widget=GovTextArea(), validators=[Optional(), Length(max=3000)],
                         description="A few sentences the councillors can read first.")


def confidential_field() -> BooleanField:
    return BooleanField("This evidence is confidential: only the topic group may see it, and it must not be "
                        "published", widget=GovCheckboxInput())


def files_field() -> MultipleFileField:
    return MultipleFileField("Upload files", widget=GovFileInput(multiple=True), validators=[Optional()],
                             description=FILES_HINT)
