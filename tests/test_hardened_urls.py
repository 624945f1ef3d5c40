"""Addresses a visitor can type: an id too long for the database is a missing
page, and the health check tells the public only whether the service is up."""
from tests.conftest import Browser, limiter_back_to, make_app

HUGE = "1" + "0" * 22  # 23 digits: more than PostgreSQL's INTEGER (and SQLite's) holds


def test_an_id_too_long_for_the_database_is_page_not_found(browser, make_user, second_case):
    browser.sign_in(make_user("admin"))
    for url in (f"/organisations/{HUGE}/edit", f"/admin/users/{HUGE}/edit", f"/organisations/{2**31}/edit"):
        page = browser.get(url)
        assert page.status_code == 404, url
        assert "Page not found" in page.text


def test_the_public_sees_only_whether_the_service_is_up(app):
    outsider = app.test_client()
    outsider.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    health = outsider.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "degraded"}  # no worker runs in the tests
    # A client on the internet cannot pass for the machine itself.
    outsider.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert outsider.get("/healthz").get_json() == {"status": "degraded"}


def test_officers_and_the_machine_itself_see_the_details(app, second_case):
    officer = Browser(app.test_client())
    officer.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    officer.sign_in("lead@second.example")
    body = officer.get("/healthz").get_json()
    assert body["database"] == {"ok": True} and body["workers"] == {"ok": False, "count": 0}
    assert app.test_client().get("/healthz").get_json()["redis"] == {"ok": True}  # from loopback


def test_behind_a_trusted_proxy_the_machine_is_the_client_the_proxy_names(app, database_url, redis_url):
    proxied = make_app(database_url, redis_url, TRUSTED_PROXIES=1, STORAGE_DIR=app.config["STORAGE_DIR"])
    try:
        local, remote = proxied.test_client(), proxied.test_client()
        local.environ_base["HTTP_X_FORWARDED_FOR"] = "127.0.0.1"
        remote.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.23"
        assert "database" in local.get("/healthz").get_json()
        assert remote.get("/healthz").get_json() == {"status": "degraded"}
        # A forged first hop, with the proxy's own after it, is still the remote client.
        remote.environ_base["HTTP_X_FORWARDED_FOR"] = "127.0.0.1, 198.51.100.23"
        assert remote.get("/healthz").get_json() == {"status": "degraded"}
    finally:
        limiter_back_to(app)
