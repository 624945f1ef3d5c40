"""Shared steps for the community engagement tests: a discussion of the
second case's group, residents signing up on its public pages, and what
the loopback mail server received."""
from __future__ import annotations

import re
from datetime import time, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from scrutiny.auth.services import find_user
from scrutiny.clock import today
from scrutiny.community import events
from scrutiny.community.models import DiscussionEvent, EventSignup
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from tests.conftest import csrf_token

GROUP = "adult-social-care-waiting-times"
LEAD = "lead@second.example"
MANAGE_LINK = re.compile(r"https?://\S+/take-part/discussions/manage/[A-Za-z0-9_-]+")


def make_event(app, *, capacity=2, held_back=0, online=False, accept_hours=48, publish=True, days_ahead=30,
               title="Talking about care at home") -> str:
    with app.app_context():
        details = events.EventDetails(
            title=title, description="We want to hear about **waiting** for care.",
            day=today() + timedelta(days=days_ahead), starts=time(18, 30), ends=time(20, 0), online=online,
            place="" if online else "Hertford Community Centre\n12 Fore Street, Hertford",
            joining_details="https://meet.example/join/123 (code 4455)" if online else "",
            capacity=capacity, held_back=held_back, languages=["en", "bn"], access_offered="Step-free access",
            terms="Notes are taken without names.", accept_hours=accept_hours)
        event = events.save_event(get_group_by_slug(GROUP), None, details, by=find_user(LEAD))
        if publish:
            events.publish(event)
        db.session.commit()
        return event.public_id


def event_url(event_id: str) -> str:
    return f"/take-part/{GROUP}/discussions/{event_id}"


def sign_up(client, event_id: str, name: str, email: str, **extra):
    url = event_url(event_id) + "/sign-up"
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.text), "name": name, "email": email, "terms": "y", **extra}
    return client.post(url, data=data)


def statuses(app, event_id: str) -> dict[str, str]:
    """name (or the invited group) -> status, in order of signing up."""
    with app.app_context():
        event = db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.public_id == event_id))
        return {s.name or s.invited_group or f"erased {s.id}": s.status
                for s in db.session.scalars(select(EventSignup).where(EventSignup.event_id == event.id)
                                            .order_by(EventSignup.id))}


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def manage_path(message) -> str:
    [link] = set(MANAGE_LINK.findall(text_of(message)))
    return urlsplit(link).path
