""""Add to evidence": a survey's results as an evidence item of its topic group.

The item is of kind "survey" with the survey's id, so drawing again after
more responses rewrites the same item (its title, summary and body) rather
than adding another. Like other evidence officers add, a new item enters
the officers' review as submitted, says who added it, and is confidential
to nobody: its tables are suppressed (surveys.results) exactly as the
results page's are, with no filter. Once accepted in review, findings link
to it like any accepted evidence; drawing again keeps its review.

The results with their charts are also built as a PDF by the documents
pipeline (surveys.results_document), requested by the view after this
change is committed.
"""
from __future__ import annotations

from sqlalchemy import select

from scrutiny.audit import services as audit
from scrutiny.auth.models import User
from scrutiny.clock import to_local, utcnow
from scrutiny.evidence.models import Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.surveys.models import QuestionKind, Survey
from scrutiny.surveys.results import NOT_A_SUM_NOTE, Results, results, title_of


class NotDrawn(ValueError):
    """Nothing was written: the message says why."""


def evidence_item(survey: Survey) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.survey_id == survey.id,
                                                      Submission.kind == SubmissionKind.SURVEY)
                             .order_by(Submission.id).limit(1))


def draw(survey: Survey, *, by: User) -> tuple[Submission, bool]:
    """(the evidence item, whether it is new), written but not committed."""
    found = results(survey)
    if not found.shown:
        raise NotDrawn(found.refused + " Add them to the evidence once there are more.")
    item = evidence_item(survey)
    created = item is None
    now = utcnow()
    if created:
        item = Submission(topic_group=survey.topic_group, kind=SubmissionKind.SURVEY, survey_id=survey.id,
                          status=SubmissionStatus.SUBMITTED, submitted_at=now, added_by=by, confidential=False)
        db.session.add(item)
    item.title = f"Survey results: {title_of(survey)}"[:300]
    item.summary = summary(found, now)
    item.body = markdown(found)
    audit.record("survey_results_drawn", obj=item, actor=by,
                 details={"survey": survey.public_id, "responses": found.respondents.count, "new": created})
    return item, created


def summary(found: Results, when) -> str:
    channels = ", ".join(f"{c.label.value.lower()} {c.shown}" for c in found.channels)
    return (f"{found.respondents.shown} responses ({channels}), drawn on {to_local(when):%-d %B %Y}. "
            f"Counts under {found.limit} are shown as “fewer than {found.limit}”.")


def _cell(text: str) -> str:
    """A Markdown table cell: a pipe would end it, a new line would end the row."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def markdown(found: Results) -> str:
    limit = found.limit
    out = [f"Results of the survey “{_cell(title_of(found.survey))}”: {found.respondents.shown} responses. "
           f"Withdrawn responses are not counted. Any count under {limit} is shown as “fewer than {limit}”, "
           f"and the next smallest counts are hidden with it, so a hidden count cannot be worked out from the "
           f"total. Breakdowns therefore need not add up to the total.",
           "", "| How the responses came | Responses |", "| --- | --- |"]
    out += [f"| {_cell(c.label)} | {c.shown} |" for c in found.channels]
    for result in found.questions:
        out += ["", f"## Question {result.number}: {_cell(result.text)}", ""]
        if not result.shown:
            out.append(f"Answered by fewer than {limit}: no results are shown.")
            continue
        out.append(f"Answered by {result.answered.shown}."
                   + (f" {NOT_A_SUM_NOTE}" if result.kind == QuestionKind.MULTIPLE else ""))
        if result.kind == QuestionKind.TEXT:
            out.append("Free-text answers are read on the survey’s results page by the topic group.")
            continue
        out += ["", "| Answer | Responses |", "| --- | --- |"]
        out += [f"| {_cell(c.label)} | {c.shown} |" for c in result.cells]
        if result.mean is not None:
            out += ["", f"Average rating: {result.mean:.2f}."]
    return "\n".join(out) + "\n"
