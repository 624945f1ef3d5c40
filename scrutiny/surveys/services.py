"""Officers build a survey: its details and privacy notice, its questions
and their conditions, the census's ethnic group question, and its status.

Every function changes the session and never commits: the view commits
once everything passed, or rolls back on a `SurveyError`, whose message
says what to change (and `field`, where the form should show it).

Decisions written down here:
- A question's condition may look only at an earlier question, so a
  respondent answers the question that decides before the one it decides;
  moving a question above the one it depends on is refused, as is deleting
  a question or option another question's condition uses.
- Once answered, a question or option is never deleted (its answers would
  go with it) and a question's kind never changes; its wording may.
- Closing is final for the public. An officer may reopen with a typed
  reason (kept in the audit log), for example when the closing date was
  set wrongly; paper forms that arrive later are entered while closed
  (see recording).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlparse

from sqlalchemy import func, select

from scrutiny.audit.services import record as audit
from scrutiny.clock import today as local_today
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.surveys import census, languages
from scrutiny.surveys.models import (
    ConditionOperator,
    LawfulBasis,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from scrutiny.surveys.texts import BASE, in_language, missing, with_text

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
RATING_SCALES = range(2, 11)
MAX_OPTIONS = 60


class SurveyError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def english(texts: dict | None) -> str:
    return in_language(texts, BASE).value


# Surveys ---------------------------------------------------------------------

def surveys_of(group) -> list[Survey]:
    return list(db.session.scalars(select(Survey).where(Survey.topic_group_id == group.id)
                                   .order_by(Survey.created_at.desc(), Survey.id.desc())))


def get_survey(group, public_id: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.topic_group_id == group.id,
                                                  Survey.public_id == public_id))


def response_counts(survey: Survey) -> dict[str, int]:
    """Responses kept (not withdrawn) by channel, and withdrawn ones."""
    rows = db.session.execute(select(SurveyResponse.channel, SurveyResponse.withdrawn_at.is_(None), func.count())
                              .where(SurveyResponse.survey_id == survey.id)
                              .group_by(SurveyResponse.channel, SurveyResponse.withdrawn_at.is_(None)))
    counts: dict[str, int] = {}
    for channel, kept, number in rows:
        key = channel if kept else "withdrawn"
        counts[key] = counts.get(key, 0) + number
    return counts


@dataclass
class SurveyDetails:
    title: str
    introduction: str = ""
    closes_on: date | None = None
    withdraw_until: date | None = None
    lawful_basis: str = LawfulBasis.CONSENT
    policy_document_url: str = ""
    privacy_controller: str = ""
    privacy_contact: str = ""
    privacy_purposes: str = ""
    privacy_recipients: str = ""
    privacy_retention: str = ""


def _check_details(details: SurveyDetails, survey: Survey | None) -> None:
    if not details.title.strip():
        raise SurveyError("Enter the survey’s title", "title")
    if details.lawful_basis not in set(LawfulBasis):
        raise SurveyError("Choose the lawful basis for asking", "lawful_basis")
    url = details.policy_document_url.strip()
    if details.lawful_basis == LawfulBasis.EQUALITY:
        if not url:
            raise SurveyError("Enter the address of the appropriate policy document: equality monitoring "
                              "of ethnicity and health needs one (Data Protection Act 2018, schedule 1)",
                              "policy_document_url")
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        raise SurveyError("Enter the policy document’s address as a web address starting with https://",
                          "policy_document_url")
    if details.closes_on and details.withdraw_until and details.withdraw_until < details.closes_on:
        raise SurveyError("The last day to withdraw must be on or after the closing date, so everyone who "
                          "answers can withdraw", "withdraw_until")
    status = survey.status if survey else SurveyStatus.DRAFT
    if details.closes_on and status == SurveyStatus.OPEN and details.closes_on < local_today():
        raise SurveyError("The closing date of an open survey cannot be in the past: close the survey instead",
                          "closes_on")


def save_survey(group, survey: Survey | None, details: SurveyDetails, user, version: str | None = None) -> Survey:
    _check_details(details, survey)
    if survey is None:
        survey = Survey(topic_group=group, created_by=user, languages=[BASE])
        db.session.add(survey)
    elif version and str(survey.version_id) != str(version):
        who = survey.updated_by.name if survey.updated_by else "A colleague"
        raise SurveyError(f"{who} saved this survey since you opened it. Your changes are shown below: "
                          f"save again to replace theirs.", "title")
    else:
        survey.updated_at, survey.updated_by = utcnow(), user
    survey.title = with_text(survey.title, BASE, details.title)
    survey.introduction = with_text(survey.introduction, BASE, details.introduction)
    survey.closes_on, survey.withdraw_until = details.closes_on, details.withdraw_until
    survey.lawful_basis = details.lawful_basis
    survey.policy_document_url = details.policy_document_url.strip()
    survey.privacy_controller = details.privacy_controller.strip()
    survey.privacy_contact = details.privacy_contact.strip()
    survey.privacy_purposes = with_text(survey.privacy_purposes, BASE, details.privacy_purposes)
    survey.privacy_recipients = with_text(survey.privacy_recipients, BASE, details.privacy_recipients)
    survey.privacy_retention = with_text(survey.privacy_retention, BASE, details.privacy_retention)
    db.session.flush()
    return survey


def privacy_gaps(survey: Survey) -> list[str]:
    """What the privacy notice still lacks before the survey can open."""
    gaps = []
    if not survey.privacy_controller:
        gaps.append("who the data controller is")
    if not survey.privacy_contact:
        gaps.append("how to contact them (or the data protection officer)")
    if not english(survey.privacy_purposes):
        gaps.append("what the answers are used for")
    if not english(survey.privacy_recipients):
        gaps.append("who receives the answers")
    if not english(survey.privacy_retention):
        gaps.append("how long the answers are kept")
    if survey.lawful_basis == LawfulBasis.EQUALITY and not survey.policy_document_url:
        gaps.append("the appropriate policy document (for equality monitoring)")
    return gaps


def open_problems(survey: Survey, today: date | None = None) -> list[str]:
    """Why the survey cannot open yet, each in words an officer can act on."""
    today = today or local_today()
    problems = []
    if not survey.questions:
        problems.append("Add at least one question")
    if gaps := privacy_gaps(survey):
        problems.append("Complete the privacy notice: " + "; ".join(gaps))
    if survey.closes_on is None:
        problems.append("Set the closing date")
    elif survey.closes_on < today:
        problems.append(f"The closing date, {survey.closes_on:%-d %B %Y}, has passed: set a later one")
    if survey.withdraw_until is None:
        problems.append("Set the last day respondents may withdraw their answers")
    return problems


def open_survey(survey: Survey, user, today: date | None = None) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise SurveyError("Only a draft survey can be opened; a closed one is reopened with a reason")
    if problems := open_problems(survey, today):
        raise SurveyError("The survey cannot open yet. " + ". ".join(problems) + ".")
    survey.status, survey.opened_at = SurveyStatus.OPEN, utcnow()
    audit("survey_opened", obj=survey, actor=user, details={"languages": list(survey.languages)})


def close_survey(survey: Survey, user) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise SurveyError("Only an open survey can be closed")
    survey.status, survey.closed_at = SurveyStatus.CLOSED, utcnow()
    audit("survey_closed", obj=survey, actor=user)


def reopen_survey(survey: Survey, reason: str, user, today: date | None = None) -> None:
    if survey.status != SurveyStatus.CLOSED:
        raise SurveyError("Only a closed survey can be reopened", "reason")
    if not (reason or "").strip():
        raise SurveyError("Say why the survey is reopening: it is kept in the audit log", "reason")
    today = today or local_today()
    if survey.closes_on is None or survey.closes_on < today:
        raise SurveyError("The closing date has passed: change it on the survey’s details first, then reopen",
                          "reason")
    survey.status, survey.closed_at = SurveyStatus.OPEN, None
    audit("survey_reopened", obj=survey, actor=user, details={"reason": reason.strip()[:2000]})


# Questions -------------------------------------------------------------------

@dataclass
class QuestionDetails:
    kind: str
    text: str
    hint: str = ""
    required: bool = False
    # Choice questions: new options' English labels; existing options' labels by id; ids to remove.
    new_options: list[str] = field(default_factory=list)
    option_labels: dict[int, str] = field(default_factory=dict)
    remove_option_ids: set[int] = field(default_factory=set)
    rating_scale: int = 5
    rating_low: str = ""
    rating_high: str = ""
    condition_question_id: int | None = None
    condition_operator: str = ""
    condition_option_id: int | None = None


def get_question(survey: Survey, question_id: int) -> SurveyQuestion | None:
    return next((q for q in survey.questions if q.id == question_id), None)


def number_of(question: SurveyQuestion) -> int:
    return question.survey.questions.index(question) + 1


def answer_count(question: SurveyQuestion | None = None, option: SurveyOption | None = None) -> int:
    where = SurveyAnswer.option_id == option.id if option is not None else SurveyAnswer.question_id == question.id
    return db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(where)) or 0


def dependants(survey: Survey, question: SurveyQuestion | None = None,
               option: SurveyOption | None = None) -> list[SurveyQuestion]:
    """Questions whose condition looks at this question (or this option)."""
    if option is not None:
        return [q for q in survey.questions if q.condition_option_id == option.id]
    return [q for q in survey.questions if q.condition_question_id == question.id]


def _numbers(questions) -> str:
    return ", ".join(str(number_of(q)) for q in questions)


def _check_condition(survey: Survey, question: SurveyQuestion | None, details: QuestionDetails) -> None:
    if details.condition_question_id is None:
        if details.condition_operator or details.condition_option_id:
            raise SurveyError("Choose the earlier question the condition looks at", "condition_question_id")
        return
    target = get_question(survey, details.condition_question_id)
    if target is None:
        raise SurveyError("Choose a question of this survey for the condition", "condition_question_id")
    position = question.position if question is not None else len(survey.questions)
    mine = number_of(question) if question is not None else len(survey.questions) + 1
    if target is question or target.position >= position:
        raise SurveyError(f"A question can depend only on an earlier one: question {number_of(target)} comes "
                          f"after question {mine}. Move it above first, or choose an earlier question.",
                          "condition_question_id")
    if details.condition_operator not in set(ConditionOperator):
        raise SurveyError("Choose when the question shows: when the earlier one is answered, is or is not "
                          "an option", "condition_operator")
    if details.condition_operator == ConditionOperator.ANSWERED:
        details.condition_option_id = None
        return
    if target.kind not in CHOICE_KINDS:
        raise SurveyError(f"Question {number_of(target)} has no options to compare with: choose “is answered”",
                          "condition_operator")
    if details.condition_option_id is None:
        raise SurveyError(f"Choose the option of question {number_of(target)} the condition looks for",
                          "condition_option_id")
    if details.condition_option_id not in {o.id for o in target.options}:
        raise SurveyError(f"The option chosen is not one of question {number_of(target)}’s: choose one of its "
                          "options", "condition_option_id")


def _check_kind(question: SurveyQuestion | None, details: QuestionDetails) -> None:
    if details.kind not in set(QuestionKind):
        raise SurveyError("Choose what kind of question it is", "kind")
    if not details.text.strip():
        raise SurveyError("Enter the question", "text")
    if question is not None and question.kind != details.kind and answer_count(question) > 0:
        raise SurveyError(f"Question {number_of(question)} has answers, so its kind cannot change: add a new "
                          "question instead", "kind")
    if details.kind == QuestionKind.RATING:
        if details.rating_scale not in RATING_SCALES:
            raise SurveyError("The rating scale must run from 1 to a number between 2 and 10", "rating_scale")
        if not details.rating_low.strip() or not details.rating_high.strip():
            raise SurveyError("Say what the lowest and the highest rating mean, for example Very poor and "
                              "Very good", "rating_low" if not details.rating_low.strip() else "rating_high")


def _apply_options(survey: Survey, question: SurveyQuestion, details: QuestionDetails) -> None:
    """Existing options keep their ids (their answers stay with them); new ones join the end."""
    keep_choices = details.kind in CHOICE_KINDS
    for option in list(question.options):
        removing = not keep_choices or option.id in details.remove_option_ids
        if removing:
            label = english(option.label)
            if count := answer_count(option=option):
                raise SurveyError(f"The option “{label}” has {count} answer{'s' if count != 1 else ''}, so it "
                                  "cannot be removed: change its wording instead", "new_options")
            if users := dependants(survey, option=option):
                raise SurveyError(f"Question {_numbers(users)} shows only depending on the option “{label}”: "
                                  "change that condition first", "new_options")
            question.options.remove(option)
        elif option.id in details.option_labels:
            if not details.option_labels[option.id].strip():
                raise SurveyError(f"Enter a label for the option “{english(option.label)}”, or tick Remove",
                                  "new_options")
            option.label = with_text(option.label, BASE, details.option_labels[option.id])
    if not keep_choices:
        return
    taken = {english(o.label).lower() for o in question.options}
    for label in details.new_options:
        if label.lower() in taken:
            continue
        taken.add(label.lower())
        question.options.append(SurveyOption(label={BASE: label}, position=len(question.options)))
    for position, option in enumerate(question.options):
        option.position = position
    if len(question.options) < 2:
        raise SurveyError("A choice question needs at least two options, one per line", "new_options")
    if len(question.options) > MAX_OPTIONS:
        raise SurveyError(f"A question can have at most {MAX_OPTIONS} options", "new_options")


def save_question(survey: Survey, question: SurveyQuestion | None, details: QuestionDetails, user,
                  version: str | None = None) -> SurveyQuestion:
    _check_kind(question, details)
    _check_condition(survey, question, details)
    if question is None:
        question = SurveyQuestion(position=len(survey.questions), kind=details.kind)
        survey.questions.append(question)
    elif version and str(question.version_id) != str(version):
        raise SurveyError(f"Someone saved question {number_of(question)} since you opened it. Your changes are "
                          "shown below: save again to replace theirs.", "text")
    if question.demographic and details.required:
        raise SurveyError("Questions about the respondent (such as ethnic group) are always optional", "required")
    with db.session.no_autoflush:
        _apply_options(survey, question, details)
    question.kind = details.kind
    question.text = with_text(question.text, BASE, details.text)
    question.hint = with_text(question.hint, BASE, details.hint)
    question.required = details.required
    if details.kind == QuestionKind.RATING:
        question.rating_scale = details.rating_scale
        question.rating_low = with_text(question.rating_low, BASE, details.rating_low)
        question.rating_high = with_text(question.rating_high, BASE, details.rating_high)
    question.condition_question_id = details.condition_question_id
    question.condition_operator = details.condition_operator if details.condition_question_id else ""
    question.condition_option_id = details.condition_option_id if details.condition_question_id else None
    _touch(survey, user)
    db.session.flush()
    return question


def move_question(survey: Survey, question: SurveyQuestion, direction: str, user) -> None:
    questions = list(survey.questions)
    at = questions.index(question)
    other_at = at - 1 if direction == "up" else at + 1 if direction == "down" else None
    if other_at is None or not 0 <= other_at < len(questions):
        return
    other = questions[other_at]
    earlier, later = (other, question) if direction == "up" else (question, other)
    if later.condition_question_id == earlier.id:
        raise SurveyError(f"Question {number_of(later)} shows depending on question {number_of(earlier)}’s "
                          f"answer, so it must stay after it: change its condition first")
    questions[at], questions[other_at] = other, question
    for position, item in enumerate(questions):
        item.position = position
    survey.questions.sort(key=lambda q: q.position)
    _touch(survey, user)


def delete_question(survey: Survey, question: SurveyQuestion, user) -> None:
    number = number_of(question)
    if count := answer_count(question):
        raise SurveyError(f"Question {number} has {count} answer{'s' if count != 1 else ''}, so it cannot be "
                          "deleted: change its wording, or leave it")
    if users := dependants(survey, question):
        raise SurveyError(f"Question {_numbers(users)} shows depending on question {number}’s answer: change "
                          "that condition first")
    survey.questions.remove(question)
    for position, item in enumerate(survey.questions):
        item.position = position
    _touch(survey, user)


def add_ethnic_group_question(survey: Survey, user) -> SurveyQuestion:
    """The 2021 census question, optional, at the end of the survey."""
    if any(q.code == census.CODE for q in survey.questions):
        raise SurveyError("The survey already has the ethnic group question")
    question = SurveyQuestion(position=len(survey.questions), kind=QuestionKind.SINGLE,
                              text={BASE: census.QUESTION}, hint={BASE: census.HINT}, required=False,
                              demographic=True, code=census.CODE)
    question.options = [SurveyOption(position=position, label={BASE: item["label"]}, code=item["code"],
                                     group_label={BASE: item["group"]} if item["group"] else {},
                                     write_in=item["write_in"])
                        for position, item in enumerate(census.options())]
    survey.questions.append(question)
    _touch(survey, user)
    db.session.flush()
    return question


def _touch(survey: Survey, user) -> None:
    survey.updated_at, survey.updated_by = utcnow(), user


# Languages -------------------------------------------------------------------

def publish_language(survey: Survey, code: str, user) -> None:
    """Offer a language to respondents: only once every text has it."""
    language = languages.get(code)
    if language is None:
        raise SurveyError("That language is not one the surveys offer")
    if code in survey.languages:
        return
    if gaps := missing(survey, code):
        raise SurveyError(f"{language.english} cannot be offered yet: {len(gaps)} text"
                          f"{'s' if len(gaps) != 1 else ''} still need{'s' if len(gaps) == 1 else ''} a "
                          f"translation: " + "; ".join(gaps) + ".")
    survey.languages = [*survey.languages, code]
    _touch(survey, user)


def withdraw_language(survey: Survey, code: str, user) -> None:
    if code == BASE:
        raise SurveyError("English is always offered")
    survey.languages = [c for c in survey.languages if c != code]
    _touch(survey, user)


def language_rows(survey: Survey) -> list[dict]:
    """Each offered language with how far its translation has come."""
    rows = []
    total = len({what for what, texts in _english_texts(survey)})
    for language in languages.offered():
        if language.code == BASE:
            continue
        gaps = missing(survey, language.code)
        rows.append({"language": language, "published": language.code in survey.languages,
                     "missing": gaps, "done": total - len(gaps), "total": total})
    return rows


def _english_texts(survey: Survey):
    from scrutiny.surveys.texts import survey_texts

    return [(what, texts) for what, texts in survey_texts(survey) if (texts or {}).get(BASE, "").strip()]


def missing_texts(survey: Survey, code: str) -> list[str]:
    return missing(survey, code)
