""""Speak to us one-to-one": a resident asks, officers work through the
requests oldest first and close each with notes. The personal fields are
erased RESIDENT_DATA_RETENTION_DAYS after closing (`retention`); the notes
are kept, so officers are asked to name no one in them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from scrutiny import clock, i18n, mail, outbox
from scrutiny.auth.models import User
from scrutiny.community import scheduling
from scrutiny.community.models import ConversationRequest, ConversationStatus
from scrutiny.community.retention import ACKNOWLEDGEMENT_KIND
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.outbox.models import Email

# Lazy: the resident's form shows them in its language, officers' pages in English.
CONTACT_METHODS = {"email": _l("Email"), "phone": _l("Phone call"), "text": _l("Text message")}


class ConversationError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Asked:
    name: str
    preferred_language: str
    contact_method: str
    contact: str
    times: str = ""
    access_needs: str = ""
    language: str = "en"


def ask(group: TopicGroup, asked: Asked) -> ConversationRequest:
    """Record the request; acknowledge it by e-mail when they gave an address. The caller commits."""
    if asked.contact_method not in CONTACT_METHODS:
        raise ConversationError(_("Choose how you would like us to contact you"), "contact_method")
    request = ConversationRequest(
        topic_group=group, name=asked.name.strip(), preferred_language=asked.preferred_language.strip(),
        contact_method=asked.contact_method, contact=asked.contact.strip(), times=asked.times.strip(),
        access_needs=asked.access_needs.strip(), language=asked.language, status=ConversationStatus.OPEN)
    db.session.add(request)
    db.session.flush()
    if request.contact_method == "email":
        with i18n.speaking(request.language):  # in the language of the form they used
            subject = _("We will contact you: %(group)s", group=group.title)
            text, html = mail.render("community/conversation_received", subject=subject, group=group,
                                     request=request, council_name=current_app.config["COUNCIL_NAME"])
        outbox.queue(Email(kind=ACKNOWLEDGEMENT_KIND, to_address=request.contact, to_name=request.name,
                           subject=subject, body_text=text, body_html=html, topic_group_id=group.id,
                           conversation_request_id=request.id))
    return request


def queue_for(group: TopicGroup) -> list[ConversationRequest]:
    """Open requests, oldest first."""
    return list(db.session.scalars(select(ConversationRequest).where(
        ConversationRequest.topic_group_id == group.id, ConversationRequest.status == ConversationStatus.OPEN)
        .order_by(ConversationRequest.created_at, ConversationRequest.id)))


def closed_for(group: TopicGroup) -> list[ConversationRequest]:
    return list(db.session.scalars(select(ConversationRequest).where(
        ConversationRequest.topic_group_id == group.id, ConversationRequest.status == ConversationStatus.CLOSED)
        .order_by(ConversationRequest.closed_at.desc(), ConversationRequest.id.desc())))


def get_request(group: TopicGroup, public_id: str) -> ConversationRequest | None:
    return db.session.scalar(select(ConversationRequest).where(
        ConversationRequest.topic_group_id == group.id, ConversationRequest.public_id == public_id))


def close(request: ConversationRequest, notes: str, *, by: User) -> None:
    if request.status == ConversationStatus.CLOSED:
        raise ConversationError("This request is already closed")
    if not notes.strip():
        raise ConversationError("Enter notes on the conversation, or why it did not happen", "notes")
    request.notes = notes.strip()
    request.status, request.closed_at, request.closed_by = ConversationStatus.CLOSED, clock.utcnow(), by
    scheduling.erase_conversation_after(request)


def contact_method_label(request: ConversationRequest) -> str:
    return CONTACT_METHODS.get(request.contact_method, request.contact_method)
