from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from scrutiny.evidence import library as services
from scrutiny.evidence import recorded
from scrutiny.evidence.library_forms import LEAVE_AS_IT_IS, LibraryFilterForm, ReviewForm
from scrutiny.evidence.models import Submission, SubmissionStatus
from scrutiny.evidence.recorded_forms import RecordedEvidenceForm
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.paging import page_number
from scrutiny.security import topic_group_access
from scrutiny.storage import send_stored

bp = Blueprint("evidence", __name__)


@bp.context_processor
def evidence_helpers():
    return {
        "evidence_status_tag": services.status_tag_class,
        "file_type": services.file_type_label,
        "given_by": recorded.given_by,
        "received_via": recorded.received_via_label,
    }


@bp.get("/groups/<slug>/evidence")
@topic_group_access("view")
def library(group: TopicGroup):
    facets = services.facet_counts(group)
    form = LibraryFilterForm(request.args)
    form.set_choices(facets, group.themes)
    found = services.library_page(
        group, page_number(request.args.get("page")), themes=form.chosen(form.theme),
        organisation_id=form.organisation_id, kinds=form.chosen(form.kind), statuses=form.chosen(form.status),
        query=form.q.data or "")
    # Every page link keeps the filters as typed.
    args = {key: request.args.getlist(key) for key in request.args if key != "page"}
    return render_template("evidence/library.html", group=group, form=form, facets=facets, page=found,
                           submissions=found.items, args=args)


@bp.route("/groups/<slug>/evidence/new", methods=["GET", "POST"])
@topic_group_access("manage")
def record(group: TopicGroup):
    form = RecordedEvidenceForm()
    form.set_choices(invitations=recorded.invitations(group), organisations=recorded.organisations(),
                     sessions=recorded.sessions(group), themes=group.themes)
    files_checked: list[str] = []
    if form.validate_on_submit():
        uploads = [(f.stream, f.filename) for f in request.files.getlist(form.files.name) if f.filename]
        try:
            added = recorded.record(group, form.received(), uploads, by=current_user)
        except recorded.NotRecorded as problems:
            db.session.rollback()
            for name, messages in problems.errors.items():
                getattr(form, name).errors = list(getattr(form, name).errors) + messages
            files_checked = problems.files_checked
        else:
            flash(f"Added {added.title} to the evidence library. It is waiting for review.", "success")
            return redirect(url_for("evidence.submission", slug=group.slug, public_id=added.public_id))
    return render_template("evidence/record.html", group=group, form=form, files_checked=files_checked,
                           upload_limit=current_app.config["MAX_UPLOAD_BYTES"])


def _review_form(group: TopicGroup, submission: Submission, **kwargs) -> ReviewForm:
    decided = submission.status if submission.status != SubmissionStatus.SUBMITTED else LEAVE_AS_IT_IS
    form = ReviewForm(data={"decision": decided, "themes": [str(t.id) for t in submission.themes],
                            "officer_summary": submission.officer_summary}, **kwargs)
    form.set_themes(group.themes)
    return form


def _show(group: TopicGroup, submission: Submission, form: ReviewForm | None):
    return render_template("evidence/library_submission.html", group=group, submission=submission, form=form)


@bp.get("/groups/<slug>/evidence/<public_id>")
@topic_group_access("view")
def submission(group: TopicGroup, public_id: str):
    found = services.get_submission(group, public_id) or abort(404)
    form = _review_form(group, found) if group.can_manage(current_user) else None
    return _show(group, found, form)


@bp.post("/groups/<slug>/evidence/<public_id>/review")
@topic_group_access("manage")
def review(group: TopicGroup, public_id: str):
    found = services.get_submission(group, public_id) or abort(404)
    form = _review_form(group, found)
    if form.validate_on_submit():
        try:
            services.review(found, decision=form.decision_value, themes=form.themes.data or [],
                            officer_summary=form.officer_summary.data or "", by=current_user)
        except services.LibraryError as err:
            db.session.rollback()
            getattr(form, err.field or "decision").errors.append(str(err))
        else:
            flash(f"Saved your review of {found.title}.", "success")
            return redirect(url_for("evidence.submission", slug=group.slug, public_id=found.public_id))
    # The page shows what is saved; the form keeps what was typed.
    found = services.get_submission(group, public_id) or abort(404)
    return _show(group, found, form)


@bp.get("/groups/<slug>/evidence/files/<file_public_id>")
@topic_group_access("view")
def download(group: TopicGroup, file_public_id: str):
    file = services.get_file(group, file_public_id) or abort(404)
    services.note_download(file)
    response = send_stored(file.storage_key, mimetype=file.content_type, download_name=file.download_name,
                           sha256=file.sha256, size=file.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Evidence may be confidential: not for shared caches, nor kept after.
    response.headers["Cache-Control"] = "private, no-store"
    return response
