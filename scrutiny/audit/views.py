"""The audit log's page (officers) and its CSV export (administrators)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context

from scrutiny.audit import export, services
from scrutiny.clock import today
from scrutiny.paging import page_number
from scrutiny.security import admin_required, officer_required

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@officer_required
def page():
    filters, problems = services.Filters.from_args(request.args)
    found = services.page(filters, page_number(request.args.get("page")))
    groups = services.groups()
    return render_template("audit/log.html", page=found, filters=filters, problems=problems,
                           actions=services.ACTIONS, people=services.people(), groups=groups,
                           group_titles=dict(groups), typed=request.args)


@bp.get("/audit.csv")
@admin_required
def csv():
    filters, _ = services.Filters.from_args(request.args)
    response = Response(stream_with_context(export.lines(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(today())}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
