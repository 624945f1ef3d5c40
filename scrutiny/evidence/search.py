"""Full-text search over evidence: SQLite FTS5 locally, PostgreSQL full-text
search in production, behind one function.

The index objects are made by the migration (create_search_index) and are not
SQLAlchemy models, so env.py and the schema test skip them by name.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scrutiny.extensions import db

SEARCH_OBJECTS = ("submission_search", "ix_submissions_search")
_PG_DOCUMENT = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(body, ''))"
_WORD = re.compile(r"\w+", re.UNICODE)

_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE submission_search USING fts5("
    "title, summary, body, content='submissions', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER submission_search_insert AFTER INSERT ON submissions BEGIN "
    "INSERT INTO submission_search(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
    "CREATE TRIGGER submission_search_delete AFTER DELETE ON submissions BEGIN "
    "INSERT INTO submission_search(submission_search, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER submission_search_update AFTER UPDATE ON submissions BEGIN "
    "INSERT INTO submission_search(submission_search, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO submission_search(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
    "INSERT INTO submission_search(submission_search) VALUES ('rebuild')",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS submission_search_insert",
    "DROP TRIGGER IF EXISTS submission_search_delete",
    "DROP TRIGGER IF EXISTS submission_search_update",
    "DROP TABLE IF EXISTS submission_search",
]


def create_search_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            conn.execute(sa.text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"CREATE INDEX ix_submissions_search ON submissions USING gin ({_PG_DOCUMENT})"))


def drop_search_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_DROP:
            conn.execute(sa.text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP INDEX IF EXISTS ix_submissions_search"))


def is_search_object(name: str | None) -> bool:
    return bool(name) and name.startswith(SEARCH_OBJECTS)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: leave the search index objects out of schema comparison."""
    return not is_search_object(name)


def matching_submission_ids(query: str) -> sa.Select | None:
    """A SELECT of the ids of submissions matching the words typed, or None
    when nothing searchable was typed. Every word must match (prefixes too)."""
    words = _WORD.findall(query or "")
    if not words:
        return None
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # Each word quoted, so FTS5 syntax typed by a user cannot break the query.
        fts_query = " ".join(f'"{w}"*' for w in words)
        return sa.select(sa.column("rowid")).select_from(sa.table("submission_search")).where(
            sa.text("submission_search MATCH :fts").bindparams(fts=fts_query))
    if dialect == "postgresql":
        ts_query = " & ".join(f"{w}:*" for w in words)
        return sa.select(sa.column("id")).select_from(sa.table("submissions")).where(
            sa.text(f"{_PG_DOCUMENT} @@ to_tsquery('english', :tsq)").bindparams(tsq=ts_query))
    raise NotImplementedError(f"no full-text search for {dialect}")
