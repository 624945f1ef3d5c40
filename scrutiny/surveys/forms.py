"""The officers' survey forms. Rules that need the survey live in services;
these check only what a field can check alone."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from scrutiny.forms import DayMonthYearField, choice_list, lines
from scrutiny.surveys.models import Channel, ConditionOperator, LawfulBasis, QuestionKind
from scrutiny.surveys.services import RATING_SCALES, english


def _optional_int(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class ConfirmForm(FlaskForm):
    """A POST with nothing to type: move, delete, open, close, publish."""


class SurveyForm(FlaskForm):
    version = HiddenField()
    title = StringField("Title", widget=GovTextInput(),
                        validators=[DataRequired("Enter the survey's title"), Length(max=300)],
                        description="Respondents see it at the top of every page, for example: "
                                    "Your experience of adult social care")
    introduction = TextAreaField("Introduction", widget=GovTextArea(), validators=[Optional(), Length(max=20_000)],
                                 description="Why the group is asking, who may answer and how long it takes")
    closes_on = DayMonthYearField("Closing date", description="The last day responses are taken, "
                                                               "for example 31 3 2027")
    withdraw_until = DayMonthYearField("Last day to withdraw", description="Respondents may withdraw their "
                                                                           "answers with their reference until "
                                                                           "this day, for example 30 4 2027")
    lawful_basis = RadioField("Lawful basis for asking", widget=GovRadioInput(), validate_choice=False,
                              choices=choice_list((b.value, b.label) for b in LawfulBasis),
                              default=LawfulBasis.CONSENT.value,
                              description="Ethnicity and health are special-category data (UK GDPR article 9)")
    policy_document_url = StringField("Appropriate policy document", widget=GovTextInput(),
                                      validators=[Optional(), Length(max=500)],
                                      description="Its web address. Needed for equality monitoring "
                                                  "(Data Protection Act 2018, schedule 1, part 4)")
    privacy_controller = StringField("Data controller", widget=GovTextInput(),
                                     validators=[Optional(), Length(max=300)],
                                     description="Who decides how the answers are used, for example "
                                                 "Northshire County Council")
    privacy_contact = TextAreaField("How to contact them", widget=GovTextArea(),
                                    validators=[Optional(), Length(max=2000)],
                                    description="The data protection officer's e-mail address or postal address")
    privacy_purposes = TextAreaField("What the answers are used for", widget=GovTextArea(),
                                     validators=[Optional(), Length(max=20_000)])
    privacy_recipients = TextAreaField("Who receives the answers", widget=GovTextArea(),
                                       validators=[Optional(), Length(max=20_000)])
    privacy_retention = TextAreaField("How long the answers are kept", widget=GovTextArea(),
                                      validators=[Optional(), Length(max=20_000)])
    submit = SubmitField("Save survey", widget=GovSubmitInput())


class QuestionForm(FlaskForm):
    version = HiddenField()
    kind = RadioField("Kind of question", widget=GovRadioInput(), validate_choice=False,
                      choices=choice_list((k.value, k.label) for k in QuestionKind),
                      validators=[DataRequired("Choose what kind of question it is")])
    text = StringField("Question", widget=GovTextInput(),
                       validators=[DataRequired("Enter the question"), Length(max=1000)])
    hint = StringField("Hint (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=1000)],
                       description="A line under the question that helps answer it")
    required = BooleanField("Respondents must answer this question", widget=GovCheckboxInput())
    new_options = TextAreaField("Options, one on each line", widget=GovTextArea(),
                                validators=[Optional(), Length(max=20_000)],
                                description="For single and multiple choice questions")
    rating_scale = SelectField("Ratings run from 1 to", widget=GovSelect(), coerce=int, validate_choice=False,
                               choices=choice_list((n, str(n)) for n in RATING_SCALES), default=5)
    rating_low = StringField("What 1 means", widget=GovTextInput(), validators=[Optional(), Length(max=200)],
                             description="For example, Very poor")
    rating_high = StringField("What the highest rating means", widget=GovTextInput(),
                              validators=[Optional(), Length(max=200)], description="For example, Very good")
    condition_question_id = SelectField("Show this question", widget=GovSelect(), coerce=_optional_int,
                                        validate_choice=False)
    condition_operator = SelectField("When the answer", widget=GovSelect(), validate_choice=False,
                                     choices=choice_list([("", "Choose")] + [(o.value, o.label)
                                                                              for o in ConditionOperator]))
    condition_option_id = SelectField("Option", widget=GovSelect(), coerce=_optional_int, validate_choice=False)
    submit = SubmitField("Save question", widget=GovSubmitInput())

    def set_condition_choices(self, earlier) -> None:
        """Only earlier questions may decide; their options by question number."""
        self.condition_question_id.choices = choice_list(
            [("", "Always")] + [(q.id, f"Only when question {n} ({_short(english(q.text))})")
                                for n, q in earlier])
        self.condition_option_id.choices = choice_list(
            [("", "Not needed for “is answered”")] + [(o.id, f"Question {n}: {_short(english(o.label), 60)}")
                                                      for n, q in earlier for o in q.options])

    def option_lines(self) -> list[str]:
        return [line[:300] for line in lines(self.new_options.data)]


def _short(text: str, length: int = 50) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


class ReopenForm(FlaskForm):
    reason = TextAreaField("Why is the survey reopening?", widget=GovTextArea(),
                           validators=[DataRequired("Say why the survey is reopening"), Length(max=2000)],
                           description="Kept in the audit log. For example: the closing date was set a month "
                                       "too early")
    submit = SubmitField("Reopen the survey", widget=GovSubmitInput())


class EntryForm(FlaskForm):
    """The paper or interview response's own details; its answers are the questions' fields."""
    channel = RadioField("How the response came", widget=GovRadioInput(), validate_choice=False,
                         choices=choice_list([(Channel.PAPER.value, "On a paper form"),
                                              (Channel.INTERVIEW.value, "In an interview")]),
                         validators=[DataRequired("Choose how the response came")])
    language = SelectField("Language of the form", widget=GovSelect(), validate_choice=False)
    consented = BooleanField("The respondent gave explicit consent (the form's consent box is ticked)",
                             widget=GovCheckboxInput())
    submit = SubmitField("Record response", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reference = StringField("Reference", widget=GovTextInput(),
                            validators=[DataRequired("Enter the response's reference"), Length(max=40)],
                            description="As the respondent has it from their confirmation page, "
                                        "for example 7KQ2MX9PTA")
    submit = SubmitField("Withdraw the response", widget=GovSubmitInput())
