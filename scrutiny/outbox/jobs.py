"""The one job that sends e-mail, with retries, for every kind of message.

Most messages are rendered when queued and sent as recorded. A package whose
messages must be rendered at send time (a witness's single-use portal link
is minted only when the message goes, so a link never sits in a queue)
registers a *preparer* for its kinds of e-mail; see `register_preparer`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rq import get_current_job
from rq.utils import import_attribute

from scrutiny import mail
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.outbox.models import Email, EmailStatus


@dataclass
class Message:
    """What a preparer hands back: the message to send now."""

    subject: str
    text: str
    html: str
    to_name: str = ""
    # What to record as the body, when it differs from what was sent (a
    # personal link blanked out).
    kept_text: str | None = None
    kept_html: str | None = None
    on_failure: Callable[[], None] | None = None  # e.g. withdraw the link that went nowhere
    on_sent: Callable[[], None] | None = None  # e.g. mark the invitation sent
    headers: dict[str, str] = field(default_factory=dict)  # e.g. a follower's List-Unsubscribe


class NotSending(Exception):
    """A preparer's decision not to send at all (the invitation was
    withdrawn); the message says why and is recorded on the e-mail."""


# kind of e-mail -> dotted path of its preparer, `prepare(email) -> Message`.
_PREPARERS: dict[str, str] = {}


def register_preparer(kinds: Iterable[str], dotted_path: str) -> None:
    """Kinds of e-mail rendered at send time by `dotted_path` (imported
    when first needed, so registering costs no imports). A kind may carry a
    qualifier after a colon ("review_news:42": the news of event 42, so a
    message is never recorded twice for one event); it is prepared as the
    kind before the colon."""
    for kind in kinds:
        _PREPARERS[kind] = dotted_path


def _will_retry() -> bool:
    job = get_current_job()
    return bool(job and job.retries_left)


def _recorded(email: Email) -> Message:
    return Message(email.subject, email.body_text, email.body_html, email.to_name)


def _attachment(email: Email) -> tuple[str, str, str] | None:
    """The e-mail's one text attachment (a calendar file), when it has one."""
    if not email.attachment_text:
        return None
    return email.attachment_name or "attachment.txt", email.attachment_type or "text/plain", email.attachment_text


def deliver(email_id: int) -> str:
    """Send one recorded e-mail. Marked sent only after the mail server took it;
    a failure is recorded on the e-mail and re-raised so RQ retries it."""
    email = db.session.get(Email, email_id)
    if email is None or email.status == EmailStatus.SENT:
        return "nothing to send"
    preparer = _PREPARERS.get(email.kind) or _PREPARERS.get(email.kind.partition(":")[0])
    try:
        message = import_attribute(preparer)(email) if preparer else _recorded(email)
    except NotSending as why:
        email.status, email.last_error = EmailStatus.FAILED, str(why)
        db.session.commit()
        return "not sent"
    email.subject = message.subject
    email.body_text = message.text if message.kept_text is None else message.kept_text
    email.body_html = message.html if message.kept_html is None else message.kept_html
    email.attempts += 1
    try:
        mail.send(mail.build(email.to_address, message.subject, message.text, message.html,
                             to_name=message.to_name or email.to_name, headers=message.headers,
                             attachment=_attachment(email)))
    except mail.MailError as err:
        if message.on_failure:
            message.on_failure()
        email.last_error = str(err)[:2000]
        email.status = EmailStatus.RETRYING if _will_retry() else EmailStatus.FAILED
        db.session.commit()
        raise
    email.status, email.sent_at, email.last_error = EmailStatus.SENT, utcnow(), ""
    db.session.commit()
    if message.on_sent:
        message.on_sent()
        db.session.commit()
    return "sent"
