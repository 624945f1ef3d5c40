"""Who may open what: role checks and loaders that every view goes through."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, g
from flask_login import current_user, login_required

from scrutiny.auth.models import Role


def role_required(*roles: Role) -> Callable:
    """Anonymous users go to sign-in; signed-in users without the role get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = tuple(roles)  # read by the route-coverage test
        return wrapped

    return decorator


staff_required = role_required(Role.ADMIN, Role.OFFICER, Role.COUNCILLOR)
officer_required = role_required(Role.ADMIN, Role.OFFICER)
admin_required = role_required(Role.ADMIN)


def topic_group_access(level: str) -> Callable:
    """Load the topic group named by `slug` in the URL into `g.topic_group`.

    level "view": its councillors and any officer; "manage": officers.
    Unknown slug: 404. No access: 403.
    """
    if level not in ("view", "manage"):
        raise ValueError(level)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(slug: str, *args, **kwargs):
            from scrutiny.groups.services import get_group_by_slug

            group = get_group_by_slug(slug)
            if group is None:
                abort(404)
            allowed = group.can_manage(current_user) if level == "manage" else group.can_view(current_user)
            if not allowed:
                abort(403)
            g.topic_group = group
            return view(group, *args, **kwargs)

        wrapped.required_roles = ("topic_group", level)
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Marks a view as open to everyone, on purpose (checked by a test)."""
    view.required_roles = ("public",)
    return view
