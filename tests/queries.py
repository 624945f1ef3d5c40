"""Counting SQL statements, to show a page's queries stay flat as data grows
(a count, not a timing: timings live in bench/)."""
from contextlib import contextmanager

from sqlalchemy import event

from scrutiny.extensions import db


@contextmanager
def counting_queries(app):
    counts = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        counts.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_for(app, client, url, **kwargs) -> int:
    with counting_queries(app) as counts:
        assert client.get(url, **kwargs).status_code == 200
    return len(counts)
