"""The public pages' cache for a rush: a second reader gets the kept page
(same body, ETag and CSP nonce, no database work), a change made behind the
services' backs shows once the page expires, and publishing steps (here,
withdrawing) drop a review's pages at once, so a withdrawn review is never
served from the cache. With Redis down the pages are rendered as before."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.jobs import redis_connection
from scrutiny.publication import services
from tests.test_publication import evidence, publish, publishable  # noqa: F401
from tests.test_letters import SECOND, second, signed_in  # noqa: F401

PAGE = f"/reviews/{SECOND}"


@pytest.fixture
def cache_on(app):
    app.config["PUBLIC_CACHE_SECONDS"] = 30
    yield
    app.config["PUBLIC_CACHE_SECONDS"] = 0


def _statements(app, client, path) -> tuple[object, int]:
    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(seen)


def test_a_second_reader_gets_the_kept_page_and_withdrawing_drops_it(app, publishable, cache_on):  # noqa: F811
    assert publish(signed_in(app)).status_code == 302
    reader = app.test_client()
    first, _ = _statements(app, reader, PAGE)
    again, statements = _statements(app, app.test_client(), PAGE)
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert statements == 0, "the kept page needs no database work"
    nonce = re.search(r'nonce="([^"]+)"', again.data.decode()).group(1)
    assert f"'nonce-{nonce}'" in again.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in again.headers
    # A revalidating reader still gets a 304 from the kept page.
    assert app.test_client().get(PAGE, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304

    # Changed behind the services' backs: the kept page stands until it expires...
    with app.app_context():
        get_group_by_slug(SECOND).title = "A renamed review"
        db.session.commit()
    assert b"A renamed review" not in app.test_client().get(PAGE).data
    with app.app_context():
        redis_connection().delete(f"public-page:{PAGE}")
    assert b"A renamed review" in app.test_client().get(PAGE).data

    # ...but withdrawing drops it at once.
    with app.app_context():
        services.withdraw(get_group_by_slug(SECOND), find_user("lead@second.example"), "Published by mistake")
    gone = app.test_client().get(PAGE)
    assert gone.status_code == 410 and b"Published by mistake" in gone.data


def test_with_redis_down_the_page_is_rendered(app, publishable, cache_on, monkeypatch):  # noqa: F811
    import redis

    assert publish(signed_in(app)).status_code == 302
    # A real client of a port where no Redis listens.
    nowhere = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    monkeypatch.setattr("scrutiny.publication.page_cache.redis_connection", lambda: nowhere)
    response = app.test_client().get(PAGE)
    assert response.status_code == 200 and b"Adult Social Care Waiting Times" in response.data
