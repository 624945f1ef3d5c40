"""Places at a discussion: signing up, the waiting list, offers, cancelling.

Every change that counts places locks the event's row first
(`scrutiny.locking.lock_row`) and reads the event again under that lock: two
residents pressing "Sign up" for the last place are served one after the
other, so the second counts the first's place and joins the waiting list.

Places: `capacity - held_back` are open to the public; a confirmed or offered
public sign-up holds one. When one frees (a cancellation, a larger capacity,
an offer not accepted in time) the oldest waiting sign-up is offered it until
`now + accept_hours`; the offer lapses by the scheduled job or the worker's
sweep (`lapse_due_offers`), and the next is offered. Nothing here commits:
the view or job owns the transaction, and e-mails and jobs follow its commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from scrutiny import clock
from scrutiny.community import messages, scheduling
from scrutiny.community.models import DiscussionEvent, EventSignup, EventStatus, SignupStatus
from scrutiny.extensions import db
from scrutiny.locking import lock_row

HOLDING = (SignupStatus.CONFIRMED, SignupStatus.OFFERED)  # each holds a place
ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.OFFERED, SignupStatus.WAITING)


class SignupError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Resident:
    name: str
    email: str
    phone: str = ""
    access_needs: str = ""
    language: str = "en"


def _locked(event: DiscussionEvent) -> DiscussionEvent:
    """The event as committed now, and nobody else's change to its places until we finish."""
    lock_row(DiscussionEvent, event.id)
    db.session.refresh(event)
    return event


def _holding(event: DiscussionEvent, *, held_back: bool) -> int:
    return db.session.scalar(select(func.count()).select_from(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.held_back.is_(held_back),
        EventSignup.status.in_(HOLDING))) or 0


def public_places(event: DiscussionEvent) -> int:
    return max(event.capacity - event.held_back, 0)


def places_left(event: DiscussionEvent) -> int:
    """Public places nobody holds (an offered place is held until it lapses)."""
    return max(public_places(event) - _holding(event, held_back=False), 0)


def held_back_left(event: DiscussionEvent) -> int:
    return max(event.held_back - _holding(event, held_back=True), 0)


def waiting_count(event: DiscussionEvent) -> int:
    return db.session.scalar(select(func.count()).select_from(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.status == SignupStatus.WAITING)) or 0


def open_for_signup(event: DiscussionEvent, now: datetime | None = None) -> bool:
    return event.status == EventStatus.PUBLISHED and event.starts_at > (now or clock.utcnow())


def sign_up(event: DiscussionEvent, resident: Resident, *, now: datetime | None = None) -> EventSignup:
    """A place if one is left, else a place on the waiting list; e-mailed either way."""
    now = now or clock.utcnow()
    _locked(event)
    if not open_for_signup(event, now):
        raise SignupError(_l("Sign-up for this discussion has closed"))
    confirmed = places_left(event) > 0 and waiting_count(event) == 0
    signup = EventSignup(event=event, status=SignupStatus.CONFIRMED if confirmed else SignupStatus.WAITING,
                         name=resident.name.strip(), email=resident.email.strip(), phone=resident.phone.strip(),
                         access_needs=resident.access_needs.strip(), language=resident.language,
                         terms_accepted_at=now)
    db.session.add(signup)
    db.session.flush()
    messages.set_manage_token(signup)
    if confirmed:
        messages.place_confirmed(signup)
    else:
        messages.waiting_list(signup)
    return signup


def book_held_back(event: DiscussionEvent, invited_group: str, places: int) -> list[EventSignup]:
    """An officer books places held back for an invited community group (no
    one's personal details: the group's name only)."""
    _locked(event)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise SignupError("Places can be booked only for a draft or published discussion")
    if not invited_group.strip():
        raise SignupError("Enter the name of the invited group", "invited_group")
    left = held_back_left(event)
    if places < 1:
        raise SignupError("Enter how many places to book, 1 or more", "places")
    if places > left:
        raise SignupError(f"Only {left} held-back places are left: book {left} or fewer, "
                          "or hold back more places on the discussion", "places")
    booked = [EventSignup(event=event, status=SignupStatus.CONFIRMED, held_back=True,
                          invited_group=invited_group.strip()[:200]) for _ in range(places)]
    db.session.add_all(booked)
    return booked


def fill_places(event: DiscussionEvent, now: datetime | None = None) -> list[EventSignup]:
    """Offer each free public place to the oldest waiting sign-up. Call with
    the event locked (every caller here has locked it)."""
    now = now or clock.utcnow()
    offered = []
    if not open_for_signup(event, now):
        return offered
    free = places_left(event)
    if free <= 0:
        return offered
    waiting = db.session.scalars(select(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.status == SignupStatus.WAITING)
        .order_by(EventSignup.created_at, EventSignup.id).limit(free))
    for signup in waiting:
        signup.status, signup.offered_at = SignupStatus.OFFERED, now
        signup.offered_until = now + timedelta(hours=event.accept_hours)
        messages.place_offered(signup)
        scheduling.lapse_at(signup)
        offered.append(signup)
    db.session.flush()
    return offered


def cancel(signup: EventSignup, *, by_resident: bool, now: datetime | None = None) -> None:
    """Give up a place or a place in the queue; the freed place is offered on."""
    now = now or clock.utcnow()
    event = _locked(signup.event)
    db.session.refresh(signup)
    if signup.status not in ACTIVE:
        raise SignupError(_l("This sign-up is already cancelled"))
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
    signup.offered_until = None
    if by_resident and signup.email and signup.erased_at is None:
        messages.cancelled(signup)
    db.session.flush()
    fill_places(event, now)


def accept(signup: EventSignup, *, now: datetime | None = None) -> None:
    """Take an offered place, in time."""
    now = now or clock.utcnow()
    _locked(signup.event)
    db.session.refresh(signup)
    if signup.status == SignupStatus.CONFIRMED:
        return
    if signup.status != SignupStatus.OFFERED:
        raise SignupError(_l("There is no place offered to you to accept"))
    if signup.offered_until is None or signup.offered_until <= now:
        raise SignupError(_l("The time to accept this place has passed"))
    signup.status = SignupStatus.CONFIRMED
    messages.place_confirmed(signup)


def lapse_due_offers(event_id: int | None = None, now: datetime | None = None) -> int:
    """Offers not accepted in time lapse and the next in the queue is offered.
    Run by the job scheduled at each offer's deadline and by every worker's
    sweep, so an offer lapses even when Redis lost the job. The caller commits.
    Returns how many lapsed."""
    now = now or clock.utcnow()
    query = select(EventSignup.event_id).where(EventSignup.status == SignupStatus.OFFERED,
                                               EventSignup.offered_until <= now).distinct()
    if event_id is not None:
        query = query.where(EventSignup.event_id == event_id)
    lapsed = 0
    for due_event_id in list(db.session.scalars(query)):
        event = _locked(db.session.get(DiscussionEvent, due_event_id))
        for signup in db.session.scalars(select(EventSignup).where(
                EventSignup.event_id == event.id, EventSignup.status == SignupStatus.OFFERED,
                EventSignup.offered_until <= now)):
            signup.status = SignupStatus.LAPSED
            lapsed += 1
        db.session.flush()
        fill_places(event, now)
    return lapsed


def sign_ups(event: DiscussionEvent) -> list[EventSignup]:
    """Officers' list: places first, then the queue in order, then the rest."""
    order = {SignupStatus.CONFIRMED: 0, SignupStatus.OFFERED: 1, SignupStatus.WAITING: 2,
             SignupStatus.CANCELLED: 3, SignupStatus.LAPSED: 4}
    return sorted(event.signups, key=lambda s: (order.get(s.status, 9), s.created_at or clock.utcnow(), s.id))
