"""A witness can always reach the scrutiny team: on every portal page and in every e-mail."""
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from scrutiny.branding import team_contact
from scrutiny.groups.services import get_group_by_slug
from tests.factories import make_invitation
from tests.test_portal import _witness
from tests.test_invitations_journey import GROUP


@pytest.fixture
def contact(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCRUTINY_TEAM_EMAIL", "scrutiny@northshire.example")
    monkeypatch.setitem(app.config, "SCRUTINY_TEAM_PHONE", "01632 960 123")


def test_the_invitation_email_and_the_portal_page_name_the_team_and_the_lead_officer(app, second_case, smtp,
                                                                                      run_jobs, contact):
    browser, _, landing, _ = _witness(app, smtp, run_jobs, email="wit@carers.example")
    [message] = smtp.to("wit@carers.example")
    text = message.get_body(("plain",)).get_content()
    assert "Priya Lead-Officer, lead officer" in text
    assert "Email: scrutiny@northshire.example" in text and "Phone: 01632 960 123" in text
    html = message.get_body(("html",)).get_content()
    assert 'href="mailto:scrutiny@northshire.example"' in html and "01632 960 123" in html

    page = BeautifulSoup(browser.get(landing).text, "html.parser")
    aside = page.find("aside", attrs={"aria-labelledby": "team-contact-heading"})
    said = " ".join(aside.get_text(" ").split())
    assert "Contact the scrutiny team" in said
    assert "Priya Lead-Officer, lead officer for Adult Social Care Waiting Times" in said
    assert aside.find("a", href="mailto:scrutiny@northshire.example")
    assert aside.find("a", href="tel:01632960123").get_text() == "01632 960 123"
    # An open door of the portal, with no invitation yet, still says how.
    door = browser.get("/portal/new-link").text
    assert "scrutiny@northshire.example" in door and "01632 960 123" in door


def test_overdue_notices_say_how_to_contact_the_team_instead_of_just_telling_them_to(app, second_case, contact):
    from scrutiny import mail
    from scrutiny.invitations.services import by_public_id

    public_id = make_invitation(app, GROUP, "Carers in Northshire", deadline=date.today() - timedelta(days=2))
    with app.app_context():
        invitation = by_public_id(public_id)
        text, html = mail.render("overdue", subject="s", invitation=invitation, group=invitation.topic_group,
                                 council_name="Northshire Council", link="https://x.example/portal/start/t")
    assert "contact the scrutiny team (scrutiny@northshire.example, 01632 960 123)" in text
    assert "contact the scrutiny team (scrutiny@northshire.example, 01632 960 123)" in html


def test_team_contact_for_letters(app, second_case, contact):
    with app.app_context():
        assert team_contact(get_group_by_slug(GROUP)) == {
            "email": "scrutiny@northshire.example", "phone": "01632 960 123", "officer": "Priya Lead-Officer"}
        assert team_contact()["officer"] == ""
