"""A short-lived cache of rendered public pages, in Redis, for a
publication-day rush: two cores render about 40 review pages a second, and
a council's announcement can bring hundreds of readers at once.

A page is kept `PUBLIC_CACHE_SECONDS` (30 by default; 0 turns it off), less
than the `max-age` browsers and proxies are already allowed, so it adds no
staleness the pages did not already permit. Publishing, publishing the
responses and withdrawing drop a review's pages at once (`forget`), so a
withdrawn review is never served from here. Redis down: every page is
rendered, as before. The database stays the truth; this is only a cache.

Pages are kept by path, and a page's language is in its path (scrutiny.i18n),
so each language has its own copy and no reader is served another's."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

from flask import Response, current_app, request
from redis.exceptions import RedisError

from scrutiny.i18n import offered
from scrutiny.jobs import redis_connection

log = logging.getLogger(__name__)
PREFIX = "public-page:"


def _key(path: str) -> str:
    return f"{PREFIX}{path}"


def cached(render: Callable[[], Response], on_hit: Callable[[str], None]) -> Response:
    """The page at this path from the cache, else rendered (and kept when it is
    a 200 or 410 page). `on_hit(etag)` restores what the response's headers
    derive from the page (its CSP nonce)."""
    seconds = current_app.config["PUBLIC_CACHE_SECONDS"]
    if seconds <= 0:
        return render()
    key = _key(request.path)
    try:
        kept = redis_connection().get(key)
    except RedisError as err:
        log.warning("public page cache unavailable: %s", err)
        return render()
    if kept is not None:
        entry = json.loads(kept)
        on_hit(entry["etag"])
        response = Response(entry["body"], status=entry["status"], mimetype="text/html")
        response.set_etag(entry["etag"])
        response.cache_control.public = True
        response.cache_control.max_age = entry["max_age"]
        return response.make_conditional(request)
    response = render()
    etag, _ = response.get_etag()
    if response.status_code in (200, 410) and etag and not response.direct_passthrough:
        entry = {"body": response.get_data(as_text=True), "status": response.status_code, "etag": etag,
                 "max_age": response.cache_control.max_age or 0}
        try:
            redis_connection().set(key, json.dumps(entry), ex=seconds)
        except RedisError as err:
            log.warning("public page not cached: %s", err)
    return response


def forget(slug: str) -> None:
    """Drop every kept page of this review and the index (it lists reviews),
    in every language: kept by path, an Arabic page is /ar/reviews/<slug>."""
    try:
        connection = redis_connection()
        keys = list(connection.scan_iter(match=_key(f"*/reviews/{slug}*"))) + [
            _key(f"/{language.code}/reviews") for language in offered()] + [_key("/reviews")]
        connection.delete(*keys)
    except RedisError as err:  # the pages expire within PUBLIC_CACHE_SECONDS anyway
        log.warning("public pages of %s not dropped from the cache: %s", slug, err)
