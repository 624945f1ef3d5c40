from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from scrutiny.clock import today
from scrutiny.documents import letters, services
from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.security import officer_required, topic_group_access
from scrutiny.storage import send_stored

bp = Blueprint("documents", __name__)


@bp.get("/groups/<slug>/documents")
@topic_group_access("view")
def index(group: TopicGroup):
    report_versions = services.versions(group, DocumentKind.REPORT)
    problems = services.kind_of(DocumentKind.REPORT).problems(group, "")
    responses_versions = services.versions(group, DocumentKind.RESPONSES)
    responses_problems = services.kind_of(DocumentKind.RESPONSES).problems(group, "")
    letter_rows, agenda_rows = letters.letter_rows(group), services.agenda_rows(group)
    latest_report = next((d for d in report_versions if d.status == DocumentStatus.DONE), None)
    latest_responses = next((d for d in responses_versions if d.status == DocumentStatus.DONE), None)
    stale = services.out_of_date(group, [latest_report, latest_responses]
                                 + [row[k] for row in agenda_rows for k in ("agenda", "pack")])
    letters_stale = services.out_of_date(group, [row.latest_done for row in letter_rows])
    tracker_versions = services.versions(group, DocumentKind.TRACKER)
    return render_template("documents/index.html", group=group, report_versions=report_versions,
                           tracker_versions=tracker_versions,
                           problems=problems, can_manage=group.can_manage(current_user),
                           letter_rows=letter_rows, agenda_rows=agenda_rows, stale=stale,
                           letters_stale=letters_stale, latest_report=latest_report,
                           responses_versions=responses_versions, responses_problems=responses_problems,
                           latest_responses=latest_responses)


# The documents of a group as a whole (one per group, subject ""), built from
# the Documents page; the responses PDF also from the responses page, the
# tracker's from the tracker.
WHOLE_GROUP_KINDS = (DocumentKind.REPORT, DocumentKind.RESPONSES, DocumentKind.TRACKER)


@bp.post("/groups/<slug>/documents/<kind>/build")
@topic_group_access("manage")
def build(group: TopicGroup, kind: str):
    from flask_wtf import FlaskForm

    # Letters and agendas are built per addressee or session: they have their own buttons.
    if kind not in WHOLE_GROUP_KINDS:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        document, started = services.request_build(group, kind, by=current_user)
    except services.DocumentError as err:
        for problem in err.problems:
            flash(problem, "error")
        return redirect(url_for("documents.index", slug=group.slug))
    if not started:
        flash(f"Nothing has changed since version {document.version}: it is the latest.", "success")
    return redirect(url_for("documents.show", slug=group.slug, document_id=document.public_id))


@bp.post("/groups/<slug>/sessions/<session_id>/agenda-pack")
@topic_group_access("manage")
def build_agenda(group: TopicGroup, session_id: str):
    from flask_wtf import FlaskForm

    session = services.group_session(group, session_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        built = services.request_agenda(group, session, by=current_user)
    except services.DocumentError as err:
        for problem in err.problems:
            flash(problem, "error")
        return redirect(url_for("documents.index", slug=group.slug))
    flash(f"The agenda and the agenda pack for “{session.title}” are "
          f"{'being built' if any(new for _, new in built) else 'unchanged: the latest versions are ready'}.",
          "success")
    return redirect(url_for("documents.index", slug=group.slug, _anchor="agenda-packs"))


def _document(group: TopicGroup, document_id: str) -> Document:
    document = services.get_document(group, document_id) or abort(404)
    return services.reconcile(document)


@bp.get("/groups/<slug>/documents/<document_id>")
@topic_group_access("view")
def show(group: TopicGroup, document_id: str):
    return render_template("documents/show.html", group=group, document=_document(group, document_id))


@bp.get("/groups/<slug>/documents/progress")
@topic_group_access("view")
def progress(group: TopicGroup):
    """The builds a list page shows as running (?id=…&id=…): each one's state,
    so the page can follow them without reloading until they end."""
    documents = services.in_progress(group, request.args.getlist("id")[:100])
    return jsonify({"documents": {d.public_id: {"status": d.status, "progress": d.progress, "finished": d.is_finished}
                                  for d in documents}})


@bp.get("/groups/<slug>/documents/<document_id>/status")
@topic_group_access("view")
def status(group: TopicGroup, document_id: str):
    document = _document(group, document_id)
    return jsonify({
        "status": document.status, "progress": document.progress, "error": document.error or None,
        "pages": document.page_count,
        "download": url_for("documents.download", slug=group.slug, document_id=document.public_id)
        if document.status == DocumentStatus.DONE else None,
    })


@bp.get("/groups/<slug>/documents/<document_id>/download")
@topic_group_access("view")
def download(group: TopicGroup, document_id: str):
    document = _document(group, document_id)
    if document.status != DocumentStatus.DONE or not document.storage_key:
        abort(404)
    name = services.kind_of(document.kind).filename(group, document.subject, document.version)
    return send_stored(document.storage_key, mimetype="application/pdf", download_name=name,
                       sha256=document.sha256, size=document.size, max_age=0)


@bp.get("/groups/<slug>/report")
@topic_group_access("view")
def report_page(group: TopicGroup):
    from scrutiny.documents.report import report_context

    latest = services.latest_done(group, DocumentKind.REPORT)
    context = report_context(group, version=latest.version if latest else 0, built_on=today())
    return render_template("documents/report_page.html", report=context, group=group)



# ---- recommendation letters ------------------------------------------------------------


@bp.get("/groups/<slug>/letters")
@topic_group_access("view")
def letters_page(group: TopicGroup):
    rows = letters.letter_rows(group)
    return render_template("documents/letters.html", group=group, rows=rows,
                           problems=letters.letter_problems(group), rules=letters.due_rules(), form=FlaskForm(),
                           can_manage=group.can_manage(current_user),
                           stale=services.out_of_date(group, [row.latest_done for row in rows]),
                           sent=services.sent_requests(group), further=services.further_requests(group),
                           send_problems=services.send_problems(group) if group.can_manage(current_user) else [])


# Beside the letters it sends; the requests and their links are responses'
# (documents may call responses, not the other way round).
@bp.post("/groups/<slug>/letters/send")
@topic_group_access("manage")
def send_letters(group: TopicGroup):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        result = services.send_letters(group, current_user)
    except services.SendError as err:
        db.session.rollback()
        flash("The letters were not sent. " + " ".join(f"{p.message}." for p in err.problems), "error")
        return redirect(url_for("documents.letters_page", slug=group.slug))
    parts = []
    if result.created:
        parts.append(f"Sent {len(result.created)} {'letter' if len(result.created) == 1 else 'letters'} with "
                     f"{'its' if len(result.created) == 1 else 'their'} response links: "
                     + ", ".join(r.organisation.name for r in result.created) + ".")
    if result.skipped:
        parts.append("Already sent before, so not sent again: "
                     + ", ".join(r.organisation.name for r in result.skipped) + ".")
    flash(" ".join(parts), "success")
    return redirect(url_for("documents.letters_page", slug=group.slug))


@bp.post("/groups/<slug>/letters/build")
@topic_group_access("manage")
def build_letters(group: TopicGroup):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        documents, started = services.request_letters(group, by=current_user)
    except services.DocumentError as err:
        for problem in err.problems:
            flash(problem, "error")
        return redirect(url_for("documents.letters_page", slug=group.slug))
    unchanged = len(documents) - started
    noun = "letter" if len(documents) == 1 else "letters"
    parts = []
    if started:
        parts.append(f"{started} being built")
    if unchanged:
        parts.append(f"{unchanged} unchanged since {'its' if unchanged == 1 else 'their'} latest version")
    flash(f"{len(documents)} {noun}: {', '.join(parts)}.", "success")
    return redirect(url_for("documents.letters_page", slug=group.slug))


# ---- the council's tracker of every group -----------------------------------------------------
# A council-wide document: it belongs to no topic group, so officers (and
# admins) build and read it, from the tracker of every group. Here, not
# beside that page, since documents may call responses and not the other way.


@bp.get("/tracker/pdf")
@officer_required
def tracker_all_page():
    versions = services.versions(None, DocumentKind.TRACKER_ALL)
    latest = next((d for d in versions if d.status == DocumentStatus.DONE), None)
    return render_template("documents/tracker_all.html", versions=versions, latest=latest,
                           problems=services.kind_of(DocumentKind.TRACKER_ALL).problems(None, ""),
                           stale=services.out_of_date(None, [latest]))


@bp.post("/tracker/pdf")
@officer_required
def tracker_all_build():
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        document, started = services.request_build(None, DocumentKind.TRACKER_ALL, by=current_user)
    except services.DocumentError as err:
        for problem in err.problems:
            flash(problem, "error")
        return redirect(url_for("documents.tracker_all_page"))
    flash(f"Version {document.version} is being built." if started
          else f"Nothing has changed since version {document.version}: it is the latest.", "success")
    return redirect(url_for("documents.tracker_all_page", _anchor=f"version-{document.public_id}"))


@bp.get("/tracker/pdf/progress")
@officer_required
def tracker_all_progress():
    """As `progress`, for the council-wide builds the page shows as running."""
    documents = services.in_progress(None, request.args.getlist("id")[:100])
    return jsonify({"documents": {d.public_id: {"status": d.status, "progress": d.progress, "finished": d.is_finished}
                                  for d in documents}})


@bp.get("/tracker/pdf/<document_id>")
@officer_required
def tracker_all_download(document_id: str):
    document = services.get_document(None, document_id, DocumentKind.TRACKER_ALL) or abort(404)
    if services.reconcile(document).status != DocumentStatus.DONE or not document.storage_key:
        abort(404)
    name = services.kind_of(document.kind).filename(None, document.subject, document.version)
    return send_stored(document.storage_key, mimetype="application/pdf", download_name=name,
                       sha256=document.sha256, size=document.size, max_age=0)
