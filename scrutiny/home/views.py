from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from scrutiny.home import services
from scrutiny.security import staff_required

bp = Blueprint("home", __name__)


@bp.get("/my-groups")
@staff_required
def mine():
    groups, reports = services.my_groups(current_user)
    return render_template("groups/mine.html", groups=groups, reports=reports,
                           tracker=services.my_tracker(current_user))
