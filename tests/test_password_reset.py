"""Staff change their own password, and reset a forgotten one by an e-mailed link."""
import logging
import re
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.auth.models import PasswordResetToken
from scrutiny.auth.services import find_user
from scrutiny.clock import utcnow
from scrutiny.extensions import db
from scrutiny.outbox.models import Email
from tests.conftest import PASSWORD, Browser, csrf_token

NEW_PASSWORD = "purple tractor evening"
LINK = re.compile(r"http://\S+/reset-password/\S+")
SENT = "If an account uses"


def _ask_for_link(browser, email):
    page = browser.submit("/forgot-password", {"email": email})
    assert page.status_code == 200
    return page


def _link(smtp, email):
    [message] = [m for m in smtp.to(email) if m["Subject"] == "Reset your password"]
    return LINK.search(message.get_body(("plain",)).get_content()).group(0)


def _path(url):
    return "/" + url.split("/", 3)[3]


def _reset(browser, path, password=NEW_PASSWORD, confirm=None):
    return browser.submit(path, {"password": password, "confirm": password if confirm is None else confirm})


def _signs_in(app, email, password):
    page = Browser(app.test_client()).submit("/sign-in", {"email": email, "password": password})
    return page.status_code == 302


def _signed_out(browser):
    page = browser.get("/groups")
    return page.status_code == 302 and page.headers["Location"].startswith("/sign-in")


def _errors(page):
    soup = BeautifulSoup(page.text, "html.parser")
    return {a["href"]: a.text.strip() for a in soup.select(".govuk-error-summary a")}


def _h1(page):
    return BeautifulSoup(page.text, "html.parser").h1.text.strip()


def test_forgotten_password_reset_by_the_emailed_link(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    sign_in = BeautifulSoup(browser.get("/sign-in").text, "html.parser")
    assert sign_in.find("a", string="Forgotten your password?")["href"] == "/forgot-password"

    sent = _ask_for_link(browser, email)
    assert _h1(sent) == "Check your email" and SENT in sent.text
    assert smtp.messages == []  # never sent from the request
    run_jobs()
    url = _link(smtp, email)

    # Mail scanners open links: opening it, twice, spends nothing.
    for _ in range(2):
        page = browser.get(_path(url))
        assert page.status_code == 200 and _h1(page) == "Choose a new password"
    with app.app_context():
        [record] = db.session.scalars(select(PasswordResetToken)).all()
        assert record.used_at is None
        assert url.rsplit("/", 1)[1] not in record.token_hash
        kept = db.session.scalar(select(Email).where(Email.kind == "password_reset"))
        assert url not in kept.body_text and "[personal link]" in kept.body_text

    done = _reset(browser, _path(url))
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert "Your password has been reset" in browser.get("/sign-in").text
    assert not _signs_in(app, email, PASSWORD)
    assert _signs_in(app, email, NEW_PASSWORD)

    run_jobs()
    [notice] = [m for m in smtp.to(email) if m["Subject"] == "Your password has been changed"]
    assert "reset by a link sent to this address" in notice.get_body(("plain",)).get_content()


def test_a_used_link_is_refused_and_changes_nothing(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    _ask_for_link(browser, email)
    run_jobs()
    path = _path(_link(smtp, email))
    form = browser.get(path)
    assert _reset(browser, path).status_code == 302

    again = browser.get(path)
    assert _h1(again) == "This link has already been used"
    assert BeautifulSoup(again.text, "html.parser").find("a", string="Ask for a new link")["href"] == "/forgot-password"
    # Even with the form kept open from before, a second POST does nothing.
    late = browser.client.post(path, data={"csrf_token": csrf_token(form.text), "password": "another long password",
                                           "confirm": "another long password"})
    assert _h1(late) == "This link has already been used"
    assert _signs_in(app, email, NEW_PASSWORD)


def test_an_expired_link_is_refused(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    _ask_for_link(browser, email)
    run_jobs()
    path = _path(_link(smtp, email))
    form = browser.get(path)
    with app.app_context():
        record = db.session.scalar(select(PasswordResetToken))
        assert record.expires_at - utcnow() < timedelta(minutes=61)  # PASSWORD_RESET_MINUTES, 60
        record.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _h1(browser.get(path)) == "This link has expired"
    late = browser.client.post(path, data={"csrf_token": csrf_token(form.text), "password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert _h1(late) == "This link has expired"
    assert _signs_in(app, email, PASSWORD)


def test_a_bad_new_password_keeps_the_link_working(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    _ask_for_link(browser, email)
    run_jobs()
    path = _path(_link(smtp, email))
    short = _reset(browser, path, "too short")
    assert _errors(short) == {"#password": "Password must be at least 12 characters"}
    assert BeautifulSoup(short.text, "html.parser").title.text.startswith("Error: ")
    different = _reset(browser, path, NEW_PASSWORD, "something else entirely")
    assert _errors(different) == {"#confirm": "The passwords do not match"}
    assert _reset(browser, path).status_code == 302
    assert _signs_in(app, email, NEW_PASSWORD)


def test_unknown_inactive_and_passwordless_addresses_get_the_same_page_and_no_email(
        app, browser, make_user, smtp, run_jobs):
    from scrutiny.auth.services import create_user

    inactive = make_user("officer")
    with app.app_context():
        find_user(inactive).active = False
        create_user("member-only@second.example", "Member Only", "councillor")  # no password
        db.session.commit()
    known = make_user("officer")

    def answer(email):
        text = BeautifulSoup(_ask_for_link(browser, email).text, "html.parser").main.get_text(" ", strip=True)
        return text.replace(email, "ADDRESS")

    answers = {answer(e) for e in ("nobody@second.example", inactive, "member-only@second.example", known)}
    assert len(answers) == 1
    run_jobs()
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == [known]
    with app.app_context():
        assert db.session.scalar(select(Email.to_address)) == known  # nothing recorded for the others


def test_a_new_link_stops_the_older_one(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    _ask_for_link(browser, email)
    run_jobs()
    first = _path(_link(smtp, email))
    _ask_for_link(browser, email)
    run_jobs()
    second = [_path(LINK.search(m.get_body(("plain",)).get_content()).group(0)) for m in smtp.to(email)][-1]
    assert first != second
    assert _h1(browser.get(first)) == "This link does not work"
    assert _reset(browser, second).status_code == 302


def test_asking_too_often_is_refused_whether_or_not_the_address_is_known(browser, make_user):
    known = make_user("officer")
    for email in (known, "nobody@second.example"):
        for _ in range(3):
            assert _ask_for_link(browser, email).status_code == 200
        refused = browser.submit("/forgot-password", {"email": email})
        assert refused.status_code == 429 and "Too many attempts" in refused.text


def test_many_addresses_from_one_client_are_refused(app, browser):
    app.config["PASSWORD_RESET_CLIENT_LIMITS"] = "4 per hour"
    try:
        for n in range(4):
            assert _ask_for_link(browser, f"someone{n}@second.example").status_code == 200
        assert browser.submit("/forgot-password", {"email": "another@second.example"}).status_code == 429
    finally:
        app.config["PASSWORD_RESET_CLIENT_LIMITS"] = "20 per hour"


def test_the_reset_page_sends_no_referrer_and_is_not_cached(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    _ask_for_link(browser, email)
    run_jobs()
    page = browser.get(_path(_link(smtp, email)))
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_the_reset_token_never_reaches_the_log(app):
    from scrutiny.links import new_token
    from scrutiny.redaction import RedactPortalTokens

    token, _ = new_token()
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s %(f)s", {
        "r": f"GET /reset-password/{token} HTTP/1.1", "f": f"https://scrutiny.example/reset-password/{token}"}, None)
    assert RedactPortalTokens().filter(record)
    assert token not in record.getMessage() and "/reset-password/[redacted]" in record.getMessage()


def test_change_password_needs_the_current_one(app, browser, make_user, smtp, run_jobs):
    email = make_user("councillor")
    browser.sign_in(email)
    header = BeautifulSoup(browser.get("/my-groups").text, "html.parser").select_one(".app-header__user")
    assert header.find("a", string="Change password")["href"] == "/change-password"

    wrong = browser.submit("/change-password", {"current_password": "not my password", "password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert wrong.status_code == 200
    assert _errors(wrong) == {"#current_password": "Your current password is not right"}
    assert _signs_in(app, email, PASSWORD)

    done = browser.submit("/change-password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD}, follow=True)
    assert "Your password has been changed" in done.text
    assert not _signs_in(app, email, PASSWORD)
    assert _signs_in(app, email, NEW_PASSWORD)
    assert smtp.messages == []
    run_jobs()
    [notice] = smtp.to(email)
    assert notice["Subject"] == "Your password has been changed"
    text = notice.get_body(("plain",)).get_content()
    assert "was changed on" in text and "http://127.0.0.1:5000/forgot-password" in text


def test_change_password_names_each_problem_in_order(browser, make_user):
    browser.sign_in(make_user("officer"))
    empty = browser.submit("/change-password", {"current_password": "", "password": "", "confirm": ""})
    assert list(_errors(empty).items()) == [
        ("#current_password", "Enter your current password"),
        ("#password", "Enter a new password"),
        ("#confirm", "Enter the new password again"),
    ]
    same = browser.submit("/change-password", {"current_password": PASSWORD, "password": PASSWORD,
                                                "confirm": PASSWORD})
    assert _errors(same) == {"#password": "Your new password must be different from your current one"}
    short = browser.submit("/change-password", {"current_password": PASSWORD, "password": "short",
                                                 "confirm": "short"})
    assert _errors(short) == {"#password": "Password must be at least 12 characters"}


def test_guessing_the_current_password_is_limited(browser, make_user):
    browser.sign_in(make_user("officer"))
    for _ in range(6):  # mistakes in the new password are not guesses
        assert browser.submit("/change-password", {"current_password": PASSWORD, "password": "short",
                                                   "confirm": "short"}).status_code == 200
    for _ in range(5):
        page = browser.submit("/change-password", {"current_password": "a guess", "password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
        assert page.status_code == 200
    refused = browser.submit("/change-password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert refused.status_code == 429


def test_the_new_pages_have_one_h1_labels_and_error_links_that_land(app, browser, make_user, smtp, run_jobs):
    from tests.test_pages_accessibility import check_page

    email = make_user("officer")
    pages = {"/forgot-password": browser.get("/forgot-password"),
             "sent": _ask_for_link(browser, email),
             "forgot errors": browser.submit("/forgot-password", {"email": "not an address"}),
             "problem": browser.get("/reset-password/not-a-token")}
    run_jobs()
    path = _path(_link(smtp, email))
    pages["reset"] = browser.get(path)
    pages["reset errors"] = _reset(browser, path, "", "")
    browser.sign_in(email)
    pages["change"] = browser.get("/change-password")
    pages["change errors"] = browser.submit("/change-password", {})
    for name, page in pages.items():
        check_page(page.text, name)
        soup = BeautifulSoup(page.text, "html.parser")
        for link in soup.select(".govuk-error-summary a"):
            assert soup.select_one(link["href"]) is not None, f"{name}: {link['href']} points at nothing"
    assert _errors(pages["forgot errors"]) == {
        "#email": "Enter an email address in the correct format, like name@example.org"}
    assert _h1(pages["problem"]) == "This link does not work"


def test_a_new_password_ends_every_other_session(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    elsewhere = Browser(app.test_client())
    elsewhere.sign_in(email)
    browser.sign_in(email)
    browser.submit("/change-password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                        "confirm": NEW_PASSWORD})
    assert browser.get("/groups").status_code == 200  # the session that changed it goes on
    assert _signed_out(elsewhere)

    elsewhere.sign_in(email, NEW_PASSWORD)
    _ask_for_link(Browser(app.test_client()), email)
    run_jobs()
    assert elsewhere.get("/groups").status_code == 200  # asking for a link changes nothing
    assert _reset(Browser(app.test_client()), _path(_link(smtp, email)), "yet another password").status_code == 302
    assert _signed_out(browser) and _signed_out(elsewhere)


def test_the_worker_app_sends_reset_links(tmp_path):
    """The worker is another process: its app must know how to prepare the message."""
    import subprocess
    import sys

    script = ("import worker_app\nfrom scrutiny.outbox.jobs import _PREPARERS\n"
              "print(_PREPARERS['password_reset'])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "SCRUTINY_ENV": "testing"})
    assert out.stdout.strip() == "scrutiny.auth.password_reset.prepare_email"


def test_the_emails_end_with_the_team_contact_on_lines_of_its_own(app, browser, make_user, smtp, run_jobs):
    email = make_user("officer")
    _ask_for_link(browser, email)
    run_jobs()
    [message] = smtp.to(email)
    text = message.get_body(("plain",)).get_content()
    contact = text.replace("\r\n", "\n").rstrip().rsplit("\n\n", 1)[-1].splitlines()
    assert contact[0] == "Example County Council scrutiny team"
    assert contact[1].startswith("Email: ") and contact[2].startswith("Phone: ")


def test_with_redis_down_the_request_is_recorded_and_sent_later(app, browser, make_user, smtp, run_jobs):
    from redis import Redis

    from scrutiny.outbox import requeue_lost
    from tests.services import free_port

    email = make_user("officer")
    working = app.extensions["redis"]
    app.extensions["redis"] = Redis.from_url(f"redis://127.0.0.1:{free_port()}", socket_connect_timeout=1)
    try:
        page = _ask_for_link(browser, email)
    finally:
        app.extensions["redis"] = working
    assert _h1(page) == "Check your email"
    with app.app_context():
        assert db.session.scalar(select(Email.status).where(Email.to_address == email)) == "queued"
        assert requeue_lost(timedelta(0)) == 1  # as a starting worker does
    run_jobs()
    assert _link(smtp, email)
