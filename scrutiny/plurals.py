"""Counts in words: "1 page", "3 pages". One rule for every template, e-mail
and command, so no page says "1 pages"."""
from __future__ import annotations


def counted(n: int | None, one: str, many: str | None = None) -> str:
    """`n` with the noun that agrees with it: counted(1, "page") is "1 page",
    counted(3, "page") "3 pages"; irregular plurals are given:
    counted(2, "witness", "witnesses")."""
    n = n or 0
    return f"{n} {one if n == 1 else (many or one + 's')}"
