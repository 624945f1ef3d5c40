"""Portal sessions, kept server-side: a witness's or responder's browser
holds only a random id in a cookie of its own (never the staff session), so
signing out ends the session for every copy of the cookie, an idle session
ends after PORTAL_IDLE_MINUTES, and none outlives the links that opened it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, func
from sqlalchemy.orm import Mapped, mapped_column

from scrutiny.extensions import db


class PortalSession(db.Model):
    __tablename__ = "portal_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the cookie's value: a copy of the database opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen_at: Mapped[datetime]
    # The absolute end: the expiry of the links that opened it (the latest of them).
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # What this browser may open: {"invitations": {public_id: epoch}, "requests": {public_id: epoch}}.
    grants: Mapped[dict] = mapped_column(JSON, default=dict)
