"""CSV a spreadsheet opens safely: a cell that starts like a formula is
written with a leading apostrophe, so Excel shows it as text instead of
running it (CSV injection), and the tracker's import takes the apostrophe
off again."""
from __future__ import annotations

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unguarded(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def line(values: list[str]) -> str:
    """One CSV line (CRLF, as spreadsheets write it), each cell guarded."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([guarded(v) for v in values])
    return out.getvalue()
