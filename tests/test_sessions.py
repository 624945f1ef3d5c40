import re
from datetime import date, datetime, time, timezone

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.invitations.models import Invitation
from scrutiny.sessions import services
from scrutiny.sessions.ics import plain_text, session_calendar
from scrutiny.sessions.models import EvidenceSession, SessionSlot
from tests.factories import make_invitation
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
SESSIONS = f"/groups/{GROUP}/sessions"
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


# Helpers: records made directly, so each test starts from the state it needs.

def _invite(app, organisation, name, email, status="accepted"):
    """A witness invited to the group; returns the invitation's id (what the form's checkboxes carry)."""
    public_id = make_invitation(app, GROUP, organisation, name=name, email=email, status=status)
    with app.app_context():
        return db.session.scalar(select(Invitation.id).where(Invitation.public_id == public_id))


def _witnesses(app):
    carers = _invite(app, "Carers in Northshire", "Cara Carer", "cara@carers.example")
    council = _invite(app, "Northshire Adult Social Care", "Dev Director", "dev.director@northshire.example")
    return carers, council


def _schedule(app, title, day, starts, ends, presenters=(), slug=GROUP, **extra):
    with app.app_context():
        session = services.save_session(get_group_by_slug(slug), None, services.SessionDetails(
            title=title, day=day, starts=starts, ends=ends, presenter_ids=list(presenters), **extra))
        return session.public_id


def _session(app, title):
    with app.app_context():
        session = db.session.scalar(select(EvidenceSession).where(EvidenceSession.title == title))
        if session is None:
            return None
        return {"public_id": session.public_id, "starts_at": session.starts_at, "ends_at": session.ends_at,
                "location": session.location, "online_url": session.online_url, "minutes": session.minutes,
                "presenters": [(s.invitation_id, s.attended) for s in session.slots]}


def _session_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EvidenceSession))


def _form(**changes):
    data = {
        "title": "Hearing from carers", "date": ["14", "10", "2026"],
        "start_time": "14:30", "end_time": "16:00",
        "location": "Committee Room 2, County Hall", "online_url": "https://meet.example.org/carers",
        "agenda": "## Welcome\n\n1. Introductions\n2. What carers told us",
    }
    data.update(changes)
    return data


def _soup(page):
    return BeautifulSoup(page.text, "html.parser")


def _errors(page):
    return {a["href"]: a.text.strip() for a in _soup(page).select(".govuk-error-summary a")}


# Scheduling

def test_officer_schedules_a_session_with_presenters(app, browser, second_case):
    carers, council = _witnesses(app)
    browser.sign_in("lead@second.example")
    page = browser.get(SESSIONS)
    assert "No evidence sessions have been scheduled yet" in page.text
    assert _soup(page).find("a", string="Schedule a session")["href"] == f"{SESSIONS}/new"

    form = _soup(browser.get(f"{SESSIONS}/new"))
    offered = [label.text.strip() for label in form.select("input[name=presenters] + label")]
    assert offered == ["Carers in Northshire – Cara Carer", "Northshire Adult Social Care – Dev Director"]

    response = browser.submit(f"{SESSIONS}/new", _form(presenters=[council, carers]))
    saved = _session(app, "Hearing from carers")
    assert response.headers["Location"] == f"{SESSIONS}/{saved['public_id']}"
    assert saved["presenters"] == [(council, None), (carers, None)]  # in the order given

    page = browser.get(response.headers["Location"])
    soup = _soup(page)
    assert soup.h1.text == "Hearing from carers"
    assert "Wednesday 14 October 2026" in page.text and "14:30 to 16:00" in page.text
    assert "Committee Room 2, County Hall" in page.text
    assert soup.select_one(".app-markdown h3").text == "Welcome"  # under the page's "Agenda" h2
    rows = [[td.text for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert rows == [["Northshire Adult Social Care", "Dev Director"], ["Carers in Northshire", "Cara Carer"]]
    assert soup.find("a", string="Add to calendar (.ics)")["href"].endswith("/calendar.ics")
    assert soup.find("a", string="Record attendance and minutes") is not None

    listed = _soup(browser.get(SESSIONS)).select_one("tbody tr").text
    for text in ("Wednesday 14 October 2026", "14:30 to 16:00", "Hearing from carers", "Committee Room 2",
                 "Online", "Northshire Adult Social Care – Dev Director", "Carers in Northshire – Cara Carer"):
        assert text in listed


def test_the_edit_form_opens_with_the_sessions_values_and_saves_changes(app, browser, second_case):
    carers, council = _witnesses(app)
    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16), [carers],
                           location="Room 1")
    browser.sign_in("lead@second.example")
    soup = _soup(browser.get(f"{SESSIONS}/{session_id}/edit"))
    assert soup.select_one("#title")["value"] == "Hearing from carers"
    assert [soup.select_one(f"#date-{part}")["value"] for part in ("day", "month", "year")] == ["14", "10", "2026"]
    assert soup.select_one("#start_time")["value"] == "14:30"
    assert soup.select_one("#end_time")["value"] == "16:00"
    ticked = [i.find_next("label").text.strip() for i in soup.select("input[name=presenters][checked]")]
    assert ticked == ["Carers in Northshire – Cara Carer"]

    response = browser.submit(f"{SESSIONS}/{session_id}/edit", _form(
        title="Hearing from carers and the council", location="Room 3", presenters=[carers, council]))
    assert response.headers["Location"] == f"{SESSIONS}/{session_id}"
    saved = _session(app, "Hearing from carers and the council")
    assert saved["location"] == "Room 3"
    assert saved["presenters"] == [(carers, None), (council, None)]
    assert _session_count(app) == 1


@pytest.mark.parametrize("day,utc_start,utc_end", [
    (["1", "7", "2026"], datetime(2026, 7, 1, 13, 30), datetime(2026, 7, 1, 15, 0)),  # British Summer Time
    (["2", "12", "2026"], datetime(2026, 12, 2, 14, 30), datetime(2026, 12, 2, 16, 0)),  # Greenwich Mean Time
], ids=["summer", "winter"])
def test_times_are_typed_in_local_time_and_stored_in_utc(app, browser, second_case, day, utc_start, utc_end):
    browser.sign_in("lead@second.example")
    browser.submit(f"{SESSIONS}/new", _form(date=day, start_time="14:30", end_time="16:00"))
    saved = _session(app, "Hearing from carers")
    assert (saved["starts_at"], saved["ends_at"]) == (utc_start, utc_end)
    assert "14:30 to 16:00" in browser.get(f"{SESSIONS}/{saved['public_id']}").text
    assert "14:30 to 16:00" in browser.get(SESSIONS).text
    soup = _soup(browser.get(f"{SESSIONS}/{saved['public_id']}/edit"))
    assert soup.select_one("#start_time")["value"] == "14:30"
    assert soup.select_one("#date-day")["value"] == day[0].zfill(2)


def test_the_days_the_clocks_change_are_handled(app, second_case):
    with app.app_context():
        group = get_group_by_slug(GROUP)
        # Clocks go back at 02:00 BST on 25 October 2026: 09:00 that morning is already GMT.
        before = services.save_session(group, None, services.SessionDetails(
            "Saturday session", date(2026, 10, 24), time(9), time(10)))
        after = services.save_session(group, None, services.SessionDetails(
            "Sunday session", date(2026, 10, 25), time(9), time(10)))
        assert before.starts_at == datetime(2026, 10, 24, 8, 0)
        assert after.starts_at == datetime(2026, 10, 25, 9, 0)
        # 01:30 on 29 March 2026 never happens: the clocks jump from 01:00 to 02:00.
        with pytest.raises(services.SessionError, match="clocks go forward") as err:
            services.save_session(group, None, services.SessionDetails(
                "Night session", date(2026, 3, 29), time(1, 30), time(3)))
        assert err.value.field == "start_time"


def test_form_errors_show_a_summary_keep_the_input_and_save_nothing(app, browser, second_case):
    browser.sign_in("lead@second.example")
    page = browser.submit(f"{SESSIONS}/new", _form(
        title="", start_time="25:99", online_url="http://meet.example.org/carers", agenda="Kept agenda"))
    assert page.status_code == 200
    soup = _soup(page)
    assert soup.title.text.startswith("Error: ")
    errors = _errors(page)
    assert errors == {
        "#title": "Enter a title for the session",
        "#start_time": "Start time must be a real time on the 24-hour clock, for example 14:30",
        "#online_url": "Enter an online meeting link that starts with https://",
    }
    for href in errors:
        assert soup.select_one(href) is not None, f"{href} links to nothing"
    assert soup.select_one("#start_time")["value"] == "25:99"
    assert soup.select_one("#agenda").text.strip() == "Kept agenda"
    assert _session_count(app) == 0


def test_missing_date_and_times_are_asked_for(app, browser, second_case):
    browser.sign_in("lead@second.example")
    page = browser.submit(f"{SESSIONS}/new", _form(date=["", "", ""], start_time="", end_time=""))
    assert _errors(page) == {
        "#date": "Enter the date of the session",
        "#start_time": "Enter the time the session starts",
        "#end_time": "Enter the time the session ends",
    }
    page = browser.submit(f"{SESSIONS}/new", _form(date=["31", "2", "2026"]))
    assert _errors(page) == {"#date": "Date must be a real date, for example 27 3 2025"}
    assert _session_count(app) == 0


def test_a_session_must_end_after_it_starts(app, browser, second_case):
    carers, _ = _witnesses(app)
    browser.sign_in("lead@second.example")
    for start, end in (("16:00", "14:30"), ("14:30", "14:30")):
        page = browser.submit(f"{SESSIONS}/new", _form(start_time=start, end_time=end, presenters=[carers]))
        assert _errors(page) == {"#end_time": "The end time must be after the start time"}
        assert _soup(page).select_one("#end_time") is not None
    assert _session_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionSlot)) == 0


def test_a_declined_or_withdrawn_witness_cannot_present(app, browser, second_case):
    carers = _invite(app, "Carers in Northshire", "Cara Carer", "cara@carers.example")
    declined = _invite(app, "Northshire Adult Social Care", "Dee Clined", "dee@northshire.example", "declined")
    withdrawn = _invite(app, "Carers in Northshire", "Will Drawn", "will@carers.example", "withdrawn")
    browser.sign_in("lead@second.example")
    form = _soup(browser.get(f"{SESSIONS}/new"))
    offered = [label.text.strip() for label in form.select("input[name=presenters] + label")]
    assert offered == ["Carers in Northshire – Cara Carer"]

    # Even if the form is sent with them ticked (a stale page, or on purpose).
    for invitation, message in (
            (declined, "Northshire Adult Social Care – Dee Clined cannot present because they declined the invitation"),
            (withdrawn, "Carers in Northshire – Will Drawn cannot present because their invitation was withdrawn")):
        page = browser.submit(f"{SESSIONS}/new", _form(presenters=[carers, invitation]))
        assert _errors(page) == {"#presenters": message}
        assert _soup(page).select_one("#presenters") is not None
    assert _session_count(app) == 0

    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16), [carers])
    with app.app_context():
        session = services.get_session(get_group_by_slug(GROUP), session_id)
        with pytest.raises(services.SessionError, match="cannot present"):
            services.set_presenters(session, [carers, declined])
        db.session.rollback()
        assert [s.invitation_id for s in session.slots] == [carers]


def test_a_witness_who_declines_after_being_given_a_slot_is_shown_as_not_presenting(app, browser, second_case):
    carers, council = _witnesses(app)
    session_id = _schedule(app, "Hearing", date(2026, 10, 14), time(10), time(12), [carers, council])
    with app.app_context():
        invitation = db.session.get(Invitation, council)
        invitation.status = "declined"
        db.session.commit()
        assert services.sessions_for_invitation(invitation) == []
    browser.sign_in("lead@second.example")
    row = _soup(browser.get(f"{SESSIONS}/{session_id}")).select("tbody tr")[1].text
    assert "Dev Director" in row and "Declined: will not present" in row
    assert "Dev Director" not in browser.get(f"{SESSIONS}/{session_id}/calendar.ics").data.decode()
    # They are not offered on the form, so saving it takes them off the session.
    browser.submit(f"{SESSIONS}/{session_id}/edit", _form(title="Hearing", presenters=[carers]))
    assert _session(app, "Hearing")["presenters"] == [(carers, None)]


def test_a_witness_invited_to_another_group_cannot_present(app, second_case, demo_case):
    carers = _invite(app, "Carers in Northshire", "Cara Carer", "cara@carers.example")
    before = _session_count(app)
    with app.app_context():
        with pytest.raises(services.SessionError, match="invited to give evidence to this group"):
            services.save_session(get_group_by_slug(demo_case), None, services.SessionDetails(
                "Elsewhere", date(2026, 10, 14), time(10), time(11), presenter_ids=[carers]))
    assert _session_count(app) == before


def test_a_witness_presents_at_two_sessions(app, browser, second_case, smtp, run_jobs):
    from scrutiny.invitations import services as invitations
    from tests.conftest import Browser
    from tests.test_invitations_journey import link_in, open_link, path_of

    carers, council = _witnesses(app)
    first = _schedule(app, "First hearing", date(2026, 10, 14), time(14, 30), time(16), [carers, council])
    with app.app_context():
        slot = db.session.scalar(select(SessionSlot).where(SessionSlot.invitation_id == carers))
        slot.attended = False
        db.session.commit()
    browser.sign_in("lead@second.example")
    form = _soup(browser.get(f"{SESSIONS}/new"))
    hint = form.select_one("input[name=presenters][value='%d'] ~ .govuk-hint" % carers).text
    assert hint.strip() == "Presenting at “First hearing” on 14 October 2026."

    # Ticked twice (a tampered form) they still present once here.
    response = browser.submit(f"{SESSIONS}/new", _form(title="Second hearing", date=["4", "11", "2026"],
                                                       presenters=[carers, carers]))
    assert response.status_code == 302
    second = response.headers["Location"].rsplit("/", 1)[1]
    assert _session(app, "First hearing")["presenters"] == [(carers, False), (council, None)]  # kept, as it was
    assert _session(app, "Second hearing")["presenters"] == [(carers, None)]
    for session_id in (first, second):
        assert "Carers in Northshire" in _soup(browser.get(f"{SESSIONS}/{session_id}")).select_one("tbody").text
    hint = _soup(browser.get(f"{SESSIONS}/{second}/edit")).select_one(
        "input[name=presenters][value='%d'] ~ .govuk-hint" % carers).text
    assert hint.strip() == "Also presenting at “First hearing” on 14 October 2026."
    listing = [tr.select("td")[3].text for tr in _soup(browser.get(SESSIONS)).select("tbody tr")]
    assert ["Cara Carer" in cell for cell in listing] == [True, True]

    with app.app_context():
        invitation = db.session.get(Invitation, carers)
        assert [s.session.title for s in invitation.slots] == ["First hearing", "Second hearing"]
        assert [s.title for s in services.sessions_for_invitation(invitation)] == ["First hearing", "Second hearing"]
        public_id = invitation.public_id
    shown = _soup(browser.get(f"/groups/{GROUP}/invitations/{public_id}")).select_one(".govuk-summary-list").text
    assert "Evidence sessions" in shown and "First hearing, 14 October 2026 14:30" in shown
    assert "Second hearing, 4 November 2026 14:30" in shown

    # The invitation names both sessions; the witness's page lists both, each with its calendar file.
    with app.app_context():
        invitations.queue_email(invitations.by_public_id(public_id), "invitation")
    run_jobs()
    [message] = smtp.to("cara@carers.example")
    text = message.get_body(("plain",)).get_content()
    assert "You are also invited to present at the evidence sessions:" in text
    assert '"First hearing", Wednesday 14 October 2026 at 14:30' in text
    assert '"Second hearing", Wednesday 4 November 2026 at 14:30' in text
    witness = Browser(app.test_client())
    landing = open_link(witness, path_of(link_in(message))).headers["Location"]
    page = _soup(witness.get(landing))
    rows = [row.text for row in page.select(".govuk-summary-list__row") if "Evidence session" in row.text]
    assert len(rows) == 2 and "First hearing" in rows[0] and "Second hearing" in rows[1]
    calendars = [a["href"] for a in page.find_all("a", string="Add to your calendar (.ics)")]
    assert len(calendars) == 2
    for href, title in zip(calendars, ("First hearing", "Second hearing")):
        response = witness.get(href)
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert f"SUMMARY:Adult Social Care Waiting Times: {title}".encode() in response.data.replace(b"\r\n ", b"")


def test_a_presentation_is_filed_against_the_witnesses_next_session(app, second_case):
    carers, council = _witnesses(app)
    for title, day in (("Later", date(2026, 11, 4)), ("Held", date(2026, 1, 5)), ("Next", date(2026, 10, 14))):
        _schedule(app, title, day, time(10), time(12), [carers])
    with app.app_context():
        invitation = db.session.get(Invitation, carers)
        assert [slot.session.title for slot in invitation.slots] == ["Held", "Next", "Later"]  # soonest first
        assert invitation.presentation_session(datetime(2026, 6, 1)).title == "Next"
        assert invitation.presentation_session(datetime(2026, 10, 14, 10, 30)).title == "Next"  # under way
        assert invitation.presentation_session(datetime(2027, 1, 1)).title == "Later"  # all held: the last
        assert db.session.get(Invitation, council).presentation_session(datetime(2026, 6, 1)) is None


def test_set_presenters_keeps_the_order_given_once_each(app, second_case):
    carers, council = _witnesses(app)
    session_id = _schedule(app, "Hearing", date(2026, 10, 14), time(10), time(12))
    with app.app_context():
        session = services.get_session(get_group_by_slug(GROUP), session_id)
        services.set_presenters(session, [council, carers, council])
        assert [s.invitation_id for s in session.slots] == [council, carers]
        assert [s.position for s in session.slots] == [0, 1]
        services.set_presenters(session, [carers])
        assert [s.invitation_id for s in session.slots] == [carers]
        assert db.session.scalar(select(func.count()).select_from(SessionSlot)) == 1
        for invitation_id, titles in ((carers, ["Hearing"]), (council, [])):
            invitation = db.session.get(Invitation, invitation_id)
            assert [s.title for s in services.sessions_for_invitation(invitation)] == titles


def test_an_online_link_must_be_https(app, second_case):
    with app.app_context():
        group = get_group_by_slug(GROUP)
        for link in ("http://meet.example.org/x", "javascript:alert(1)", "https://", "meet.example.org"):
            with pytest.raises(services.SessionError, match="starts with https://") as err:
                services.save_session(group, None, services.SessionDetails(
                    "Online", date(2026, 10, 14), time(10), time(11), online_url=link))
            assert err.value.field == "online_url"
    assert _session_count(app) == 0


# Calendar file

def test_the_calendar_file_has_the_session_in_utc_and_no_email_addresses(app, browser, second_case):
    carers, council = _witnesses(app)
    session_id = _schedule(
        app, "Hearing from carers", date(2026, 7, 1), time(14, 30), time(16), [carers, council],
        location="Committee Room 2, County Hall", online_url="https://meet.example.org/carers",
        agenda="## Welcome\n\n- Introductions\n- What **carers** told us, see [the survey](https://example.org/s)")
    browser.sign_in("member@second.example")
    response = browser.get(f"{SESSIONS}/{session_id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=hearing-from-carers-2026-07-01.ics"

    calendar = Calendar.from_ical(response.data)
    assert "Scrutiny" in str(calendar["PRODID"])
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{session_id}@scrutiny"
    assert response.data.count(b"DTSTART:20260701T133000Z") == 1  # 14:30 BST, written in UTC
    assert b"DTEND:20260701T150000Z" in response.data
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert str(event["SUMMARY"]) == "Adult Social Care Waiting Times: Hearing from carers"
    assert str(event["LOCATION"]) == "Committee Room 2, County Hall"
    assert str(event["URL"]) == "https://meet.example.org/carers"
    description = str(event["DESCRIPTION"])
    assert "1. Carers in Northshire – Cara Carer\n2. Northshire Adult Social Care – Dev Director" in description
    assert "- What carers told us, see the survey (https://example.org/s)" in description
    assert "**" not in description and "##" not in description
    assert EMAIL_RE.findall(response.data.decode()) == []


def test_the_calendar_function_needs_no_request(app, second_case):
    carers, _ = _witnesses(app)
    session_id = _schedule(app, "Online hearing", date(2026, 12, 2), time(10), time(11), [carers],
                           online_url="https://meet.example.org/x")
    with app.app_context():
        session = services.get_session(get_group_by_slug(GROUP), session_id)
        calendar = Calendar.from_ical(session_calendar(session, "Northshire Council"))
    assert "Northshire Council" in str(calendar["PRODID"])
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)  # GMT is UTC
    assert str(event["LOCATION"]) == "Online"
    assert "Join online: https://meet.example.org/x" in str(event["DESCRIPTION"])


def test_agenda_markdown_becomes_plain_text():
    assert plain_text("## Agenda\n\n1. Welcome\n2. **Carers**\n   - waits\n\nClose <b>now</b>") == (
        "Agenda\n\n1. Welcome\n2. Carers\n  - waits\n\nClose <b>now</b>")


# Attendance and minutes

def test_officer_records_attendance_and_minutes(app, browser, second_case):
    carers, council = _witnesses(app)
    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16),
                           [carers, council])
    browser.sign_in("lead@second.example")
    form = _soup(browser.get(f"{SESSIONS}/{session_id}/record"))
    legends = [legend.text.strip() for legend in form.select("legend")]
    assert legends == ["Councillor Tom Chairperson", "Councillor Ann Member",
                       "Did Carers in Northshire – Cara Carer attend?",
                       "Did Northshire Adult Social Care – Dev Director attend?"]
    response = browser.submit(f"{SESSIONS}/{session_id}/record", {
        f"attended_{carers}": "attended", f"attended_{council}": "absent",
        "minutes": "## Carers\n\nWaits are long.\n\n<script>alert('x')</script>",
    })
    assert response.headers["Location"] == f"{SESSIONS}/{session_id}"
    saved = _session(app, "Hearing from carers")
    assert saved["presenters"] == [(carers, True), (council, False)]

    page = browser.get(f"{SESSIONS}/{session_id}")
    soup = _soup(page)
    rows = [[td.text for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert rows == [["Carers in Northshire", "Cara Carer", "Attended"],
                    ["Northshire Adult Social Care", "Dev Director", "Did not attend"]]
    minutes = soup.select_one(".app-minutes")
    assert minutes.h3.text == "Carers"
    assert minutes.find("script") is None and "<script>alert" not in page.text
    assert "&lt;script&gt;" in str(minutes)
    assert soup.find("script", string=re.compile("alert")) is None

    form = _soup(browser.get(f"{SESSIONS}/{session_id}/record"))
    assert form.select_one(f"input[name=attended_{carers}][checked]")["value"] == "attended"
    assert form.select_one(f"input[name=attended_{council}][checked]")["value"] == "absent"
    assert "Waits are long." in form.select_one("#minutes").text


def test_attendance_can_be_left_unrecorded(app, browser, second_case):
    carers, council = _witnesses(app)
    session_id = _schedule(app, "Hearing", date(2026, 10, 14), time(10), time(12), [carers, council])
    browser.sign_in("lead@second.example")
    browser.submit(f"{SESSIONS}/{session_id}/record", {f"attended_{carers}": "attended", "minutes": ""})
    assert _session(app, "Hearing")["presenters"] == [(carers, True), (council, None)]
    assert "Not recorded" in browser.get(f"{SESSIONS}/{session_id}").text
    with app.app_context():
        session = services.get_session(get_group_by_slug(GROUP), session_id)
        stranger = _invite(app, "Carers in Northshire", "Not Presenting", "np@carers.example")
        with pytest.raises(services.SessionError, match="only for the witnesses presenting"):
            services.record_attendance(session, {stranger: True})


def _user_id(app, email):
    from scrutiny.auth.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def _member_attendance(app):
    from scrutiny.sessions.models import MemberAttendance

    with app.app_context():
        return sorted((r.user.name, r.status) for r in db.session.scalars(select(MemberAttendance)))


def _attendance_shown(page):
    return {row.dt.text.strip(): row.dd.text.strip()
            for row in _soup(page).select(".app-member-attendance .govuk-summary-list__row")}


def test_officer_records_councillors_attendance_and_changes_it(app, browser, second_case):
    session_id = _schedule(app, "Hearing", date(2026, 10, 14), time(10), time(12))
    chair, member = _user_id(app, "chair@second.example"), _user_id(app, "member@second.example")
    browser.sign_in("lead@second.example")
    form = _soup(browser.get(f"{SESSIONS}/{session_id}/record"))
    fieldset = form.select_one(f"input[name=member_{member}]").find_parent("fieldset")
    assert fieldset.legend.text.strip() == "Councillor Ann Member"
    assert [label.text.strip() for label in fieldset.select("label")] == ["Present", "Sent apologies", "Absent"]
    assert "Not recorded yet." in browser.get(f"{SESSIONS}/{session_id}").text

    browser.submit(f"{SESSIONS}/{session_id}/record",
                   {f"member_{chair}": "present", f"member_{member}": "apologies", "minutes": ""})
    assert _member_attendance(app) == [("Councillor Ann Member", "apologies"),
                                       ("Councillor Tom Chairperson", "present")]
    assert _attendance_shown(browser.get(f"{SESSIONS}/{session_id}")) == {
        "Present": "Councillor Tom Chairperson", "Apologies": "Councillor Ann Member"}
    form = _soup(browser.get(f"{SESSIONS}/{session_id}/record"))
    assert form.select_one(f"input[name=member_{member}][checked]")["value"] == "apologies"

    # She came after all: the new answer replaces the first.
    browser.submit(f"{SESSIONS}/{session_id}/record",
                   {f"member_{chair}": "present", f"member_{member}": "present", "minutes": ""})
    assert _member_attendance(app) == [("Councillor Ann Member", "present"),
                                       ("Councillor Tom Chairperson", "present")]
    assert _attendance_shown(browser.get(f"{SESSIONS}/{session_id}")) == {
        "Present": "Councillor Tom Chairperson; Councillor Ann Member"}

    # A councillor of the group reads it on the session page.
    browser.sign_out()
    browser.sign_in("member@second.example")
    assert _attendance_shown(browser.get(f"{SESSIONS}/{session_id}")) == {
        "Present": "Councillor Tom Chairperson; Councillor Ann Member"}


def test_a_refused_councillors_answer_keeps_the_input_and_saves_nothing(app, browser, second_case):
    carers, _ = _witnesses(app)
    session_id = _schedule(app, "Hearing", date(2026, 10, 14), time(10), time(12), [carers])
    chair, member = _user_id(app, "chair@second.example"), _user_id(app, "member@second.example")
    browser.sign_in("lead@second.example")
    page = browser.submit(f"{SESSIONS}/{session_id}/record", {
        f"member_{chair}": "present", f"member_{member}": "maybe", f"attended_{carers}": "attended",
        "minutes": "Kept minutes"})
    assert page.status_code == 200
    assert _errors(page) == {f"#member_{member}": "Choose Present, Sent apologies or Absent for Councillor Ann Member"}
    assert "Kept minutes" in _soup(page).select_one("#minutes").text
    assert _member_attendance(app) == []
    saved = _session(app, "Hearing")
    assert saved["presenters"] == [(carers, None)] and saved["minutes"] == ""
    with app.app_context():
        session = services.get_session(get_group_by_slug(GROUP), session_id)
        with pytest.raises(services.SessionError, match="only for the councillors of this topic group"):
            services.record_member_attendance(session, {_user_id(app, "outsider@second.example"): "present"})


def test_a_councillor_cannot_record_councillors_attendance(app, browser, second_case):
    session_id = _schedule(app, "Hearing", date(2026, 10, 14), time(10), time(12))
    member = _user_id(app, "member@second.example")
    for email in ("member@second.example", "chair@second.example"):
        browser.sign_in(email)
        posted = browser.client.post(f"{SESSIONS}/{session_id}/record",
                                     data={"csrf_token": _csrf(browser), f"member_{member}": "present"})
        assert posted.status_code == 403
        browser.sign_out()
    assert _member_attendance(app) == []


# Who may do what

def test_a_councillor_member_reads_sessions_but_cannot_change_them(app, browser, second_case):
    carers, _ = _witnesses(app)
    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16), [carers])
    browser.sign_in("member@second.example")
    listing = browser.get(SESSIONS)
    assert listing.status_code == 200 and "Hearing from carers" in listing.text
    assert "Schedule a session" not in listing.text
    page = browser.get(f"{SESSIONS}/{session_id}")
    assert page.status_code == 200
    assert "Record attendance and minutes" not in page.text and "Edit session" not in page.text
    assert browser.get(f"{SESSIONS}/{session_id}/calendar.ics").status_code == 200
    for url in (f"{SESSIONS}/new", f"{SESSIONS}/{session_id}/edit", f"{SESSIONS}/{session_id}/record"):
        response = browser.get(url)
        assert response.status_code == 403, url
        assert "You do not have permission to see this page" in response.text
        posted = browser.client.post(url, data={"csrf_token": _csrf(browser), **_form()})
        assert posted.status_code == 403, url
    assert _session_count(app) == 1


def _csrf(browser):
    from tests.conftest import csrf_token

    return csrf_token(browser.client.get("/my-groups").text)


def test_a_councillor_outside_the_group_sees_nothing(app, browser, second_case):
    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16))
    browser.sign_in("outsider@second.example")
    for url in (SESSIONS, f"{SESSIONS}/new", f"{SESSIONS}/{session_id}", f"{SESSIONS}/{session_id}/edit",
                f"{SESSIONS}/{session_id}/record", f"{SESSIONS}/{session_id}/calendar.ics"):
        assert browser.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(app, browser, second_case):
    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16))
    response = browser.get(f"{SESSIONS}/{session_id}/calendar.ics")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_unknown_sessions_and_other_groups_sessions_are_not_found(app, browser, second_case, demo_case):
    theirs = _schedule(app, "Another group's hearing", date(2026, 10, 14), time(10), time(11), slug=demo_case)
    browser.sign_in("lead@second.example")
    for session_id in ("no-such-session", theirs):
        for suffix in ("", "/edit", "/record", "/calendar.ics"):
            response = browser.get(f"{SESSIONS}/{session_id}{suffix}")
            assert response.status_code == 404, f"{session_id}{suffix}"
            assert "Page not found" in response.text
    assert browser.get(f"/groups/{demo_case}/sessions/{theirs}").status_code == 200
    assert browser.get("/groups/no-such-group/sessions").status_code == 404
    with app.app_context():
        assert services.get_session(get_group_by_slug(GROUP), theirs) is None


# Page structure

def test_every_sessions_page_has_one_h1_and_labelled_fields(app, browser, second_case):
    carers, council = _witnesses(app)
    browser.sign_in("lead@second.example")
    check_page(browser.get(SESSIONS).text, SESSIONS)  # none yet
    session_id = _schedule(app, "Hearing from carers", date(2026, 10, 14), time(14, 30), time(16),
                           [carers, council], agenda="# A heading in the agenda", online_url="https://m.example/x")
    other = _schedule(app, "Empty hearing", date(2026, 10, 15), time(14, 30), time(16))
    with app.app_context():
        services.save_minutes(services.get_session(get_group_by_slug(GROUP), session_id), "# Minutes heading")
    for url in (SESSIONS, f"{SESSIONS}/new", f"{SESSIONS}/{session_id}", f"{SESSIONS}/{session_id}/edit",
                f"{SESSIONS}/{session_id}/record", f"{SESSIONS}/{other}", f"{SESSIONS}/{other}/record"):
        page = browser.get(url)
        assert page.status_code == 200, url
        check_page(page.text, url)
    for url, data in ((f"{SESSIONS}/new", _form(title="", start_time="9")),
                      (f"{SESSIONS}/{session_id}/edit", _form(end_time="12:00"))):
        page = browser.submit(url, data)
        check_page(page.text, url)
        assert page.text.count("govuk-error-summary__list") == 1
    browser.sign_out()
    browser.sign_in("member@second.example")
    for url in (SESSIONS, f"{SESSIONS}/{session_id}"):
        check_page(browser.get(url).text, url)


def test_the_session_list_costs_the_same_queries_however_many_sessions_and_witnesses(app, browser, second_case):
    from tests.queries import queries_for as _queries_for

    carers, council = _witnesses(app)
    _schedule(app, "First hearing", date(2026, 10, 14), time(10), time(11), [carers])
    browser.sign_in("lead@second.example")
    before = _queries_for(app, browser.client, SESSIONS)
    more = [_invite(app, "Carers in Northshire", f"Witness {n}", f"w{n}@carers.example") for n in range(4)]
    for n in range(4):
        _schedule(app, f"Hearing {n}", date(2026, 11, 1 + n), time(10), time(11), [more[n], council][: n + 1])
    assert _queries_for(app, browser.client, SESSIONS) == before


def test_headings_typed_in_an_agenda_sit_under_the_pages_own(app):
    with app.app_context():
        nest = app.jinja_env.filters["markdown"]
    assert str(nest("# A\n\nx\n\n## B", under=2)).replace("\n", "") == "<h3>A</h3><p>x</p><h4>B</h4>"
    assert str(nest("#### Deep\n##### Deeper", under=2)).replace("\n", "") == "<h5>Deep</h5><h6>Deeper</h6>"
    assert str(nest("No headings", under=2)).replace("\n", "") == "<p>No headings</p>"


def test_recorded_minutes_appear_in_the_library_as_minutes_and_are_searchable(app, second_case):
    from tests.conftest import Browser

    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    with app.app_context():
        from datetime import datetime

        from scrutiny.extensions import db
        from scrutiny.groups.services import get_group_by_slug
        from scrutiny.sessions import services
        from scrutiny.sessions.models import EvidenceSession

        session = EvidenceSession(topic_group=get_group_by_slug(GROUP), title="First hearing",
                                  starts_at=datetime(2026, 10, 6, 9), ends_at=datetime(2026, 10, 6, 11))
        db.session.add(session)
        db.session.commit()
        services.save_minutes(session, "Members discussed **hospital discharge** delays.")
    page = officer.get(f"/groups/{GROUP}/evidence?kind=minutes").text
    assert "Minutes: First hearing" in page
    assert "Minutes: First hearing" in officer.get(f"/groups/{GROUP}/evidence?q=discharge").text
    with app.app_context():
        services.save_minutes(db.session.merge(session), "")
    assert "Minutes: First hearing" not in officer.get(f"/groups/{GROUP}/evidence").text
