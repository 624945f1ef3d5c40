from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from scrutiny.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    COUNCILLOR = "councillor"

    @property
    def label(self) -> str:
        return {"admin": "Administrator", "officer": "Scrutiny officer", "councillor": "Councillor"}[
            self.value
        ]




class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    # None: an account that cannot sign in (e.g. a councillor recorded as a member only).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, password change and deactivation: every session
    # cookie carries the version it was opened at and stops working after.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session keeps: the id and the session version it was
        opened at, so a bump (end_sessions) signs out every copy of it."""
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every session opened before now stops working at its next request."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        # Here rather than in each caller, so no way of changing a password
        # (own, admin's, reset link, CLI) can leave the old sessions open.
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff_officer(self) -> bool:
        """Officers and admins organise topic groups."""
        return self.role in (Role.ADMIN, Role.OFFICER)


class PasswordResetToken(db.Model):
    """A single-use "reset your password" link (scrutiny.links): only its hash
    is kept, it expires soon, and only the POST behind its button spends it."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
