from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from scrutiny.extensions import db
from scrutiny.organisations import services
from scrutiny.organisations.forms import OrganisationForm
from scrutiny.organisations.models import Organisation
from scrutiny.security import officer_required

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.get("/")
@officer_required
def index():
    return render_template("organisations/index.html", organisations=services.all_organisations(),
                           kind_label=services.kind_label)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(org_id: int | None = None):
    org = None
    if org_id is not None:
        org = db.session.get(Organisation, org_id) or abort(404)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            saved = services.save_organisation(org, name=form.name.data, kind=form.kind.data,
                                               email=form.email.data, website=form.website.data,
                                               notes=form.notes.data, contact_name=form.contact_name.data,
                                               contact_role=form.contact_role.data,
                                               postal_address=form.postal_address.data)
        except services.OrganisationError as err:
            db.session.rollback()
            getattr(form, err.field or "name").errors.append(str(err))
        else:
            flash(f"Saved {saved.name}.", "success")
            return redirect(url_for("organisations.index"))
    title = f"Edit {org.name}" if org else "Add an organisation"
    return render_template("organisations/form.html", form=form, title=title, organisation=org)
