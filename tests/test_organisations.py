from bs4 import BeautifulSoup

from scrutiny.organisations.services import find_by_name
from tests.conftest import make_app


def test_officer_adds_an_organisation_of_a_configured_kind(app, browser, make_user):
    browser.sign_in(make_user("officer"))
    page = browser.submit("/organisations/new", {"name": "Northshire Mind", "kind": "voluntary_community",
                                                 "email": "Hello@Mind.Example", "website": "https://mind.example"},
                          follow=True)
    assert "Saved Northshire Mind." in page.text
    row = BeautifulSoup(page.text, "html.parser").find("td", string="Northshire Mind").parent
    assert "Voluntary or community group" in row.text
    with app.app_context():
        assert find_by_name("northshire mind").email == "hello@mind.example"


def test_organisation_form_names_each_problem_and_saves_nothing(app, browser, make_user, second_case):
    browser.sign_in(make_user("officer"))
    page = browser.submit("/organisations/new", {"name": "carers in northshire", "kind": "",
                                                 "website": "not a url", "email": "nope"})
    soup = BeautifulSoup(page.text, "html.parser")
    errors = {a["href"]: a.text for a in soup.select(".govuk-error-summary a")}
    assert errors == {
        "#kind": "Choose what kind of organisation this is",
        "#email": "Enter an email address in the correct format, like name@example.org",
        "#website": "Enter a web address starting with https://",
    }
    page = browser.submit("/organisations/new", {"name": "carers in northshire", "kind": "other"})
    assert "There is already an organisation called Carers in Northshire" in page.text


def test_a_kind_not_in_the_settings_is_refused(browser, make_user):
    browser.sign_in(make_user("officer"))
    page = browser.submit("/organisations/new", {"name": "Made Up", "kind": "secret_society"})
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one(".govuk-error-summary a[href='#kind']").text == "Choose what kind of organisation this is"
    assert soup.select_one("#name")["value"] == "Made Up"


def test_organisation_kinds_come_from_the_councils_settings(database_url, redis_url):
    kinds = {"parish": "Parish or town council", "nhs": "NHS body"}
    other = make_app(database_url, redis_url, ORGANISATION_KINDS=kinds, COUNCIL_NAME="Northshire District Council")
    client = other.test_client()
    with other.app_context():
        from scrutiny.auth.services import create_user

        create_user("kinds@second.example", "Kinds Officer", "officer", "correct horse battery")
    from tests.conftest import Browser

    b = Browser(client)
    b.sign_in("kinds@second.example")
    soup = BeautifulSoup(b.get("/organisations/new").text, "html.parser")
    assert [lab.text.strip() for lab in soup.select("#kind label, .govuk-radios label")] == list(kinds.values())
    assert "Northshire District Council" in soup.select_one("header").text
