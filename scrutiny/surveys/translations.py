"""The officers' translation page: every text of a survey, English beside a
box for one language, saved all at once.

The same texts, in the same order and with the same names, as
`texts.survey_texts` (which decides what a language still lacks), except
that an option group's heading (the census's five) is one box, written to
every option under it, rather than one per option.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scrutiny.clock import utcnow
from scrutiny.surveys.models import QuestionKind, Survey
from scrutiny.surveys.texts import BASE, in_language, with_text

LIMITS = {False: 2000, True: 20_000}  # characters: one-line texts, Markdown ones


class TranslationError(ValueError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class Entry:
    key: str  # the form field's name
    what: str
    english: str
    value: str  # in the language, "" when missing
    markdown: bool = False  # a long text: a textarea, formatting allowed
    targets: list = field(default_factory=list)  # (row, attribute) it is written to

    @property
    def multiline(self) -> bool:
        return self.markdown or len(self.english) > 120 or "\n" in self.english


def entries(survey: Survey, language: str) -> list[Entry]:
    found: list[Entry] = []

    def add(key, what, row, attribute, markdown=False):
        texts = getattr(row, attribute) or {}
        english = (texts.get(BASE) or "").strip()
        if english:
            found.append(Entry(key, what, english, (texts.get(language) or "").strip(), markdown,
                               [(row, attribute)]))

    add("title", "The survey's title", survey, "title")
    add("introduction", "The introduction", survey, "introduction", markdown=True)
    add("privacy_purposes", "The privacy notice's purposes", survey, "privacy_purposes", markdown=True)
    add("privacy_recipients", "The privacy notice's recipients", survey, "privacy_recipients", markdown=True)
    add("privacy_retention", "The privacy notice's retention", survey, "privacy_retention", markdown=True)
    for number, question in enumerate(survey.questions, start=1):
        add(f"q{question.id}-text", f"Question {number}", question, "text")
        add(f"q{question.id}-hint", f"Question {number}'s hint", question, "hint")
        if question.kind == QuestionKind.RATING:
            add(f"q{question.id}-low", f"Question {number}'s lowest rating", question, "rating_low")
            add(f"q{question.id}-high", f"Question {number}'s highest rating", question, "rating_high")
        headings: dict[str, Entry] = {}
        for option in question.options:
            add(f"o{option.id}", f"Question {number}, option “{in_language(option.label, BASE)}”",
                option, "label")
            heading = (option.group_label or {}).get(BASE, "").strip()
            if not heading:
                continue
            if heading in headings:  # one box for the heading, written to every option under it
                headings[heading].targets.append((option, "group_label"))
                continue
            add(f"o{option.id}-group", f"Question {number}, heading “{heading}”", option, "group_label")
            headings[heading] = found[-1]
    return found


def save(survey: Survey, language: str, posted, user) -> int:
    """Write every box (blank removes the translation); returns how many texts
    changed. Too long a text refuses the lot, named by what it is."""
    listed = entries(survey, language)
    problems = {}
    for entry in listed:
        value = (posted.get(entry.key) or "").strip()
        limit = LIMITS[entry.markdown]
        if len(value) > limit:
            problems[entry.key] = f"{entry.what} must be {limit:,} characters or fewer (it has {len(value):,})"
    if problems:
        raise TranslationError(problems)
    changed = 0
    for entry in listed:
        if entry.key not in posted:  # a text added since the page was opened: not this form's to blank
            continue
        value = (posted.get(entry.key) or "").strip()
        if value == entry.value:
            continue
        changed += 1
        for row, attribute in entry.targets:
            setattr(row, attribute, with_text(getattr(row, attribute), language, value))
    if changed:
        survey.updated_at, survey.updated_by = utcnow(), user
    return changed
