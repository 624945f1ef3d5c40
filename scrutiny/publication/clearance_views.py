"""Officers clear the evidence going public: each item (publish or withhold,
passages redacted on recorded grounds, a summary) and each of its files
(publish as it is, withhold, or a redacted replacement)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.publication import clearance, cleared
from scrutiny.publication.clearance_forms import REPLACE, FileClearanceForm, ItemClearanceForm
from scrutiny.publication.models import Decision
from scrutiny.security import topic_group_access
from scrutiny.storage import send_stored

bp = Blueprint("clearance", __name__)


@bp.context_processor
def clearance_helpers():
    return {"item_state": clearance.item_state, "file_state": clearance.file_state}


@bp.get("/groups/<slug>/publication/evidence")
@topic_group_access("manage")
def index(group: TopicGroup):
    return render_template("publication/clearance_list.html", group=group, rows=clearance.listing(group),
                           waiting=cleared.uncleared(group))


def _saved(decided) -> dict:
    if decided is None:
        return {}
    return {"decision": decided.decision, "summary": decided.summary,
            "redactions": [{"passage": r.passage, "ground": r.ground, "note": r.public_interest_note}
                           for r in decided.redactions]}


@bp.route("/groups/<slug>/publication/evidence/<public_id>", methods=["GET", "POST"])
@topic_group_access("manage")
def item(group: TopicGroup, public_id: str):
    found = clearance.item(group, public_id) or abort(404)
    decided = clearance.clearance_of(found)
    form = ItemClearanceForm(data=_saved(decided)) if request.method == "GET" else ItemClearanceForm()
    # What the public would read: as saved, or as typed when previewing.
    preview_text = decided.public_text if decided and decided.public_text is not None else found.body
    preview_summary, previewing = (decided.summary if decided else ""), False
    if form.validate_on_submit():
        numbered = form.rows()
        numbers, rows = [n for n, _ in numbered], [row for _, row in numbered]
        if form.preview.data:
            valid, problems = clearance.check_redactions(found.body or "", rows)
            form.show(problems, numbers)
            if not problems:
                previewing, preview_summary = True, (form.summary.data or "").strip()
                preview_text = clearance.redacted_text(found.body or "", [(p, g) for p, g, _ in valid])
        else:
            try:
                done = clearance.clear_item(found, form.decision.data, current_user, rows, form.summary.data or "")
            except clearance.NotCleared as problems:
                db.session.rollback()
                form.show(problems.problems, numbers)
            else:
                flash(f"Saved your decision on {found.title}.", "success")
                for name in done.reopened:
                    flash(f"{name} holds a passage you redacted, so it is waiting for a decision again.",
                          "success")
                return redirect(url_for("clearance.item", slug=group.slug, public_id=found.public_id))
    form.add_blank_rows()
    files = [(f, clearance.clearance_of(f)) for f in found.files]
    return render_template("publication/clearance_item.html", group=group, submission=found, decided=decided,
                           form=form, preview_text=preview_text, preview_summary=preview_summary,
                           previewing=previewing, files=files)


@bp.route("/groups/<slug>/publication/evidence/<public_id>/files/<file_public_id>", methods=["GET", "POST"])
@topic_group_access("manage")
def file(group: TopicGroup, public_id: str, file_public_id: str):
    found = clearance.item(group, public_id) or abort(404)
    evidence_file = clearance.file_of(found, file_public_id) or abort(404)
    decided = clearance.clearance_of(evidence_file)
    chosen = (REPLACE if decided and decided.replacement_storage_key else decided.decision) if decided else None
    form = FileClearanceForm(data={"decision": chosen}) if request.method == "GET" else FileClearanceForm()
    if form.validate_on_submit():
        try:
            if form.decision.data == REPLACE:
                clearance.replace_file(evidence_file, form.replacement.data, current_user)
            else:
                clearance.clear_file(evidence_file, form.decision.data, current_user)
        except clearance.NotCleared as problems:
            db.session.rollback()
            form.show(problems.problems)
        else:
            flash(f"Saved your decision on {evidence_file.download_name}.", "success")
            return redirect(url_for("clearance.item", slug=group.slug, public_id=found.public_id))
    item_decided = clearance.clearance_of(found)
    return render_template("publication/clearance_file.html", group=group, submission=found,
                           evidence_file=evidence_file, decided=decided, form=form,
                           item_withheld=item_decided is not None and item_decided.decision == Decision.WITHHOLD,
                           passages=clearance.redacted_passages(found))


@bp.get("/groups/<slug>/publication/evidence/replacements/<file_public_id>")
@topic_group_access("manage")
def replacement(group: TopicGroup, file_public_id: str):
    decided = clearance.replacement_of(group, file_public_id) or abort(404)
    response = send_stored(decided.replacement_storage_key, mimetype=decided.replacement_content_type,
                           download_name=decided.replacement_name, sha256=decided.replacement_sha256,
                           size=decided.replacement_size or 0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
