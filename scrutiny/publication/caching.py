"""Public answers any browser or proxy may keep: an ETag from the bytes,
a short max-age, a 304 when nothing changed, and no cookie."""
from __future__ import annotations

import hashlib

from flask import Response, current_app, request


def public_response(body: bytes, mimetype: str) -> Response:
    """`body` must be the same bytes for the same data (no per-request
    nonce in it): its hash is the ETag."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['PUBLIC_MAX_AGE']}"
    return response.make_conditional(request)
