"""Sign-in limits: guessing is slow, the owner is not locked out, Redis down
changes nothing, and behind a proxy each client counts on its own."""
from tests.conftest import PASSWORD, Browser, limiter_back_to, make_app

LEAD = "lead@second.example"  # the second case's lead officer


def attempt(browser: Browser, email: str, password: str) -> int:
    return browser.submit("/sign-in", {"email": email, "password": password}).status_code


def owner_browser(client) -> Browser:
    """The owner's own browser: it has signed in to the account before."""
    owner = Browser(client)
    owner.sign_in(LEAD)
    owner.sign_out()
    return owner


def test_a_strangers_guesses_do_not_refuse_the_owner_on_their_own_browser(app, second_case):
    owner = owner_browser(app.test_client())
    stranger = Browser(app.test_client())
    for _ in range(5):
        assert attempt(stranger, LEAD, "a guess at it") == 200
    # The stranger now waits, even when the guess is right: guessing stays slow.
    refused = stranger.submit("/sign-in", {"email": LEAD, "password": PASSWORD})
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert attempt(Browser(app.test_client()), LEAD, PASSWORD) == 429  # any browser new to the account
    # The owner, on the browser they signed in with before, gets in.
    assert attempt(owner, LEAD, PASSWORD) == 302
    assert owner.get("/groups").status_code == 200


def test_a_known_browser_is_slowed_too_when_it_guesses(app, second_case):
    owner = owner_browser(app.test_client())
    for _ in range(5):
        assert attempt(owner, LEAD, "not my password") == 200
    assert attempt(owner, LEAD, PASSWORD) == 429
    # Its failures are its own: they do not hold up the account elsewhere.
    assert attempt(Browser(app.test_client()), LEAD, PASSWORD) == 302


def test_a_made_up_known_browser_cookie_counts_for_nothing(app, second_case):
    stranger = Browser(app.test_client())
    stranger.client.set_cookie("known_browser", "eyJhIjoiYiJ9.forged.signature", path="/sign-in")
    for _ in range(5):
        attempt(stranger, LEAD, "a guess at it")
    assert attempt(stranger, LEAD, PASSWORD) == 429


def test_with_redis_down_failed_sign_ins_still_count(app_without_redis, second_case):
    stranger = Browser(app_without_redis.test_client())
    for _ in range(5):
        assert attempt(stranger, LEAD, "a guess at it") == 200
    assert attempt(stranger, LEAD, PASSWORD) == 429
    # Still, nobody is locked out by the outage itself.
    other = Browser(app_without_redis.test_client())
    other.sign_in("member@second.example")
    assert other.get("/my-groups").status_code == 200


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(app, database_url, redis_url, second_case):
    proxied = make_app(database_url, redis_url, TRUSTED_PROXIES=1, SIGN_IN_CLIENT_LIMITS="3 per 15 minutes",
                       STORAGE_DIR=app.config["STORAGE_DIR"])
    try:
        first, second = proxied.test_client(), proxied.test_client()
        first.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        second.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.23"
        for n in range(3):
            assert attempt(Browser(first), f"nobody{n}@second.example", "a guess") == 200
        assert attempt(Browser(first), LEAD, PASSWORD) == 429
        # Another client behind the same proxy is not held up by the first one's failures.
        assert attempt(Browser(second), LEAD, PASSWORD) == 302
    finally:
        limiter_back_to(app)


def test_without_trusted_proxies_a_client_cannot_choose_its_address(app, second_case):
    app.config["SIGN_IN_CLIENT_LIMITS"] = "3 per 15 minutes"
    try:
        for n in range(3):
            client = app.test_client()
            client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n}"
            assert attempt(Browser(client), f"nobody{n}@second.example", "a guess") == 200
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.99"
        assert attempt(Browser(client), LEAD, PASSWORD) == 429
    finally:
        app.config["SIGN_IN_CLIENT_LIMITS"] = "50 per 15 minutes"
