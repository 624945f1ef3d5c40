"""The public survey, as a respondent meets it: which survey an address
opens and in which languages, the officers' texts in the page's language
(marked when they fall back to English), when a conditional question is to
be answered, and the answers given, shown back on the confirmation page.

Recording and withdrawing are `recording`'s; this module only reads.

Decisions written down here:
- A draft survey has no public address (404); an open one past its closing
  date is shown as closed, like a closed one; results are never shown here.
- A language the site has but the survey is not offered in: every page with
  the officers' texts (the start and the questions) says so, with links to
  the survey's languages, rather than a 404 or English text on a page that
  claims another language. Withdrawing needs no officers' text, so it works
  in every language of the site.
- The confirmation page reads the response from this browser's session, for
  `SHOWN_FOR` only: on a shared computer the next person cannot open it to
  read the answers or take the reference.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import session
from flask_babel import gettext, ngettext
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.i18n import current
from scrutiny.i18n.languages import KNOWN
from scrutiny.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from scrutiny.surveys.recording import accepts_online
from scrutiny.surveys.texts import Text, in_language

SESSION_KEY = "survey_sent"
SHOWN_FOR = timedelta(hours=1)


def public_survey(slug: str, public_id: str) -> Survey | None:
    """The group's survey at this address, unless it is still a draft."""
    survey = db.session.scalar(
        select(Survey).join(TopicGroup).where(TopicGroup.slug == slug, Survey.public_id == public_id)
        .options(selectinload(Survey.questions).selectinload(SurveyQuestion.options)))
    if survey is None or survey.status == SurveyStatus.DRAFT:
        return None
    return survey


def taking_answers(survey: Survey) -> bool:
    return accepts_online(survey)


def languages_of(survey: Survey) -> list:
    """The survey's languages the site offers, in the site's order (English first)."""
    from scrutiny.i18n import offered

    return [language for language in offered() if language.code in survey.languages]


def offered_in(survey: Survey, code: str) -> bool:
    return code in survey.languages


def text(texts: dict | None) -> Text:
    """An officer's text in the page's language, else English (its `lang` says which)."""
    return in_language(texts, current().code)


def marks(value: Text) -> Markup:
    """` lang="en" dir="ltr"` on an element whose text fell back to English
    on a page in another language; nothing otherwise."""
    if isinstance(value, Text) and value.lang != current().code:
        language = KNOWN[value.lang]
        return Markup(f' lang="{language.code}" dir="{language.direction}"')
    return Markup("")


def inline(value: Text) -> Markup:
    """A text inside a sentence of the page's language, in a span marked as English when it fell back."""
    attributes = marks(value)
    return Markup(f"<span{attributes}>%s</span>") % value.value if attributes else Markup.escape(value.value)


# A number of each plural category (CLDR's, which GOV.UK's scripts ask for by name).
PLURAL_SAMPLES = (("zero", 0), ("one", 1), ("two", 2), ("few", 3), ("many", 11), ("other", 100))


def character_count_messages() -> Markup:
    """GOV.UK's character count in the page's language: its i18n data
    attributes, each counting message in every plural form, taken from our
    catalogue's own plural rule by a sample number of each category."""
    messages = {"characters-at-limit": gettext("You have no characters remaining")}
    for rule, n in PLURAL_SAMPLES:
        messages[f"characters-under-limit.{rule}"] = ngettext(
            "You have %(count)s character remaining", "You have %(count)s characters remaining", n, count="%{count}")
        messages[f"characters-over-limit.{rule}"] = ngettext(
            "You have %(count)s character too many", "You have %(count)s characters too many", n, count="%{count}")
    return Markup(" ".join(f'data-i18n.{key}="{escape(message)}"' for key, message in messages.items()))


def numbers(survey: Survey) -> dict[int, int]:
    """Question id: its number on the page (every question is numbered, shown or not)."""
    return {question.id: number for number, question in enumerate(survey.questions, start=1)}


def field_helpers() -> dict:
    """What templates/surveys/_fields.html needs, for the public form and the officers' paper entry."""
    from scrutiny.surveys.recording import TEXT_LIMIT, WRITE_IN_LIMIT

    return {"say": text, "marks": marks, "inline": inline, "character_count_messages": character_count_messages,
            "text_limit": TEXT_LIMIT, "write_in_limit": WRITE_IN_LIMIT}


# The confirmation page -------------------------------------------------------

def remember_sent(survey: Survey, response: SurveyResponse) -> None:
    sent = dict(session.get(SESSION_KEY) or {})
    sent[survey.public_id] = [response.id, utcnow().isoformat()]
    session[SESSION_KEY] = sent


def sent_response(survey: Survey) -> SurveyResponse | None:
    """The response this browser sent to the survey within `SHOWN_FOR`, if any."""
    from datetime import datetime

    found = (session.get(SESSION_KEY) or {}).get(survey.public_id)
    if not found:
        return None
    response_id, at = found
    if utcnow() - datetime.fromisoformat(at) > SHOWN_FOR:
        return None
    return db.session.scalar(select(SurveyResponse).where(SurveyResponse.id == response_id,
                                                          SurveyResponse.survey_id == survey.id))


@dataclass
class Given:
    number: int
    question: Text
    answers: list  # of Text (an option, in the page's language) or str (as typed, a rating's number)
    written: list[tuple[Text, str]]  # a write-in option and the words typed for it


def given_answers(survey: Survey, response: SurveyResponse) -> list[Given]:
    """The response's answers, question by question in the survey's order."""
    rows = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
                              .order_by(SurveyAnswer.id)).all()
    by_question: dict[int, list[SurveyAnswer]] = {}
    for row in rows:
        by_question.setdefault(row.question_id, []).append(row)
    found = []
    for number, question in enumerate(survey.questions, start=1):
        answered = by_question.get(question.id)
        if not answered:
            continue
        answers, written = [], []
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            chosen = {row.option_id: row for row in answered}
            for option in question.options:
                if option.id in chosen:  # an "Any other..." described is shown once, with its words
                    if chosen[option.id].text:
                        written.append((text(option.label), chosen[option.id].text))
                    else:
                        answers.append(text(option.label))
        elif question.kind == QuestionKind.RATING:
            answers.append(answered[0].rating)
        else:
            answers.append(answered[0].text)
        found.append(Given(number, text(question.text), answers, written))
    return found
