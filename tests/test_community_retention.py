"""Residents' details are kept only for the retention period: after it, the
scheduled job (or the worker's sweep) blanks sign-ups' names and contact
details, deletes their e-mails, and closed one-to-one requests' personal
fields, leaving counts and the officers' record; each erasure logged with
counts, never a name. Only what is old enough is touched."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from scrutiny.audit.models import AuditEvent
from scrutiny.auth.services import find_user
from scrutiny.community import conversations, events, jobs as community_jobs, retention
from scrutiny.community.models import ConversationRequest, DiscussionEvent, EventSignup
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.outbox.models import Email
from tests.community import GROUP, LEAD, make_event, sign_up


@pytest.fixture(autouse=True)
def _roomy_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMUNITY_FORM_LIMITS", "1000 per hour")


def _held_and_closed(app, event_id, *, ended_days_ago):
    """The discussion moved into the past (as if held then) and closed with its record."""
    with app.app_context():
        event = db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.public_id == event_id))
        length = event.ends_at - event.starts_at
        event.ends_at = datetime.utcnow() - timedelta(days=ended_days_ago)
        event.starts_at = event.ends_at - length
        events.close(event, attendees=14, organisations="Age UK Hertfordshire", languages_used=["en", "bn"],
                     by=find_user(LEAD))
        db.session.commit()


def _counts(app):
    with app.app_context():
        erased = db.session.scalar(select(func.count()).select_from(EventSignup).where(
            EventSignup.erased_at.is_not(None)))
        emails = db.session.scalar(select(func.count()).select_from(Email).where(Email.event_signup_id.is_not(None)))
        return erased, emails


def test_the_job_erases_sign_ups_only_after_the_retention_period_and_logs_counts(app, client, second_case):
    old, recent = make_event(app, title="Old discussion"), make_event(app, title="Recent discussion")
    for event, who in ((old, "Amina Begum"), (old, "Bilal Khan"), (recent, "Chen Li")):
        sign_up(client, event, who, f"{who.split()[0].lower()}@home.example", phone="07700 900123",
                access_needs="Interpreter")
    days = app.config["RESIDENT_DATA_RETENTION_DAYS"]
    _held_and_closed(app, old, ended_days_ago=days + 1)
    _held_and_closed(app, recent, ended_days_ago=days - 1)

    with app.app_context():
        assert community_jobs.erase_due() == "2 erased"
    with app.app_context():
        rows = {s.event.title: [] for s in db.session.scalars(select(EventSignup))}
        for s in db.session.scalars(select(EventSignup).order_by(EventSignup.id)):
            rows[s.event.title].append((s.name, s.email, s.phone, s.access_needs, s.erased_at is not None))
        assert rows["Old discussion"] == [("", "", "", "", True)] * 2
        assert rows["Recent discussion"] == [("Chen Li", "chen@home.example", "07700 900123", "Interpreter", False)]
        emails = db.session.scalars(select(Email.to_address).where(Email.event_signup_id.is_not(None))).all()
        assert emails == ["chen@home.example"]
        old_event = db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.title == "Old discussion"))
        # The record of what happened outlives the contact details.
        assert old_event.contacts_erased_at is not None
        assert (old_event.attendees, old_event.organisations_present, old_event.languages_used) == (
            14, "Age UK Hertfordshire", ["en", "bn"])
        [logged] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "resident_details_erased"))
        assert logged.details == {"sign_ups": 2, "emails": 2, "retention_days": days}
        assert logged.actor_name == "system" and logged.object_label == "Old discussion"
        assert "Amina" not in str(logged.details) and "amina" not in str(logged.details)
    with app.app_context():
        assert community_jobs.erase_due() == "0 erased"  # once only
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "resident_details_erased")) == 1


def test_the_officers_page_says_the_details_were_erased(app, browser, second_case):
    event = make_event(app)
    sign_up(browser.client, event, "Amina Begum", "amina@home.example")
    _held_and_closed(app, event, ended_days_ago=app.config["RESIDENT_DATA_RETENTION_DAYS"] + 2)
    with app.app_context():
        retention.erase_due()
        db.session.commit()
    browser.sign_in(LEAD)
    page = browser.get(f"/groups/{GROUP}/community/events/{event}").text
    assert "Residents’ names and contact details were erased on" in page and "Amina" not in page
    assert "14" in page and "Age UK Hertfordshire" in page


def test_closed_one_to_one_requests_lose_their_personal_fields_but_keep_the_notes(app, second_case):
    days = app.config["RESIDENT_DATA_RETENTION_DAYS"]
    with app.app_context():
        group, lead = get_group_by_slug(GROUP), find_user(LEAD)
        made = {}
        for name, closed_days_ago in (("Old Request", days + 1), ("Recent Request", days - 1), ("Open Request", None)):
            request = conversations.ask(group, conversations.Asked(
                name=name, preferred_language="Bengali", contact_method="email",
                contact=f"{name.split()[0].lower()}@home.example", times="Evenings", access_needs="Interpreter"))
            if closed_days_ago is not None:
                conversations.close(request, "Waited eight months for a care assessment.", by=lead)
                request.closed_at = datetime.utcnow() - timedelta(days=closed_days_ago)
            made[name] = request
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Email).where(
            Email.kind == retention.ACKNOWLEDGEMENT_KIND)) == 3
        assert retention.erase_due() == 1
        db.session.commit()
        rows = {r.id: r for r in db.session.scalars(select(ConversationRequest))}
        old = rows[made["Old Request"].id]
        assert (old.name, old.contact, old.times, old.access_needs) == ("", "", "", "")
        assert old.erased_at is not None and old.notes == "Waited eight months for a care assessment."
        assert (old.preferred_language, old.contact_method) == ("Bengali", "email")  # counts, not people
        assert rows[made["Recent Request"].id].name == "Recent Request"
        assert rows[made["Open Request"].id].name == "Open Request"
        assert sorted(db.session.scalars(select(Email.to_address).where(
            Email.kind == retention.ACKNOWLEDGEMENT_KIND))) == ["open@home.example", "recent@home.example"]
        [logged] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "conversation_details_erased"))
        assert logged.details == {"requests": 1, "emails": 1, "retention_days": days}


def test_publishing_schedules_the_erasure_for_the_end_of_retention(app, second_case):
    from rq.registry import ScheduledJobRegistry

    from scrutiny.jobs import queue

    event_id = make_event(app)
    with app.app_context():
        event = db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.public_id == event_id))
        [job_id] = ScheduledJobRegistry(queue=queue()).get_job_ids()
        when = ScheduledJobRegistry(queue=queue()).get_scheduled_time(job_id).replace(tzinfo=None)
        due = event.ends_at + timedelta(days=app.config["RESIDENT_DATA_RETENTION_DAYS"])
        assert job_id.startswith("community-erase-") and due <= when <= due + timedelta(minutes=2)
