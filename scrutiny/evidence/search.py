"""Full-text search over evidence: SQLite FTS5 locally, PostgreSQL full-text
search in production, behind one function.

The index objects (an FTS5 table with triggers, or a GIN expression index on
_PG_DOCUMENT) are made by migration 0002 and are not SQLAlchemy models, so
env.py and the schema test skip them by name.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from scrutiny.extensions import db

SEARCH_OBJECTS = ("submission_search", "ix_submissions_search")
_PG_DOCUMENT = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(body, ''))"
_WORD = re.compile(r"\w+", re.UNICODE)

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
