from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.auth.models import User
from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from tests.conftest import PASSWORD, Browser

NEW = {"name": "Jo Newcomer", "email": "Jo.Newcomer@Second.Example", "role": "councillor",
       "password": "three random words", "confirm": "three random words"}


def _users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_admin_adds_a_councillor_who_can_then_sign_in(app, browser, make_user):
    browser.sign_in(make_user("admin"))
    response = browser.submit("/admin/users/new", NEW, follow=True)
    assert "Added Jo Newcomer (Councillor)." in response.text
    assert "jo.newcomer@second.example" in response.text  # stored in lower case
    browser.sign_out()
    browser.sign_in("JO.NEWCOMER@second.example", "three random words")
    assert "My topic groups" in browser.get("/my-groups").text


def test_adding_a_user_twice_names_the_clash_and_keeps_the_form(app, browser, make_user):
    browser.sign_in(make_user("admin"))
    browser.submit("/admin/users/new", NEW)
    before = _users(app)
    page = browser.submit("/admin/users/new", {**NEW, "name": "Jo Again"})
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one(".govuk-error-summary a[href='#email']").text == \
        "There is already an account for jo.newcomer@second.example"
    assert soup.select_one("#name")["value"] == "Jo Again"
    assert _users(app) == before


def test_short_or_mismatched_passwords_are_refused(app, browser, make_user):
    browser.sign_in(make_user("admin"))
    before = _users(app)
    page = browser.submit("/admin/users/new", {**NEW, "password": "short", "confirm": "different"})
    soup = BeautifulSoup(page.text, "html.parser")
    errors = {a["href"]: a.text for a in soup.select(".govuk-error-summary a")}
    assert errors == {"#password": "Password must be at least 12 characters",
                      "#confirm": "The passwords do not match"}
    assert _users(app) == before


def test_admin_deactivates_an_account_and_it_can_no_longer_sign_in(app, browser, make_user):
    officer = make_user("officer")
    browser.sign_in(make_user("admin"))
    with app.app_context():
        officer_id = find_user(officer).id
    browser.submit(f"/admin/users/{officer_id}/edit", {"name": "Officer Gone", "role": "officer"})
    browser.sign_out()
    page = browser.submit("/sign-in", {"email": officer, "password": PASSWORD})
    assert "The email address or password is not right" in page.text


def test_a_deactivated_users_open_session_stops_working(app, browser, make_user, client):
    officer = make_user("officer")
    browser.sign_in(officer)
    assert browser.get("/groups").status_code == 200
    with app.app_context():
        find_user(officer).active = False
        db.session.commit()
    assert browser.get("/groups").status_code == 302


def test_admin_cannot_remove_their_own_admin_access(app, browser, make_user):
    admin = make_user("admin")
    browser.sign_in(admin)
    with app.app_context():
        admin_id = find_user(admin).id
    page = browser.submit(f"/admin/users/{admin_id}/edit", {"name": "Me", "role": "officer", "active": "y"})
    assert "You cannot remove your own administrator access" in page.text
    with app.app_context():
        assert find_user(admin).role == "admin"


def test_cli_creates_a_user_after_asking_for_the_password(app, runner):
    result = runner.invoke(args=["user", "create", "--email", "cli@second.example", "--name", "Cli Officer",
                                 "--role", "officer"], input="long enough password\nlong enough password\n")
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Created scrutiny officer cli@second.example." in result.output
    with app.app_context():
        assert find_user("cli@second.example").check_password("long enough password")


def test_cli_refuses_a_short_password_and_a_duplicate(app, runner, make_user):
    short = runner.invoke(args=["user", "create", "--email", "a@second.example", "--name", "A", "--role",
                                "officer"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    taken = make_user("officer")
    dup = runner.invoke(args=["user", "create", "--email", taken, "--name", "B", "--role", "officer"],
                        input="long enough password\nlong enough password\n")
    assert dup.exit_code != 0 and "There is already an account" in dup.output
    with app.app_context():
        assert find_user("a@second.example") is None


def test_a_password_set_by_an_admin_ends_that_users_sessions_but_not_the_admins_own(app, browser, make_user):
    admin = make_user("admin")
    officer = make_user("officer")
    with app.app_context():
        admin_id, officer_id = find_user(admin).id, find_user(officer).id
    officer_browser = Browser(app.test_client())
    officer_browser.sign_in(officer)
    browser.sign_in(admin)
    new = "a fresh long password"
    browser.submit(f"/admin/users/{officer_id}/edit", {"name": "Officer", "role": "officer", "active": "y",
                                                       "password": new})
    assert officer_browser.get("/groups").status_code == 302  # signed out
    browser.submit(f"/admin/users/{admin_id}/edit", {"name": "Me", "role": "admin", "active": "y", "password": new})
    assert browser.get("/admin/users").status_code == 200  # still signed in
