"""The council's logo, uploaded by an administrator."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.auth.models import User
from scrutiny.extensions import db


class CouncilLogo(db.Model):
    """The logo on report covers and letters: at most one row is current
    (the newest). PNG as uploaded; SVG stored sanitised."""

    __tablename__ = "council_logos"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))  # image/png or image/svg+xml
    original_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(server_default=func.now())

    uploaded_by: Mapped[User | None] = relationship()
