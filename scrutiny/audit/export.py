"""The audit log as a CSV file, written a batch of rows at a time.

A cell a spreadsheet would run as a formula (=, +, -, @ first) starts with
an apostrophe, as in the tracker's export (scrutiny/responses/tracker_csv.py):
names, labels and the address tried at a failed sign-in are typed by
anyone, and this file is opened by administrators.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Iterator

from scrutiny.audit import services
from scrutiny.clock import to_local

COLUMNS = ["Time", "Action", "Action code", "Person", "IP address", "Object type", "Object id", "Object",
           "Topic group", "Details"]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA) else cell


def _line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_safe(v) for v in values])
    return out.getvalue()


def lines(filters: services.Filters) -> Iterator[str]:
    """A byte-order mark (so Excel reads UTF-8), the header, then the events, newest first."""
    yield "\ufeff" + _line(COLUMNS)
    titles = dict(services.groups())
    for event in services.events(filters):
        yield _line([to_local(event.happened_at).isoformat(timespec="seconds"), services.action_label(event.action),
                     event.action, event.actor_name, event.ip_address, event.object_type, event.object_id,
                     event.object_label, titles.get(event.topic_group_id, ""),
                     json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""])


def filename(today: date) -> str:
    return f"audit-log-{today.isoformat()}.csv"
