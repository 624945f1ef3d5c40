"""A survey's results as a PDF, built by the documents pipeline: the
suppressed tables of surveys.results with their charts (the same SVG the
page shows, inline) for `templates/pdf/survey_results.html`.

Its subject is "survey:<id>". The app factory plugs `kind` into the
documents package (documents.services.plug_in), which never imports this
one: surveys sits above documents (it requests builds), and features may not
import each other both ways. The context is plain data; only `version`, `built_on` and `date`
change between builds, so an unchanged survey is not built again.
"""
from __future__ import annotations

from datetime import date

from flask import current_app

from scrutiny.extensions import db
from scrutiny.i18n.pdf_fonts import languages_in
from scrutiny.groups.models import TopicGroup
from scrutiny.surveys import charts
from scrutiny.surveys.models import QuestionKind, Survey
from scrutiny.surveys.results import NOT_A_SUM_NOTE, results, title_of

DATE_FORMAT = "%-d %B %Y"


def subject_for(survey: Survey) -> str:
    return f"survey:{survey.id}"


def survey_for(group: TopicGroup | None, subject: str) -> Survey | None:
    prefix, _, number = subject.partition(":")
    if group is None or prefix != "survey" or not number.isdigit():
        return None
    survey = db.session.get(Survey, int(number))
    return survey if survey is not None and survey.topic_group_id == group.id else None


def problems(group: TopicGroup | None, subject: str) -> list[str]:
    survey = survey_for(group, subject)
    if survey is None:
        return ["There is no such survey in this topic group"]
    found = results(survey)
    return [found.refused] if not found.shown else []


def _cells(cells, numbers=None) -> list[dict]:
    numbers = numbers or [None] * len(cells)
    return [{"label": c.label.value, "lang": c.label.lang, "shown": c.shown, "hidden": c.suppressed, "number": n}
            for c, n in zip(cells, numbers)]


def context(group: TopicGroup, subject: str, version: int, built_on: date) -> dict:
    survey = survey_for(group, subject)
    found = results(survey)
    questions = []
    for result in found.questions:
        # A chart's bars labelled by number (charts.pdf_bar_chart) are numbered in its table too.
        numbers = charts.numbered(result.cells) if result.chartable else []
        questions.append({
            "number": result.number, "text": result.text.value, "lang": result.text.lang,
            "kind": result.kind, "shown": result.shown, "answered": result.answered.shown,
            "cells": _cells(result.cells, numbers), "numbered": any(numbers),
            "mean": f"{result.mean:.2f}" if result.mean is not None else None,
            "note": NOT_A_SUM_NOTE if result.kind == QuestionKind.MULTIPLE else "",
            "free_text": result.kind == QuestionKind.TEXT,
            "chart": charts.pdf_bar_chart(result.caption, result.cells) if result.chartable else "",
        })
    texts = [title_of(survey).value] + [t for q in questions for t in [q["text"]] + [c["label"] for c in q["cells"]]]
    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "group": group.title,
        "title": title_of(survey).value,
        "threshold": found.limit,
        "respondents": found.respondents.shown,
        "channels": _cells(found.channels),
        "questions": questions,
        # The faces the PDF loads: the survey's languages and any script its words are in.
        "languages": languages_in(texts, survey.languages),
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(DATE_FORMAT),
    }


def filename(group: TopicGroup, subject: str, version: int) -> str:
    return f"{group.slug}-survey-{subject.partition(':')[2]}-results-v{version}.pdf"


def kind():
    """How the documents pipeline builds it (documents.services.Kind)."""
    from scrutiny.documents.services import Kind

    return Kind(template="pdf/survey_results.html", variable="survey", context=context, problems=problems,
                filename=filename)


def request_pdf(survey: Survey, *, by):
    """(document, started): the results PDF, built again only when the results changed."""
    from scrutiny.documents import services as documents
    from scrutiny.documents.models import DocumentKind

    return documents.request_build(survey.topic_group, DocumentKind.SURVEY_RESULTS, by=by,
                                   subject=subject_for(survey))


def latest_pdf(survey: Survey):
    """The newest built version of the results PDF, or None."""
    from scrutiny.documents import services as documents
    from scrutiny.documents.models import DocumentKind

    return documents.latest_done(survey.topic_group, DocumentKind.SURVEY_RESULTS, subject_for(survey))


def building(survey: Survey):
    """The newest version when it is still being built, else None."""
    from scrutiny.documents import services as documents
    from scrutiny.documents.models import DocumentKind

    newest = documents.versions(survey.topic_group, DocumentKind.SURVEY_RESULTS, subject_for(survey))[:1]
    return documents.reconcile(newest[0]) if newest and not newest[0].is_finished else None
