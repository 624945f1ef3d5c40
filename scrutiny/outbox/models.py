"""Every e-mail the app sends, recorded before it is sent: mail is data."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.extensions import db

class EmailStatus(StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"


# Not yet sent and not given up on: a worker still owes these a try.
UNSENT = (EmailStatus.QUEUED, EmailStatus.RETRYING)


class Email(db.Model):
    """One message and what became of it.

    To a witness (`invitation` set: the body is rendered when sent, with a
    fresh personal link, and kept with the link blanked out) or to anyone
    else (staff, organisations, residents: `body_text` and `body_html` are
    rendered when it is queued and sent as they are).
    """

    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"),
                                                      index=True)
    topic_group_id: Mapped[int | None] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"),
                                                       index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # For a response link e-mail: the request whose link it carries (minted at send time).
    response_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("response_requests.id", ondelete="CASCADE"), index=True)
    # For a follower of a published review: erased with them on unsubscribing,
    # so their address leaves no trace in the outbox either.
    follower_id: Mapped[int | None] = mapped_column(ForeignKey("followers.id", ondelete="CASCADE"), index=True)
    # To a resident about their place at a discussion: erased with their
    # details (retention, or their own request), so the outbox keeps no copy.
    event_signup_id: Mapped[int | None] = mapped_column(ForeignKey("event_signups.id", ondelete="CASCADE"),
                                                        index=True)
    # The acknowledgement of a resident's one-to-one request: erased with their details.
    conversation_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_requests.id", ondelete="CASCADE"), index=True)
    # One text attachment (a calendar file): name, type and content.
    attachment_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    attachment_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # For an acknowledgement: the submission it lists.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    # invitation, reminder, overdue, acknowledgement, new_link, comment_digest, ...
    kind: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]

    # Named, not imported: the outbox serves invitations and must not depend on them.
    invitation = relationship("Invitation", back_populates="emails")
    # By name, like the invitation: the outbox imports no feature.
    submission = relationship("Submission")
