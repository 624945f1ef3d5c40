"""The audit log as a CSV file, written a batch of rows at a time.

A cell a spreadsheet would run as a formula (=, +, -, @ first) starts with
an apostrophe, as in the tracker's export (scrutiny/responses/tracker_csv.py):
names, labels and the address tried at a failed sign-in are typed by
anyone, and this file is opened by administrators.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Iterator

from scrutiny import csv_cells
from scrutiny.audit import services
from scrutiny.clock import to_local

COLUMNS = ["Time", "Action", "Action code", "Person", "IP address", "Object type", "Object id", "Object",
           "Topic group", "Details"]



def lines(filters: services.Filters) -> Iterator[str]:
    """A byte-order mark (so Excel reads UTF-8), the header, then the events, newest first."""
    yield "\ufeff" + csv_cells.line(COLUMNS)
    titles = dict(services.groups())
    for event in services.events(filters):
        yield csv_cells.line([
            to_local(event.happened_at).isoformat(timespec="seconds"), services.action_label(event.action),
            event.action, event.actor_name, event.ip_address, event.object_type, event.object_id,
            event.object_label, titles.get(event.topic_group_id, ""),
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""])


def filename(today: date) -> str:
    return f"audit-log-{today.isoformat()}.csv"
