"""A survey's results for its topic group: officers and the group's
councillors read them; officers add them to the group's evidence.

Every figure is suppressed by surveys.results before it reaches a page,
chart, CSV or PDF. There is no public results page: the public sees no
result before a survey closes, and none yet after (the issue leaves that
for later; it would show only closed surveys, with no filters).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from scrutiny.documents.errors import DocumentError
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access
from scrutiny.surveys import charts, evidence_draw, results_document, results_export
from scrutiny.surveys.results import Filters, demographic_questions, language_name, results, survey_of, title_of

bp = Blueprint("survey_results", __name__)


def _survey(group: TopicGroup, survey_id: str):
    survey = survey_of(group, survey_id)
    if survey is None:
        abort(404)
    return survey


@bp.get("/groups/<slug>/surveys/<survey_id>/results")
@topic_group_access("view")
def page(group: TopicGroup, survey_id: str):
    survey = _survey(group, survey_id)
    found = results(survey, Filters.from_args(survey, request.args))
    return render_template("surveys/results.html", group=group, survey=survey, found=found,
                           title=title_of(survey), charts=charts, demographic=demographic_questions(survey),
                           language_name=language_name, can_manage=group.can_manage(current_user),
                           evidence=evidence_draw.evidence_item(survey),
                           pdf=results_document.latest_pdf(survey), building=results_document.building(survey))


@bp.get("/groups/<slug>/surveys/<survey_id>/results.csv")
@topic_group_access("view")
def csv(group: TopicGroup, survey_id: str):
    survey = _survey(group, survey_id)
    found = results(survey, Filters.from_args(survey, request.args))
    response = Response(stream_with_context(results_export.lines(found)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{results_export.filename(found)}"'
    return response


@bp.post("/groups/<slug>/surveys/<survey_id>/results/evidence")
@topic_group_access("manage")
def add_to_evidence(group: TopicGroup, survey_id: str):
    survey = _survey(group, survey_id)
    back = url_for(".page", slug=group.slug, survey_id=survey.public_id)
    try:
        item, created = evidence_draw.draw(survey, by=current_user)
    except evidence_draw.NotDrawn as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(back)
    db.session.commit()
    try:
        results_document.request_pdf(survey, by=current_user)
        pdf_note = " The results PDF with its charts is being built."
    except DocumentError as err:
        pdf_note = f" The PDF was not built: {err}."
    flash(("Added the results to the evidence library, for review." if created
           else "Updated the survey’s evidence item with the latest results.") + pdf_note, "success")
    return redirect(back)
