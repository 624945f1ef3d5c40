"""The witness portal: outsiders with a link, no account. Never shares views
with the officers' pages; what is not the witness's answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from scrutiny.clock import today
from scrutiny.documents.models import Document
from scrutiny.evidence import services as evidence
from scrutiny.evidence.models import Submission
from scrutiny.extensions import db, limiter
from scrutiny.invitations import services as invitations
from scrutiny.invitations.models import Invitation
from scrutiny.portal import access
from scrutiny.portal import new_link as new_link_requests
from scrutiny.portal.forms import (
    ConfirmForm, EvidenceForm, FileActionForm, NewLinkForm, RespondForm, ResponseForm, StartForm,
    StartResponseForm, SubmitResponseForm)
from scrutiny.portal import response_form
from scrutiny.portal.access import responder_request, witness_invitation, witness_submission
from scrutiny.portal.notice import notice_sha256, privacy_notice
from scrutiny.responses import links as response_links
from scrutiny.responses import progress, progress_forms, replies, sending
from scrutiny.responses.models import ResponseRequest
from scrutiny.security import public
from scrutiny.storage import send_stored

bp = Blueprint("portal", __name__, url_prefix="/portal")

PROBLEMS = {
    invitations.UNKNOWN: "This link does not work",
    invitations.USED: "This link has already been used",
    invitations.EXPIRED: "This link has expired",
    invitations.WITHDRAWN: "This invitation has been withdrawn",
}


def _link_problem(problem: str, responding: bool = False):
    title = "This request for a response has ended" if responding and problem == response_links.WITHDRAWN \
        else PROBLEMS[problem]
    return render_template("portal/link_problem.html", title=title, problem=problem, responding=responding,
                           form=NewLinkForm()), 200


@bp.get("/start/<token>")
@public
def start(token: str):
    # Only looks: mail scanners open every link on delivery, and must not
    # spend it. The button on this page posts back here to open the portal.
    invitation, problem = invitations.check_token(token)
    if invitation is None:
        return _link_problem(problem)
    return render_template("portal/start.html", invitation=invitation, form=StartForm())


@bp.post("/start/<token>")
@public
def open_link(token: str):
    if not StartForm().validate_on_submit():
        abort(400)
    invitation, problem = invitations.redeem_token(token)
    if invitation is None:
        return _link_problem(problem)
    access.remember(invitation)
    # Off the token's address at once: it must not stay in the bar or history.
    return redirect(url_for("portal.invitation", invitation_id=invitation.public_id))


@bp.route("/new-link", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
@public
def new_link():
    form = NewLinkForm()
    if form.validate_on_submit():
        # The same answer and the same work whatever the address (scrutiny.portal.new_link).
        new_link_requests.request_links(form.email.data)
        return render_template("portal/new_link_sent.html", email=form.email.data)
    return render_template("portal/link_problem.html", title="Get a new link", problem=None, form=form)


@bp.get("/")
@public
def index():
    mine, requests = access.current_invitations(), access.current_requests()
    if len(mine) == 1 and not requests:
        return redirect(url_for("portal.invitation", invitation_id=mine[0].public_id))
    if len(requests) == 1 and not mine:
        return redirect(url_for("portal.response", request_id=requests[0].public_id))
    return render_template("portal/index.html", invitations=mine, requests=requests, form=NewLinkForm())


@bp.post("/sign-out")
@public
def sign_out():
    access.forget()
    flash("You have left your evidence page. Use your link, or ask for a new one, to come back.", "success")
    return redirect(url_for("portal.index"))


def _sessions_for(invitation: Invitation):
    from scrutiny.sessions.services import sessions_for_invitation

    return sessions_for_invitation(invitation)


@bp.get("/invitations/<invitation_id>")
@witness_invitation
def invitation(invitation: Invitation):
    answered = {"accepted": "accept", "declined": "decline"}.get(invitation.status)
    form = RespondForm(data={"response": answered, "decline_reason": invitation.decline_reason})
    return render_template("portal/invitation.html", invitation=invitation, form=form,
                           sessions=_sessions_for(invitation), can_edit=invitations.can_still_edit(invitation),
                           today=invitations.today())


@bp.post("/invitations/<invitation_id>/respond")
@witness_invitation
def respond(invitation: Invitation):
    form = RespondForm()
    if form.validate_on_submit():
        try:
            invitations.respond(invitation, form.response.data == "accept", form.decline_reason.data or "")
        except invitations.InvitationError as err:
            db.session.rollback()
            getattr(form, err.field if err.field in ("decline_reason",) else "response").errors.append(str(err))
        else:
            flash("Thank you: your answer has been sent to the scrutiny team.", "success")
            return redirect(url_for("portal.invitation", invitation_id=invitation.public_id))
    return render_template("portal/invitation.html", invitation=invitation, form=form,
                           sessions=_sessions_for(invitation), can_edit=invitations.can_still_edit(invitation),
                           today=invitations.today()), 200


@bp.post("/invitations/<invitation_id>/evidence")
@witness_invitation
def new_evidence(invitation: Invitation):
    try:
        submission = evidence.create_draft(invitation)
    except evidence.EvidenceError as err:
        flash(str(err), "error")
        return redirect(url_for("portal.invitation", invitation_id=invitation.public_id))
    return redirect(url_for("portal.edit_evidence", submission_id=submission.public_id))


def _evidence_form(submission: Submission) -> EvidenceForm:
    data = {"title": "" if submission.title == "Untitled evidence" and not submission.body else submission.title,
            "kind": submission.kind, "summary": submission.summary, "body": submission.body,
            "theme_ids": [t.id for t in submission.themes], "confidential": submission.confidential}
    form = EvidenceForm(data=data)
    form.set_themes(submission.topic_group.themes)
    return form


def _render_edit(submission: Submission, form: EvidenceForm, refused=(), saved=(), notes=(), status=200):
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    return render_template("portal/evidence_form.html", submission=submission, form=form, refused=refused,
                           saved=saved, notes=notes, upload_limit=limit, file_form=FileActionForm()), status


@bp.route("/evidence/<submission_id>", methods=["GET", "POST"])
@witness_submission
def edit_evidence(submission: Submission):
    if not submission.is_draft or not invitations.can_still_edit(submission.invitation):
        return render_template("portal/evidence.html", submission=submission)
    form = _evidence_form(submission)
    if not form.is_submitted():
        return _render_edit(submission, form)
    refused: list[str] = []
    if form.validate():
        try:
            evidence.save_draft(submission, title=form.title.data, summary=form.summary.data or "",
                                body=form.body.data or "", kind=form.kind.data,
                                theme_ids=form.theme_ids.data or [], confidential=form.confidential.data)
            uploads = [(f.stream, f.filename) for f in request.files.getlist(form.files.name) if f.filename]
            outcome = evidence.add_files(submission, uploads, confidential=form.files_confidential.data)
            refused = outcome.refused
        except evidence.EvidenceError as err:
            db.session.rollback()
            getattr(form, err.field or "title").errors.append(str(err))
        else:
            if not refused:
                if form.check.data:
                    if outcome.notes:  # a file kept as another type than its name says
                        flash(" ".join(outcome.notes), "success")
                    return redirect(url_for("portal.submit_evidence", submission_id=submission.public_id))
                added = f" and added {len(outcome.saved)} file{'s' if len(outcome.saved) != 1 else ''}" \
                    if outcome.saved else ""
                flash(" ".join([f"Your draft is saved{added}. It is not submitted yet.", *outcome.notes]), "success")
                return redirect(url_for("portal.edit_evidence", submission_id=submission.public_id))
            form.files.errors = list(refused)
            return _render_edit(submission, form, refused, saved=[f.original_name for f in outcome.saved],
                                notes=outcome.notes)
    return _render_edit(submission, form, refused)


@bp.post("/evidence/<submission_id>/files/<file_id>/remove")
@witness_submission
def remove_file(submission: Submission, file_id: str):
    file = evidence.file_of(submission, file_id) or abort(404)
    if FileActionForm().validate_on_submit():
        try:
            evidence.remove_file(submission, file)
            flash(f"Removed “{file.original_name}”.", "success")
        except evidence.EvidenceError as err:
            flash(str(err), "error")
    return redirect(url_for("portal.edit_evidence", submission_id=submission.public_id))


@bp.post("/evidence/<submission_id>/files/<file_id>/confidential")
@witness_submission
def file_confidential(submission: Submission, file_id: str):
    file = evidence.file_of(submission, file_id) or abort(404)
    if FileActionForm().validate_on_submit():
        make = request.form.get("confidential") == "1"
        try:
            evidence.set_file_confidential(submission, file, make)
            flash(f"“{file.original_name}” is {'now confidential' if make else 'no longer confidential'}.", "success")
        except evidence.EvidenceError as err:
            flash(str(err), "error")
    return redirect(url_for("portal.edit_evidence", submission_id=submission.public_id))


@bp.route("/evidence/<submission_id>/submit", methods=["GET", "POST"])
@witness_submission
def submit_evidence(submission: Submission):
    form = ConfirmForm()
    notice = privacy_notice()
    error = None
    if form.validate_on_submit():
        try:
            evidence.submit(submission, notice_sha256=notice_sha256(notice))
        except evidence.EvidenceError as err:
            db.session.rollback()
            error = str(err)
        else:
            flash("Your evidence has been submitted. We have emailed you a receipt listing what we received.",
                  "success")
            return redirect(url_for("portal.invitation", invitation_id=submission.invitation.public_id))
    if not submission.is_draft:
        return redirect(url_for("portal.edit_evidence", submission_id=submission.public_id))
    return render_template("portal/confirm.html", submission=submission, form=form, notice=notice, error=error)


@bp.get("/privacy-notice")
@public
def notice_page():
    return render_template("portal/privacy_notice.html", notice=privacy_notice(under=1))


@bp.get("/evidence/<submission_id>/files/<file_id>")
@witness_submission
def download(submission: Submission, file_id: str):
    file = evidence.file_of(submission, file_id) or abort(404)
    response = send_stored(file.storage_key, mimetype=file.content_type, download_name=file.download_name,
                           sha256=file.sha256, size=file.size, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/invitations/<invitation_id>/sessions/<session_id>/calendar.ics")
@witness_invitation
def session_calendar(invitation: Invitation, session_id: str):
    from scrutiny.sessions.ics import calendar_filename, session_calendar as make_calendar

    session = next((s for s in _sessions_for(invitation) if s.public_id == session_id), None) or abort(404)
    body = make_calendar(session, current_app.config["COUNCIL_NAME"])
    return body, 200, {"Content-Type": "text/calendar; charset=utf-8",
                       "Content-Disposition": f"attachment; filename={calendar_filename(session)}"}




# ---- responses to recommendations --------------------------------------------------


@bp.get("/respond/<token>")
@public
def response_start(token: str):
    # Only looks, as for a witness's link: the button posts back to spend it.
    request_, problem = response_links.check_token(token)
    if request_ is None:
        return _link_problem(problem, responding=True)
    return render_template("portal/response_start.html", response_request=request_, form=StartResponseForm(),
                           recommendations=replies.recommendations_for(request_))


@bp.post("/respond/<token>")
@public
def open_response(token: str):
    if not StartResponseForm().validate_on_submit():
        abort(400)
    request_, problem = response_links.redeem_token(token)
    if request_ is None:
        return _link_problem(problem, responding=True)
    access.remember_request(request_)
    return redirect(url_for("portal.response", request_id=request_.public_id))


def _is_executive(response_request: ResponseRequest) -> bool:
    return response_request.organisation.kind == "council_executive"


def _render_response(response_request: ResponseRequest, rows, problems=(), status=200):
    return render_template("portal/response_form.html", response_request=response_request, rows=rows,
                           problems=list(problems), errors=response_form.errors_by_field(list(problems)),
                           error_list=response_form.error_list(list(problems)),
                           executive=_is_executive(response_request), form=ResponseForm()), status


@bp.get("/responses/<request_id>")
@responder_request
def response(response_request: ResponseRequest):
    answers = replies.answers(response_request)
    db.session.commit()  # answers made for a first visit
    if response_request.is_submitted:
        return render_template("portal/response_submitted.html", response_request=response_request,
                               answers=answers, executive=_is_executive(response_request))
    add = request.args.get("add", type=int)
    return _render_response(response_request, response_form.from_answers(answers, {add: 2} if add else None))


@bp.post("/responses/<request_id>")
@responder_request
def save_response(response_request: ResponseRequest):
    if not ResponseForm().validate_on_submit():
        abort(400)
    if response_request.is_submitted:
        return redirect(url_for("portal.response", request_id=response_request.public_id))
    answers = replies.answers(response_request)
    rows, typed, bad_dates = response_form.from_post(request.form, answers)
    if bad_dates:  # nothing saved: the page shows what was typed, as typed
        db.session.rollback()
        return _render_response(response_request, rows, bad_dates)
    try:
        replies.save_draft(response_request, typed)
    except replies.ReplyError as err:
        db.session.rollback()
        return _render_response(response_request, rows, err.problems)
    add = request.form.get("add", type=int)
    if add is not None:
        return redirect(url_for("portal.response", request_id=response_request.public_id, add=add,
                                _anchor=f"answer-{add}-actions"))
    if request.form.get("action") == "check":
        problems = replies.problems(response_request, today())
        if problems:
            return _render_response(response_request, response_form.from_answers(replies.answers(response_request)),
                                    problems)
        return redirect(url_for("portal.check_response", request_id=response_request.public_id))
    flash("Your draft is saved. It is not submitted yet: anyone from your organisation with a link can carry on "
          "with it.", "success")
    return redirect(url_for("portal.response", request_id=response_request.public_id))


@bp.route("/responses/<request_id>/check", methods=["GET", "POST"])
@responder_request
def check_response(response_request: ResponseRequest):
    if response_request.is_submitted:
        return redirect(url_for("portal.response", request_id=response_request.public_id))
    problems = replies.problems(response_request, today())
    if problems:  # changed since, by a colleague or by the date
        return _render_response(response_request, response_form.from_answers(replies.answers(response_request)),
                                problems)
    form = SubmitResponseForm()
    if form.validate_on_submit():
        try:
            replies.submit(response_request, name=form.name.data, email=form.email.data, today=today())
        except replies.ReplyError as err:
            db.session.rollback()
            return _render_response(response_request,
                                    response_form.from_answers(replies.answers(response_request)), err.problems)
        sending.queue_receipt(response_request)
        db.session.commit()
        flash("Your response has been sent to the scrutiny team. We have emailed you a receipt listing your answers.",
              "success")
        return redirect(url_for("portal.response", request_id=response_request.public_id))
    return render_template("portal/response_check.html", response_request=response_request, form=form,
                           answers=replies.answers(response_request), executive=_is_executive(response_request))


@bp.get("/responses/<request_id>/letter")
@responder_request
def response_letter(response_request: ResponseRequest):
    document = db.session.get(Document, response_request.document_id) if response_request.document_id else None
    if document is None or not document.storage_key:
        # No letter kept with this request (sent separately, or a loaded
        # case's): say so, rather than a bare "page not found".
        return render_template("portal/letter_not_ready.html", response_request=response_request), 404
    response_ = send_stored(document.storage_key, mimetype="application/pdf",
                            download_name=f"letter-{response_request.topic_group.slug}.pdf",
                            sha256=document.sha256, size=document.size, max_age=0)
    response_.headers["Cache-Control"] = "private, no-store"
    return response_


# ---- progress on a submitted response's actions (scrutiny.responses.progress) ----------------
# Months after submitting, the responder's link (see responses.links.link_expiry)
# brings them back here to say how each action is going and to move a target
# date with a reason; they give their name each time, as when they submitted.


def _submitted_action(response_request: ResponseRequest, action_id: str):
    action = progress.find([response_request.id], action_id) or abort(404)
    if not response_request.is_submitted:
        flash(progress.NOT_SUBMITTED + ": submit your response first.", "important")
        return action, redirect(url_for("portal.response", request_id=response_request.public_id))
    return action, None


def _render_action(response_request: ResponseRequest, action, progress_with=None, move_with=None):
    return render_template("portal/action.html", response_request=response_request, action=action,
                           history=progress.history(action),
                           progress_form=progress_with or progress_forms.progress_form(portal=True),
                           move_form=move_with or progress_forms.move_form(portal=True))


@bp.get("/responses/<request_id>/actions/<action_id>")
@responder_request
def response_action(response_request: ResponseRequest, action_id: str):
    action, elsewhere = _submitted_action(response_request, action_id)
    return elsewhere or _render_action(response_request, action)


@bp.post("/responses/<request_id>/actions/<action_id>/progress")
@responder_request
def action_progress(response_request: ResponseRequest, action_id: str):
    action, elsewhere = _submitted_action(response_request, action_id)
    if elsewhere:
        return elsewhere
    form = progress_forms.progress_form(portal=True)
    if not progress_forms.save_progress(form, action):
        db.session.rollback()
        return _render_action(response_request, action, progress_with=form)
    flash("Thank you: your progress update has been sent to the scrutiny team.", "success")
    return redirect(url_for("portal.response_action", request_id=response_request.public_id,
                            action_id=action.public_id))


@bp.post("/responses/<request_id>/actions/<action_id>/target-date")
@responder_request
def action_date(response_request: ResponseRequest, action_id: str):
    action, elsewhere = _submitted_action(response_request, action_id)
    if elsewhere:
        return elsewhere
    form = progress_forms.move_form(portal=True)
    if not progress_forms.save_move(form, action):
        db.session.rollback()
        return _render_action(response_request, action, move_with=form)
    flash(f"The target date is now {action.target_date.strftime(progress.DATE_FORMAT)}. The scrutiny team can see "
          "the reason and the date first given.", "success")
    return redirect(url_for("portal.response_action", request_id=response_request.public_id,
                            action_id=action.public_id))
