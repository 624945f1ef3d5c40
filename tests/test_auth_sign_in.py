from bs4 import BeautifulSoup

from scrutiny.auth.services import find_user
from tests.conftest import PASSWORD, csrf_token

GENERIC = "The email address or password is not right"


def test_officer_signs_in_and_lands_on_topic_groups(browser, make_user):
    email = make_user("officer")
    response = browser.sign_in(email)
    assert response.headers["Location"] == "/"
    page = browser.get("/", follow_redirects=True)
    assert "<h1 class=\"govuk-heading-l\">Topic groups</h1>" in page.text


def test_councillor_lands_on_my_topic_groups(browser, make_user):
    browser.sign_in(make_user("councillor"))
    page = browser.get("/", follow_redirects=True)
    assert "My topic groups" in BeautifulSoup(page.text, "html.parser").h1.text


def test_wrong_password_and_unknown_email_get_the_same_message(browser, make_user):
    email = make_user("officer")
    wrong = browser.submit("/sign-in", {"email": email, "password": "not the password"})
    unknown = browser.submit("/sign-in", {"email": "nobody@second.example", "password": "not the password"})
    for page in (wrong, unknown):
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        summary = soup.select_one(".govuk-error-summary")
        assert GENERIC in summary.text
        assert summary.select_one("a")["href"] == "#email"
        assert soup.title.text.startswith("Error: ")
    # The typed address is kept, the password is not.
    soup = BeautifulSoup(wrong.text, "html.parser")
    assert soup.select_one("#email")["value"] == email
    assert not soup.select_one("#password").get("value")


def test_empty_sign_in_names_both_missing_fields(browser):
    page = browser.submit("/sign-in", {"email": "", "password": ""})
    soup = BeautifulSoup(page.text, "html.parser")
    links = {a["href"]: a.text for a in soup.select(".govuk-error-summary a")}
    assert links == {"#email": "Enter your email address", "#password": "Enter your password"}


def test_deactivated_account_cannot_sign_in(app, browser, make_user):
    email = make_user("officer")
    with app.app_context():
        find_user(email).active = False
        app.extensions["sqlalchemy"].session.commit()
    page = browser.submit("/sign-in", {"email": email, "password": PASSWORD})
    assert GENERIC in page.text


def test_repeated_failures_are_refused_then_even_the_right_password_waits(app, browser, make_user):
    email = make_user("officer")
    for _ in range(5):
        assert browser.submit("/sign-in", {"email": email, "password": "guess"}).status_code == 200
    blocked = browser.submit("/sign-in", {"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    # Another account from the same place is not locked out by these failures.
    other = make_user("officer")
    assert browser.submit("/sign-in", {"email": other, "password": PASSWORD}).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(browser, make_user):
    email = make_user("officer")
    for _ in range(8):
        browser.sign_in(email)
        browser.sign_out()


def test_password_is_stored_as_a_scrypt_hash(app, make_user):
    email = make_user("officer")
    with app.app_context():
        stored = find_user(email).password_hash
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(browser, make_user, second_case):
    response = browser.get("/groups/adult-social-care-waiting-times")
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]
    page = browser.client.get(response.headers["Location"])
    ok = browser.client.post(response.headers["Location"], data={
        "csrf_token": csrf_token(page.text), "email": "lead@second.example", "password": PASSWORD})
    assert ok.headers["Location"] == "/groups/adult-social-care-waiting-times"
    browser.sign_out()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        page = browser.client.get("/sign-in", query_string={"next": target})
        out = browser.client.post("/sign-in", query_string={"next": target}, data={
            "csrf_token": csrf_token(page.text), "email": "lead@second.example", "password": PASSWORD})
        assert out.headers["Location"] == "/", target
        browser.sign_out()


def test_sign_out_needs_a_post_with_the_form_token(browser, make_user):
    browser.sign_in(make_user("officer"))
    assert browser.client.get("/sign-out").status_code == 405
    forged = browser.client.post("/sign-out")
    assert forged.status_code == 400
    assert "The form had expired" in forged.text
    assert browser.get("/groups").status_code == 200  # still signed in
    browser.sign_out()
    assert browser.get("/groups").status_code == 302


def test_a_form_without_its_token_is_refused_and_changes_nothing(app, browser, make_user):
    browser.sign_in(make_user("officer"))
    response = browser.client.post("/organisations/new", data={"name": "Forged Org", "kind": "other"})
    assert response.status_code == 400
    with app.app_context():
        from scrutiny.organisations.services import find_by_name

        assert find_by_name("Forged Org") is None


def test_session_cookie_is_http_only_and_same_site(browser, make_user):
    response = browser.sign_in(make_user("officer"))
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
