"""Following a published review by e-mail, and telling followers and
witnesses when its report and its responses are published.

Only the address is kept, and erased (with every e-mail to it, by the
foreign key's cascade) on unsubscribing. Double opt-in: asking records the
address and e-mails a confirmation link; opening the link shows a button,
and only pressing it confirms (mail scanners open every link). Asking gives
the same answer whatever the address's state, so the page tells no one who
follows what; a confirmed follower is not mailed again.

Links, by the rules of scrutiny.links (only hashes stored, minted when the
message goes): the confirmation link is a fresh random token each time it
is sent. The unsubscribe link must keep working in every message ever sent,
so it cannot be minted afresh each time and must not wait in the outbox
either: it is an HMAC of the follow (review and address) under SECRET_KEY,
worked out again whenever a message goes, and only its hash is stored.
Recorded e-mails hold placeholders where the links go.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from scrutiny import jobs, links, mail, outbox
from scrutiny.audit import services as audit
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations.models import Invitation, InvitationStatus
from scrutiny.outbox.jobs import Message, NotSending
from scrutiny.outbox.models import Email
from scrutiny.publication.models import EventKind, Follower, PublicationEvent
from scrutiny.publication.published import absolute, review_path

CONFIRM_KIND = "follow_confirm"
NEWS_KIND = "review_news"  # "review_news:<event id>": one message per address per event
NEWS_EVENTS = (EventKind.REPORT_PUBLISHED, EventKind.RESPONSES_PUBLISHED)
CONFIRM_PATH = "/reviews/follow/confirm/"
UNSUBSCRIBE_PATH = "/reviews/follow/unsubscribe/"
# Where the links go in a recorded message, in its text and its HTML.
CONFIRM_TEXT, CONFIRM_HREF = "[confirmation link]", "#confirmation-link"
UNSUBSCRIBE_TEXT, UNSUBSCRIBE_HREF = "[unsubscribe link]", "#unsubscribe-link"

# Why a link does not open its page.
UNKNOWN, EXPIRED = links.UNKNOWN, links.EXPIRED


class FollowLinkError(ValueError):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def normalise(address: str) -> str:
    return (address or "").strip().lower()


def unsubscribe_token(group_id: int, address: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"follow-unsubscribe\0{group_id}\0{address}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _forget_unconfirmed() -> None:
    """Addresses never confirmed are not kept beyond the confirmation period."""
    cutoff = utcnow() - timedelta(days=current_app.config["FOLLOW_CONFIRM_DAYS"])
    stale = select(Follower.id).where(Follower.confirmed_at.is_(None), Follower.asked_at < cutoff)
    db.session.execute(delete(Email).where(Email.follower_id.in_(stale)))  # as in unsubscribe
    erased = db.session.execute(delete(Follower).where(Follower.id.in_(stale))).rowcount
    if erased:
        audit.record("unconfirmed_followers_erased", actor=audit.SYSTEM, details={"followers": erased})


def ask_to_follow(group: TopicGroup, address: str) -> None:
    """Record the address (once) and e-mail it a confirmation link, unless
    it already follows the review. The caller answers the same either way,
    so nothing here may say an e-mail is held up (Redis down)."""
    with jobs.quietly():
        _ask_to_follow(group, address)


def _ask_to_follow(group: TopicGroup, address: str) -> None:
    address = normalise(address)
    _forget_unconfirmed()
    follower = db.session.scalar(select(Follower).where(Follower.topic_group_id == group.id,
                                                        Follower.email == address))
    if follower is None:
        follower = Follower(topic_group_id=group.id, email=address, asked_at=utcnow(),
                            unsubscribe_token_hash=links.hash_token(unsubscribe_token(group.id, address)))
        db.session.add(follower)
        try:
            db.session.flush()
        except IntegrityError:  # the same address asked twice at once: the other request mails it
            db.session.rollback()
            return
    elif follower.confirmed_at is not None:
        db.session.commit()
        return
    else:
        follower.asked_at = utcnow()  # a new link: the period starts again
    subject = f"Confirm you want to follow {group.title}"
    _queue(follower, CONFIRM_KIND, "follow_confirm", subject, group)
    db.session.commit()


def _queue(follower: Follower, kind: str, template: str, subject: str, group: TopicGroup, **context) -> Email:
    text, html = mail.render(template, subject=subject, group=group, follower=follower,
                             review_link=absolute(review_path(group.slug)),
                             confirm_text=CONFIRM_TEXT, confirm_href=CONFIRM_HREF,
                             unsubscribe_text=UNSUBSCRIBE_TEXT, unsubscribe_href=UNSUBSCRIBE_HREF,
                             council_name=current_app.config["COUNCIL_NAME"], **context)
    return outbox.queue(Email(kind=kind, to_address=follower.email, subject=subject, body_text=text,
                              body_html=html, topic_group_id=group.id, follower_id=follower.id))


def prepare_email(email: Email) -> Message:
    """The outbox's preparer for a follower's messages: the links put in at
    send time, the message kept with the placeholders."""
    follower = db.session.get(Follower, email.follower_id) if email.follower_id else None
    if follower is None:  # a witness's news: sent as recorded
        return Message(email.subject, email.body_text, email.body_html, email.to_name)
    text, html = email.body_text, email.body_html
    if email.kind == CONFIRM_KIND:
        if follower.confirmed_at is not None:
            raise NotSending("Not sent: the address was confirmed meanwhile")
        token, follower.confirm_token_hash = links.new_token()
        db.session.commit()  # the link mailed must work even if recording its sending fails
        link = absolute(CONFIRM_PATH + token)
        text, html = text.replace(CONFIRM_TEXT, link), html.replace(CONFIRM_HREF, link)
    token = unsubscribe_token(follower.topic_group_id, follower.email)
    if links.hash_token(token) != follower.unsubscribe_token_hash:  # SECRET_KEY was changed
        follower.unsubscribe_token_hash = links.hash_token(token)
        db.session.commit()
    unsubscribe = absolute(UNSUBSCRIBE_PATH + token)
    return Message(email.subject, text.replace(UNSUBSCRIBE_TEXT, unsubscribe),
                   html.replace(UNSUBSCRIBE_HREF, unsubscribe), email.to_name,
                   kept_text=email.body_text, kept_html=email.body_html,
                   headers={"List-Unsubscribe": f"<{unsubscribe}>"})


def _confirm_link(token: str) -> Follower:
    follower = db.session.scalar(select(Follower).where(Follower.confirm_token_hash == links.hash_token(token)))
    if follower is None or not _is_live(follower.topic_group):
        raise FollowLinkError(UNKNOWN)
    period = timedelta(days=current_app.config["FOLLOW_CONFIRM_DAYS"])
    if follower.confirmed_at is None and follower.asked_at + period <= utcnow():
        raise FollowLinkError(EXPIRED)
    return follower


def _is_live(group: TopicGroup) -> bool:
    return bool(group.publication and group.publication.is_live)


def check_confirm_link(token: str) -> Follower:
    """The follow a confirmation link is for; reading it changes nothing."""
    return _confirm_link(token)


def confirm(token: str) -> Follower:
    follower = _confirm_link(token)
    if follower.confirmed_at is None:
        follower.confirmed_at = utcnow()
        db.session.commit()
    return follower


def check_unsubscribe_link(token: str) -> Follower:
    follower = db.session.scalar(select(Follower).where(
        Follower.unsubscribe_token_hash == links.hash_token(token)))
    if follower is None:
        raise FollowLinkError(UNKNOWN)
    return follower


def unsubscribe(token: str) -> TopicGroup:
    """Erase the follower and every e-mail to them."""
    follower = check_unsubscribe_link(token)
    group = follower.topic_group
    audit.record("follower_erased", obj=follower, actor="Follower (unsubscribe link)")
    # The foreign key's cascade does this on PostgreSQL; said here too for SQLite, which does not enforce it.
    db.session.execute(delete(Email).where(Email.follower_id == follower.id))
    db.session.execute(delete(Follower).where(Follower.id == follower.id))
    db.session.commit()
    return group


def witnesses(group: TopicGroup) -> list[Invitation]:
    """The review's witnesses: the contacts of the invitations it sent (not withdrawn)."""
    return list(db.session.scalars(select(Invitation).where(
        Invitation.topic_group_id == group.id,
        Invitation.status.not_in((InvitationStatus.DRAFT, InvitationStatus.WITHDRAWN)))
        .order_by(Invitation.created_at, Invitation.id)))


def notify(group: TopicGroup, event: PublicationEvent) -> int:
    """Tell every confirmed follower and every witness of the review of its
    report's or its responses' publication: one e-mail each (an address
    once, a follower's with its unsubscribe link), recorded and queued; the
    caller commits. Run again for the same event, it sends nobody anything
    twice. Returns how many e-mails it queued."""
    if event.kind not in NEWS_EVENTS or not _is_live(group):
        return 0
    # Two runs at once for one event: the second waits here (PostgreSQL) and then sees the first's e-mails.
    db.session.execute(select(PublicationEvent.id).where(PublicationEvent.id == event.id).with_for_update())
    kind = f"{NEWS_KIND}:{event.id}"
    told = {normalise(a) for a in db.session.scalars(select(Email.to_address).where(Email.kind == kind))}
    subject = f"{group.title}: {event.title}"
    context = {"event": event}
    count = 0
    followers = db.session.scalars(select(Follower).where(Follower.topic_group_id == group.id,
                                                          Follower.confirmed_at.is_not(None))
                                   .order_by(Follower.id))
    for follower in followers:
        if normalise(follower.email) not in told:
            told.add(normalise(follower.email))
            _queue(follower, kind, "review_news", subject, group, **context)
            count += 1
    for invitation in witnesses(group):
        address = normalise(invitation.contact_email)
        if address and address not in told:
            told.add(address)
            outbox.queue_email(invitation.contact_email, "review_news", subject, kind=kind,
                               to_name=invitation.contact_name, topic_group=group, follower=None,
                               witness=invitation, review_link=absolute(review_path(group.slug)), **context)
            count += 1
    return count
