"""Following a published review by e-mail: double opt-in (opening the link
confirms nothing, the button does), an unsubscribe link in every message
that erases the address and its e-mails, the same answer for every address
(and the same refusal when asked too often), and the news of a report or
its responses e-mailed once to confirmed followers and the review's witnesses."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.outbox.models import Email
from scrutiny.publication import following
from scrutiny.publication.models import EventKind, Follower, PublicationEvent
from tests.factories import make_group, make_invitation, publish_group
from tests.test_pages_accessibility import check_page
from tests.test_letters import SECOND, second  # noqa: F401

FOLLOW = f"/reviews/{SECOND}/follow"
LINK = re.compile(r"https?://\S+/reviews/follow/(?:confirm|unsubscribe)/[A-Za-z0-9_-]+")
READER = "resident@home.example"


@pytest.fixture
def published(app, second):  # noqa: F811 - the fixture imported above
    publish_group(app, SECOND, at=datetime(2026, 3, 2, 10))
    return SECOND


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _links(message) -> dict[str, str]:
    """confirm / unsubscribe -> the link's path."""
    found = {}
    for link in LINK.findall(_text(message)):
        path = urlsplit(link).path
        found["confirm" if "/confirm/" in path else "unsubscribe"] = path
    return found


def _h1(response) -> str:
    check_page(response.text, response.request.path)
    return BeautifulSoup(response.text, "html.parser").find("h1").get_text(" ", strip=True)


def _followers(app) -> list[tuple[str, bool]]:
    with app.app_context():
        return [(f.email, f.confirmed_at is not None) for f in db.session.scalars(select(Follower))]


def _ask(browser, address):
    return browser.submit(FOLLOW, {"email": address})


def test_following_is_confirmed_by_the_button_behind_the_emailed_link(app, browser, published, smtp, run_jobs):
    page = browser.get(FOLLOW)
    assert page.status_code == 200 and _h1(page).endswith("Follow this review")
    answer = _ask(browser, "  Resident@Home.example ")
    assert answer.status_code == 200 and _h1(answer).endswith("Check your email")
    assert _followers(app) == [(READER, False)]
    run_jobs()
    [message] = smtp.to(READER)
    assert message["Subject"] == "Confirm you want to follow Adult Social Care Waiting Times"
    links = _links(message)
    assert message["List-Unsubscribe"] == f"<{app.config['BASE_URL']}{links['unsubscribe']}>"
    with app.app_context():  # the outbox keeps the message without its links; the follower only hashes
        email = db.session.scalar(select(Email))
        assert email.follower_id is not None and "/reviews/follow/" not in email.body_text + email.body_html
        assert "[confirmation link]" in email.body_text
        follower = db.session.scalar(select(Follower))
        token = links["confirm"].rsplit("/", 1)[1]
        assert token not in str(follower.__dict__)
    # A mail scanner (or the reader) opening the link changes nothing.
    opened = browser.get(links["confirm"])
    assert _h1(opened) == "Confirm you want to follow this review"
    assert opened.headers["Referrer-Policy"] == "no-referrer" and opened.headers["Cache-Control"] == "no-store"
    assert _followers(app) == [(READER, False)]
    done = browser.submit(links["confirm"], {})
    assert "You are following this review" in done.text
    assert _followers(app) == [(READER, True)]
    assert _h1(browser.get(links["confirm"])) == "You are following this review"  # again: nothing to do


def test_the_answer_is_the_same_for_every_address_and_a_follower_is_not_mailed_again(
        app, browser, published, smtp, run_jobs):
    _ask(browser, READER)
    run_jobs()
    browser.submit(_links(smtp.to(READER)[0])["confirm"], {})

    def page(address):
        text = BeautifulSoup(_ask(browser, address).text, "html.parser").main.get_text(" ", strip=True)
        return text.replace(address, "ADDRESS")

    assert page(READER) == page("newcomer@home.example") == page("newcomer@home.example")
    run_jobs()
    assert len(smtp.to(READER)) == 1  # confirmed already: no second confirmation
    assert len(smtp.to("newcomer@home.example")) == 2  # asked twice, not confirmed: only the newest link works
    first, newest = (_links(m)["confirm"] for m in smtp.to("newcomer@home.example"))
    assert _h1(browser.get(first)) == "This link does not work"
    assert _h1(browser.get(newest)) == "Confirm you want to follow this review"


def test_a_bad_address_is_refused_with_what_was_typed_kept(app, browser, published):
    response = _ask(browser, "resident at home")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one(".govuk-error-summary a[href='#email']").get_text(strip=True) == (
        "Enter an email address in the correct format, like name@example.org")
    assert soup.find("input", id="email")["value"] == "resident at home"
    assert soup.title.get_text().startswith("Error: ")
    assert _followers(app) == []
    empty = BeautifulSoup(_ask(browser, "").text, "html.parser")
    assert "Enter your email address" in empty.select_one("#email-error").get_text()


def test_asking_too_often_is_refused_alike_for_a_follower_and_a_stranger(app, browser, published, smtp, run_jobs):
    _ask(browser, READER)
    run_jobs()
    browser.submit(_links(smtp.to(READER)[0])["confirm"], {})
    answers = {}
    for address in (READER, "stranger@home.example"):
        statuses = [_ask(browser, address).status_code for _ in range(2)]  # READER asked once already
        if address != READER:
            statuses.append(_ask(browser, address).status_code)
        refused = _ask(browser, address)
        answers[address] = (statuses[-1], refused.status_code,
                            BeautifulSoup(refused.text, "html.parser").main.get_text(" ", strip=True))
    assert answers[READER] == answers["stranger@home.example"]
    assert answers[READER][:2] == (200, 429) and "Too many attempts" in answers[READER][2]


def test_unsubscribing_erases_the_address_and_its_emails(app, browser, published, smtp, run_jobs):
    _ask(browser, READER)
    run_jobs()
    links = _links(smtp.to(READER)[0])
    browser.submit(links["confirm"], {})
    opened = browser.get(links["unsubscribe"])
    assert _h1(opened) == "Stop following this review" and READER in opened.text
    assert _followers(app) == [(READER, True)]  # opening the link erases nothing
    done = browser.submit(links["unsubscribe"], {})
    assert "You have stopped following this review" in done.text
    assert _followers(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Email.id)).where(Email.to_address == READER)) == 0
    assert _h1(browser.get(links["unsubscribe"])) == "You are not following this review"


def test_only_published_reviews_can_be_followed(app, browser, second):  # noqa: F811 - the fixture imported above
    make_group(app, "library-opening-hours", "Library Opening Hours")
    assert browser.get(FOLLOW).status_code == 404  # not published yet
    assert browser.get("/reviews/library-opening-hours/follow").status_code == 404
    publish_group(app, "library-opening-hours", at=datetime(2026, 1, 1), withdrawn_at=datetime(2026, 2, 1))
    assert browser.get("/reviews/library-opening-hours/follow").status_code == 404  # withdrawn


def _event(app, kind, title, summary) -> int:
    with app.app_context():
        event = PublicationEvent(topic_group=get_group_by_slug(SECOND), kind=kind, title=title, summary=summary)
        db.session.add(event)
        db.session.commit()
        return event.id


def _notify(app, event_id) -> int:
    with app.app_context():
        count = following.notify(get_group_by_slug(SECOND), db.session.get(PublicationEvent, event_id))
        db.session.commit()
        return count


def test_news_goes_once_to_confirmed_followers_and_the_reviews_witnesses(app, browser, published, smtp, run_jobs):
    for address in (READER, "pending@home.example"):
        _ask(browser, address)
    run_jobs()
    browser.submit(_links(smtp.to(READER)[0])["confirm"], {})  # the other never confirms
    make_invitation(app, SECOND, "Carers in Northshire", email="wendy@carers.example", name="Wendy Witness")
    make_invitation(app, SECOND, "Carers in Northshire", email="Wendy@Carers.example", name="Wendy Witness",
                    status="declined")  # asked twice: told once
    make_invitation(app, SECOND, "Northshire Adult Social Care", email="draft@asc.example", status="draft")
    make_invitation(app, SECOND, "Northshire Adult Social Care", email="gone@asc.example", status="withdrawn")
    make_invitation(app, SECOND, "Northshire Adult Social Care", email=READER, name="Rita Resident")
    report = _event(app, EventKind.REPORT_PUBLISHED, "Report published",
                    "The group’s report, its evidence and its recommendations.")
    monitoring = _event(app, EventKind.MONITORING, "Progress reviewed", "")
    assert _notify(app, monitoring) == 0  # not news we e-mail
    assert _notify(app, report) == 2
    assert _notify(app, report) == 0  # run again: nobody twice
    run_jobs()
    news = [m for m in smtp.messages if m["Subject"] == "Adult Social Care Waiting Times: Report published"]
    assert sorted(m["To"] for m in news) == ["Wendy Witness <wendy@carers.example>", READER]
    to_reader = next(m for m in news if m["To"] == READER)
    assert "The group’s report, its evidence and its recommendations." in _text(to_reader)
    assert f"{app.config['BASE_URL']}/reviews/{SECOND}" in _text(to_reader)
    assert "unsubscribe" in _links(to_reader) and to_reader["List-Unsubscribe"]
    to_witness = next(m for m in news if m["To"] != READER)
    assert "Dear Wendy Witness" in _text(to_witness) and not _links(to_witness)
    assert not smtp.to("pending@home.example")[1:] and not smtp.to("draft@asc.example")
    assert not smtp.to("gone@asc.example")
    # The responses are news again; the reader's link from this message still works.
    assert _notify(app, _event(app, EventKind.RESPONSES_PUBLISHED, "Responses published", "")) == 2
    run_jobs()
    assert _h1(browser.get(_links(to_reader)["unsubscribe"])) == "Stop following this review"


def test_a_notify_after_withdrawal_sends_nothing(app, second, smtp, run_jobs):  # noqa: F811 - the fixture imported above
    publish_group(app, SECOND, at=datetime(2026, 3, 2), withdrawn_at=datetime(2026, 3, 3))
    make_invitation(app, SECOND, "Carers in Northshire", email="wendy@carers.example")
    assert _notify(app, _event(app, EventKind.REPORT_PUBLISHED, "Report published", "")) == 0


def test_an_address_never_confirmed_is_forgotten_after_the_confirmation_period(
        app, browser, published, smtp, run_jobs):
    _ask(browser, READER)
    run_jobs()
    link = _links(smtp.to(READER)[0])["confirm"]
    with app.app_context():
        days = app.config["FOLLOW_CONFIRM_DAYS"]
        follower = db.session.scalar(select(Follower))
        follower.asked_at -= timedelta(days=days, minutes=1)
        db.session.commit()
    assert _h1(browser.get(link)) == "This link has expired"
    assert _h1(browser.submit(link, {}, form_page=FOLLOW)) == "This link has expired"
    _ask(browser, "someone.else@home.example")  # any request clears out the old ones
    with app.app_context():
        assert [f.email for f in db.session.scalars(select(Follower))] == ["someone.else@home.example"]
        assert db.session.scalar(select(func.count(Email.id)).where(Email.to_address == READER)) == 0
