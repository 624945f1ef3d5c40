"""One row per thing done that a council may have to account for later.

Written in the same transaction as the change it records, and never changed
afterwards: on PostgreSQL a trigger refuses UPDATE and DELETE (migration
0010). So the rows name their actor and object by plain ids and a copy of
their names, not by foreign keys whose cascades would have to change them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from scrutiny.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_time", "happened_at"),
        Index("ix_audit_events_action_time", "action", "happened_at"),
        Index("ix_audit_events_group_time", "topic_group_id", "happened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    happened_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # e.g. "sign_in", "sign_in_failed", "role_changed", "evidence_downloaded", "published".
    action: Mapped[str] = mapped_column(String(48))
    # Who: a staff user (id and the name they had then), or an outsider by a
    # label such as "witness (portal link)"; empty for the system itself.
    actor_user_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    # From where: the client address as the trusted proxy gave it.
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    # On which object: its kind, its id (public id where it has one) and its name then.
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    object_label: Mapped[str] = mapped_column(String(300), default="")
    topic_group_id: Mapped[int | None]
    # Anything else worth keeping (old and new role, the document kind, ...); never a secret.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
