"""Discussion events as officers set them up: typed on the council's clock
(British Summer Time included, the hour skipped in spring refused), stored
in UTC; published for residents to sign up, cancelled, closed with a record
of what happened.

Changing capacity or held-back places locks the event row, like signing up
(`signups`), so a place freed by a larger capacity is offered to the
waiting list once, and never as two residents take the last place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import get_locale
from sqlalchemy import select

from scrutiny import clock, meeting_times
from scrutiny.auth.models import User
from scrutiny.community import scheduling, signups
from scrutiny.community.models import DiscussionEvent, EventSignup, EventStatus, SignupStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.locking import lock_row

MAX_TITLE, MAX_CAPACITY, MAX_ACCEPT_HOURS = 300, 10_000, 24 * 14

# Languages a discussion may be held in: those the public pages are offered in.
# (The languages work will bring its own list; this one names the same nine.)
LANGUAGES = {"en": "English", "ar": "Arabic", "bn": "Bengali", "gu": "Gujarati", "pl": "Polish",
             "pa": "Punjabi", "ro": "Romanian", "so": "Somali", "ur": "Urdu"}


class EventError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class EventDetails:
    """What an officer sets: the day and times as the council's clock reads them."""

    title: str = ""
    description: str = ""
    day: date | None = None
    starts: time | None = None
    ends: time | None = None
    online: bool = False
    place: str = ""
    joining_details: str = ""
    capacity: int | None = None
    held_back: int | None = 0
    languages: list[str] = field(default_factory=list)
    access_offered: str = ""
    terms: str = ""
    accept_hours: int | None = 48


def language_names(codes) -> list[str]:
    """The languages' names in the page's language (CLDR's, through Babel:
    "البنغالية" on an Arabic page, "Bengali" on an English one)."""
    locale = get_locale()
    names = locale.languages if locale is not None else {}
    return [names.get(code) or LANGUAGES.get(code, code) for code in codes or ()]


def _check(details: EventDetails, event: DiscussionEvent | None) -> tuple[datetime, datetime]:
    """Raises the first rule broken; returns the start and end in UTC."""
    starts_at, ends_at = meeting_times.checked(details.title, details.day, details.starts, details.ends,
                                               what="discussion", max_title=MAX_TITLE, error=EventError)
    if not details.online and not details.place.strip():
        raise EventError("Enter the address of the place, or say the discussion is online", "place")
    if details.online and not details.joining_details.strip():
        raise EventError("Enter how to join online: it is e-mailed to those with a place", "joining_details")
    if details.capacity is None or not 1 <= details.capacity <= MAX_CAPACITY:
        raise EventError(f"Enter the number of places, from 1 to {MAX_CAPACITY:,}", "capacity")
    held_back = details.held_back or 0
    if not 0 <= held_back <= details.capacity:
        raise EventError("Places held back for invited groups must be between 0 and the number of places",
                         "held_back")
    if event is not None:
        booked = _count(event, held_back=True)
        if held_back < booked:
            raise EventError(f"{booked} held-back places are already booked: hold back at least {booked}",
                             "held_back")
        taken = _count(event, held_back=False)
        if details.capacity - held_back < taken:
            raise EventError(f"{taken} residents already have a place: keep at least {taken + held_back} "
                             "places (or cancel some sign-ups first)", "capacity")
    unknown = [code for code in details.languages if code not in LANGUAGES]
    if unknown:
        raise EventError("Choose languages from the list", "languages")
    if details.accept_hours is None or not 1 <= details.accept_hours <= MAX_ACCEPT_HOURS:
        raise EventError(f"Enter the hours to accept an offered place, from 1 to {MAX_ACCEPT_HOURS}",
                         "accept_hours")
    return starts_at, ends_at


def _count(event: DiscussionEvent, *, held_back: bool) -> int:
    return sum(1 for s in event.signups if s.held_back == held_back and s.status in signups.HOLDING)


def save_event(group: TopicGroup, event: DiscussionEvent | None, details: EventDetails, *,
               by: User | None = None) -> DiscussionEvent:
    """Create (event=None) or change an event. Places freed by a larger
    capacity are offered to the waiting list. The caller commits."""
    if event is not None:
        if event.topic_group_id != group.id:
            raise EventError("That discussion belongs to another topic group")
        lock_row(DiscussionEvent, event.id)
        db.session.refresh(event)
        if event.status in (EventStatus.CANCELLED, EventStatus.CLOSED):
            raise EventError(f"A {event.status_label.lower()} discussion cannot be changed")
    starts_at, ends_at = _check(details, event)
    if event is None:
        event = DiscussionEvent(topic_group=group, created_by=by, status=EventStatus.DRAFT)
        db.session.add(event)
    else:
        event.updated_at = clock.utcnow()
    event.title = details.title.strip()
    event.description = details.description.strip()
    event.starts_at, event.ends_at = starts_at, ends_at
    event.online = details.online
    event.place = details.place.strip()
    event.joining_details = details.joining_details.strip() if details.online else ""
    event.capacity, event.held_back = details.capacity, details.held_back or 0
    event.languages = list(dict.fromkeys(details.languages))
    event.access_offered = details.access_offered.strip()
    event.terms = details.terms.strip()
    event.accept_hours = details.accept_hours
    db.session.flush()
    if event.status == EventStatus.PUBLISHED:
        signups.fill_places(event)
    return event


def publish(event: DiscussionEvent) -> None:
    if event.status != EventStatus.DRAFT:
        raise EventError("Only a draft discussion can be published")
    if event.starts_at <= clock.utcnow():
        raise EventError("This discussion has already started: change its date before publishing it")
    event.status = EventStatus.PUBLISHED
    scheduling.erase_after(event)


def cancel(event: DiscussionEvent) -> int:
    """Cancel the whole event; everyone with a place or in the queue is told.
    Returns how many were e-mailed. The caller commits."""
    from scrutiny.community import messages

    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise EventError(f"A {event.status_label.lower()} discussion cannot be cancelled")
    lock_row(DiscussionEvent, event.id)
    db.session.refresh(event)
    event.status = EventStatus.CANCELLED
    told = 0
    now = clock.utcnow()
    for signup in event.signups:
        if signup.status in signups.ACTIVE:
            signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
            if signup.email and signup.erased_at is None:
                messages.event_cancelled(signup)
                told += 1
    return told


def close(event: DiscussionEvent, *, attendees: int | None, organisations: str, languages_used: list[str],
          by: User) -> None:
    """The record of a discussion held: it outlives the residents' details."""
    if event.status != EventStatus.PUBLISHED:
        raise EventError("Only a published discussion can be closed")
    if event.starts_at > clock.utcnow():
        raise EventError("This discussion has not started yet: close it once it has been held")
    if attendees is None or not 0 <= attendees <= 100_000:
        raise EventError("Enter how many people attended, as a number", "attendees")
    if any(code not in LANGUAGES for code in languages_used):
        raise EventError("Choose languages from the list", "languages_used")
    event.attendees = attendees
    event.organisations_present = organisations.strip()
    event.languages_used = list(dict.fromkeys(languages_used))
    event.status, event.closed_at, event.closed_by = EventStatus.CLOSED, clock.utcnow(), by
    # Offers still open lapse: there is no place left to take.
    for signup in event.signups:
        if signup.status in (SignupStatus.WAITING, SignupStatus.OFFERED):
            signup.status = SignupStatus.LAPSED


def events_for(group: TopicGroup) -> list[DiscussionEvent]:
    return list(db.session.scalars(select(DiscussionEvent).where(DiscussionEvent.topic_group_id == group.id)
                                   .order_by(DiscussionEvent.starts_at.desc())))


def get_event(group: TopicGroup, public_id: str) -> DiscussionEvent | None:
    return db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.topic_group_id == group.id,
                                                           DiscussionEvent.public_id == public_id))


def signup_of(event: DiscussionEvent, public_id: str) -> EventSignup | None:
    return next((s for s in event.signups if s.public_id == public_id), None)


# What residents see -------------------------------------------------------

# Stages in which a group hears from residents: its public pages answer.
HEARING_FROM_RESIDENTS = ("gathering_evidence", "deliberating", "drafting_report")


def group_for_residents(slug: str) -> TopicGroup | None:
    """The group, if its residents' pages are open: while it gathers and
    weighs evidence, or while it has a discussion published."""
    group = db.session.scalar(select(TopicGroup).where(TopicGroup.slug == slug))
    if group is None:
        return None
    if group.status in HEARING_FROM_RESIDENTS or upcoming(group):
        return group
    return None


def upcoming(group: TopicGroup) -> list[DiscussionEvent]:
    """Published discussions not yet over, soonest first."""
    return list(db.session.scalars(select(DiscussionEvent).where(
        DiscussionEvent.topic_group_id == group.id, DiscussionEvent.status == EventStatus.PUBLISHED,
        DiscussionEvent.ends_at > clock.utcnow()).order_by(DiscussionEvent.starts_at)))


def public_event(group: TopicGroup, public_id: str) -> DiscussionEvent | None:
    """A discussion residents may open: any but a draft."""
    event = get_event(group, public_id)
    return event if event is not None and event.status != EventStatus.DRAFT else None
