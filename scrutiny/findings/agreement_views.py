"""The draft page everyone in the group reads: the whole text with comment
threads, the members' answers, sign-off and reopening; and the versions
with tracked changes between any two."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from scrutiny.extensions import db
from scrutiny.findings import agreement, changes, comment_digest, comments
from scrutiny.findings.agreement_forms import CirculateForm, ReopenForm, SignOffForm, VoteForm, comment_form
from scrutiny.findings.models import CommentTarget, DraftStatus
from scrutiny.groups.models import TopicGroup
from scrutiny.security import topic_group_access

bp = Blueprint("agreement", __name__)

NOW = "now"  # compare a draft with the text as it stands


def _draft_url(group: TopicGroup, anchor: str | None = None) -> str:
    return url_for("agreement.draft", slug=group.slug, _anchor=anchor)


def _page(group: TopicGroup, failed=None, **forms):
    """The draft page; `failed` is the form whose errors the summary lists,
    passed in by the POST that was refused, with what the user typed."""
    user = current_user
    latest = agreement.latest_draft(group)
    current = latest if latest is not None and latest.status == DraftStatus.CIRCULATED else None
    signed = latest if latest is not None and latest.status == DraftStatus.SIGNED_OFF else None
    shown = current or signed
    changed = shown is not None and agreement.text_changed_since(shown, group)
    my_vote = next((v for v in current.votes if v.user_id == user.id), None) if current else None

    items = ([(CommentTarget.SECTION, s.id) for s in agreement.ordered_sections(group)]
             + [(CommentTarget.FINDING, f.id) for f in group.findings]
             + [(CommentTarget.RECOMMENDATION, r.id) for r in group.recommendations])
    comment_forms = {(str(kind), item_id): comment_form(kind, item_id) for kind, item_id in items}
    comment_forms.update(forms.pop("comment_forms", {}))

    can_manage = group.can_manage(user)
    if can_manage and signed is None:
        forms.setdefault("circulate_form", CirculateForm(formdata=None, prefix="circulate"))
    if current is not None and agreement.is_voting_member(group, user):
        forms.setdefault("vote_form", VoteForm(formdata=None, prefix="vote", draft=current.number,
                                               decision=my_vote.decision if my_vote else None,
                                               reason=my_vote.reason if my_vote else ""))
    if current is not None and agreement.can_sign_off(group, user):
        forms.setdefault("sign_off_form", SignOffForm(formdata=None, prefix="sign-off", draft=current.number))
    if signed is not None and agreement.can_reopen(group, user):
        forms.setdefault("reopen_form", ReopenForm(formdata=None, prefix="reopen"))
    return render_template(
        "agreement/draft.html", group=group, sections=agreement.ordered_sections(group), latest=latest,
        current=current, signed=signed, shown=shown, changed=changed, my_vote=my_vote,
        answers=agreement.answers(group, shown) if shown else [], tally=agreement.tally(shown) if shown else {},
        threads=comments.threads(group), comment_forms=comment_forms, can_manage=can_manage,
        is_chair=agreement.is_chair(group, user), draft_label=agreement.draft_label, failed=failed,
        can_comment=comments.can_comment(group, user), **forms)


@bp.get("/groups/<slug>/draft")
@topic_group_access("view")
def draft(group: TopicGroup):
    return _page(group)


@bp.post("/groups/<slug>/draft/comments/<kind>/<int:item_id>")
@topic_group_access("view")
def comment(group: TopicGroup, kind: str, item_id: int):
    if comments.target(group, kind, item_id) is None:
        abort(404)
    form = comment_form(kind, item_id, formdata=request.form)
    if form.validate():
        try:
            added = comments.add_comment(group, current_user, kind, item_id, form.body.data)
        except comments.CommentError as err:
            db.session.rollback()
            (form.body.errors if err.field else form.submit.errors).append(str(err))
        else:
            db.session.commit()
            comment_digest.comment_added(added)  # the lead officer hears once an hour, not per comment
            flash("Your comment is added.", "success")
            return redirect(_draft_url(group, f"comments-{added.target_kind}-{added.target_id}"))
    return _page(group, failed=form, comment_forms={(kind, item_id): form})


@bp.post("/groups/<slug>/draft/circulate")
@topic_group_access("manage")
def circulate(group: TopicGroup):
    form = CirculateForm(prefix="circulate")
    if form.validate():
        try:
            sent = agreement.circulate(group, current_user, form.note.data or "")
            db.session.commit()
        except agreement.AgreementError as err:
            db.session.rollback()
            (form.note.errors if err.field == "note" else form.submit.errors).append(str(err))
        except IntegrityError:  # two officers sent a draft with the same number at once
            db.session.rollback()
            form.submit.errors.append("Another officer sent a draft at the same moment. Check the page before "
                                      "sending again")
        else:
            flash(f"Draft {sent.number} is with the members for agreement.", "success")
            return redirect(_draft_url(group))
    return _page(group, failed=form, circulate_form=form)


@bp.post("/groups/<slug>/draft/answer")
@topic_group_access("view")
def answer(group: TopicGroup):
    form = VoteForm(prefix="vote")
    if form.validate():
        try:
            vote = agreement.record_vote(group, current_user, form.decision.data or "", form.reason.data or "",
                                         number=form.draft.data)
            db.session.commit()
        except agreement.AgreementError as err:
            db.session.rollback()
            field = getattr(form, err.field, None) if err.field else None
            (field.errors if field is not None else form.submit.errors).append(str(err))
        except IntegrityError:  # the same answer sent twice at once (a double click)
            db.session.rollback()
            form.submit.errors.append("Your answer was sent twice at the same moment. Check it above and send "
                                      "it again if it is not what you meant")
        else:
            flash(f"Your answer to draft {vote.draft.number} is recorded: {vote.decision_label.lower()}.",
                  "success")
            return redirect(_draft_url(group, "answers"))
    return _page(group, failed=form, vote_form=form)


@bp.post("/groups/<slug>/draft/sign-off")
@topic_group_access("view")
def sign_off(group: TopicGroup):
    form = SignOffForm(prefix="sign-off")
    form.validate()  # nothing to check on the form itself; gives its fields error lists
    try:
        signed = agreement.sign_off(group, current_user, number=form.draft.data)
    except agreement.AgreementError as err:
        db.session.rollback()
        form.submit.errors.append(str(err))
        return _page(group, failed=form, sign_off_form=form)
    db.session.commit()
    behalf = f" on behalf of {signed.signed_for.name}" if signed.signed_for else ""
    flash(f"Draft {signed.number} is signed off{behalf}. The findings, recommendations and report text are "
          "now locked.", "success")
    return redirect(_draft_url(group))


@bp.post("/groups/<slug>/draft/reopen")
@topic_group_access("view")
def reopen(group: TopicGroup):
    form = ReopenForm(prefix="reopen")
    if form.validate():
        try:
            reopened = agreement.reopen(group, current_user, form.reason.data)
        except agreement.AgreementError as err:
            db.session.rollback()
            (form.reason.errors if err.field == "reason" else form.submit.errors).append(str(err))
        else:
            db.session.commit()
            flash(f"Draft {reopened.number} is reopened: the text can be changed again. Send a new draft to "
                  "members when it is ready.", "success")
            return redirect(_draft_url(group))
    return _page(group, failed=form, reopen_form=form)


@bp.get("/groups/<slug>/draft/versions")
@topic_group_access("view")
def versions(group: TopicGroup):
    drafts = agreement.drafts(group)
    return render_template("agreement/versions.html", group=group, drafts=drafts,
                           draft_label=agreement.draft_label, tally=agreement.tally)


@bp.get("/groups/<slug>/draft/versions/<int:number>")
@topic_group_access("view")
def version(group: TopicGroup, number: int):
    found = agreement.draft_by_number(group, number) or abort(404)
    return render_template("agreement/version.html", group=group, draft=found, text=found.snapshot,
                           answers=agreement.answers(group, found), tally=agreement.tally(found),
                           draft_label=agreement.draft_label)


def _version(group: TopicGroup, value: str | None):
    """(label, snapshot) for a draft number or NOW; None if there is no such version."""
    if value == NOW:
        return "the text now", agreement.snapshot(group)
    try:
        number = int(value or "")
    except ValueError:
        return None
    found = agreement.draft_by_number(group, number)
    return (f"draft {found.number}", found.snapshot) if found else None


@bp.get("/groups/<slug>/draft/compare")
@topic_group_access("view")
def compare(group: TopicGroup):
    drafts = agreement.drafts(group)
    old_arg, new_arg = request.args.get("from"), request.args.get("to")
    if old_arg is None and new_arg is None and len(drafts) >= 2:
        old_arg, new_arg = str(drafts[1].number), str(drafts[0].number)
    parts = old = new = None
    problem = None
    if drafts and (old_arg is not None or new_arg is not None):
        old, new = _version(group, old_arg), _version(group, new_arg)
        if old is None or new is None:
            problem = "Choose two versions of the draft to compare"
        elif old_arg == new_arg:
            problem = "Choose two different versions to compare"
        else:
            parts = changes.compare(old[1], new[1])
    return render_template("agreement/compare.html", group=group, drafts=drafts, parts=parts, problem=problem,
                           old_label=old[0] if old else None, new_label=new[0] if new else None,
                           old_arg=old_arg, new_arg=new_arg, now=NOW), 400 if problem else 200
