"""The public survey: open to everyone, no sign-in, in every language of the
site (`@in_languages`: /take-part/... and /<lang>/take-part/...); the
language chosen on the start page stays in the address of every page after.

Start page (introduction, privacy notice), one page of questions, a
confirmation shown only to the browser that sent the answers (the response
id kept in its session, `responding.sent_response`), and withdrawal by
reference. Against spam: a honeypot box (filled: answered as if recorded,
nothing kept) and a limit per client (SURVEY_FORM_LIMITS) on responses
taken and, separately, on withdrawal attempts. A GET records nothing."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from scrutiny.clock import today

from scrutiny import form_limits
from scrutiny.extensions import db
from scrutiny.i18n import current, in_languages
from scrutiny.security import public
from scrutiny.surveys import recording, responding
from scrutiny.surveys.models import LawfulBasis, SurveyStatus
from scrutiny.surveys.public_forms import AnswersForm, RespondentWithdrawForm

bp = Blueprint("take_part_surveys", __name__)





@bp.context_processor
def helpers():
    return {**responding.field_helpers(), "hide_account": True, "LawfulBasis": LawfulBasis,
            "SurveyStatus": SurveyStatus, "today": today()}


def _survey_or_404(slug: str, survey_id: str):
    return responding.public_survey(slug, survey_id) or abort(404)


def _start_page(survey, status: int = 200):
    return (render_template(
        "surveys/public/start.html", survey=survey, group=survey.topic_group,
        survey_languages=responding.languages_of(survey), offered=responding.offered_in(survey, current().code),
        taking=responding.taking_answers(survey)), status)


@bp.get("/take-part/<slug>/surveys/<survey_id>")
@public
@in_languages
def start(slug: str, survey_id: str):
    return _start_page(_survey_or_404(slug, survey_id))


@bp.route("/take-part/<slug>/surveys/<survey_id>/questions", methods=["GET", "POST"])
@form_limits.forms_taken("SURVEY_FORM_LIMITS")
@public
@in_languages
def questions(slug: str, survey_id: str):
    survey = _survey_or_404(slug, survey_id)
    language = current().code
    if not responding.offered_in(survey, language) or not responding.taking_answers(survey):
        return _start_page(survey)
    form = AnswersForm()
    errors, problems, consent_error = {}, [], None
    if form.is_submitted() and form.website.filled():
        form_limits.taken()  # software filling every box: answered as if recorded, nothing kept
        return render_template("surveys/public/sent.html", survey=survey, group=survey.topic_group,
                               response=None, given=[])
    if form.validate_on_submit():
        checked = recording.validate(survey, request.form, language)
        errors = checked.errors
        consent_needed = survey.lawful_basis == LawfulBasis.CONSENT
        if consent_needed and not form.consented.data:
            consent_error = recording.consent_needed()
        if not errors and not consent_error:
            try:
                response = recording.record(survey, checked.answers, "online", language,
                                            consented=bool(form.consented.data) if consent_needed else False)
                db.session.commit()
            except recording.RecordingError as err:
                db.session.rollback()
                problems.append(str(err))
            except IntegrityError:  # the reference drawn twice at the same instant: nothing was kept
                db.session.rollback()
                problems.append(gettext("Your answers could not be saved this time. Please send them again."))
            else:
                form_limits.taken()
                responding.remember_sent(survey, response)
                return redirect(url_for(".sent", slug=slug, survey_id=survey.public_id), 303)
    return render_template(
        "surveys/public/questions.html", survey=survey, group=survey.topic_group, form=form, errors=errors,
        problems=problems, consent_error=consent_error, numbers=responding.numbers(survey),
        posted=request.form if form.is_submitted() else None)


@bp.get("/take-part/<slug>/surveys/<survey_id>/sent")
@public
@in_languages
def sent(slug: str, survey_id: str):
    survey = _survey_or_404(slug, survey_id)
    response = responding.sent_response(survey)
    if response is None:
        return _start_page(survey)  # nothing sent from this browser lately: nothing to show
    return render_template("surveys/public/sent.html", survey=survey, group=survey.topic_group,
                           response=response, given=responding.given_answers(survey, response))


@bp.route("/take-part/<slug>/surveys/<survey_id>/withdraw", methods=["GET", "POST"])
@form_limits.every_attempt("SURVEY_FORM_LIMITS")
@public
@in_languages
def withdraw(slug: str, survey_id: str):
    survey = _survey_or_404(slug, survey_id)
    form = RespondentWithdrawForm()
    withdrawn = None
    if form.validate_on_submit():
        try:
            withdrawn = recording.withdraw(survey, form.reference.data)
            db.session.commit()
        except recording.WithdrawalError as err:
            db.session.rollback()
            form.reference.errors.append(str(err))
    return render_template("surveys/public/withdraw.html", survey=survey, group=survey.topic_group,
                           form=form, withdrawn=withdrawn)
