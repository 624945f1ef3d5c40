"""Forgotten passwords: a single-use link by e-mail, by the rules of every
e-mailed link (scrutiny.links).

The request does the same work whatever address is typed: it enqueues one
job, and the worker looks the address up (`send_link`). Only an active
account with a password gets a message, through the outbox; its link is
minted when the message is sent (`prepare_email`), so no link ever waits in
a queue or in the database, only its hash. Opening the link spends nothing
(mail scanners open every link); only the form behind it does
(`reset_password`).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, update

from scrutiny import jobs, links, mail, outbox
from scrutiny.audit import services as audit
from scrutiny.auth.models import PasswordResetToken, User
from scrutiny.auth.services import check_password_rules, find_user, normalise_email, tell_password_changed
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.outbox.jobs import Message, NotSending
from scrutiny.outbox.models import Email

log = logging.getLogger(__name__)

KIND = "password_reset"
SUBJECT = "Reset your password"
PATH = "/reset-password/"

# Why a link does not open the form.
UNKNOWN, USED, EXPIRED = links.UNKNOWN, links.USED, links.EXPIRED


class ResetLinkError(ValueError):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def can_reset(user: User | None) -> bool:
    """Members recorded without a password never had one to forget."""
    return bool(user and user.active and user.password_hash)


def request_link(address: str) -> None:
    """Whatever the address, the same answer and the same work here."""
    jobs.for_any_address("scrutiny.auth.password_reset.send_link", normalise_email(address),
                         "password reset request", send_link)


def send_link(address: str) -> str:
    """The worker's half of a request: queue the message if the account may reset."""
    user = find_user(address)
    if not can_reset(user):
        return "no account that can reset"
    outbox.queue(Email(kind=KIND, to_address=user.email, to_name=user.name, user_id=user.id, subject=SUBJECT))
    db.session.commit()
    return "queued"


def issue_token(user: User) -> str:
    """A new link; the user's older unused links stop working."""
    token, token_hash = links.new_token()
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                        PasswordResetToken.used_at.is_(None)))
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash,
                                      expires_at=utcnow() + timedelta(minutes=minutes)))
    db.session.commit()
    return token


def prepare_email(email: Email) -> Message:
    """The outbox's preparer: rendered at send time with a fresh link, kept
    with the link blanked out."""
    user = db.session.get(User, email.user_id) if email.user_id else None
    if not can_reset(user):
        raise NotSending("Not sent: the account can no longer sign in")
    token = issue_token(user)
    link = f"{current_app.config['BASE_URL'].rstrip('/')}{PATH}{token}"
    text, html = mail.render(KIND, subject=SUBJECT, link=link, recipient=user, group=None,
                             minutes=current_app.config["PASSWORD_RESET_MINUTES"],
                             council_name=current_app.config["COUNCIL_NAME"],
                             service_name=current_app.config["SERVICE_NAME"])

    def forget_link() -> None:  # the link went nowhere: it must not work
        db.session.execute(delete(PasswordResetToken).where(
            PasswordResetToken.token_hash == links.hash_token(token)))

    return Message(SUBJECT, text, html, to_name=user.name,
                   kept_text=text.replace(link, "[personal link]"),
                   kept_html=html.replace(link, "#personal-link-removed"),
                   on_failure=forget_link)


def check_token(token: str) -> PasswordResetToken:
    """The link's record if it still works; reading it changes nothing."""
    record, problem = links.look_up(PasswordResetToken, token, live=lambda r: can_reset(r.user))
    if record is None:
        # An account that can no longer reset is as good as no account.
        raise ResetLinkError(UNKNOWN if problem == links.WITHDRAWN else problem)
    return record


def reset_password(token: str, password: str) -> User:
    """Spend the link and set the password, or change nothing."""
    record = check_token(token)
    check_password_rules(password)
    # Claimed only while still unused: of two forms sent at once, one wins.
    claimed = db.session.execute(update(PasswordResetToken).where(
        PasswordResetToken.id == record.id, PasswordResetToken.used_at.is_(None)).values(used_at=utcnow()))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ResetLinkError(USED)
    user = record.user
    user.set_password(password)
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                        PasswordResetToken.id != record.id))
    audit.record("password_changed", obj=user, actor=user, details={"how": "reset by e-mailed link"})
    tell_password_changed(user, how="reset")
    db.session.commit()
    return user
