"""Inviting witnesses: invitations, their portal links, e-mails and reminders."""
from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import func, select

from scrutiny import jobs, links
from scrutiny.audit import services as audit
from scrutiny.clock import local_to_utc, today, utcnow  # noqa: F401 - also used as services.today etc.
from scrutiny.auth.models import User
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny import outbox
from scrutiny.invitations import pending_imports
from scrutiny.invitations.models import AWAITING, Invitation, InvitationStatus, PortalToken
from scrutiny.organisations.models import Organisation
from scrutiny.organisations.services import (
    OrganisationError, add_organisation, all_organisations, default_kind, find_by_name, kind_from_text, kinds)
from scrutiny.organisations.services import kind_label  # noqa: F401 - for the views, which show kinds by name
from scrutiny.outbox.models import Email

LINK_KINDS = ("invitation", "reminder", "overdue", "new_link")


class InvitationError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- reading ------------------------------------------------------------------

def get_invitation(group: TopicGroup, public_id: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(
        Invitation.topic_group_id == group.id, Invitation.public_id == public_id))


def by_public_id(public_id: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))


def invitations_of(group: TopicGroup, status: str | None = None) -> list[Invitation]:
    rows = list(db.session.scalars(select(Invitation).where(Invitation.topic_group_id == group.id)
                                   .order_by(Invitation.created_at, Invitation.id)))
    if status:
        now = today()
        rows = [i for i in rows if i.effective_status(now) == status]
    return rows


def counts_by_status(group: TopicGroup) -> dict[InvitationStatus, int]:
    now = today()
    counts = {s: 0 for s in InvitationStatus}
    for invitation in invitations_of(group):
        counts[invitation.effective_status(now)] += 1
    return counts


# ---- creating -----------------------------------------------------------------

@dataclass
class Contact:
    organisation: Organisation
    name: str
    email: str
    role: str = ""  # their job title, named with them in the final report


def _check_email(address: str) -> str:
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvitationError(f"“{address}” is not an email address, like name@example.org",
                              "contact_email") from None


def _check_deadline(deadline: date | None) -> date:
    if deadline is None:
        raise InvitationError("Enter the deadline for written evidence", "deadline")
    if deadline < today():
        raise InvitationError("The deadline must be today or in the future", "deadline")
    return deadline


def _refuse_duplicate(group: TopicGroup, organisation: Organisation, email: str) -> None:
    """A second live invitation to the same address would only mean two links for
    one person (a reminder does that job); after a decline, asking again is allowed."""
    duplicate = db.session.scalar(select(Invitation).where(
        Invitation.topic_group_id == group.id, Invitation.organisation_id == organisation.id,
        func.lower(Invitation.contact_email) == email,
        Invitation.status.not_in([InvitationStatus.WITHDRAWN, InvitationStatus.DECLINED])))
    if duplicate is not None:
        raise InvitationError(f"{organisation.name} ({email}) is already invited to this topic group",
                              "contact_email")


def _new_invitation(group: TopicGroup, contact: Contact, questions: str, deadline: date, by: User | None):
    if not contact.name.strip():
        raise InvitationError("Enter the contact’s name", "contact_name")
    email = _check_email(contact.email)
    _refuse_duplicate(group, contact.organisation, email)
    if len(contact.role.strip()) > 200:
        raise InvitationError("Enter a role of 200 characters or fewer", "contact_role")
    invitation = Invitation(topic_group=group, organisation=contact.organisation, contact_name=contact.name.strip(),
                            contact_role=contact.role.strip(),
                            contact_email=email, questions=questions.strip(), deadline=deadline,
                            status=InvitationStatus.DRAFT, created_by=by)
    db.session.add(invitation)
    audit.record("invitation_created", obj=invitation, actor=by)
    return invitation


def organisations() -> list[Organisation]:
    """Every organisation an officer may invite, by name."""
    return all_organisations()


def split_by_email(organisations: list[Organisation]) -> tuple[list[Organisation], list[Organisation]]:
    """Those a bulk invitation can reach (they have an address) and those it cannot."""
    return [o for o in organisations if o.email], [o for o in organisations if not o.email]


def default_questions(group: TopicGroup) -> str:
    return "\n".join(line.text for line in group.lines_of_enquiry)


def earlier_invitations(group: TopicGroup, contacts: list[Contact], deadline: date | None) -> list[Invitation]:
    """The invitations these organisations already have in this group, live or
    declined: inviting them again is allowed, but only once the officer has
    seen these. What would be refused anyway (a past deadline, a bad address,
    a live invitation to the very same address) is refused first, before asking."""
    _check_deadline(deadline)
    for contact in contacts:
        try:
            _refuse_duplicate(group, contact.organisation, _check_email(contact.email))
        except InvitationError as err:
            if len(contacts) == 1:
                raise
            raise InvitationError(f"{contact.organisation.name}: {err}", "organisation_ids") from None
    return _earlier_of(group, *{c.organisation.id: c.organisation for c in contacts}.values())


def _earlier_of(group: TopicGroup, *organisations: Organisation) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.topic_group_id == group.id, Invitation.organisation_id.in_([o.id for o in organisations]),
        Invitation.status != InvitationStatus.WITHDRAWN).order_by(Invitation.created_at, Invitation.id)))


def describe_earlier(invitation: Invitation) -> str:
    org = invitation.organisation.name
    if invitation.status == InvitationStatus.DECLINED:
        when = invitation.responded_at or invitation.created_at
        reason = f": “{invitation.decline_reason}”" if invitation.decline_reason else ""
        return f"{org} declined on {when:%-d %B %Y}{reason}."
    when = invitation.sent_at or invitation.created_at
    return (f"{org} was already invited on {when:%-d %B %Y} ({invitation.contact_name}, {invitation.contact_email}), "
            f"status: {invitation.effective_status(today()).label}.")


def unconfirmed(earlier: list[Invitation], seen: str | None, confirmed: bool) -> bool:
    """True unless the officer said yes having been shown every one of `earlier`
    (`seen`: the ids the page showed, so a yes to one organisation is not taken
    as a yes to another chosen afterwards)."""
    shown = set((seen or "").split(","))
    return bool(earlier) and not (confirmed and {i.public_id for i in earlier} <= shown)


def create_invitation(group: TopicGroup, contact: Contact, *, questions: str, deadline: date | None,
                      by: User | None, send: bool = False) -> Invitation:
    invitation = _new_invitation(group, contact, questions, _check_deadline(deadline), by)
    db.session.commit()
    if send:
        send_invitation(invitation)
    return invitation


def bulk_invite(group: TopicGroup, contacts: list[Contact], *, questions: str, deadline: date | None,
                by: User | None, send: bool = False) -> list[Invitation]:
    """All or nothing: one bad contact stops the lot, with its name in the message."""
    deadline = _check_deadline(deadline)
    if not contacts:
        raise InvitationError("Choose at least one organisation", "organisation_ids")
    created = []
    try:
        for contact in contacts:
            try:
                created.append(_new_invitation(group, contact, questions, deadline, by))
            except InvitationError as err:
                raise InvitationError(f"{contact.organisation.name}: {err}", "organisation_ids") from None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if send:
        for invitation in created:
            send_invitation(invitation)
    return created


@dataclass
class ImportReport:
    created: list[Invitation] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, row as typed, reason)
    # Organisations the file names that are not on the list, as {name: kind},
    # for the rows that are otherwise good.
    new_organisations: dict[str, str] = field(default_factory=dict)
    # Invitations the organisations of good rows already had in this group
    # (declined, or live to another contact): inviting them again needs a yes too.
    earlier: list[Invitation] = field(default_factory=list)
    # Kept as text: the preview's rollback expires what it loaded.
    earlier_notes: list[str] = field(default_factory=list)
    earlier_ids: list[str] = field(default_factory=list)
    # True when some of those still need the officer's yes: then nothing was saved,
    # and `would_invite` says how many rows the yes would import.
    awaiting_yes: bool = False
    would_invite: int = 0


COLUMNS = "organisation, name, email (and, if you have them, role and kind of organisation)"


def _organisation_for(name: str, kind_text: str) -> tuple[Organisation, bool]:
    """The organisation a row names, added (unsaved) if it is new; and whether it is.
    A kind that is not one is refused even for a known organisation (whose kind
    the file does not change): it is likely a slip in the columns."""
    kind = kind_from_text(kind_text) if kind_text else default_kind()
    if kind is None:
        raise InvitationError(f"“{kind_text}” is not a kind of organisation; use one of: "
                              + ", ".join(kinds().values()))
    existing = find_by_name(name)
    if existing is not None:
        return existing, False
    try:
        return add_organisation(name, kind), True
    except OrganisationError as err:
        raise InvitationError(str(err)) from None


def _import_row(group: TopicGroup, cells: list[str], questions: str, deadline: date,
                by: User | None) -> tuple[Invitation, bool]:
    """The row's invitation, and whether its organisation is new. A row that
    fails takes back what it added, the organisation too. (Not with a
    savepoint: SQLite's driver commits on releasing one that opens the
    transaction, which would save a preview the officer has not agreed to.)"""
    org_name, name, email, role, kind_text = cells
    organisation, is_new = _organisation_for(org_name, kind_text)
    try:
        # Adds nothing to the session unless every check passes.
        return _new_invitation(group, Contact(organisation, name, email, role), questions, deadline, by), is_new
    except InvitationError:
        if is_new:
            db.session.delete(organisation)
            db.session.flush()
        raise


def import_csv(group: TopicGroup, text: str, *, questions: str, deadline: date | None, by: User | None,
               send: bool = False, agreed: Collection[str] = (), agreed_earlier: Collection[str] = ()) -> ImportReport:
    """Rows of organisation, name, e-mail and, optionally, role and kind. Good
    rows are invited; each bad row is reported with its line number and why,
    and nothing else stops. A row may name an organisation not yet on the
    list; it is added only if its name is in `agreed` (the officer has seen
    and said yes to it). Until every such name is agreed nothing is saved,
    and the report says what a yes would do. Likewise for rows inviting an
    organisation again (`agreed_earlier`: the earlier invitations' public ids
    the officer was shown). All in one transaction."""
    deadline = _check_deadline(deadline)
    agreed_names = {" ".join(n.split()).lower() for n in agreed}
    report = ImportReport()
    try:
        for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            typed = ",".join(row)
            if not any(cell.strip() for cell in row):
                continue
            if line_number == 1 and [c.strip().lower() for c in row[:3]] == ["organisation", "name", "email"]:
                continue
            if len(row) not in (3, 4, 5):
                report.rejected.append((line_number, typed, f"has {len(row)} columns; expected {COLUMNS}"))
                continue
            cells = [" ".join(cell.split()) for cell in [*row, "", ""][:5]]
            if not cells[0]:
                report.rejected.append((line_number, typed, "the organisation is missing"))
                continue
            try:
                invitation, is_new = _import_row(group, cells, questions, deadline, by)
            except InvitationError as err:
                report.rejected.append((line_number, typed, str(err)))
                continue
            organisation = invitation.organisation
            if not is_new:
                found = _earlier_of(group, organisation)  # flushes first, so this file's rows have ids
                known = {i.id for i in report.created} | {i.id for i in report.earlier} | {invitation.id}
                report.earlier += [i for i in found if i.id not in known]
            report.created.append(invitation)
            if is_new:
                report.new_organisations[organisation.name] = organisation.kind
        if any(n.lower() not in agreed_names for n in report.new_organisations) or \
                not {i.public_id for i in report.earlier} <= set(agreed_earlier):
            report.earlier_notes = [describe_earlier(i) for i in report.earlier]
            report.earlier_ids = [i.public_id for i in report.earlier]
            db.session.rollback()
            report.awaiting_yes, report.would_invite, report.created = True, len(report.created), []
            return report
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if send:
        for invitation in report.created:
            send_invitation(invitation)
    return report


def hold_import(group: TopicGroup, by: User, text: str, report: ImportReport, *, questions: str, deadline: date,
                send: bool) -> str:
    """Keep an upload that awaits the officer's yes; returns the key its confirmation carries."""
    return pending_imports.keep(pending_imports.PendingImport(
        group_id=group.id, user_id=by.id, text=text, questions=questions, deadline=deadline.isoformat(), send=send,
        organisations=list(report.new_organisations), earlier=report.earlier_ids))


def confirm_import(group: TopicGroup, by: User, key: str) -> tuple[ImportReport | None, str | None]:
    """Import a held upload, adding the organisations the officer agreed to.
    (None, None) when there is no such upload (expired, used, someone else's).
    (report, new key) when the file now names yet another new organisation
    (one was deleted meanwhile), to be agreed to in turn."""
    pending = pending_imports.take(key, group.id, by.id)
    if pending is None:
        return None, None
    try:
        report = import_csv(group, pending.text, questions=pending.questions, deadline=pending.deadline_date,
                            by=by, send=pending.send, agreed=pending.organisations, agreed_earlier=pending.earlier)
    except Exception:
        pending_imports.keep(pending, key)  # nothing was saved: the officer may try again
        raise
    if report.awaiting_yes:
        return report, hold_import(group, by, pending.text, report, questions=pending.questions,
                                   deadline=pending.deadline_date, send=pending.send)
    return report, None


# ---- e-mail -------------------------------------------------------------------

def queue_email(invitation: Invitation, kind: str) -> Email:
    """Record the message for the outbox, which sends it after this commit
    (rendered then, by `jobs.prepare_email`, with a fresh link), marks it
    sent only once the mail server has taken it, and retries."""
    email = outbox.queue(Email(invitation=invitation, kind=kind, to_address=invitation.contact_email,
                               to_name=invitation.contact_name))
    db.session.commit()
    return email


def send_invitation(invitation: Invitation) -> Email:
    if invitation.status != InvitationStatus.DRAFT:
        raise InvitationError("This invitation has already been sent", "status")
    return queue_email(invitation, "invitation")


def send_reminder(invitation: Invitation) -> Email:
    if invitation.status not in AWAITING:
        raise InvitationError(
            f"No reminder for an invitation that is {invitation.effective_status(today()).label.lower()}", "status")
    kind = "overdue" if invitation.deadline < today() else "reminder"
    return queue_email(invitation, kind)


REMINDER_JOB = "scrutiny.invitations.jobs.automatic_reminder"


def reminder_job_id(invitation: Invitation, kind: str) -> str:
    """Fixed per invitation, kind and deadline, so a sweep can ask Redis
    whether it still holds the reminder."""
    return f"invitation-{kind}-{invitation.id}-{invitation.deadline:%Y%m%d}"


def reminder_moments(invitation: Invitation) -> dict[str, datetime]:
    """When the reminder (some days before the deadline) and the overdue
    notice (the day after it) fall due, at the council's morning hour (naive UTC)."""
    hour = time(current_app.config["REMINDER_HOUR"])
    before = invitation.deadline - timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    return {"reminder": local_to_utc(before, hour),
            "overdue": local_to_utc(invitation.deadline + timedelta(days=1), hour)}


def _enqueue_reminder(invitation: Invitation, kind: str, at: datetime | None) -> None:
    jobs.enqueue(REMINDER_JOB, invitation.id, kind, job_id=reminder_job_id(invitation, kind),
                 at=at.replace(tzinfo=timezone.utc) if at is not None else None)


def schedule_reminders(invitation: Invitation) -> None:
    """A reminder some days before the deadline and a notice the day after it;
    the job checks again when it runs."""
    now = utcnow()
    for kind, at in reminder_moments(invitation).items():
        if at > now:
            _enqueue_reminder(invitation, kind, at)


def requeue_lost_reminders() -> int:
    """Schedule again, from the database, every witness reminder and overdue
    notice still owed whose job Redis no longer holds (restarted empty, or
    down when the invitation was sent); one that fell due meanwhile is
    queued now. Returns how many were scheduled or queued."""
    now, on = utcnow(), today()
    count = 0
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.status.in_(AWAITING), Invitation.sent_at.is_not(None),
            Invitation.deadline >= on - timedelta(days=1))):
        for kind, at in reminder_moments(invitation).items():
            if at <= invitation.sent_at:
                continue  # sent too late for it: never owed
            if kind == "reminder" and (invitation.reminded_for_deadline == invitation.deadline
                                       or on > invitation.deadline):
                continue
            if kind == "overdue" and invitation.overdue_notice_for_deadline == invitation.deadline:
                continue
            try:
                Job.fetch(reminder_job_id(invitation, kind), connection=jobs.redis_connection())
                continue
            except NoSuchJobError:
                pass
            _enqueue_reminder(invitation, kind, at if at > now else None)
            count += 1
    return count


def withdraw(invitation: Invitation) -> None:
    if invitation.status == InvitationStatus.WITHDRAWN:
        raise InvitationError("This invitation is already withdrawn", "status")
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.withdrawn_at = utcnow()
    invitation.portal_epoch += 1  # ends every portal session opened before now
    for token in list(invitation.portal_tokens):
        db.session.delete(token)
    audit.record("invitation_withdrawn", obj=invitation)
    db.session.commit()


# ---- portal links -------------------------------------------------------------

def link_expiry(invitation: Invitation) -> datetime:
    last_day = invitation.deadline + timedelta(days=current_app.config["PORTAL_LINK_GRACE_DAYS"])
    return local_to_utc(last_day + timedelta(days=1), time(0))


def issue_token(invitation: Invitation) -> str:
    """A new single-use link token (256 random bits); only its hash is stored."""
    token, token_hash = links.new_token()
    db.session.add(PortalToken(invitation=invitation, token_hash=token_hash,
                               expires_at=link_expiry(invitation)))
    db.session.commit()
    return token


# Why a link did not open the portal (scrutiny.links).
UNKNOWN, USED, EXPIRED, WITHDRAWN = links.UNKNOWN, links.USED, links.EXPIRED, links.WITHDRAWN


def _token_record(token: str) -> tuple[PortalToken | None, str | None]:
    """The live record behind a link, or (None, why it does not open)."""
    return links.look_up(PortalToken, token, live=lambda r: r.invitation.status != InvitationStatus.WITHDRAWN)


def check_token(token: str) -> tuple[Invitation | None, str | None]:
    """Would this link open the portal? Changes nothing: mail scanners open
    every link on delivery, and a look must not spend the witness's link."""
    record, problem = _token_record(token)
    return (record.invitation if record else None), problem


def redeem_token(token: str) -> tuple[Invitation | None, str | None]:
    """(invitation, None) on success, marking the link used; else (None, why).
    Only for the witness's POST from the link's page, never for a GET."""
    record, problem = _token_record(token)
    if record is None:
        return None, problem
    invitation = record.invitation
    record.used_at = utcnow()
    if invitation.status == InvitationStatus.SENT:
        invitation.status = InvitationStatus.OPENED
        invitation.opened_at = utcnow()
    db.session.commit()
    return invitation, None


def request_new_link(address: str) -> int:
    """Send a fresh link for each live invitation to this address. Returns
    how many; the caller says the same thing either way."""
    try:
        email = _check_email(address)
    except InvitationError:
        return 0
    now = utcnow()
    live = [i for i in db.session.scalars(select(Invitation).where(func.lower(Invitation.contact_email) == email))
            if i.status not in (InvitationStatus.WITHDRAWN, InvitationStatus.DRAFT) and link_expiry(i) > now]
    for invitation in live:
        queue_email(invitation, "new_link")
    return len(live)


# ---- the witness's answers ------------------------------------------------------

def respond(invitation: Invitation, accept: bool, reason: str = "") -> None:
    if invitation.status in (InvitationStatus.WITHDRAWN, InvitationStatus.SUBMITTED):
        raise InvitationError("This invitation can no longer be answered", "response")
    if not accept and not reason.strip():
        raise InvitationError("Tell us why you cannot give evidence", "decline_reason")
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.decline_reason = "" if accept else reason.strip()[:2000]
    invitation.responded_at = utcnow()
    db.session.commit()


def can_still_edit(invitation: Invitation) -> bool:
    return invitation.status not in (InvitationStatus.WITHDRAWN, InvitationStatus.DECLINED) \
        and today() <= invitation.deadline
