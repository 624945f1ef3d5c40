from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations import services
from scrutiny.invitations.forms import ActionForm, BulkInvitationForm, ImportForm, InvitationForm
from scrutiny.invitations.models import InvitationStatus
from scrutiny.security import topic_group_access

bp = Blueprint("invitations", __name__)


@bp.get("/groups/<slug>/invitations")
@topic_group_access("manage")
def index(group: TopicGroup):
    status = request.args.get("status") or None
    if status and status not in {s.value for s in InvitationStatus}:
        status = None
    return render_template("invitations/index.html", group=group, status=status,
                           invitations=services.invitations_of(group, status),
                           counts=services.counts_by_status(group), today=services.today(),
                           statuses=list(InvitationStatus))


def _fail(form, err: services.InvitationError, default: str):
    db.session.rollback()
    field = getattr(form, err.field, None) if err.field else None
    (field if field is not None and hasattr(field, "errors") else getattr(form, default)).errors.append(str(err))


def _flash_sent(count: int, send: bool) -> None:
    if count == 1:
        flash(f"1 invitation {'being sent' if send else 'saved as a draft'}.", "success")
    else:
        flash(f"{count} invitations {'being sent' if send else 'saved as drafts'}.", "success")


def _asked_again(form, earlier) -> bool:
    """Whether the page must ask before inviting again: it shows `earlier` and
    remembers what it showed; a second send without the yes is an error."""
    if not services.unconfirmed(earlier, form.seen_earlier.data, form.invite_again.data):
        return False
    if not form.invite_again.data and not services.unconfirmed(earlier, form.seen_earlier.data, True):
        form.invite_again.errors.append("Tick the box to invite them again, or choose another organisation")
    form.seen_earlier.data = ",".join(i.public_id for i in earlier)
    return True


def _notes(earlier) -> list[str]:
    return [services.describe_earlier(i) for i in earlier]


@bp.route("/groups/<slug>/invitations/new", methods=["GET", "POST"])
@topic_group_access("manage")
def new(group: TopicGroup):
    form = InvitationForm(data={"questions": services.default_questions(group)})
    organisations = {o.id: o for o in services.organisations()}
    form.set_organisations(organisations.values())
    earlier = []
    if form.validate_on_submit():
        organisation = organisations.get(form.organisation_id.data)
        if organisation is None:
            form.organisation_id.errors.append("Choose the organisation")
        else:
            contact = services.Contact(organisation, form.contact_name.data, form.contact_email.data,
                                       form.contact_role.data or "")
            try:
                earlier = services.earlier_invitations(group, [contact], form.deadline.data)
                if not _asked_again(form, earlier):
                    services.create_invitation(group, contact, questions=form.questions.data,
                                               deadline=form.deadline.data, by=current_user,
                                               send=form.send_now.data)
                    _flash_sent(1, form.send_now.data)
                    return redirect(url_for("invitations.index", slug=group.slug))
            except services.InvitationError as err:
                earlier = []
                _fail(form, err, "contact_email")
    return render_template("invitations/form.html", group=group, form=form, earlier=_notes(earlier))


@bp.route("/groups/<slug>/invitations/bulk", methods=["GET", "POST"])
@topic_group_access("manage")
def bulk(group: TopicGroup):
    form = BulkInvitationForm(data={"questions": services.default_questions(group)})
    reachable, without_email = services.split_by_email(services.organisations())
    organisations = {o.id: o for o in reachable}
    form.set_organisations(reachable)
    earlier = []
    if form.validate_on_submit():
        contacts = [services.Contact(organisations[i], organisations[i].name, organisations[i].email)
                    for i in form.organisation_ids.data or [] if i in organisations]
        try:
            earlier = services.earlier_invitations(group, contacts, form.deadline.data)
            if not _asked_again(form, earlier):
                created = services.bulk_invite(group, contacts, questions=form.questions.data,
                                               deadline=form.deadline.data, by=current_user,
                                               send=form.send_now.data)
                _flash_sent(len(created), form.send_now.data)
                return redirect(url_for("invitations.index", slug=group.slug))
        except services.InvitationError as err:
            earlier = []
            _fail(form, err, "organisation_ids")
    return render_template("invitations/bulk.html", group=group, form=form, without_email=without_email,
                           earlier=_notes(earlier))


@bp.route("/groups/<slug>/invitations/import", methods=["GET", "POST"])
@topic_group_access("manage")
def import_csv(group: TopicGroup):
    form = ImportForm(data={"questions": services.default_questions(group)})
    report = None
    if form.validate_on_submit():
        upload = form.csv_file.data
        raw = upload.read(1_000_001) if upload else b""
        if not raw:
            form.csv_file.errors.append("Choose a CSV file to import")
        elif len(raw) > 1_000_000:
            form.csv_file.errors.append("The CSV file must be smaller than 1 MB")
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            try:
                report = services.import_csv(group, text, questions=form.questions.data, deadline=form.deadline.data,
                                             by=current_user, send=form.send_now.data)
            except services.InvitationError as err:
                _fail(form, err, "csv_file")
            else:
                if report.awaiting_yes:
                    key = services.hold_import(group, current_user, text, report, questions=form.questions.data,
                                               deadline=form.deadline.data, send=form.send_now.data)
                    return _ask_to_add(group, report, key)
    return render_template("invitations/import.html", group=group, form=form, report=report)


def _ask_to_add(group: TopicGroup, report, key: str):
    return render_template("invitations/import_confirm.html", group=group, report=report, key=key,
                           form=ActionForm(), kind_label=services.kind_label, default_kind=services.default_kind())


@bp.post("/groups/<slug>/invitations/import/confirm")
@topic_group_access("manage")
def confirm_import(group: TopicGroup):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        report, key = services.confirm_import(group, current_user, request.form.get("pending", ""))
    except services.InvitationError as err:
        db.session.rollback()
        flash(f"Nothing was imported: {err}. Upload the file again.", "error")
        return redirect(url_for("invitations.import_csv", slug=group.slug))
    if report is None:
        flash("This upload has expired or was already imported. Upload the file again.", "error")
        return redirect(url_for("invitations.import_csv", slug=group.slug))
    if key is not None:
        return _ask_to_add(group, report, key)
    form = ImportForm(formdata=None, data={"questions": services.default_questions(group)})
    return render_template("invitations/import.html", group=group, form=form, report=report)


def _invitation(group: TopicGroup, invitation_id: str):
    return services.get_invitation(group, invitation_id) or abort(404)


@bp.get("/groups/<slug>/invitations/<invitation_id>")
@topic_group_access("manage")
def show(group: TopicGroup, invitation_id: str):
    invitation = _invitation(group, invitation_id)
    return render_template("invitations/show.html", group=group, invitation=invitation, form=ActionForm(),
                           today=services.today())


@bp.post("/groups/<slug>/invitations/<invitation_id>/<action>")
@topic_group_access("manage")
def act(group: TopicGroup, invitation_id: str, action: str):
    invitation = _invitation(group, invitation_id)
    actions = {
        "send": (services.send_invitation, "The invitation is being sent."),
        "remind": (services.send_reminder, "A reminder is being sent."),
        "withdraw": (services.withdraw, "The invitation is withdrawn; its evidence page is closed."),
    }
    if action not in actions:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    do, message = actions[action]
    try:
        do(invitation)
    except services.InvitationError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        flash(message, "success")
    return redirect(url_for("invitations.show", slug=group.slug, invitation_id=invitation.public_id))
