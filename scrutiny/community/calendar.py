"""A resident's place at a discussion as an iCalendar file (RFC 5545, written
by `icalendar`): times in UTC, the place or "Online", and how to join online
(only those with a place are sent it). The UID is the sign-up's own, so a
calendar that imports a second copy updates the first. Only the words a
person reads (the location "Online", the description's own sentences) are
in the resident's language; the rest of the file is the same in any."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext as _
from icalendar import Calendar, Event

from scrutiny.community.models import DiscussionEvent, EventSignup
from scrutiny.groups.services import slugify
from scrutiny.sessions.ics import plain_text
from scrutiny.clock import to_local


def uid(signup: EventSignup) -> str:
    return f"discussion-place-{signup.public_id}@scrutiny"


def filename(event: DiscussionEvent) -> str:
    return f"{slugify(event.title)}-{to_local(event.starts_at):%Y-%m-%d}.ics"


def _utc(stored: datetime) -> datetime:
    return stored.replace(tzinfo=timezone.utc)


def for_signup(signup: EventSignup, council_name: str) -> str:
    event = signup.event
    calendar = Calendar()
    calendar.add("prodid", f"-//{council_name}//Scrutiny discussions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = Event()
    entry.add("uid", uid(signup))
    entry.add("dtstamp", datetime.now(timezone.utc))
    entry.add("dtstart", _utc(event.starts_at))
    entry.add("dtend", _utc(event.ends_at))
    entry.add("summary", event.title)
    entry.add("location", event.place or _("Online"))
    parts = []
    if event.online and event.joining_details:
        parts.append(_("How to join online") + "\n\n" + event.joining_details)
    if event.description:
        parts.append(plain_text(event.description))
    parts.append(_("Held by %(council)s scrutiny: %(group)s", council=council_name, group=event.topic_group.title))
    entry.add("description", "\n\n".join(parts))
    calendar.add_component(entry)
    return calendar.to_ical().decode()
