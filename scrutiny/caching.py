"""Who may keep a copy of a response: only the public pages say so.

Everything else (signed-in pages, the witness portal, confidential
downloads, sign-in forms) carries someone's data or a form token, so no
browser or shared cache may store it: a shared computer's Back button or a
proxy would otherwise hand it to the next person. The public pages set their
own caching (public, max-age, ETag) and are left alone.
"""
from __future__ import annotations

from flask import Response, request

# Blueprints whose pages anyone may cache, each setting its own Cache-Control.
PUBLIC_BLUEPRINTS = frozenset({"public", "reviews_index", "health"})


def private_pages_are_not_stored(response: Response) -> Response:
    if request.blueprint in PUBLIC_BLUEPRINTS or request.endpoint == "static":
        return response
    response.headers["Cache-Control"] = "no-store"
    return response
