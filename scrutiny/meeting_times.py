"""A meeting's title, day and times as an officer types them (local time),
checked and turned into UTC: an evidence session and a residents'
discussion follow the same rules, each naming itself in its messages.

Raises `error(message, field)` for the first rule broken, the field being
the form's: title, date, start_time or end_time."""
from __future__ import annotations

from datetime import date, datetime, time

from scrutiny.clock import exists_locally, local_to_utc


def local_to_utc_or_refuse(day: date, at: time, field: str, error: type[Exception]) -> datetime:
    if not exists_locally(day, at):
        raise error(f"There is no {at:%H:%M} on {day:%-d %B %Y} because the clocks go forward. Enter another time",
                    field)
    return local_to_utc(day, at)


def checked(title: str, day: date | None, starts: time | None, ends: time | None, *, what: str,
            max_title: int, error: type[Exception]) -> tuple[datetime, datetime]:
    """(start, end) in UTC, `what` naming the meeting ("session", "discussion")."""
    if not title.strip():
        raise error(f"Enter a title for the {what}", "title")
    if len(title.strip()) > max_title:
        raise error(f"The title must be {max_title} characters or fewer", "title")
    if day is None:
        raise error(f"Enter the date of the {what}", "date")
    if starts is None:
        raise error(f"Enter the time the {what} starts", "start_time")
    if ends is None:
        raise error(f"Enter the time the {what} ends", "end_time")
    starts_at = local_to_utc_or_refuse(day, starts, "start_time", error)
    ends_at = local_to_utc_or_refuse(day, ends, "end_time", error)
    if ends_at <= starts_at:
        raise error("The end time must be after the start time", "end_time")
    return starts_at, ends_at
