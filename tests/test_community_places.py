"""A resident's place after signing up: the confirmation with its calendar
file (sent through the real loopback SMTP server), the manage link (opening
it changes nothing; its buttons cancel, accept or delete), the waiting list
promoted when a place frees, and an offer not accepted in time lapsing to
the next, by the scheduled job or the worker's sweep."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from sqlalchemy import func, select

from scrutiny.audit.models import AuditEvent
from scrutiny.community import jobs as community_jobs, signups
from scrutiny.community.models import DiscussionEvent, EventSignup
from scrutiny.extensions import db
from scrutiny.outbox.models import Email
from scrutiny.upkeep import sweep
from tests.community import GROUP, LEAD, event_url, make_event, manage_path, sign_up, statuses, text_of
from tests.conftest import csrf_token
from tests.test_pages_accessibility import check_page


@pytest.fixture(autouse=True)
def _roomy_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMUNITY_FORM_LIMITS", "1000 per hour")


def _press(client, path, action):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), "action": action})


def _calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    return parts[0]


def test_the_confirmation_carries_a_calendar_file_in_utc_with_a_uid_per_sign_up(app, client, second_case, smtp,
                                                                               run_jobs):
    event = make_event(app, online=True)
    sign_up(client, event, "Amina Begum", "amina@home.example")
    run_jobs()
    [message] = smtp.to("amina@home.example")
    assert message["Subject"] == "Your place at Talking about care at home"
    assert "https://meet.example/join/123 (code 4455)" in text_of(message)  # how to join: those with a place
    assert "meet.example" not in client.get(event_url(event)).text  # never on the public page
    part = _calendar_part(message)
    assert part.get_filename().endswith(".ics") and part.get_content_disposition() == "attachment"
    [entry] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    with app.app_context():
        stored = db.session.scalar(select(DiscussionEvent))
        signup = db.session.scalar(select(EventSignup))
        starts, ends, uid = stored.starts_at, stored.ends_at, signup.public_id
        signup.id_ = signup.id
    assert entry.decoded("dtstart") == starts.replace(tzinfo=timezone.utc)
    assert entry.decoded("dtend") == ends.replace(tzinfo=timezone.utc)
    assert str(entry["uid"]) == f"discussion-place-{uid}@scrutiny"
    assert str(entry["location"]) == "Online" and "meet.example/join/123" in str(entry["description"])
    with app.app_context():  # the e-mail belongs to the sign-up, so erasing it takes the e-mail too
        assert db.session.scalars(select(Email.event_signup_id)).all() == [signup.id_]


def test_opening_the_manage_link_changes_nothing_and_its_button_cancels(app, client, second_case, smtp, run_jobs):
    event = make_event(app, capacity=1)
    sign_up(client, event, "Amina Begum", "amina@home.example")
    sign_up(client, event, "Bilal Khan", "bilal@home.example")
    run_jobs()
    path = manage_path(smtp.to("amina@home.example")[0])
    for _ in range(3):
        page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    check_page(page.text, "manage")
    assert "Amina Begum" in page.text and "Place confirmed" in page.text
    assert statuses(app, event) == {"Amina Begum": "confirmed", "Bilal Khan": "waiting"}

    done = _press(client, path, "cancel")
    assert done.status_code == 200 and "Cancelled" in BeautifulSoup(done.text, "html.parser").h1.text
    assert statuses(app, event) == {"Amina Begum": "cancelled", "Bilal Khan": "offered"}
    run_jobs()
    assert [m["Subject"] for m in smtp.to("amina@home.example")][-1] == \
        "Your place at Talking about care at home is cancelled"
    offer = smtp.to("bilal@home.example")[-1]
    assert offer["Subject"].startswith("A place is free at Talking about care at home")
    with app.app_context():
        until = db.session.scalar(select(EventSignup.offered_until).where(EventSignup.name == "Bilal Khan"))
        offered_at = db.session.scalar(select(EventSignup.offered_at).where(EventSignup.name == "Bilal Khan"))
    assert until - offered_at == timedelta(hours=48)
    assert "accept it by" in text_of(offer)

    accepted = _press(client, manage_path(offer), "accept")
    assert "You have a place" in accepted.text
    assert statuses(app, event) == {"Amina Begum": "cancelled", "Bilal Khan": "confirmed"}
    run_jobs()
    assert _calendar_part(smtp.to("bilal@home.example")[-1])


def _offer_to_first_waiting(app, client, smtp, run_jobs, accept_hours=2):
    event = make_event(app, capacity=1, accept_hours=accept_hours)
    for name in ("Amina Begum", "Bilal Khan", "Chen Li"):
        sign_up(client, event, name, f"{name.split()[0].lower()}@home.example")
    run_jobs()
    _press(client, manage_path(smtp.to("amina@home.example")[0]), "cancel")
    assert statuses(app, event) == {"Amina Begum": "cancelled", "Bilal Khan": "offered", "Chen Li": "waiting"}
    return event


def test_an_offer_not_accepted_in_time_lapses_to_the_next_by_the_scheduled_job(app, client, second_case, smtp,
                                                                              run_jobs):
    event = _offer_to_first_waiting(app, client, smtp, run_jobs)
    from rq.registry import ScheduledJobRegistry

    from scrutiny.jobs import queue

    with app.app_context():
        registry = ScheduledJobRegistry(queue=queue())
        [job_id] = [j for j in registry.get_job_ids() if j.startswith("event-offers-")]
        event_row = db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.public_id == event))
        when = registry.get_scheduled_time(job_id)
        until = db.session.scalar(select(EventSignup.offered_until).where(EventSignup.name == "Bilal Khan"))
        assert until < when.replace(tzinfo=None) <= until + timedelta(minutes=1)
        assert community_jobs.lapse_offers(event_row.id) == "0 offers lapsed"  # not yet: nothing changes
        signups.lapse_due_offers(event_row.id, now=until + timedelta(seconds=1))
        db.session.commit()
    assert statuses(app, event) == {"Amina Begum": "cancelled", "Bilal Khan": "lapsed", "Chen Li": "offered"}
    run_jobs()
    assert smtp.to("chen@home.example")[-1]["Subject"].startswith("A place is free")
    late = _press(client, manage_path(smtp.to("bilal@home.example")[-1]), "accept")
    assert "There is no place offered to you to accept" in late.text


def test_the_workers_sweep_lapses_offers_when_redis_lost_the_job(app, client, second_case, smtp, run_jobs,
                                                               monkeypatch):
    event = _offer_to_first_waiting(app, client, smtp, run_jobs)
    import scrutiny.clock

    later = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=3)
    monkeypatch.setattr(scrutiny.clock, "utcnow", lambda: later)
    with app.app_context():
        done = sweep()
    assert done["residents' places and details"] == 1
    assert statuses(app, event)["Chen Li"] == "offered"


def test_an_officer_cancelling_a_place_or_raising_capacity_offers_it_on(app, browser, second_case, smtp, run_jobs):
    event = make_event(app, capacity=1)
    for name in ("Amina Begum", "Bilal Khan", "Chen Li"):
        sign_up(browser.client, event, name, f"{name.split()[0].lower()}@home.example")
    browser.sign_in(LEAD)
    page = browser.get(f"/groups/{GROUP}/community/events/{event}")
    with app.app_context():
        amina = db.session.scalar(select(EventSignup.public_id).where(EventSignup.name == "Amina Begum"))
    browser.submit(f"/groups/{GROUP}/community/events/{event}/sign-ups/{amina}/cancel", {},
                   form_page=page.request.path)
    assert statuses(app, event) == {"Amina Begum": "cancelled", "Bilal Khan": "offered", "Chen Li": "waiting"}
    edit = f"/groups/{GROUP}/community/events/{event}/edit"
    form = BeautifulSoup(browser.get(edit).text, "html.parser")
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")
              if field.get("type") not in ("checkbox", "radio")}
    fields.update({"online": "place", "place": "Hertford Community Centre", "capacity": "2", "languages": ["en"]})
    fields["date"] = [form.select_one(f"#date-{part}")["value"] for part in ("day", "month", "year")]
    assert browser.submit(edit, fields).status_code == 302
    assert statuses(app, event)["Chen Li"] == "offered"
    run_jobs()
    assert len(smtp.to("amina@home.example")) == 1  # an officer's cancellation is not the resident's to confirm
    assert smtp.to("chen@home.example")[-1]["Subject"].startswith("A place is free")


def test_a_resident_deletes_their_details_by_the_link(app, client, second_case, smtp, run_jobs):
    event = make_event(app, capacity=1)
    sign_up(client, event, "Amina Begum", "amina@home.example", access_needs="Wheelchair user")
    sign_up(client, event, "Bilal Khan", "bilal@home.example")
    run_jobs()
    path = manage_path(smtp.to("amina@home.example")[0])
    done = _press(client, path, "delete")
    assert "Your details are deleted" in done.text and "Amina" not in done.text
    with app.app_context():
        erased = db.session.scalar(select(EventSignup).where(EventSignup.erased_at.is_not(None)))
        assert (erased.name, erased.email, erased.phone, erased.access_needs, erased.status) == (
            "", "", "", "", "cancelled")
        assert erased.manage_token_hash is None
        assert db.session.scalar(select(func.count()).select_from(Email).where(
            Email.event_signup_id == erased.id)) == 0
        logged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "resident_erased_own_details"))
        assert logged.details == {"sign_ups": 1} and "Amina" not in str(logged.object_label)
    assert statuses(app, event)["Bilal Khan"] == "offered"
    again = client.get(path)
    assert again.status_code == 200 and "This link does not work" in again.text
