"""The tracker as a CSV file, and the same file read back.

The export has the page's columns, a header row first, and is written a
batch of recommendations at a time (tracker.batches), so a council-wide
export never holds the whole tracker. A cell that a spreadsheet would run
as a formula (=, +, -, @ first) starts with an apostrophe, which spreadsheets
hide; the import takes it off again.

An import is keyed on the reference. It may change the judgement (by the
scale's label or key) and its reason; any other cell must be as the tracker
shows it now (dates in any of the usual spellings, since spreadsheets rewrite
them), else that row is an error. Every row is checked before anything is
recorded: one bad row and nothing changes.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from scrutiny import csv_cells
from scrutiny.auth.models import User
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import judgements, scale, tracker
from scrutiny.responses.tracker_judgements import Problem, TrackerError, prepare
from scrutiny.storage import storage
from scrutiny.uploads import store_upload, upload_limits

COLUMNS = ["Reference", "Topic group", "Recommendation", "Addressees and decisions", "Actions", "Progress",
           "Judgement", "Judgement reason", "Last update", "Next review"]
EDITABLE = {"Judgement", "Judgement reason"}
DATES = {"Last update", "Next review"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")


def cells(row: tracker.Row) -> list[str]:
    return [row.reference, row.group_title, row.text, row.decisions_text, str(row.actions), row.progress_text,
            row.judgement_label, row.judgement_reason,
            row.last_update.isoformat() if row.last_update else "",
            row.next_review.isoformat() if row.next_review else ""]



def export_lines(groups: list[TopicGroup], today: date, filters: tracker.Filters) -> Iterator[str]:
    """The CSV, a line at a time: a byte-order mark (so Excel reads it as
    UTF-8), the header, then each row in reference order."""
    yield "\ufeff" + csv_cells.line(COLUMNS)
    for batch in tracker.batches(groups, today, filters):
        yield "".join(csv_cells.line(cells(row)) for row in batch)


def filename(today: date, group: TopicGroup | None = None) -> str:
    return f"{group.slug + '-' if group else ''}recommendations-tracker-{today.isoformat()}.csv"


# ---- reading a file back ---------------------------------------------------------------


class FileError(ValueError):
    """The file as a whole cannot be read as the tracker: nothing in it is checked."""


@dataclass
class Imported:
    changed: int
    unchanged: int


def read_upload(stream: BinaryIO, name: str | None) -> list[list[str]]:
    """The rows of an uploaded CSV file, checked as every upload is (size,
    content, encoding: UTF-8 with or without a byte-order mark, or the
    Windows encoding older Excel saves in); the file itself is not kept.
    Raises UploadRefused or FileError with a message for the officer."""
    store = storage()
    blob, checked = store_upload(stream, name, **upload_limits(), accept=["data"], store=store)
    try:
        if checked.extension != "csv":
            raise FileError(f"“{checked.safe_name}” is not a CSV file: save it from your spreadsheet as "
                            "“CSV UTF-8” and upload it again")
        return read(blob.temp_path, checked.text_encoding or "utf-8")
    finally:
        store.discard(blob)


def read(path: Path, encoding: str) -> list[list[str]]:
    text = path.read_text(encoding=encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    # Only the delimiter is guessed (Excel in some locales saves with ";"):
    # quoting stays Excel's, which the sniffer cannot tell from a header row.
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)]
    except csv.Error as exc:
        raise FileError(f"The file could not be read as CSV ({exc}): save it from your spreadsheet as "
                        "“CSV UTF-8” and upload it again") from exc




def _plain(cell: str) -> str:
    return csv_cells.unguarded(" ".join((cell or "").split()))


def _as_date(cell: str) -> date | str:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cell, fmt).date()
        except ValueError:
            continue
    return cell


def _same(column: str, was: str, now: str) -> bool:
    was, now = _plain(was), _plain(now)
    if column in DATES:
        return _as_date(was) == _as_date(now) if was and now else was == now
    if column == "Actions":
        return was == now or (now.replace(".0", "") == was)
    return was == now


def _value_of(cell: str) -> str | None:
    """A scale key from its label or key; None for no judgement; "" if unknown."""
    text = _plain(cell).casefold()
    if not text or text == tracker.NO_JUDGEMENT.casefold():
        return None
    for value in scale.values():
        if text in (value.value.casefold(), value.label.casefold()):
            return value.value
    return ""


def import_rows(records: Iterable[list[str]], groups: list[TopicGroup], today: date, by: User) -> Imported:
    """Record the judgements the file changes, all or none. FileError when
    the file is not the tracker's; TrackerError listing every bad row."""
    records = list(records)
    header = [_plain(h).casefold() for h in (records[0] if records else [])]
    missing = [c for c in COLUMNS if c.casefold() not in header]
    if missing:
        raise FileError("The file’s first row must be the tracker’s column names, as the CSV export has them; "
                        f"missing: {', '.join(missing)}")
    where = {c: header.index(c.casefold()) for c in COLUMNS}
    current = {row.reference: row for row in tracker.load(groups, today)}
    choices = ", ".join(v.label for v in scale.values())

    problems: list[Problem] = []
    wanted: list[tuple[tracker.Row, str, str, int]] = []
    seen: dict[str, int] = {}
    unchanged = 0
    for line, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        record = record + [""] * (len(header) - len(record))
        cell = {c: record[where[c]] for c in COLUMNS}
        reference = _plain(cell["Reference"])
        if not reference:
            problems.append(Problem("", "The reference is empty: every row needs its reference", line))
            continue
        if reference in seen:
            problems.append(Problem(reference, f"This reference is also on row {seen[reference]}: "
                                               "give each recommendation one row", line))
            continue
        seen[reference] = line
        row = current.get(reference)
        if row is None:
            problems.append(Problem(reference, "There is no recommendation with this reference in the tracker", line))
            continue
        messages = []
        shown = dict(zip(COLUMNS, cells(row), strict=True))
        for column in COLUMNS:
            if column not in EDITABLE and not _same(column, shown[column], cell[column]):
                messages.append(f"{column} was changed (the tracker has “{shown[column]}”): only the judgement "
                                "and its reason can be changed by importing; export the tracker again if it "
                                "has changed since")
        value = _value_of(cell["Judgement"])
        reason = csv_cells.unguarded(cell["Judgement reason"].strip())
        was_value = row.judgement.value if row.judgement else None
        if value == "":
            messages.append(f"“{_plain(cell['Judgement'])}” is not a judgement: use one of {choices}")
        elif value is None and was_value is not None:
            messages.append(f"The judgement is empty: a judgement cannot be taken away, so give one of {choices}")
        elif value is None and reason:
            messages.append(f"There is a reason but no judgement: give one of {choices}")
        if messages:
            problems.extend(Problem(reference, m, line) for m in messages)
            continue
        if value is None or (value == was_value and _plain(reason) == _plain(row.judgement_reason)):
            unchanged += 1
            continue
        wanted.append((row, value, reason, line))
    if len(records) < 2 or (not wanted and not unchanged and not problems):
        raise FileError("The file has no rows under its column names")
    try:
        proposals = prepare(wanted)
    except TrackerError as err:
        problems.extend(err.problems)
    if problems:
        raise TrackerError(sorted(problems, key=lambda p: p.line or 0))
    judgements.record(proposals, by=by, commit=True)
    return Imported(changed=len(proposals), unchanged=unchanged)
