"""RQ jobs of invitations: their e-mails (rendered at send time for the outbox) and the automatic reminders."""
from __future__ import annotations

from datetime import time, timedelta, timezone

from flask import current_app
from scrutiny import jobs, links, mail
from scrutiny.extensions import db
from scrutiny.invitations import services
from scrutiny.invitations.models import AWAITING, Invitation, InvitationStatus, PortalToken
from scrutiny.outbox.jobs import Message, NotSending
from scrutiny.outbox.models import Email

SUBJECTS = {
    "invitation": "Invitation to give evidence: {group}",
    "reminder": "Reminder: your evidence for {group} is due by {deadline}",
    "overdue": "Your evidence for {group} was due on {deadline}",
    "new_link": "Your new link to give evidence: {group}",
    "acknowledgement": "We have received your evidence: {group}",
}


def prepare_email(email: Email) -> Message:
    """The outbox's preparer for a witness's e-mails: rendered at send time
    with a fresh single-use portal link, kept with the link blanked out."""
    invitation = email.invitation
    if invitation.status == InvitationStatus.WITHDRAWN and email.kind != "acknowledgement":
        raise NotSending("Not sent: the invitation was withdrawn")
    link = token = None
    if email.kind in services.LINK_KINDS:
        token = services.issue_token(invitation)
        link = f"{current_app.config['BASE_URL'].rstrip('/')}/portal/start/{token}"
    context = {
        "invitation": invitation, "group": invitation.topic_group, "link": link,
        "submission": email_submission(email), "council_name": current_app.config["COUNCIL_NAME"],
        "grace_days": current_app.config["PORTAL_LINK_GRACE_DAYS"],
    }
    subject = SUBJECTS[email.kind].format(group=invitation.topic_group.title,
                                          deadline=invitation.deadline.strftime("%-d %B %Y"))
    text, html = mail.render(email.kind, subject=subject, **context)

    def forget_link() -> None:  # the link went nowhere: it must not work
        db.session.query(PortalToken).filter_by(token_hash=links.hash_token(token)).delete()

    def mark_sent() -> None:
        if email.kind == "invitation" and invitation.status == InvitationStatus.DRAFT:
            invitation.status, invitation.sent_at = InvitationStatus.SENT, services.utcnow()
            db.session.commit()
            services.schedule_reminders(invitation)

    return Message(subject, text, html, to_name=invitation.contact_name,
                   kept_text=text.replace(link, "[personal link]") if link else None,
                   kept_html=html.replace(link, "#personal-link-removed") if link else None,
                   on_failure=forget_link if token else None, on_sent=mark_sent)


def email_submission(email: Email):
    return email.submission


def automatic_reminder(invitation_id: int, kind: str) -> str:
    """Runs at the scheduled time and decides again: no reminder to anyone who
    has submitted, declined or been withdrawn, and one per deadline."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.status not in AWAITING:
        return "not awaiting evidence"
    today = services.today()
    hour = time(current_app.config["REMINDER_HOUR"])
    if kind == "reminder":
        if invitation.reminded_for_deadline == invitation.deadline or today > invitation.deadline:
            return "not due"
        due = invitation.deadline - timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
        if today < due:  # the deadline moved later
            return _again(invitation, kind, services.local_to_utc(due, hour))
        invitation.reminded_for_deadline = invitation.deadline
    else:
        if invitation.overdue_notice_for_deadline == invitation.deadline:
            return "already sent"
        if today <= invitation.deadline:
            return _again(invitation, kind, services.local_to_utc(invitation.deadline + timedelta(days=1), hour))
        invitation.overdue_notice_for_deadline = invitation.deadline
    db.session.commit()
    services.queue_email(invitation, kind)
    return "queued"


def _again(invitation: Invitation, kind: str, at) -> str:
    jobs.enqueue("scrutiny.invitations.jobs.automatic_reminder", invitation.id, kind,
                 at=at.replace(tzinfo=timezone.utc))
    return "rescheduled"
