"""Recording a response: one service for the public form and for officers'
entry of paper forms and interviews, so both follow the same rules.

The form posts one field per question, named `q<question id>`: an option id
(single choice, repeated for multiple choice), a number (rating) or words
(free text); a write-in option's words come as `q<question id>-o<option id>`.

Decisions written down here:
- Conditions are judged in question order on the answers so far, so a
  question hidden by an earlier answer is hidden whatever was posted for
  it: its answer is dropped (and named in `dropped`, for the paper form's
  note), never stored.
- Online responses are taken only while the survey is open and up to its
  closing date. Officers may enter paper and interview responses while it
  is open or after it has closed (forms posted before the closing date
  arrive later), never while it is a draft.
- A response's reference is 10 characters from an alphabet without
  lookalikes (no 0/O, 1/I/L, U). A reference already used is drawn again;
  two respondents drawing the same one at the same instant (one chance in
  about 10^14) meet the unique constraint, and the second is asked to send
  again, with nothing stored.
- Withdrawing by an unknown reference and by one already withdrawn get the
  same answer, so the form tells nobody which references exist. After the
  survey's last day to withdraw, every reference gets the cut-off answer.
- Messages a respondent can meet are marked for translation here, at the
  source (gettext, read when the message is made): on the public pages they
  come in the page's language, on officers' pages (always English) as they
  were. Messages only officers meet stay plain English.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from flask_babel import format_decimal, gettext
from sqlalchemy import select

from scrutiny.audit.services import record as audit
from scrutiny.clock import today as local_today
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.i18n.formatting import format_date
from scrutiny.surveys.models import (
    Channel,
    ConditionOperator,
    LawfulBasis,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from scrutiny.surveys.texts import BASE

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 10
REFERENCE_ATTEMPTS = 5
TEXT_LIMIT = 5000  # characters in a free-text answer
WRITE_IN_LIMIT = 500  # characters describing an "Any other..." choice
RESPONDENT = "A survey respondent"


class RecordingError(ValueError):
    """The response cannot be recorded; nothing was stored."""


class WithdrawalError(ValueError):
    pass


@dataclass
class Answer:
    option_ids: list[int] = field(default_factory=list)  # in the question's order
    rating: int | None = None
    text: str = ""
    write_ins: dict[int, str] = field(default_factory=dict)  # option id: the respondent's words

    def given(self) -> bool:
        return bool(self.option_ids or self.rating is not None or self.text)


class Checked(NamedTuple):
    answers: dict[int, Answer]  # question id: answer, visible questions only
    errors: dict[int, str]  # question id: what to put right
    dropped: list[SurveyQuestion]  # answered, but hidden by an earlier answer


def field_name(question, option=None) -> str:
    return f"q{question.id}" if option is None else f"q{question.id}-o{option.id}"


def _values(posted, name: str) -> list[str]:
    if hasattr(posted, "getlist"):
        values = posted.getlist(name)
    else:
        value = posted.get(name)
        values = value if isinstance(value, list | tuple) else [] if value is None else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def _condition_met(question: SurveyQuestion, answer: Answer | None) -> bool:
    given = answer is not None and answer.given()
    if question.condition_operator == ConditionOperator.ANSWERED:
        return given
    chosen = given and question.condition_option_id in answer.option_ids
    if question.condition_operator == ConditionOperator.EQUALS:
        return chosen
    if question.condition_operator == ConditionOperator.NOT_EQUALS:
        return given and not chosen
    return True


def visible_questions(survey: Survey, answers: dict[int, Answer]) -> list[SurveyQuestion]:
    """The questions a respondent with these answers is shown, in order. A
    condition looks only at an earlier question, and a hidden question
    counts as unanswered, so one pass settles everything."""
    shown: list[SurveyQuestion] = []
    shown_ids: set[int] = set()
    for question in survey.questions:
        if question.condition_question_id and question.condition_operator:
            parent = question.condition_question_id
            if parent not in shown_ids or not _condition_met(question, answers.get(parent)):
                continue
        shown.append(question)
        shown_ids.add(question.id)
    return shown


def _parse(question: SurveyQuestion, posted) -> tuple[Answer, str | None]:
    """The posted answer to one question, and what is wrong with it."""
    answer = Answer()
    values = _values(posted, field_name(question))
    options = {str(o.id): o for o in question.options}
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if question.kind == QuestionKind.SINGLE and len(values) > 1:
            return Answer(), gettext("Choose only one answer")
        if any(v not in options for v in values):
            return Answer(), gettext("Choose from the answers given for this question")
        chosen = {int(v) for v in values}
        answer.option_ids = [o.id for o in question.options if o.id in chosen]
        for option in question.options:
            if option.id in chosen and option.write_in:
                words = " ".join(_values(posted, field_name(question, option)))
                if len(words) > WRITE_IN_LIMIT:
                    return Answer(), gettext("Describe it in %(limit)s characters or fewer",
                                             limit=format_decimal(WRITE_IN_LIMIT))
                if words:
                    answer.write_ins[option.id] = words
    elif question.kind == QuestionKind.RATING:
        if values:
            if len(values) > 1 or not values[0].isdigit() or not 1 <= int(values[0]) <= question.rating_scale:
                return Answer(), gettext("Choose a rating from %(low)s to %(high)s", low=format_decimal(1),
                                         high=format_decimal(question.rating_scale))
            answer.rating = int(values[0])
    else:
        # Browsers send a typed line break as CRLF: kept as the one character the
        # respondent typed (and counted as one, as the page's character count does).
        answer.text = "\n".join(values).replace("\r\n", "\n").replace("\r", "\n")
        if len(answer.text) > TEXT_LIMIT:
            return Answer(), gettext("The answer must be %(limit)s characters or fewer (it has %(count)s)",
                                     limit=format_decimal(TEXT_LIMIT), count=format_decimal(len(answer.text)))
    return answer, None


def _needed(question: SurveyQuestion) -> str:
    if question.kind == QuestionKind.MULTIPLE:
        return gettext("Choose at least one answer")
    if question.kind == QuestionKind.TEXT:
        return gettext("Enter an answer")
    return gettext("Choose an answer")


def validate(survey: Survey, posted, language: str = BASE) -> Checked:
    """The answers a form posted, checked: each belongs to its question, ratings
    in range, texts within their limit, required questions answered if shown.
    `language` is the form's; the messages are in the page's language
    (gettext), English on officers' pages."""
    parsed: dict[int, Answer] = {}
    problems: dict[int, str] = {}
    for question in survey.questions:
        answer, problem = _parse(question, posted)
        if problem:
            problems[question.id] = problem
        elif answer.given():
            parsed[question.id] = answer
    shown = visible_questions(survey, parsed)
    shown_ids = {q.id for q in shown}
    dropped = [q for q in survey.questions if q.id not in shown_ids and (q.id in parsed or q.id in problems)]
    answers = {q.id: parsed[q.id] for q in shown if q.id in parsed}
    errors = {q.id: problems[q.id] for q in shown if q.id in problems}
    for question in shown:
        if question.required and not question.demographic and question.id not in answers and question.id not in errors:
            errors[question.id] = _needed(question)
    return Checked(answers, errors, dropped)


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(typed: str) -> str:
    """As typed from a confirmation page: any case, spaces or dashes between groups."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def _free_reference() -> str:
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        if db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.reference == reference)) is None:
            return reference
    raise RecordingError(gettext("Your answers could not be saved this time. Please send them again."))


def accepts_online(survey: Survey, today: date | None = None) -> bool:
    today = today or local_today()
    return survey.status == SurveyStatus.OPEN and (survey.closes_on is None or today <= survey.closes_on)


def _check_may_record(survey: Survey, channel: str, language: str, entered_by, consented: bool,
                      today: date | None) -> None:
    if channel not in set(Channel):
        raise RecordingError("Choose how the response came: online, paper or interview")
    if channel == Channel.ONLINE:
        if entered_by is not None:
            raise RecordingError("Officers enter responses as paper or interview responses")
        if not accepts_online(survey, today):
            raise RecordingError(gettext("This survey is closed: it no longer takes responses"))
        if language not in survey.languages:
            raise RecordingError(gettext("This survey is not offered in that language"))
    else:
        if entered_by is None:
            raise RecordingError("A paper or interview response is entered by an officer")
        if survey.status == SurveyStatus.DRAFT:
            raise RecordingError("The survey has not opened yet: responses can be entered once it is open")
    if survey.lawful_basis == LawfulBasis.CONSENT and not consented:
        raise RecordingError("The respondent’s consent is needed: the survey asks for explicit consent"
                             if channel != Channel.ONLINE else
                             consent_needed())


def consent_needed() -> str:
    """What a respondent who did not tick the consent box is told."""
    return gettext("Tick the box to say you agree to your answers being used as described")


def _check_answers(survey: Survey, answers: dict[int, Answer]) -> None:
    """Answers that did not come through `validate` for this survey are refused whole."""
    questions = {q.id: q for q in survey.questions}
    if not any(answer.given() for answer in answers.values()):
        raise RecordingError(gettext("No question was answered: there is nothing to record"))
    for question_id, answer in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise RecordingError("An answer is to a question of another survey")
        options = {o.id for o in question.options}
        if not set(answer.option_ids) <= options or not set(answer.write_ins) <= set(answer.option_ids):
            raise RecordingError(f"An answer to “{question.text.get(BASE, '')}” is not one of its options")


def _rows(survey: Survey, answers: dict[int, Answer]) -> list[SurveyAnswer]:
    rows = []
    for question in survey.questions:
        answer = answers.get(question.id)
        if answer is None or not answer.given():
            continue
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            rows += [SurveyAnswer(question_id=question.id, option_id=option_id,
                                  text=answer.write_ins.get(option_id, "")) for option_id in answer.option_ids]
        elif question.kind == QuestionKind.RATING:
            rows.append(SurveyAnswer(question_id=question.id, rating=answer.rating))
        else:
            rows.append(SurveyAnswer(question_id=question.id, text=answer.text))
    return rows


def record(survey: Survey, answers: dict[int, Answer], channel: str, language: str, *, entered_by=None,
           consented: bool = False, today: date | None = None) -> SurveyResponse:
    """Add the response and all its answers to the session, or nothing
    (`RecordingError`). The caller commits; an IntegrityError then (the
    reference drawn twice at once) means send again, with nothing stored."""
    _check_may_record(survey, channel, language, entered_by, consented, today)
    _check_answers(survey, answers)
    now = utcnow()
    response = SurveyResponse(survey=survey, reference=_free_reference(), channel=channel, language=language,
                              submitted_at=now, entered_by=entered_by,
                              consented_at=now if consented else None)
    response.answers = _rows(survey, answers)
    db.session.add(response)
    if entered_by is not None:
        audit("survey_response_entered", obj=survey, actor=entered_by,
              details={"reference": response.reference, "channel": channel, "language": language})
    db.session.flush()
    return response


def withdraw(survey: Survey, reference: str, *, by=None, today: date | None = None) -> SurveyResponse:
    """Delete a response's answers and mark it withdrawn; the row stays, so
    the reference then says "withdrawn". `by`: the officer acting for the
    respondent, else the respondent themselves."""
    today = today or local_today()
    if survey.withdraw_until is not None and today > survey.withdraw_until:
        raise WithdrawalError(gettext("Answers to this survey could be withdrawn until %(date)s. That date has "
                                      "passed, so they are now part of the results.",
                                      date=format_date(survey.withdraw_until)))
    found = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                           SurveyResponse.reference == normalise_reference(reference),
                                                           SurveyResponse.withdrawn_at.is_(None)))
    if found is None:
        raise WithdrawalError(gettext("No response to this survey with that reference is waiting to be "
                                      "withdrawn. Check the reference on your confirmation page: if you have "
                                      "withdrawn it already, there is nothing more to do."))
    found.answers.clear()
    found.withdrawn_at = utcnow()
    audit("survey_response_withdrawn", obj=survey, actor=by or RESPONDENT,
          details={"reference": found.reference, "channel": found.channel})
    db.session.flush()
    return found
