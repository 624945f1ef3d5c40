"""Officers enter paper and interview responses, and withdraw a response for
a respondent who asks by telephone or letter. Both go through `recording`,
as the public form will."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access
from scrutiny.surveys import languages, recording
from scrutiny.surveys.forms import EntryForm, WithdrawForm
from scrutiny.surveys.models import LawfulBasis, SurveyResponse
from scrutiny.surveys.views import _survey_or_404, bp


@bp.route("/groups/<slug>/surveys/<survey_id>/responses/new", methods=["GET", "POST"])
@topic_group_access("manage")
def enter(group: TopicGroup, survey_id: str):
    survey = _survey_or_404(group, survey_id)
    form = EntryForm(data={"language": "en"})
    form.language.choices = [(lang.code, lang.english) for lang in languages.offered()]
    errors, problems, dropped = {}, [], []
    if form.validate_on_submit():
        checked = recording.validate(survey, request.form, form.language.data)
        errors, dropped = checked.errors, checked.dropped
        if not errors:
            try:
                response = recording.record(survey, checked.answers, form.channel.data, form.language.data,
                                            entered_by=current_user, consented=bool(form.consented.data))
                db.session.commit()
            except recording.RecordingError as err:
                db.session.rollback()
                problems.append(str(err))
            except IntegrityError:  # the reference drawn twice at the same instant: nothing was kept
                db.session.rollback()
                problems.append("The response could not be saved this time: nothing was kept. Send it again.")
            else:
                note = ""
                if dropped:
                    numbers = ", ".join(str(survey.questions.index(q) + 1) for q in dropped)
                    note = (f" The answers to question {numbers} were not recorded: the form's earlier answers "
                            "mean the respondent should not have been asked.")
                flash(f"Recorded the response. Its reference is {response.reference}.{note}", "success")
                return redirect(url_for("surveys.entered", slug=group.slug, survey_id=survey.public_id,
                                        reference=response.reference))
    return render_template("surveys/enter.html", group=group, survey=survey, form=form, errors=errors,
                           problems=problems, posted=request.form if form.is_submitted() else None,
                           consent_needed=survey.lawful_basis == LawfulBasis.CONSENT,
                           numbers={q.id: n for n, q in enumerate(survey.questions, start=1)})


@bp.get("/groups/<slug>/surveys/<survey_id>/responses/<reference>")
@topic_group_access("manage")
def entered(group: TopicGroup, survey_id: str, reference: str):
    """The confirmation of one entered response: its reference to write on the paper form."""
    survey = _survey_or_404(group, survey_id)
    response = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                              SurveyResponse.reference == reference))
    if response is None or response.entered_by_id is None:
        abort(404)  # online responses are anonymous: their reference opens nothing here
    return render_template("surveys/entered.html", group=group, survey=survey, response=response)


@bp.route("/groups/<slug>/surveys/<survey_id>/withdraw", methods=["GET", "POST"])
@topic_group_access("manage")
def withdraw(group: TopicGroup, survey_id: str):
    survey = _survey_or_404(group, survey_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            response = recording.withdraw(survey, form.reference.data, by=current_user)
            db.session.commit()
        except recording.WithdrawalError as err:
            db.session.rollback()
            form.reference.errors.append(str(err))
        else:
            flash(f"Withdrew response {response.reference}: its answers are deleted.", "success")
            return redirect(url_for("surveys.show", slug=group.slug, survey_id=survey.public_id))
    return render_template("surveys/withdraw.html", group=group, survey=survey, form=form)
