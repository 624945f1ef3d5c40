"""Residents sign up to a group discussion on its public pages: a place
while there are places, the waiting list after; places left shown, never
names; two people never take the last place at once; spam refused by a
honeypot and the rate limit. Officers set the discussion up on the
council's clock."""
from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.community.models import DiscussionEvent, EventSignup
from scrutiny.extensions import db
from tests.community import GROUP, LEAD, event_url, make_event, sign_up, statuses
from tests.test_pages_accessibility import check_page


@pytest.fixture(autouse=True)
def _roomy_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMUNITY_FORM_LIMITS", "1000 per hour")


def _main(response) -> str:
    return BeautifulSoup(response.text, "html.parser").main.get_text(" ", strip=True)


def test_signing_up_until_full_then_the_next_goes_on_the_waiting_list(app, client, second_case):
    event = make_event(app, capacity=3, held_back=1)  # two public places
    page = client.get(event_url(event))
    check_page(page.text, event_url(event))
    assert "2 places left" in _main(page) and "Sign up" in _main(page)

    first = sign_up(client, event, "Amina Begum", "amina@home.example", phone="07700 900123",
                    access_needs="A Sylheti interpreter")
    assert first.status_code == 200 and "You have a place" in _main(first)
    assert first.headers["Cache-Control"] == "no-store"
    assert "1 place left" in _main(client.get(event_url(event)))
    sign_up(client, event, "Bilal Khan", "bilal@home.example")
    full = client.get(event_url(event))
    assert "This discussion is full" in _main(full) and "Join the waiting list" in _main(full)
    assert "Amina" not in full.text and "Bilal" not in full.text  # places, never names

    waiting = sign_up(client, event, "Chen Li", "chen@home.example")
    assert "You are on the waiting list" in _main(waiting) and "48 hours" in _main(waiting)
    assert statuses(app, event) == {"Amina Begum": "confirmed", "Bilal Khan": "confirmed", "Chen Li": "waiting"}
    with app.app_context():
        signup = db.session.scalar(select(EventSignup).where(EventSignup.name == "Amina Begum"))
        assert (signup.phone, signup.access_needs, signup.language) == ("07700 900123", "A Sylheti interpreter", "en")
        assert signup.terms_accepted_at is not None and len(signup.manage_token_hash) == 64


def test_a_bad_sign_up_is_refused_with_an_error_summary_and_what_was_typed_kept(app, client, second_case):
    event = make_event(app)
    response = sign_up(client, event, "Dev Patel", "not-an-address", terms="")
    assert response.status_code == 200
    check_page(response.text, "sign-up")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.title.text.startswith("Error:")
    summary = soup.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "Enter an email address in the correct format" in summary
    assert "Confirm you accept the terms to sign up" in summary
    assert soup.select_one("#name")["value"] == "Dev Patel"
    assert statuses(app, event) == {}


def test_the_honeypot_is_answered_as_if_taken_and_keeps_nothing(app, client, second_case):
    event = make_event(app)
    response = sign_up(client, event, "Spam Bot", "bot@spam.example", website="http://spam.example")
    assert response.status_code == 200 and "You have a place" in _main(response)
    assert statuses(app, event) == {}
    box = BeautifulSoup(client.get(event_url(event) + "/sign-up").text, "html.parser").select_one("#website")
    assert box["tabindex"] == "-1" and box.find_parent(class_="app-honeypot")["aria-hidden"] == "true"


def test_too_many_sign_ups_from_one_client_are_refused(app, client, second_case, monkeypatch):
    monkeypatch.setitem(app.config, "COMMUNITY_FORM_LIMITS", "2 per hour")
    event = make_event(app, capacity=10)
    sign_up(client, event, "Refused Twice", "bad", terms="")  # a mistake is not counted
    for n in range(2):
        assert sign_up(client, event, f"Resident {n}", f"r{n}@home.example").status_code == 200
    refused = sign_up(client, event, "Resident 3", "r3@home.example")
    assert refused.status_code == 429
    assert list(statuses(app, event)) == ["Resident 0", "Resident 1"]


def test_a_draft_or_unknown_discussion_is_not_public(app, client, second_case):
    draft = make_event(app, publish=False)
    assert client.get(event_url(draft)).status_code == 404
    assert client.get(event_url(draft) + "/sign-up").status_code == 404
    assert client.get("/take-part/no-such-group/discussions").status_code == 404
    listing = client.get(f"/take-part/{GROUP}/discussions")
    assert listing.status_code == 200 and "There are no group discussions planned" in _main(listing)


def _last_place_race(app, event, count):
    from tests.test_portal import _all_at_once
    from tests.conftest import csrf_token

    clients = [app.test_client() for _ in range(count)]
    url = event_url(event) + "/sign-up"
    tokens = [csrf_token(c.get(url).text) for c in clients]

    def post(i):
        return lambda: clients[i].post(url, data={"csrf_token": tokens[i], "name": f"Racer {i}",
                                                  "email": f"racer{i}@home.example", "terms": "y"})

    return _all_at_once([post(i) for i in range(count)])


def test_twenty_residents_pressing_sign_up_at_once_for_the_last_place_give_it_to_one(app, second_case):
    event = make_event(app, capacity=1)
    responses = _last_place_race(app, event, 20)
    assert [r.status_code for r in responses] == [200] * 20
    taken = [r for r in responses if "You have a place" in _main(r)]
    assert len(taken) == 1
    with app.app_context():
        count = dict(db.session.execute(select(EventSignup.status, func.count()).group_by(EventSignup.status)).all())
    assert count == {"confirmed": 1, "waiting": 19}


def test_officers_set_up_a_discussion_on_the_councils_clock(app, browser, second_case):
    browser.sign_in(LEAD)
    form = f"/groups/{GROUP}/community/events/new"
    assert "Set up a group discussion" in browser.get(form).text
    fields = {"title": "Hearing from carers", "date": ["2", "7", "2030"],
              "start_time": "18:30", "end_time": "20:00", "online": "place", "place": "Committee Room 2",
              "capacity": "20", "held_back": "5", "languages": ["en", "ur"], "accept_hours": "24"}
    saved = browser.submit(form, fields)
    assert saved.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(DiscussionEvent))
        # 18:30 British Summer Time is 17:30 UTC.
        assert (event.starts_at, event.ends_at) == (datetime(2030, 7, 2, 17, 30), datetime(2030, 7, 2, 19))
        assert (event.capacity, event.held_back, event.languages, event.status) == (20, 5, ["en", "ur"], "draft")
        event_id = event.public_id
    page = browser.get(saved.headers["Location"])
    check_page(page.text, "event")
    assert "Publish for residents to sign up" in page.text and "18:30 to 20:00" in page.text

    skipped = browser.submit(form, {**fields, "date": ["31", "3", "2030"], "start_time": "01:30"})
    assert "There is no 01:30 on 31 March 2030 because the clocks go forward" in skipped.text
    online_without_link = browser.submit(form, {**fields, "online": "online"})
    assert "Enter how to join online" in online_without_link.text

    browser.submit(f"/groups/{GROUP}/community/events/{event_id}/publish", {}, form_page=page.request.path)
    assert statuses(app, event_id) == {}
    assert "20 places" not in _main(browser.client.get(event_url(event_id)))
    assert "15 places left" in _main(browser.client.get(event_url(event_id)))


def test_councillors_read_discussions_but_not_residents_details(app, browser, second_case):
    event = make_event(app)
    sign_up(browser.client, event, "Amina Begum", "amina@home.example", access_needs="Hearing loop")
    browser.sign_in("member@second.example")
    page = browser.get(f"/groups/{GROUP}/community/events/{event}")
    assert page.status_code == 200 and "Talking about care at home" in page.text
    assert "Amina" not in page.text and "Hearing loop" not in page.text
    browser.sign_out()
    browser.sign_in(LEAD)
    page = browser.get(f"/groups/{GROUP}/community/events/{event}")
    assert "Amina Begum" in page.text and "Hearing loop" in page.text and "amina@home.example" in page.text


def test_officers_book_held_back_places_for_an_invited_group(app, browser, second_case):
    event = make_event(app, capacity=4, held_back=2)
    browser.sign_in(LEAD)
    url = f"/groups/{GROUP}/community/events/{event}/book"
    too_many = browser.submit(url, {"invited_group": "Bangladeshi Women's Group", "places": "3"})
    assert "Only 2 held-back places are left" in too_many.text
    assert browser.submit(url, {"invited_group": "Bangladeshi Women's Group", "places": "2"}).status_code == 302
    assert statuses(app, event) == {"Bangladeshi Women's Group": "confirmed"}  # two rows, one name
    assert "2 places left" in _main(browser.client.get(event_url(event)))  # the public places are untouched
