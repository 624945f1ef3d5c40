from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from scrutiny.extensions import db


def kind_label(kind: str) -> str:
    """The council's name for a kind of organisation (ORGANISATION_KINDS)."""
    return current_app.config["ORGANISATION_KINDS"].get(kind, kind)


class Organisation(db.Model):
    """A body that gives evidence or receives recommendations.

    `kind` is a key of the ORGANISATION_KINDS setting, so each council names
    its own kinds (and later issues hang response rules on them).
    """

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    # Who letters are addressed to, and where they go.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_role: Mapped[str] = mapped_column(String(200), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"
