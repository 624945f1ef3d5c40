"""Whole numbers in addresses: the ids of records, so no larger than a
database's INTEGER holds. A longer number is a page that cannot exist (404),
not an overflow in the database (500)."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's is wider


class RecordId(IntegerConverter):
    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=LARGEST_ID if max is None else max,
                         signed=signed)
