"""A survey's results, counted in SQL and suppressed before anyone sees them.

Counting. Every figure comes from a handful of aggregate queries (one
GROUP BY question, option and rating over the answers, one counting the
respondents of multiple-choice questions, one GROUP BY channel), never from
loading the answers, so a page costs the same number of queries at 100 or 100,000
responses. Answers are counted by option id, so the language a respondent
answered in does not matter. Withdrawn responses are left out of every
query here, and everything else (the page, the charts, the CSV, the PDF and
the evidence item) is drawn from these results, so their totals agree.

Small-number suppression (threshold: SMALL_NUMBER_THRESHOLD, 5 by default;
"t" below). The rules, applied to every table on every view, chart, export
and PDF:

1. Primary: any count under t, zero included, shows as "fewer than t".
2. Secondary: a table's cells are shown beside a total they add up to (the
   responses by channel beside all responses; a question's options or
   ratings beside how many answered it). Were exactly one cell hidden, it
   would be the total less the others; were two cells hidden that together
   make 3, the reader would know both are small, and that "0 and 0" or
   "1 and 2" are the only choices left. So once any cell of a table is
   hidden, the smallest shown cells are hidden too (ties: the earlier
   option) until at least two cells are hidden *and* the hidden cells add
   up to t or more (or every cell is hidden). What can be worked out from
   the total is then only "these hidden cells make at least t together".
   Multiple-choice cells need not add up to anything, but the same rule is
   applied to them: one rule for every table, a little stricter than needed.
3. A total under t hides its whole table: a question answered by fewer
   than t shows only "fewer than t answered".
4. A rating's average is shown only when no cell of its table is hidden:
   with the total and the average, two hidden ratings could be solved for
   (a + b and a + 2b are two equations).
5. Filters (a language, an option of a demographic question): the filtered
   respondents must be at least t, and so must the respondents the filter
   leaves out (unless it leaves out none): otherwise the page says so and
   shows nothing, because "all responses less the filtered ones" would be
   the small group. Cells under a filter follow rules 1-4 on their own.
6. Free-text answers of a question are listed only when at least t
   respondents (of the filtered set, under a filter) answered it; the words
   of write-in options ("Any other ethnic group: describe") are never
   listed, as they are the most identifying of all.

What this does not stop: an officer comparing the same cell with and
without a filter can learn the count of the respondents the filter left out
for that one cell. Filters are for officers of the group only; the evidence
item, its PDF and the CSV of the unfiltered results carry only rules 1-4.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from flask import current_app
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from scrutiny.extensions import db
from scrutiny.surveys.models import Channel, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from scrutiny.surveys.texts import BASE, Text, in_language

# English names of the languages the issue ships; another shows as its code.
LANGUAGE_NAMES = {"en": "English", "ar": "Arabic", "bn": "Bengali", "gu": "Gujarati", "pl": "Polish",
                  "pa": "Punjabi", "ro": "Romanian", "so": "Somali", "ur": "Urdu"}
FREE_TEXT_SHOWN = 50
NOT_A_SUM_NOTE = "Respondents could choose more than one answer, so the counts need not add up to the total."  # per question on the page; how many there are is always said


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def threshold() -> int:
    return int(current_app.config["SMALL_NUMBER_THRESHOLD"])


def fewer_than(limit: int) -> str:
    return f"fewer than {limit}"


# ---- suppression ---------------------------------------------------------------------------------

def hidden_cells(counts: list[int], limit: int) -> list[bool]:
    """Which cells of one table to hide (rules 1 and 2 of the module's docstring)."""
    hidden = [count < limit for count in counts]
    while any(hidden) and not all(hidden):
        kept_back = [count for count, hide in zip(counts, hidden) if hide]
        if len(kept_back) >= 2 and sum(kept_back) >= limit:
            break
        smallest = min((i for i, hide in enumerate(hidden) if not hide), key=lambda i: (counts[i], i))
        hidden[smallest] = True
    return hidden


@dataclass(frozen=True)
class Cell:
    label: Text
    count: int | None  # None: suppressed
    limit: int
    position: int = 0

    @property
    def suppressed(self) -> bool:
        return self.count is None

    @property
    def shown(self) -> str:
        return fewer_than(self.limit) if self.count is None else f"{self.count:,}"


def cells_of(labelled: list[tuple[Text, int]], limit: int) -> list[Cell]:
    hide = hidden_cells([count for _, count in labelled], limit)
    return [Cell(label, None if hidden else count, limit, i)
            for i, ((label, count), hidden) in enumerate(zip(labelled, hide))]


@dataclass(frozen=True)
class Total:
    count: int
    limit: int

    @property
    def suppressed(self) -> bool:
        return self.count < self.limit

    @property
    def shown(self) -> str:
        return fewer_than(self.limit) if self.suppressed else f"{self.count:,}"


# ---- filters ---------------------------------------------------------------------------------------

@dataclass
class Filters:
    language: str = ""
    options: dict[int, int] = field(default_factory=dict)  # demographic question id -> option id

    @classmethod
    def from_args(cls, survey: Survey, args) -> Filters:
        """Only the survey's own languages and demographic options; anything else is ignored."""
        language = args.get("language", "")
        found = cls(language=language if language in (survey.languages or []) else "")
        for question in survey.questions:
            if not question.demographic or question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                continue
            wanted = args.get(f"q{question.id}", "")
            if wanted.isdigit() and int(wanted) in {o.id for o in question.options}:
                found.options[question.id] = int(wanted)
        return found

    @property
    def active(self) -> bool:
        return bool(self.language or self.options)

    def as_args(self) -> dict[str, str]:
        args = {f"q{q}": str(o) for q, o in self.options.items()}
        if self.language:
            args["language"] = self.language
        return args

    def describe(self, survey: Survey) -> list[str]:
        said = [f"Answered in {language_name(self.language)}"] if self.language else []
        options = {o.id: (q, o) for q in survey.questions for o in q.options}
        for option_id in self.options.values():
            question, option = options[option_id]
            said.append(f"{in_language(question.text, BASE)}: {in_language(option.label, BASE)}")
        return said


def _conditions(survey: Survey, filters: Filters) -> list:
    """Which responses count: this survey's, not withdrawn, and those the filters choose."""
    found = [SurveyResponse.survey_id == survey.id, SurveyResponse.withdrawn_at.is_(None)]
    if filters.language:
        found.append(SurveyResponse.language == filters.language)
    for option_id in filters.options.values():
        chosen = aliased(SurveyAnswer)  # not the answers being counted
        found.append(exists().where(and_(chosen.response_id == SurveyResponse.id, chosen.option_id == option_id)))
    return found


# ---- results -----------------------------------------------------------------------------------------

@dataclass
class QuestionResult:
    number: int
    question: SurveyQuestion
    answered: Total
    cells: list[Cell] = field(default_factory=list)  # options, or ratings 1..scale
    mean: float | None = None  # ratings, only when no cell is hidden
    free_texts: list[str] | None = None  # None: not shown (too few answers, or not a free-text question)
    limit: int = 5

    @property
    def text(self) -> Text:
        return in_language(self.question.text, BASE)

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def shown(self) -> bool:
        return not self.answered.suppressed

    @property
    def has_hidden_cells(self) -> bool:
        return any(c.suppressed for c in self.cells)

    @property
    def chartable(self) -> bool:
        return self.shown and self.kind != QuestionKind.TEXT and bool(self.cells)

    @property
    def caption(self) -> str:
        return f"Question {self.number}: {self.text}"


@dataclass
class Results:
    survey: Survey
    filters: Filters
    limit: int
    respondents: Total
    channels: list[Cell]
    questions: list[QuestionResult]
    refused: str = ""  # why nothing is shown under this filter
    filter_labels: list[str] = field(default_factory=list)  # said once, while the survey's rows are loaded

    @property
    def shown(self) -> bool:
        return not self.refused


def _respondents(survey: Survey, filters: Filters) -> dict[str, int]:
    rows = db.session.execute(select(SurveyResponse.channel, func.count()).where(*_conditions(survey, filters))
                              .group_by(SurveyResponse.channel))
    return {channel: count for channel, count in rows}


def results(survey: Survey, filters: Filters | None = None) -> Results:
    """Everything the results page, chart, CSV and PDF show, suppressed."""
    filters = filters or Filters()
    limit = threshold()
    by_channel = _respondents(survey, filters)
    total = sum(by_channel.values())
    channels = cells_of([(Text(c.label, BASE), by_channel.get(c.value, 0)) for c in Channel], limit)
    found = Results(survey, filters, limit, Total(total, limit), channels, [], filter_labels=filters.describe(survey))
    if total < limit:
        found.refused = (f"Fewer than {limit} responses match these filters, so no results are shown for them."
                         if filters.active else f"There are fewer than {limit} responses so far, so no results "
                                                "are shown yet.")
        return found
    if filters.active:
        left_out = sum(_respondents(survey, Filters()).values()) - total
        if 0 < left_out < limit:
            found.refused = (f"These filters leave out fewer than {limit} responses, so the results are not "
                             "shown for them: the responses left out could be worked out from all the results.")
            return found

    conditions = _conditions(survey, filters)
    questions = survey.questions
    # One pass over the answers: a row per (question, option) and per
    # (question, rating); a free-text question's rows make one group. One
    # answer row per respondent and question, except multiple choice (one
    # per option chosen), whose respondents are counted apart.
    options, ratings, answered = {}, {}, {}
    for question_id, option_id, rating, count in db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.rating, func.count())
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id).where(*conditions)
            .group_by(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.rating)):
        if option_id is not None:
            options[question_id, option_id] = count
        if rating is not None:
            ratings[question_id, rating] = count
        answered[question_id] = answered.get(question_id, 0) + count
    multiple = [q.id for q in questions if q.kind == QuestionKind.MULTIPLE]
    if multiple:
        answered.update(db.session.execute(
            select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.question_id.in_(multiple), *conditions).group_by(SurveyAnswer.question_id)).all())

    for number, question in enumerate(questions, start=1):
        result = QuestionResult(number, question, Total(answered.get(question.id, 0), limit), limit=limit)
        if result.shown and question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            result.cells = cells_of([(in_language(o.label, BASE), options.get((question.id, o.id), 0))
                                     for o in question.options], limit)
        elif result.shown and question.kind == QuestionKind.RATING:
            counts = [ratings.get((question.id, value), 0) for value in range(1, question.rating_scale + 1)]
            result.cells = cells_of([(_rating_label(question, value), count)
                                     for value, count in enumerate(counts, start=1)], limit)
            if not result.has_hidden_cells and sum(counts):
                result.mean = round(sum(v * n for v, n in enumerate(counts, start=1)) / sum(counts), 2)
        found.questions.append(result)
    _free_texts(found, conditions)
    return found


def _rating_label(question: SurveyQuestion, value: int) -> Text:
    end = question.rating_low if value == 1 else question.rating_high if value == question.rating_scale else None
    words = in_language(end, BASE) if end else None
    return Text(f"{value} ({words})" if words else str(value), BASE)


def _free_texts(found: Results, conditions: list) -> None:
    """The first FREE_TEXT_SHOWN answers of each free-text question answered
    by at least the threshold, in one query (ROW_NUMBER per question)."""
    wanted = [r for r in found.questions if r.kind == QuestionKind.TEXT and r.shown]
    if not wanted:
        return
    numbered = (select(SurveyAnswer.question_id, SurveyAnswer.text,
                       func.row_number().over(partition_by=SurveyAnswer.question_id,
                                              order_by=SurveyAnswer.id).label("n"))
                .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                .where(SurveyAnswer.question_id.in_([r.question.id for r in wanted]),
                       SurveyAnswer.option_id.is_(None), SurveyAnswer.text != "", *conditions)
                .subquery())
    texts: dict[int, list[str]] = {r.question.id: [] for r in wanted}
    for question_id, text, _ in db.session.execute(select(numbered).where(numbered.c.n <= FREE_TEXT_SHOWN)
                                                   .order_by(numbered.c.question_id, numbered.c.n)):
        texts[question_id].append(text)
    for result in wanted:
        result.free_texts = texts[result.question.id]


# ---- the survey, found for a group -------------------------------------------------------------------

def survey_of(group, public_id: str) -> Survey | None:
    """The group's survey with its questions and their options loaded (three queries, whatever their number)."""
    return db.session.scalar(select(Survey).where(Survey.public_id == public_id, Survey.topic_group_id == group.id)
                             .options(selectinload(Survey.questions).selectinload(SurveyQuestion.options)))


def title_of(survey: Survey) -> Text:
    return in_language(survey.title, BASE)


def demographic_questions(survey: Survey) -> list[SurveyQuestion]:
    return [q for q in survey.questions if q.demographic and q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)]
