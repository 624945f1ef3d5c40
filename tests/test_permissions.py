"""Every route has a permission check, and each role meets the right answer."""
import pytest

from scrutiny.organisations.services import find_by_name

GROUP = "adult-social-care-waiting-times"

# (method, url, who may open it) for every route; checked against the app's map below.
OFFICER = {"admin", "officer"}
STAFF = {"admin", "officer", "councillor"}
ROUTES = [
    ("GET", "/", "public"),
    ("GET", "/sign-in", "public"),
    ("GET", "/healthz", "public"),
    ("POST", "/sign-out", STAFF),
    ("GET", "/my-groups", STAFF),
    ("GET", "/groups", OFFICER),
    ("GET", "/groups/new", OFFICER),
    ("GET", f"/groups/{GROUP}", "member"),
    ("GET", f"/groups/{GROUP}/edit", OFFICER),
    ("GET", f"/groups/{GROUP}/status", OFFICER),
    ("GET", "/organisations/", OFFICER),
    ("GET", "/organisations/new", OFFICER),
    ("GET", "/organisations/{org}/edit", OFFICER),
    ("GET", "/admin/users", {"admin"}),
    ("GET", "/admin/users/new", {"admin"}),
    ("GET", "/admin/users/{user}/edit", {"admin"}),
]


def test_every_route_declares_who_may_use_it(app):
    unchecked = [
        rule.rule for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not getattr(app.view_functions[rule.endpoint], "required_roles", None)
    ]
    assert unchecked == []


def test_every_route_is_in_this_table(app):
    """A new route must be added to ROUTES, so the role tests below cover it."""
    adapter = app.url_map.bind("localhost")
    tabled = {adapter.match(url.format(org=1, user=1), method=method)[0] for method, url, _ in ROUTES}
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routed - tabled == set()


@pytest.fixture
def people(app, second_case, make_user):
    with app.app_context():
        org_id = find_by_name("Carers in Northshire").id
    admin = make_user("admin")
    with app.app_context():
        from scrutiny.auth.services import find_user

        user_id = find_user("member@second.example").id
    return {
        "admin": admin,
        "officer": make_user("officer"),
        "councillor": "member@second.example",
        "outsider": "outsider@second.example",
        "ids": {"org": org_id, "user": user_id},
    }


def _open(browser, method, url):
    if method == "GET":
        return browser.client.get(url)
    return browser.client.post(url)


@pytest.mark.parametrize("method,url,allowed", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_anonymous_visitors_are_sent_to_sign_in(browser, people, method, url, allowed):
    url = url.format(**people["ids"])
    response = _open(browser, method, url)
    if allowed == "public":
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/sign-in")
    elif method == "GET":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")
    else:
        assert response.status_code in (302, 400)  # no session: redirect, or the CSRF refusal first


@pytest.mark.parametrize("method,url,allowed", [r for r in ROUTES if r[0] == "GET" and r[2] != "public"],
                         ids=[u for m, u, a in ROUTES if m == "GET" and a != "public"])
@pytest.mark.parametrize("who", ["admin", "officer", "councillor", "outsider"])
def test_each_role_gets_the_page_or_a_403(browser, people, method, url, allowed, who):
    browser.sign_in(people[who])
    response = browser.client.get(url.format(**people["ids"]))
    role = "councillor" if who == "outsider" else who
    if allowed == "member":
        expected = 200 if who != "outsider" else 403
    else:
        expected = 200 if role in allowed else 403
    assert response.status_code == expected
    if expected == 403:
        assert "You do not have permission to see this page" in response.text


def test_unknown_topic_group_is_a_404_page(browser, people):
    browser.sign_in(people["officer"])
    for url in ("/groups/no-such-group", "/groups/no-such-group/edit", "/groups/no-such-group/status"):
        response = browser.client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.text


def test_unknown_organisation_and_user_are_404(browser, people):
    browser.sign_in(people["admin"])
    assert browser.client.get("/organisations/999999/edit").status_code == 404
    assert browser.client.get("/admin/users/999999/edit").status_code == 404


def test_councillor_cannot_change_a_group_even_by_posting(app, browser, people):
    browser.sign_in(people["councillor"])
    page = browser.get("/my-groups")
    from tests.conftest import csrf_token

    token = csrf_token(page.text)
    response = browser.client.post(f"/groups/{GROUP}/status", data={"csrf_token": token, "status": "deliberating"})
    assert response.status_code == 403
    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        assert get_group_by_slug(GROUP).status == "gathering_evidence"
