"""GET /accessibility: the accessibility statement, open to everyone and
linked from every page's footer."""
from __future__ import annotations

from flask import Blueprint, render_template

from scrutiny.accessibility import services
from scrutiny.security import public

bp = Blueprint("accessibility", __name__)


@bp.get("/accessibility")
@public
def statement():
    return render_template("accessibility/statement.html", statement=services.statement())
