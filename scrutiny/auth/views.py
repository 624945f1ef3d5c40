from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from scrutiny.auth import password_reset, services, sign_in_limits
from scrutiny.auth.forms import (
    ChangePasswordForm,
    EditUserForm,
    ForgotPasswordForm,
    NewUserForm,
    ResetPasswordForm,
    SignInForm,
)
from scrutiny.auth.models import User
from scrutiny.extensions import db, limiter
from scrutiny.security import admin_required, public, staff_required

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

SIGN_IN_FAILED = "The email address or password is not right"


def _failed(response) -> bool:
    """Only failed attempts count towards the limit; a success redirects."""
    return request.method == "POST" and response.status_code != 302


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMITS"]


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot send users elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Three counts of failures (scrutiny.auth.sign_in_limits): the account's, from browsers that never
# signed in to it; the browser's own, for one that did; the client address's.
@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_limits.account_limit, key_func=sign_in_limits.account_key, methods=["POST"],
               deduct_when=_failed, exempt_when=sign_in_limits.from_known_browser)
@limiter.limit(sign_in_limits.account_limit, key_func=sign_in_limits.known_browser_key, methods=["POST"],
               deduct_when=_failed, exempt_when=sign_in_limits.from_unknown_browser)
@limiter.limit(sign_in_limits.client_limit, methods=["POST"], deduct_when=_failed)
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            response = redirect(_safe_next(request.args.get("next")) or url_for("index"))
            return sign_in_limits.remember_browser(response, user.email)
        form.email.errors = [SIGN_IN_FAILED]
        return render_template("auth/sign_in.html", form=form), 200
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    services.sign_out(current_user._get_current_object())
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


sign_out.required_roles = ("signed_in",)


def _own_account() -> str:
    return f"change-password:{current_user.id}"


def _wrong_current_password(response) -> bool:
    """Only wrong guesses count: a too-short new password is no attack."""
    return bool(g.get("wrong_current_password"))


@bp.route("/change-password", methods=["GET", "POST"])
@staff_required
@limiter.limit(_sign_in_limit, key_func=_own_account, methods=["POST"], deduct_when=_wrong_current_password)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as err:
            db.session.rollback()
            g.wrong_current_password = err.field == "current_password"
            getattr(form, err.field or "password").errors.append(str(err))
        else:
            login_user(current_user._get_current_object())  # this session goes on; the others end
            flash("Your password has been changed. We have emailed you to say so.", "success")
            return redirect(url_for("index"))
    return render_template("auth/change_password.html", form=form)


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_LIMITS"]


def _reset_client_limit() -> str:
    return current_app.config["PASSWORD_RESET_CLIENT_LIMITS"]


def _reset_address() -> str:
    return "reset:" + services.normalise_email(request.form.get("email", ""))


def _link_requested(response) -> bool:
    return bool(g.get("reset_link_requested"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, key_func=_reset_address, methods=["POST"], deduct_when=_link_requested)
@limiter.limit(_reset_client_limit, methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_link(form.email.data)
        g.reset_link_requested = True
        return render_template("auth/reset_link_sent.html", email=form.email.data,
                               minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    return render_template("auth/forgot_password.html", form=form)


RESET_PROBLEMS = {
    password_reset.UNKNOWN: "This link does not work",
    password_reset.USED: "This link has already been used",
    password_reset.EXPIRED: "This link has expired",
}


# The token is in this page's address: it is sent with no Referer (see
# scrutiny.create_app) and kept out of the logs (scrutiny.redaction).
@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        password_reset.check_token(token)  # reading only: opening the link spends nothing
        form = ResetPasswordForm()
        if form.validate_on_submit():
            password_reset.reset_password(token, form.password.data)
            flash("Your password has been reset. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    except password_reset.ResetLinkError as err:
        db.session.rollback()
        return render_template("auth/reset_link_problem.html", title=RESET_PROBLEMS[err.problem],
                               problem=err.problem), 200
    except services.AccountError as err:
        form.password.errors.append(str(err))
    response = current_app.make_response(render_template("auth/reset_password.html", form=form))
    response.headers["Cache-Control"] = "no-store"
    return response


@admin_bp.get("/users")
@admin_required
def users():
    return render_template("auth/users.html", users=services.all_users())


@admin_bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.name.data, form.role.data, form.password.data)
        except services.AccountError as err:
            getattr(form, err.field or "email").errors.append(str(err))
        else:
            flash(f"Added {user.name} ({user.role_label}).", "success")
            return redirect(url_for("admin.users"))
    return render_template("auth/user_form.html", form=form, title="Add a user", user=None)


@admin_bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, role=form.role.data, active=form.active.data,
                                 password=form.password.data or None, acting_user=current_user)
        except services.AccountError as err:
            db.session.rollback()
            getattr(form, err.field or "name").errors.append(str(err))
        else:
            if user.id == current_user.id:
                login_user(user)  # a new password of one's own ends only the other sessions
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("auth/user_form.html", form=form, title=f"Edit {user.name}", user=user)
