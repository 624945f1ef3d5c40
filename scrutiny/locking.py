"""One writer at a time on a row, until the transaction ends.

For a rule that counts rows before adding one ("at most 20 files", "one
empty draft"): without a lock, two requests both count 19 and both add.
PostgreSQL locks the row (``SELECT ... FOR UPDATE``); SQLite has no row
locks, so a write that changes nothing takes its database-wide write lock,
which it holds until commit or rollback. Counting after this call sees every
row committed before it, and nobody else's until we finish."""
from __future__ import annotations

from sqlalchemy import select, text

from scrutiny.extensions import db


def lock_row(model, row_id: int) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(model.id).where(model.id == row_id).with_for_update())
    else:
        # Raw SQL: an ORM update would also bump any onupdate column.
        db.session.execute(text(f"UPDATE {model.__tablename__} SET id = id WHERE id = :id"), {"id": row_id})
