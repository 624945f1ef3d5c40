"""An evidence session as an iCalendar file, for councillors and witnesses alike.

Free of request objects, so the witness portal can serve it too. It names the
organisations and people presenting, never anyone's e-mail address.
"""
from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event
from markdown_it import MarkdownIt

from scrutiny.groups.services import slugify
from scrutiny.sessions.models import EvidenceSession
from scrutiny.sessions.services import can_present, to_local

_parser = MarkdownIt("commonmark", {"html": False}).enable("table")


def session_calendar(session: EvidenceSession, council_name: str, service_name: str = "Scrutiny") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{council_name}//{service_name} evidence sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", f"{session.public_id}@scrutiny")
    event.add("dtstamp", datetime.now(timezone.utc))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", f"{session.topic_group.title}: {session.title}")
    location = session.location or ("Online" if session.online_url else "")
    if location:
        event.add("location", location)
    if session.online_url:
        event.add("url", session.online_url)
    event.add("description", _description(session))
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_filename(session: EvidenceSession) -> str:
    """For example hearing-from-carers-2026-07-01.ics (the day as the council's clock reads it)."""
    return f"{slugify(session.title)}-{to_local(session.starts_at):%Y-%m-%d}.ics"


def _utc(stored: datetime) -> datetime:
    return stored.replace(tzinfo=timezone.utc)


def _description(session: EvidenceSession) -> str:
    parts = []
    if session.online_url:
        parts.append(f"Join online: {session.online_url}")
    if session.agenda.strip():
        parts.append("Agenda\n\n" + plain_text(session.agenda))
    presenting = [slot.invitation for slot in session.slots if can_present(slot.invitation)]
    if presenting:
        witnesses = "\n".join(f"{n}. {invitation.organisation.name} – {invitation.contact_name}"
                               for n, invitation in enumerate(presenting, start=1))
        parts.append("Witnesses presenting\n\n" + witnesses)
    return "\n\n".join(parts)


def plain_text(markdown: str) -> str:
    """Markdown as a calendar shows it: no markup, lists kept as lists, links spelt out."""
    lines: list[str] = []
    lists: list[list] = []  # for each open list: [ordered?, next number]
    marker = ""
    row: list[str] | None = None
    for token in _parser.parse(markdown):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            marker = f"{number}. " if ordered else "- "
            lists[-1][1] = number + 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            lines.append(" | ".join(row or []))
            row = None
        elif kind == "table_close":
            lines.append("")
        elif kind == "inline":
            text = _inline(token)
            if row is not None:
                row.append(text)
                continue
            indent = "  " * max(len(lists) - 1, 0)
            lines.append(indent + (marker or ("  " if lists else "")) + text)
            marker = ""
        elif kind in ("fence", "code_block"):
            lines.extend(token.content.rstrip("\n").splitlines())
            lines.append("")
        elif kind == "hr":
            lines.extend(["---", ""])
        elif kind in ("paragraph_close", "heading_close") and not lists:
            lines.append("")
    text = "\n".join(line.rstrip() for line in lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _inline(token) -> str:
    out, href, link_text = [], None, []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            (link_text if href is not None else out).append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)
        elif child.type == "link_open":
            href, link_text = child.attrGet("href") or "", []
        elif child.type == "link_close":
            label = "".join(link_text)
            out.append(label if not href or href in (label, f"mailto:{label}") else f"{label} ({href})")
            href = None
    return "".join(out)
