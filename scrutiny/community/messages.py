"""E-mails to residents about their place at a discussion, through the outbox.

Each belongs to its sign-up (`Email.event_signup_id`), so erasing the
sign-up's details erases them too. Each carries the resident's manage link
(cancel my place, accept an offered place, delete my details). That link
must keep working in every message they were sent, so, like a follower's
unsubscribe link, it is an HMAC of the sign-up under SECRET_KEY, worked out
again when each message goes; only its hash is stored, and recorded
messages hold a placeholder where it goes.

The confirmation carries the discussion as a calendar file (`calendar`).

Each is written in the language of the page the resident signed up on
(`EventSignup.language`), whichever job or officer's action sends it, and
its links open the pages in that language.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _

from scrutiny import i18n, links, mail, outbox
from scrutiny.community import calendar
from scrutiny.community.models import EventSignup
from scrutiny.extensions import db
from scrutiny.outbox.jobs import Message, NotSending
from scrutiny.outbox.models import Email

MANAGE_PATH = "/take-part/discussions/manage/"
MANAGE_TEXT, MANAGE_HREF = "[link to manage your place]", "#manage-link"

CONFIRMED, WAITING, OFFERED, CANCELLED, EVENT_CANCELLED = (
    "event_place", "event_waiting", "event_offer", "event_cancelled_place", "event_cancelled")
KINDS = (CONFIRMED, WAITING, OFFERED, CANCELLED, EVENT_CANCELLED)


def manage_token(signup: EventSignup) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"event-signup-manage\0{signup.public_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def set_manage_token(signup: EventSignup) -> None:
    signup.manage_token_hash = links.hash_token(manage_token(signup))


def _absolute(path: str, language: str = "") -> str:
    """A public page's address; in the resident's language when it is not the default."""
    offered = current_app.config["LANGUAGES"]
    prefix = f"/{language}" if language in offered and language != i18n.default().code else ""
    return current_app.config["BASE_URL"].rstrip("/") + prefix + path


def _queue(signup: EventSignup, kind: str, template: str, subject, *, attach: bool = False) -> Email:
    """`subject`: a function of the event's title, called in the resident's language."""
    event = signup.event
    group = event.topic_group
    with i18n.speaking(signup.language) as language:
        subject = subject(event.title)
        text, html = mail.render(
            f"community/{template}", subject=subject, group=group, event=event, signup=signup,
            manage_text=MANAGE_TEXT, manage_href=MANAGE_HREF,
            event_link=_absolute(f"/take-part/{group.slug}/discussions/{event.public_id}", language.code),
            council_name=current_app.config["COUNCIL_NAME"])
    email = Email(kind=kind, to_address=signup.email, to_name=signup.name, subject=subject, body_text=text,
                  body_html=html, topic_group_id=group.id, event_signup_id=signup.id)
    if attach:
        email.attachment_name = calendar.filename(event)
        email.attachment_type = "text/calendar"
        with i18n.speaking(signup.language):
            email.attachment_text = calendar.for_signup(signup, current_app.config["COUNCIL_NAME"])
    return outbox.queue(email)


def place_confirmed(signup: EventSignup) -> Email:
    return _queue(signup, CONFIRMED, "place_confirmed", lambda title: _("Your place at %(title)s", title=title),
                  attach=True)


def waiting_list(signup: EventSignup) -> Email:
    return _queue(signup, WAITING, "waiting_list",
                  lambda title: _("You are on the waiting list for %(title)s", title=title))


def place_offered(signup: EventSignup) -> Email:
    return _queue(signup, OFFERED, "place_offered",
                  lambda title: _("A place is free at %(title)s: accept it in time", title=title))


def cancelled(signup: EventSignup) -> Email:
    return _queue(signup, CANCELLED, "place_cancelled",
                  lambda title: _("Your place at %(title)s is cancelled", title=title))


def event_cancelled(signup: EventSignup) -> Email:
    return _queue(signup, EVENT_CANCELLED, "event_cancelled", lambda title: _("%(title)s is cancelled", title=title))


def prepare_email(email: Email) -> Message:
    """The outbox's preparer: the manage link put in at send time, the message kept with the placeholder."""
    signup = db.session.get(EventSignup, email.event_signup_id) if email.event_signup_id else None
    if signup is None or signup.erased_at is not None:
        raise NotSending("Not sent: the resident's details were erased")
    token = manage_token(signup)
    if signup.manage_token_hash != links.hash_token(token):  # SECRET_KEY was changed
        signup.manage_token_hash = links.hash_token(token)
        db.session.commit()
    link = _absolute(MANAGE_PATH + token, signup.language)  # opens their page in their language
    return Message(email.subject, email.body_text.replace(MANAGE_TEXT, link),
                   email.body_html.replace(MANAGE_HREF, link), email.to_name,
                   kept_text=email.body_text, kept_html=email.body_html)
