"""The council's logo, for administrators: upload, replace, preview, remove."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from scrutiny.branding import services
from scrutiny.branding.forms import LogoForm, RemoveLogoForm
from scrutiny.security import admin_required

bp = Blueprint("branding", __name__, url_prefix="/admin/logo")


def _page(form: LogoForm, status: int = 200):
    return render_template("branding/logo.html", form=form, logo=services.current_logo(),
                           limit=services.MAX_BYTES), status


@bp.get("")
@admin_required
def logo():
    return _page(LogoForm())


@bp.post("")
@admin_required
def upload():
    form = LogoForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    if not form.logo.data or not form.logo.data.filename:
        form.logo.errors = ["Choose a PNG or SVG file of the council’s logo"]
        return _page(form, 400)
    try:
        services.upload_logo(form.logo.data.stream, form.logo.data.filename, by=current_user)
    except services.LogoRefused as refused:
        form.logo.errors = [str(refused)]
        return _page(form, 400)
    flash("The logo is saved. Reports and letters built from now on carry it.", "success")
    return redirect(url_for("branding.logo"))


@bp.post("/remove")
@admin_required
def remove():
    if not RemoveLogoForm().validate_on_submit():
        abort(400)
    if services.remove_logo():
        flash("The logo is removed. Reports and letters built from now on have none.", "success")
    return redirect(url_for("branding.logo"))


@bp.get("/image")
@admin_required
def image():
    logo = services.current_logo()
    if logo is None:
        abort(404)
    # Always a checked PNG (an SVG was drawn as one), so it cannot run anything.
    response = send_file(io.BytesIO(services.logo_bytes(logo)), mimetype=logo.content_type, max_age=0,
                         etag=logo.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
