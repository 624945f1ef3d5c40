"""Staff accounts: creating them, checking passwords, loading the signed-in user."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from flask import current_app

from scrutiny import outbox
from scrutiny.audit import services as audit
from scrutiny.auth.models import Role, User
from scrutiny.clock import utcnow
from scrutiny.extensions import db

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A rule about accounts was broken; the message is for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user(session_id: str) -> User | None:
    """The signed-in user, unless deactivated, signed out or given a new
    password since this session signed in (User.get_id)."""
    user_id, _, version = (session_id or "").partition(".")
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or version != str(user.session_version):
        return None
    return user


def sign_out(user: User) -> None:
    """Ends this session and every copy of its cookie (and the user's other
    sessions: one version serves them all)."""
    user.end_sessions()
    db.session.commit()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.password_hash:
        _check_dummy_password(password)
        audit.sign_in_attempt(user, succeeded=False)
        return None
    if not user.check_password(password) or not user.active:
        audit.sign_in_attempt(user, succeeded=False)
        return None
    audit.sign_in_attempt(user, succeeded=True)
    return user


def _check_dummy_password(password: str) -> None:
    """Spend as long as a real check, so a wrong address takes as long as a
    wrong password and the response does not tell which accounts exist."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    dummies = current_app.extensions.setdefault("dummy_password_hashes", {})
    if method not in dummies:
        dummies[method] = generate_password_hash("not a real password", method=method)
    User(password_hash=dummies[method]).check_password(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters", "password")


def create_user(email: str, name: str, role: Role | str, password: str | None = None) -> User:
    email = normalise_email(email)
    role = Role(role)
    if find_user(email):
        raise AccountError(f"There is already an account for {email}", "email")
    user = User(email=email, name=name.strip(), role=role, active=True)
    if password is not None:
        check_password_rules(password)
        user.set_password(password)
    db.session.add(user)
    audit.record("user_created", obj=user, details={"role": str(role)})
    db.session.commit()
    return user


def update_user(user: User, *, name: str, role: Role | str, active: bool, password: str | None = None,
                acting_user: User | None = None) -> User:
    role = Role(role)
    if acting_user is not None and acting_user.id == user.id and (role != Role.ADMIN or not active):
        raise AccountError("You cannot remove your own administrator access", "role")
    if password:
        check_password_rules(password)
        user.set_password(password)
        audit.record("password_changed", obj=user, details={"how": "set by an administrator"})
    user.name = name.strip()
    if role != user.role:
        audit.record("role_changed", obj=user, details={"from": str(user.role), "to": str(role)})
    user.role = role
    if active != user.active:
        audit.record("account_reactivated" if active else "account_deactivated", obj=user)
    if user.active and not active:
        user.end_sessions()
    user.active = active
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """A signed-in user's own change: only with their current password, so a
    session left open is not enough to take the account over."""
    if not user.check_password(current):
        raise AccountError("Your current password is not right", "current_password")
    if current == new:
        raise AccountError("Your new password must be different from your current one", "password")
    check_password_rules(new)
    user.set_password(new)
    audit.record("password_changed", obj=user, details={"how": "changed by its owner"})
    tell_password_changed(user, how="changed")
    db.session.commit()


def tell_password_changed(user: User, how: str) -> None:
    """Queued in the caller's transaction: if someone else changed it, the
    owner hears at once and can reset it."""
    base = current_app.config["BASE_URL"].rstrip("/")
    outbox.queue_email(user.email, "password_changed", "Your password has been changed", kind="password_changed",
                       to_name=user.name, user=user, recipient=user, how=how, when=utcnow(),
                       service_name=current_app.config["SERVICE_NAME"], reset_link=f"{base}/forgot-password")


def users_with_role(role: Role) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == role, User.active).order_by(User.name)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.name)))
