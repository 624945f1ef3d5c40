"""Officers build a group's surveys here; the group's councillors read them.

Each change goes through `services` (or `translations`), which raise
`SurveyError` with what to change; the view then shows the form again with
what was typed, and commits only when everything passed.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access
from scrutiny.surveys import languages, responding, services, translations
from scrutiny.surveys.forms import ConfirmForm, QuestionForm, ReopenForm, SurveyForm
from scrutiny.surveys.models import LawfulBasis, SurveyStatus
from scrutiny.surveys.texts import BASE, in_language

bp = Blueprint("surveys", __name__)

CONFLICT = "Someone else saved this survey at the same moment. Nothing of yours was saved: try again."


@bp.context_processor
def _helpers():
    return {"english": services.english, "in_language": in_language, "language_name": languages.name,
            "SurveyStatus": SurveyStatus, **responding.field_helpers()}


def _survey_or_404(group: TopicGroup, survey_id: str):
    return services.get_survey(group, survey_id) or abort(404)


def _question_or_404(survey, question_id: int):
    return services.get_question(survey, question_id) or abort(404)


def _commit(action):
    """Run a service call and commit; a refusal comes back as its SurveyError."""
    try:
        result = action()
        db.session.commit()
        return result, None
    except services.SurveyError as err:
        db.session.rollback()
        return None, err
    except StaleDataError:
        db.session.rollback()
        return None, services.SurveyError(CONFLICT)


def _place(form, err: services.SurveyError, default: str) -> None:
    getattr(form, err.field or default, getattr(form, default)).errors.append(str(err))


def _survey_page(group, survey):
    return url_for("surveys.show", slug=group.slug, survey_id=survey.public_id)


# Surveys ---------------------------------------------------------------------

@bp.get("/groups/<slug>/surveys")
@topic_group_access("view")
def index(group: TopicGroup):
    surveys = services.surveys_of(group)
    return render_template("surveys/index.html", group=group, surveys=surveys,
                           counts={s.id: services.response_counts(s) for s in surveys},
                           can_manage=group.can_manage(current_user))


def _details(form: SurveyForm) -> services.SurveyDetails:
    return services.SurveyDetails(
        title=form.title.data or "", introduction=form.introduction.data or "", closes_on=form.closes_on.data,
        withdraw_until=form.withdraw_until.data, lawful_basis=form.lawful_basis.data or "",
        policy_document_url=form.policy_document_url.data or "",
        privacy_controller=form.privacy_controller.data or "", privacy_contact=form.privacy_contact.data or "",
        privacy_purposes=form.privacy_purposes.data or "", privacy_recipients=form.privacy_recipients.data or "",
        privacy_retention=form.privacy_retention.data or "")


def _survey_form_page(group: TopicGroup, survey):
    data = {}
    if survey is not None:
        data = {"version": survey.version_id, "title": services.english(survey.title),
                "introduction": services.english(survey.introduction), "closes_on": survey.closes_on,
                "withdraw_until": survey.withdraw_until, "lawful_basis": survey.lawful_basis,
                "policy_document_url": survey.policy_document_url, "privacy_controller": survey.privacy_controller,
                "privacy_contact": survey.privacy_contact,
                "privacy_purposes": services.english(survey.privacy_purposes),
                "privacy_recipients": services.english(survey.privacy_recipients),
                "privacy_retention": services.english(survey.privacy_retention)}
    form = SurveyForm(data=data)
    if form.validate_on_submit():
        saved, err = _commit(lambda: services.save_survey(group, survey, _details(form), current_user,
                                                          form.version.data))
        if err is None:
            flash("Saved the survey." if survey else "Created the survey. Now add its questions.", "success")
            return redirect(_survey_page(group, saved))
        if survey is not None:
            form.version.data = survey.version_id  # saving again replaces the colleague's version, knowingly
        _place(form, err, "title")
    title = "Edit the survey's details" if survey else "Create a survey"
    return render_template("surveys/form.html", group=group, survey=survey, form=form, title=title,
                           equality=LawfulBasis.EQUALITY.value)


@bp.route("/groups/<slug>/surveys/new", methods=["GET", "POST"])
@topic_group_access("manage")
def new(group: TopicGroup):
    return _survey_form_page(group, None)


@bp.route("/groups/<slug>/surveys/<survey_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def edit(group: TopicGroup, survey_id: str):
    return _survey_form_page(group, _survey_or_404(group, survey_id))


@bp.get("/groups/<slug>/surveys/<survey_id>")
@topic_group_access("view")
def show(group: TopicGroup, survey_id: str):
    survey = _survey_or_404(group, survey_id)
    return render_template(
        "surveys/show.html", group=group, survey=survey, can_manage=group.can_manage(current_user),
        confirm=ConfirmForm(), counts=services.response_counts(survey), language_rows=services.language_rows(survey),
        open_problems=services.open_problems(survey) if survey.status == SurveyStatus.DRAFT else [],
        privacy_gaps=services.privacy_gaps(survey),
        answered={q.id: services.answer_count(q) for q in survey.questions},
        has_census=any(q.code == "ethnic_group" for q in survey.questions))


def _status_change(group, survey_id, change, done: str):
    survey = _survey_or_404(group, survey_id)
    if ConfirmForm().validate_on_submit():
        _, err = _commit(lambda: change(survey))
        if err:
            flash(str(err), "error")
        else:
            flash(done, "success")
    return redirect(_survey_page(group, survey))


@bp.post("/groups/<slug>/surveys/<survey_id>/open")
@topic_group_access("manage")
def open_survey(group: TopicGroup, survey_id: str):
    return _status_change(group, survey_id, lambda s: services.open_survey(s, current_user),
                          "The survey is open: it takes responses until its closing date.")


@bp.post("/groups/<slug>/surveys/<survey_id>/close")
@topic_group_access("manage")
def close_survey(group: TopicGroup, survey_id: str):
    return _status_change(group, survey_id, lambda s: services.close_survey(s, current_user),
                          "The survey is closed: it takes no more responses online.")


@bp.route("/groups/<slug>/surveys/<survey_id>/reopen", methods=["GET", "POST"])
@topic_group_access("manage")
def reopen(group: TopicGroup, survey_id: str):
    survey = _survey_or_404(group, survey_id)
    form = ReopenForm()
    if form.validate_on_submit():
        _, err = _commit(lambda: services.reopen_survey(survey, form.reason.data, current_user))
        if err is None:
            flash("The survey is open again.", "success")
            return redirect(_survey_page(group, survey))
        _place(form, err, "reason")
    return render_template("surveys/reopen.html", group=group, survey=survey, form=form)


# Questions -------------------------------------------------------------------

def _question_details(form: QuestionForm, question) -> services.QuestionDetails:
    option_labels, remove = {}, set()
    for option in question.options if question else []:
        option_labels[option.id] = request.form.get(f"option-{option.id}", services.english(option.label))
        if request.form.get(f"remove-{option.id}"):
            remove.add(option.id)
    return services.QuestionDetails(
        kind=form.kind.data or "", text=form.text.data or "", hint=form.hint.data or "",
        required=bool(form.required.data), new_options=form.option_lines(), option_labels=option_labels,
        remove_option_ids=remove, rating_scale=form.rating_scale.data or 5, rating_low=form.rating_low.data or "",
        rating_high=form.rating_high.data or "", condition_question_id=form.condition_question_id.data,
        condition_operator=form.condition_operator.data or "", condition_option_id=form.condition_option_id.data)


def _question_form_page(group: TopicGroup, survey, question):
    data = {"kind": "single"}
    if question is not None:
        data = {"version": question.version_id, "kind": question.kind, "text": services.english(question.text),
                "hint": services.english(question.hint), "required": question.required,
                "rating_scale": question.rating_scale, "rating_low": services.english(question.rating_low),
                "rating_high": services.english(question.rating_high),
                "condition_question_id": question.condition_question_id,
                "condition_operator": question.condition_operator,
                "condition_option_id": question.condition_option_id}
    form = QuestionForm(data=data)
    position = question.position if question else len(survey.questions)
    form.set_condition_choices([(n, q) for n, q in enumerate(survey.questions, start=1) if q.position < position])
    if form.validate_on_submit():
        saved, err = _commit(lambda: services.save_question(survey, question, _question_details(form, question),
                                                            current_user, form.version.data))
        if err is None:
            flash(f"Saved question {services.number_of(saved)}.", "success")
            return redirect(_survey_page(group, survey) + f"#question-{saved.id}")
        if question is not None:
            db.session.refresh(question)
            form.version.data = question.version_id
        _place(form, err, "text")
    number = services.number_of(question) if question else len(survey.questions) + 1
    return render_template("surveys/question_form.html", group=group, survey=survey, question=question, form=form,
                           number=number, title=f"Edit question {number}" if question else "Add a question",
                           answered=services.answer_count(question) if question else 0)


@bp.route("/groups/<slug>/surveys/<survey_id>/questions/new", methods=["GET", "POST"])
@topic_group_access("manage")
def question_new(group: TopicGroup, survey_id: str):
    return _question_form_page(group, _survey_or_404(group, survey_id), None)


@bp.route("/groups/<slug>/surveys/<survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@topic_group_access("manage")
def question_edit(group: TopicGroup, survey_id: str, question_id: int):
    survey = _survey_or_404(group, survey_id)
    return _question_form_page(group, survey, _question_or_404(survey, question_id))


@bp.post("/groups/<slug>/surveys/<survey_id>/questions/<int:question_id>/move")
@topic_group_access("manage")
def question_move(group: TopicGroup, survey_id: str, question_id: int):
    survey = _survey_or_404(group, survey_id)
    question = _question_or_404(survey, question_id)
    if ConfirmForm().validate_on_submit():
        _, err = _commit(lambda: services.move_question(survey, question, request.form.get("direction", ""),
                                                        current_user))
        if err:
            flash(str(err), "error")
    return redirect(_survey_page(group, survey) + f"#question-{question.id}")


@bp.route("/groups/<slug>/surveys/<survey_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@topic_group_access("manage")
def question_delete(group: TopicGroup, survey_id: str, question_id: int):
    survey = _survey_or_404(group, survey_id)
    question = _question_or_404(survey, question_id)
    number = services.number_of(question)
    form = ConfirmForm()
    if form.validate_on_submit():
        _, err = _commit(lambda: services.delete_question(survey, question, current_user))
        if err is None:
            flash(f"Deleted question {number}. The questions after it moved up one number.", "success")
            return redirect(_survey_page(group, survey))
        flash(str(err), "error")
        return redirect(_survey_page(group, survey) + f"#question-{question.id}")
    return render_template("surveys/delete.html", group=group, survey=survey, form=form,
                           what=f"question {number}", text=services.english(question.text),
                           answered=services.answer_count(question), dependants=services.dependants(survey, question))


@bp.post("/groups/<slug>/surveys/<survey_id>/ethnic-group")
@topic_group_access("manage")
def add_ethnic_group(group: TopicGroup, survey_id: str):
    survey = _survey_or_404(group, survey_id)
    if ConfirmForm().validate_on_submit():
        saved, err = _commit(lambda: services.add_ethnic_group_question(survey, current_user))
        if err:
            flash(str(err), "error")
        else:
            flash(f"Added the ethnic group question as question {services.number_of(saved)}. It is optional.",
                  "success")
            return redirect(_survey_page(group, survey) + f"#question-{saved.id}")
    return redirect(_survey_page(group, survey))


# Languages -------------------------------------------------------------------

def _language_or_404(code: str):
    return languages.get(code) or abort(404)


@bp.route("/groups/<slug>/surveys/<survey_id>/translations/<lang>", methods=["GET", "POST"])
@topic_group_access("manage")
def translate(group: TopicGroup, survey_id: str, lang: str):
    survey = _survey_or_404(group, survey_id)
    language = _language_or_404(lang)
    form = ConfirmForm()
    problems: dict[str, str] = {}
    typed = None
    if form.validate_on_submit():
        typed = request.form
        try:
            changed = translations.save(survey, language.code, request.form, current_user)
            db.session.commit()
        except translations.TranslationError as err:
            db.session.rollback()
            problems = err.problems
        except StaleDataError:
            db.session.rollback()
            problems = {"": CONFLICT}
        else:
            flash(f"Saved {changed} text{'s' if changed != 1 else ''} in {language.english}.", "success")
            return redirect(url_for("surveys.translate", slug=group.slug, survey_id=survey.public_id,
                                    lang=language.code))
    entries = translations.entries(survey, language.code)
    gaps = list(dict.fromkeys(services.missing_texts(survey, language.code)))
    return render_template("surveys/translate.html", group=group, survey=survey, language=language, form=form,
                           entries=entries, problems=problems, typed=typed, gaps=gaps,
                           published=language.code in survey.languages, confirm=ConfirmForm(), base=BASE)


@bp.post("/groups/<slug>/surveys/<survey_id>/languages/<lang>/publish")
@topic_group_access("manage")
def publish_language(group: TopicGroup, survey_id: str, lang: str):
    survey = _survey_or_404(group, survey_id)
    language = _language_or_404(lang)
    if ConfirmForm().validate_on_submit():
        _, err = _commit(lambda: services.publish_language(survey, language.code, current_user))
        if err:
            flash(str(err), "error")
        else:
            flash(f"{language.english} is offered to respondents.", "success")
    return redirect(_survey_page(group, survey) + "#languages")


@bp.post("/groups/<slug>/surveys/<survey_id>/languages/<lang>/withdraw")
@topic_group_access("manage")
def withdraw_language(group: TopicGroup, survey_id: str, lang: str):
    survey = _survey_or_404(group, survey_id)
    language = _language_or_404(lang)
    if ConfirmForm().validate_on_submit():
        _, err = _commit(lambda: services.withdraw_language(survey, language.code, current_user))
        if err:
            flash(str(err), "error")
        else:
            flash(f"{language.english} is no longer offered. Its translations are kept.", "success")
    return redirect(_survey_page(group, survey) + "#languages")
