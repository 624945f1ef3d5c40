"""One page of a long list, counted and cut in SQL (LIMIT/OFFSET), so a page
of 50 costs the same whether the list holds 100 rows or 10,000."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from scrutiny.extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int
    pages: int
    total: int
    size: int

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.total else 0

    def numbers(self) -> list[int | None]:
        """The page numbers to show, GOV.UK style: the first, the last, and
        two either side of this one; None where numbers are left out (an
        ellipsis)."""
        shown = [n for n in range(1, self.pages + 1) if n in (1, self.pages) or abs(n - self.number) <= 2]
        out: list[int | None] = []
        for n in shown:
            if out and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def page_number(text: str | None) -> int:
    """?page=… as typed: anything but a positive whole number is page 1."""
    return int(text) if text and text.isdigit() and 0 < len(text) < 7 else 1


def paginate(stmt: Select, number: int, size: int) -> Page:
    """`stmt` (ordered) cut to page `number` of `size`; a number past the end is the last page."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    items = list(db.session.scalars(stmt.offset((number - 1) * size).limit(size)).unique())
    return Page(items, number, pages, total, size)
