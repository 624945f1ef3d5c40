"""Residents take part in the council's languages: the discussion pages and
the one-to-one form at /ar/..., /pl/...; the sign-up or request remembers
the page's language, and every e-mail to the resident (sent later by a
worker, whoever caused it) is written in it, with links that open their
pages in it. Officers' words (title, place, terms) are shown as typed,
marked as English."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.community import signups
from scrutiny.community.models import ConversationRequest, DiscussionEvent, EventSignup
from scrutiny.extensions import db
from tests.community import GROUP, event_url, make_event, manage_path, text_of
from tests.conftest import csrf_token
from tests.test_pages_accessibility import check_page


@pytest.fixture(autouse=True)
def _roomy_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMUNITY_FORM_LIMITS", "1000 per hour")


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _main(response) -> str:
    return _soup(response).main.get_text(" ", strip=True)


def _sign_up_in(client, code: str, event_id: str, name: str, email: str):
    url = f"/{code}{event_url(event_id)}/sign-up"
    page = client.get(url)
    return page, client.post(url, data={"csrf_token": csrf_token(page.text), "name": name, "email": email,
                                         "terms": "y"})


def test_signing_up_on_the_arabic_page_is_arabic_throughout(app, client, second_case, smtp, run_jobs):
    event = make_event(app, capacity=1)
    page = client.get(f"/ar{event_url(event)}")
    assert page.status_code == 200
    html = _soup(page).html
    assert (html["lang"], html["dir"]) == ("ar", "rtl")
    check_page(page.text, f"/ar{event_url(event)}", lang="ar")
    shown = _main(page)
    assert "بقي مكان واحد" in shown and "سجّل اسمك" in shown and "البنغالية" in shown  # 1 place left; Bengali
    title = _soup(page).find("h1")
    assert title.get_text() == "Talking about care at home" and (title["lang"], title["dir"]) == ("en", "ltr")
    # Every link on the page stays Arabic.
    assert _soup(page).select_one("a.govuk-button--start")["href"] == f"/ar{event_url(event)}/sign-up"

    form, done = _sign_up_in(client, "ar", event, "أمينة بيغوم", "amina@home.example")
    assert _soup(form).html["dir"] == "rtl" and "أقبل هذه الشروط" in _main(form)
    terms = _soup(form).find("div", class_="govuk-inset-text")
    assert (terms["lang"], terms["dir"]) == ("en", "ltr") and "Notes are taken without names." in terms.get_text()
    assert done.status_code == 200 and "لديك مكان" in _main(done)  # You have a place
    with app.app_context():
        signup = db.session.scalar(select(EventSignup).where(EventSignup.email == "amina@home.example"))
        assert (signup.name, signup.language) == ("أمينة بيغوم", "ar")

    run_jobs()
    [confirmation] = smtp.to("amina@home.example")
    assert confirmation["Subject"] == "مكانك في Talking about care at home"
    body = text_of(confirmation)
    assert "عزيزي/عزيزتي أمينة بيغوم،" in body and "مرفق ملف تقويم." in body and "من 6:30 م إلى 8:00 م" in body
    html_part = confirmation.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl"' in html_part
    [ics] = [part for part in confirmation.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert "SUMMARY:Talking about care at home" in ics.get_content()
    # The link in the e-mail opens the resident's page in Arabic.
    manage = manage_path(confirmation)
    assert manage.startswith("/ar/take-part/discussions/manage/")
    opened = client.get(manage)
    assert _soup(opened).html["lang"] == "ar" and "مكانك" in _main(opened) and "المكان مؤكد" in _main(opened)


def test_a_place_offered_later_is_offered_in_the_residents_language(app, client, second_case, smtp, run_jobs):
    event = make_event(app, capacity=1, accept_hours=24)
    _sign_up_in(client, "pl", event, "Jan Kowalski", "jan@home.example")
    _, waiting = _sign_up_in(client, "ro", event, "Ana Popescu", "ana@home.example")
    assert "Sunteți pe lista de așteptare" in _main(waiting)
    with app.app_context():  # the first cancels, from English or anywhere: the offer goes in Romanian
        first = db.session.scalar(select(EventSignup).where(EventSignup.email == "jan@home.example"))
        signups.cancel(first, by_resident=True)
        db.session.commit()
    run_jobs()
    [cancelled] = smtp.to("jan@home.example")[-1:]
    assert "zostało odwołane" in cancelled["Subject"]
    subjects = [m["Subject"] for m in smtp.to("ana@home.example")]
    assert subjects == ["Sunteți pe lista de așteptare pentru Talking about care at home",
                        "Un loc liber la Talking about care at home: acceptați-l la timp"]
    offer = text_of(smtp.to("ana@home.example")[-1])
    assert "Acceptați locul" in offer and "/ro/take-part/discussions/manage/" in offer


def test_the_one_to_one_form_in_polish(app, client, second_case, smtp, run_jobs):
    url = f"/pl/take-part/{GROUP}/one-to-one"
    page = client.get(url)
    assert page.status_code == 200 and _soup(page).html["lang"] == "pl"
    check_page(page.text, url, lang="pl")
    shown = _main(page)
    assert "Porozmawiaj z nami indywidualnie" in shown and "Jak mamy się z Tobą kontaktować?" in shown
    assert "Rozmowa telefoniczna" in shown  # the contact methods too
    refused = client.post(url, data={"csrf_token": csrf_token(page.text), "name": "", "contact_method": "email",
                                     "contact": "nie-adres", "preferred_language": "polski"})
    assert "Wystąpił problem" in _main(refused) and "Wpisz swoje imię i nazwisko" in _main(refused)
    assert "Wpisz adres e-mail w poprawnym formacie" in _main(refused) or "name@example.org" in _main(refused)
    assert _soup(refused).title.text.startswith("Błąd")
    sent = client.post(url, data={"csrf_token": csrf_token(page.text), "name": "Zofia Nowak",
                                  "preferred_language": "polski", "contact_method": "email",
                                  "contact": "zofia@home.example", "times": "wieczorami"})
    assert "Prośba wysłana" in _main(sent)
    with app.app_context():
        asked = db.session.scalar(select(ConversationRequest).where(ConversationRequest.name == "Zofia Nowak"))
        assert asked.language == "pl"
    run_jobs()
    [ack] = smtp.to("zofia@home.example")
    assert ack["Subject"].startswith("Skontaktujemy się z Tobą: ")
    assert "Szanowna Pani / Szanowny Panie Zofia Nowak," in text_of(ack)


def test_english_pages_and_emails_are_as_they_were(app, client, second_case, smtp, run_jobs):
    event = make_event(app)
    page = client.get(event_url(event))
    assert _soup(page).html["lang"] == "en" and "2 places left" in _main(page)
    assert _soup(page).find("h1").get("lang") is None  # nothing to mark on an English page
    _sign_up_in_english = client.get(event_url(event) + "/sign-up")
    client.post(event_url(event) + "/sign-up", data={"csrf_token": csrf_token(_sign_up_in_english.text),
                                                     "name": "Dev Patel", "email": "dev@home.example", "terms": "y"})
    run_jobs()
    [confirmation] = smtp.to("dev@home.example")
    assert confirmation["Subject"] == "Your place at Talking about care at home"
    assert "Time: 6:30pm to 8:00pm" in text_of(confirmation)
    assert manage_path(confirmation).startswith("/take-part/discussions/manage/")
    with app.app_context():
        assert db.session.scalar(select(DiscussionEvent.title)) == "Talking about care at home"
