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


def _team_shown(html: str, url: str, officer: bool) -> None:
    aside = BeautifulSoup(html, "html.parser").find("aside", attrs={"aria-labelledby": "team-contact-heading"})
    assert aside is not None, f"{url}: no contact for the scrutiny team"
    said = " ".join(aside.get_text(" ").split())
    assert aside.find("a", href="mailto:scrutiny@northshire.example"), f"{url}: {said}"
    assert aside.find("a", href="tel:01632960123"), f"{url}: {said}"
    if officer:
        assert "Priya Lead-Officer, lead officer for Adult Social Care Waiting Times" in said, f"{url}: {said}"


def test_every_portal_page_says_how_to_reach_the_team(app, second_case, smtp, run_jobs, contact):
    from tests.conftest import Browser
    from tests.test_invitations_journey import link_in, path_of
    from tests.test_portal import _draft, _post_files, _send_link

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email="wit@carers.example")
    _send_link(app, run_jobs, public_id)
    start = path_of(link_in(smtp.to("wit@carers.example")[-1]))
    witness = Browser(app.test_client())
    _team_shown(witness.get(start).text, "the link's page with its button", officer=True)
    landing = witness.submit(start, {}).headers["Location"]
    draft = _draft(witness, landing)
    assert _post_files(witness, draft, [], body="Carers wait months.").status_code == 302
    for url in (landing, draft, f"{draft}/submit", "/portal/privacy-notice"):
        _team_shown(witness.get(url).text, url, officer=url != "/portal/privacy-notice")
    witness.submit(f"{draft}/submit", {"notice_confirmed": "y"})
    _team_shown(witness.get(draft).text, "the submitted evidence", officer=True)
    missing = witness.get("/portal/evidence/no-such-evidence")
    assert missing.status_code == 404
    _team_shown(missing.text, "a portal page not found", officer=False)

    stranger = Browser(app.test_client())
    for url, words in ((start, "This link has already been used"), ("/portal/start/" + "A" * 43, "does not work"),
                       ("/portal/", "use the link in the email"), ("/portal/new-link", "Get a new link")):
        page = stranger.get(url)
        assert words in page.text, url
        _team_shown(page.text, url, officer=False)
    sent = stranger.submit("/portal/new-link", {"email": "wit@carers.example"})
    assert "Check your email" in sent.text
    _team_shown(sent.text, "new link sent", officer=False)


def test_every_email_says_how_to_reach_the_team(app, second_case, smtp, run_jobs, contact):
    from scrutiny import mail
    from scrutiny.invitations.services import by_public_id
    from tests.test_portal import _send_link

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email="wit@carers.example")
    for kind in ("invitation", "reminder", "overdue", "new_link"):
        _send_link(app, run_jobs, public_id, kind)
    browser, _, _, _ = _witness(app, smtp, run_jobs, email="ack@carers.example")
    from tests.test_portal import _draft, _post_files

    landing = browser.get("/portal/").headers["Location"]
    draft = _draft(browser, landing)
    _post_files(browser, draft, [], body="Carers wait months.")
    browser.submit(f"{draft}/submit", {"notice_confirmed": "y"})
    run_jobs()
    messages = smtp.to("wit@carers.example") + [
        m for m in smtp.to("ack@carers.example") if m["Subject"].strip().startswith("We have received")]
    assert len(messages) == 5, [m["Subject"] for m in messages]
    with app.app_context():
        group = by_public_id(public_id).topic_group
        digest = mail.render("comment_digest", subject="2 new comments", recipient=group.lead_officer, items=[],
                             link="https://x.example/draft", group=group, council_name="Northshire Council")
    bodies = [(m["Subject"], m.get_body(("plain",)).get_content(), m.get_body(("html",)).get_content())
              for m in messages] + [("comment digest", *digest)]
    for subject, text, html in bodies:
        assert "Email: scrutiny@northshire.example" in text and "Phone: 01632 960 123" in text, subject
        assert "Priya Lead-Officer, lead officer" in text, subject
        assert 'href="mailto:scrutiny@northshire.example"' in html and "01632 960 123" in html, subject
