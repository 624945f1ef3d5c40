"""The accessibility statement: open to everyone, linked from every page's
footer, in the council's own name and with its scrutiny team's contact."""
import os
from datetime import date

import pytest
from bs4 import BeautifulSoup

from config import ConfigError, TestingConfig
from scrutiny import create_app


@pytest.fixture
def council(app, monkeypatch):
    monkeypatch.setitem(app.config, "COUNCIL_NAME", "Northshire Borough Council")
    monkeypatch.setitem(app.config, "SERVICE_NAME", "Scrutiny reviews")
    monkeypatch.setitem(app.config, "SCRUTINY_TEAM_EMAIL", "scrutiny@northshire.example")
    monkeypatch.setitem(app.config, "SCRUTINY_TEAM_PHONE", "01632 960 123")


def _said(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").find("main").get_text(" ").split())


def test_anyone_reads_the_statement_in_the_councils_name_with_its_teams_contact(client, council):
    response = client.get("/accessibility")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.h1.get_text(strip=True) == "Accessibility statement for Scrutiny reviews"
    said = _said(response.text)
    assert "This website is run by Northshire Borough Council" in said
    assert soup.find("main").find("a", href="mailto:scrutiny@northshire.example")
    assert soup.find("main").find("a", href="tel:01632960123")
    headings = [h.get_text(strip=True) for h in soup.find("main").find_all("h2")]
    assert headings == ["How accessible this website is", "What to do if you cannot access parts of this website",
                        "Reporting accessibility problems with this website", "Enforcement procedure",
                        "Technical information about this website’s accessibility", "How we tested this website"]
    assert "Equality and Human Rights Commission (EHRC)" in said
    assert soup.find("a", href="https://www.equalityadvisoryservice.com/")
    assert "Web Content Accessibility Guidelines version 2.2 AA standard" in said
    assert "1280 pixels" in said and "320 pixels" in said and "using only a keyboard" in said


def test_the_last_tested_date_is_the_councils_own_test_when_it_gives_one(client, council, monkeypatch, app):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_TESTED_ON", "2026-09-14")
    said = _said(client.get("/accessibility").text)
    assert "This website was last tested on 14 September 2026 by Northshire Borough Council." in said


def test_otherwise_the_last_tested_date_is_when_this_release_was_built(client, council, app, monkeypatch, tmp_path):
    built = tmp_path / "build" / "app.css"  # what `npm run build` leaves as a release is deployed
    built.parent.mkdir()
    built.write_text("body {}")
    noon = (date(2026, 10, 5) - date(1970, 1, 1)).days * 86400 + 12 * 3600
    os.utime(built, (noon, noon))
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    said = _said(client.get("/accessibility").text)
    assert "This website was last tested on 5 October 2026." in said
    assert "the date above is when this version was released" in said


def test_without_a_build_the_statement_gives_no_date_rather_than_a_wrong_one(client, council, app, monkeypatch,
                                                                            tmp_path):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    said = _said(client.get("/accessibility").text)
    assert "last tested on" not in said and "Every version is tested before it is released:" in said


def test_every_kind_of_page_links_to_the_statement_from_its_footer(browser, second_case):
    def footer_link(url):
        page = browser.get(url)
        assert page.status_code in (200, 404), url
        link = BeautifulSoup(page.text, "html.parser").find("footer").find("a", href="/accessibility")
        return link and link.get_text()

    for url in ("/sign-in", "/portal/new-link", "/reviews", "/accessibility", "/no-such-page"):
        assert footer_link(url) == "Accessibility statement", url
    browser.sign_in("lead@second.example")
    for url in ("/groups", "/groups/adult-social-care-waiting-times"):
        assert footer_link(url) == "Accessibility statement", url


def test_a_mistyped_test_date_stops_the_start_with_what_is_wrong(app):
    with pytest.raises(ConfigError, match="ACCESSIBILITY_TESTED_ON must be a date like 2026-11-30, not '14/9/2026'"):
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://", ACCESSIBILITY_TESTED_ON="14/9/2026")
