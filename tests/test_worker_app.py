"""The worker's app (worker_app.py: create_app(web=False)) carries no pages,
yet runs the builds the web app queues."""
from __future__ import annotations

from rq import SimpleWorker
from sqlalchemy import select

from scrutiny.documents.models import Document
from scrutiny.extensions import db
from tests.conftest import make_app
from tests.test_documents import _build, _officer


def test_the_workers_app_has_no_pages_and_builds_what_the_web_app_queued(app, demo_case, database_url, redis_url):
    from scrutiny.jobs import queue, redis_connection

    worker_app = make_app(database_url, redis_url, STORAGE_DIR=app.config["STORAGE_DIR"], web=False)
    assert {rule.endpoint for rule in worker_app.url_map.iter_rules()} == {"static"}
    assert "migrate" not in worker_app.extensions and "migrate" in app.extensions

    _build(_officer(app))
    with worker_app.app_context():
        SimpleWorker([queue()], connection=redis_connection()).work(burst=True)
        db.session.remove()
        document = db.session.scalar(select(Document))
        assert (document.status, document.error) == ("done", "")
        assert document.page_count > 1
