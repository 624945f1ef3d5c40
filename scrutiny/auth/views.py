from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from scrutiny.auth import services
from scrutiny.auth.forms import EditUserForm, NewUserForm, SignInForm
from scrutiny.auth.models import User
from scrutiny.extensions import db, limiter
from scrutiny.security import admin_required, public

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

SIGN_IN_FAILED = "The email address or password is not right"


def _failed(response) -> bool:
    """Only failed attempts count towards the limit; a success redirects."""
    return request.method == "POST" and response.status_code != 302


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMITS"]


def _attempted_email() -> str:
    return "sign-in:" + services.normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot send users elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, key_func=_attempted_email, methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: "50 per 15 minutes", methods=["POST"], deduct_when=_failed)
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("index"))
        form.email.errors = [SIGN_IN_FAILED]
        return render_template("auth/sign_in.html", form=form), 200
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


sign_out.required_roles = ("signed_in",)


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
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("auth/user_form.html", form=form, title=f"Edit {user.name}", user=user)
