"""Dates, numbers and sizes as the page's language writes them (Babel's
CLDR data: "30 November 2026", "30 نوفمبر 2026", "৩০ নভেম্বর ২০২৬")."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_time as babel_time
from flask_babel import format_date as babel_date, format_decimal, get_locale, gettext, ngettext

from scrutiny.clock import to_local


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):  # stored naive, in UTC: the council's day
        return to_local(value).date()
    return value


def format_date(value: date | datetime | None, format: str = "long") -> str:  # noqa: A002 - Babel's name
    """A day in words in the current language; "" for none."""
    return babel_date(_day(value), format) if value else ""


def iso_date(value: date | datetime | None) -> str:
    """The machine form of a day, for <time datetime="...">."""
    return _day(value).isoformat() if value else ""


def format_number(value: int | float) -> str:
    return format_decimal(value)


def format_size(size: int) -> str:
    """Bytes as a file manager shows them ("14.6 KB"), 1024-based like
    scrutiny.uploads.human_size, with the language's digits and decimal sign."""
    if size < 1024:
        return ngettext("%(count)s byte", "%(count)s bytes", size, count=format_decimal(size))
    value = float(size)
    units = (gettext("%(size)s KB"), gettext("%(size)s MB"), gettext("%(size)s GB"))
    for unit in units:
        value /= 1024
        if value < 1024 or unit is units[-1]:
            break
    return unit % {"size": format_decimal(round(value, 1) if value < 100 else round(value), "#,##0.#")}


def _english() -> bool:
    return str(get_locale()).startswith("en")


def format_day(value: date | datetime | None) -> str:
    """The weekday and the day in words: "Tuesday 2 July 2030" (GOV.UK
    style, no comma) in English, the language's own full form in others."""
    if not value:
        return ""
    return babel_date(_day(value), "EEEE d MMMM y" if _english() else "full")


def format_time(value: datetime | None) -> str:
    """A time of day on the council's clock: "6:30pm" in English (GOV.UK
    style), the language's own short form ("18:30", "٦:٣٠ م") in others."""
    if not value:
        return ""
    local = to_local(value) if isinstance(value, datetime) else value
    if _english():
        return f"{local:%-I:%M%p}".lower()
    # Babel's own, not Flask-Babel's: that one would move a time already on the council's clock again.
    return babel_time(local.time() if isinstance(local, datetime) else local, "short", locale=get_locale())
