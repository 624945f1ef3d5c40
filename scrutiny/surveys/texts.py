"""Officers' texts in several languages: `{"en": "...", "ar": "..."}`.

English is the survey's own language and always present; another language
is offered to respondents only once every text of the survey has it
(`missing`). Shown in a language that lacks a text (an officer added a
question after publishing), the English text stands in and says so: the
`Text` carries the language it is really in, for the page's `lang`
attribute, so a screen reader pronounces it as English.
"""
from __future__ import annotations

from dataclasses import dataclass

BASE = "en"


@dataclass(frozen=True)
class Text:
    value: str
    lang: str  # the language `value` is in

    def __str__(self) -> str:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def fell_back(self, wanted: str) -> bool:
        return self.lang != wanted


def in_language(texts: dict | None, language: str) -> Text:
    """The text in `language`, else the English one (marked as English)."""
    texts = texts or {}
    value = (texts.get(language) or "").strip()
    if value:
        return Text(value, language)
    return Text((texts.get(BASE) or "").strip(), BASE)


def with_text(texts: dict | None, language: str, value: str) -> dict:
    """A new dict (so SQLAlchemy sees the JSON change) with `language` set, or removed when blank."""
    changed = dict(texts or {})
    value = (value or "").strip()
    if value:
        changed[language] = value
    else:
        changed.pop(language, None)
    return changed


def survey_texts(survey) -> list[tuple[str, dict]]:
    """(what it is, its texts) for every text a respondent reads, in order,
    including the empty ones English has, so a missing translation is named."""
    found = [("The survey's title", survey.title), ("The introduction", survey.introduction),
             ("The privacy notice's purposes", survey.privacy_purposes),
             ("The privacy notice's recipients", survey.privacy_recipients),
             ("The privacy notice's retention", survey.privacy_retention)]
    for number, question in enumerate(survey.questions, start=1):
        found.append((f"Question {number}", question.text))
        if (question.hint or {}).get(BASE):
            found.append((f"Question {number}'s hint", question.hint))
        if question.kind == "rating":
            found += [(f"Question {number}'s lowest rating", question.rating_low),
                      (f"Question {number}'s highest rating", question.rating_high)]
        headings = set()  # a heading (the census's five groups) is named once, not once per option under it
        for option in question.options:
            found.append((f"Question {number}, option “{in_language(option.label, BASE)}”", option.label))
            heading = in_language(option.group_label, BASE).value
            if heading and heading not in headings:
                headings.add(heading)
                found.append((f"Question {number}, heading “{heading}”", option.group_label))
    return found


def missing(survey, language: str) -> list[str]:
    """What still lacks a text in `language` (only texts English has count)."""
    return [what for what, texts in survey_texts(survey)
            if (texts or {}).get(BASE, "").strip() and not (texts or {}).get(language, "").strip()]
