"""Sessions end when they should: a staff cookie stops working once its
owner signs out, has their password changed or is deactivated; a witness's
portal session lives on the server, ends at sign-out, after an idle spell
and at the end of its links; private pages are never stored by a browser or
proxy; production cookies are host-only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from config import ProductionConfig
from scrutiny import clock, create_app
from scrutiny.auth.services import find_user
from scrutiny.documents.models import Document, DocumentKind
from scrutiny.extensions import db
from scrutiny.portal.models import PortalSession
from tests.conftest import PASSWORD, Browser, csrf_token
from tests.test_invitations_journey import GROUP
from tests.test_letters import SECOND, second, signed_in  # noqa: F401 - `second` is a fixture
from tests.test_portal import _witness
from tests.test_public_pages import REVIEW, published  # noqa: F401 - `published` is a fixture

OFFICER = "lead@second.example"


def _copy_of(browser: Browser, app) -> Browser:
    """Another browser holding every cookie this one holds: a stolen or replayed copy."""
    copy = Browser(app.test_client())
    for cookie in browser.client._cookies.values():  # noqa: SLF001 - the test client has no public list
        copy.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return copy


def _signed_in(browser: Browser) -> bool:
    page = browser.get("/my-groups")
    return page.status_code == 200 and "Sign out" in page.text


@pytest.fixture
def later(monkeypatch):
    """Moves the app's clock (scrutiny.clock.utcnow) forward by the minutes given, from now."""
    real = clock.utcnow

    def move(minutes: float) -> None:
        start = real()
        monkeypatch.setattr(clock, "utcnow", lambda: start + timedelta(minutes=minutes))

    return move


# -- staff sessions ------------------------------------------------------------------

def test_a_staff_cookie_replayed_after_sign_out_is_signed_out(app, second_case):
    officer = signed_in(app, OFFICER)
    replayed = _copy_of(officer, app)
    assert _signed_in(replayed)
    officer.sign_out()
    assert not _signed_in(replayed)
    assert replayed.get("/my-groups").headers["Location"].startswith("/sign-in")


def test_a_cookie_from_before_an_admin_changed_the_password_is_signed_out(app, second_case, make_user):
    officer = signed_in(app, OFFICER)
    admin = signed_in(app, make_user("admin"))
    with app.app_context():
        officer_id = find_user(OFFICER).id
    saved = admin.submit(f"/admin/users/{officer_id}/edit",
                         {"name": "Priya Lead-Officer", "role": "officer", "active": "y",
                          "password": "a brand new password", "confirm": "a brand new password"})
    assert saved.status_code == 302
    assert not _signed_in(officer)
    assert _signed_in(signed_in(app, OFFICER, "a brand new password"))
    assert _signed_in(admin)  # the admin's own session goes on


def test_a_deactivated_account_stays_signed_out_even_when_reactivated(app, second_case, make_user):
    officer = signed_in(app, OFFICER)
    admin = signed_in(app, make_user("admin"))
    with app.app_context():
        officer_id = find_user(OFFICER).id
    admin.submit(f"/admin/users/{officer_id}/edit", {"name": "Priya Lead-Officer", "role": "officer"})
    assert not _signed_in(officer)
    admin.submit(f"/admin/users/{officer_id}/edit", {"name": "Priya Lead-Officer", "role": "officer", "active": "y"})
    assert not _signed_in(officer)  # the old cookie does not come back with the account
    assert _signed_in(signed_in(app, OFFICER, PASSWORD))


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, second_case):
    here, elsewhere = signed_in(app, OFFICER), signed_in(app, OFFICER)
    changed = here.submit("/change-password", {"current_password": PASSWORD, "password": "another long password",
                                               "confirm": "another long password"})
    assert changed.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


# -- portal sessions ------------------------------------------------------------------

def _portal_session(app) -> PortalSession:
    with app.app_context():
        found = db.session.scalars(select(PortalSession)).all()
        assert len(found) == 1
        return found[0]


def test_a_portal_cookie_replayed_after_the_witness_signed_out_opens_nothing(app, second_case, smtp, run_jobs):
    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    replayed = _copy_of(witness, app)
    assert replayed.get(landing).status_code == 200
    witness.submit("/portal/sign-out", {}, form_page=landing)
    assert witness.get(landing).status_code == 404
    assert replayed.get(landing).status_code == 404
    page = replayed.get("/portal/", follow_redirects=True)
    assert page.status_code == 200 and "use the link in the email" in page.text
    assert _portal_session(app).ended_at is not None


def test_the_portal_keeps_only_a_hash_of_the_browsers_cookie(app, second_case, smtp, run_jobs):
    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    cookie = witness.client.get_cookie(app.config["PORTAL_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only and cookie.path == "/"
    import hashlib

    stored = _portal_session(app)
    assert stored.token_hash == hashlib.sha256(cookie.value.encode()).hexdigest()
    assert cookie.value not in stored.token_hash
    assert stored.grants["invitations"] == {public_id: 0}


def test_an_idle_portal_session_ends(app, second_case, smtp, run_jobs, later):
    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    idle = app.config["PORTAL_IDLE_MINUTES"]
    assert idle == 120
    later(idle - 10)
    assert witness.get(landing).status_code == 200  # a visit keeps it going...
    later(2 * idle - 20)
    assert witness.get(landing).status_code == 200
    later(3 * idle - 9)
    assert witness.get(landing).status_code == 404  # ...an idle spell ends it


def test_a_portal_session_ends_with_the_links_that_opened_it(app, second_case, smtp, run_jobs, later, monkeypatch):
    from scrutiny.invitations.services import by_public_id, link_expiry

    monkeypatch.setitem(app.config, "PORTAL_IDLE_MINUTES", 100 * 24 * 60)  # never idle here
    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    with app.app_context():
        assert _portal_session(app).expires_at == link_expiry(by_public_id(public_id))
    until = (_portal_session(app).expires_at - clock.utcnow()).total_seconds() / 60
    later(until - 30)
    assert witness.get(landing).status_code == 200
    later(until + 1)
    assert witness.get(landing).status_code == 404


def test_browsing_the_portal_does_not_write_on_every_request(app, second_case, smtp, run_jobs, later):
    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    first = _portal_session(app).last_seen_at
    witness.get(landing)
    assert _portal_session(app).last_seen_at == first
    later(2)
    witness.get(landing)
    assert _portal_session(app).last_seen_at > first


def test_a_staff_member_who_opens_a_portal_link_stays_signed_in_and_their_session_holds_no_portal_state(
        app, second_case, smtp, run_jobs):
    from tests.test_invitations_journey import link_in, open_link, path_of
    from tests.test_portal import _send_link
    from tests.factories import make_invitation

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email=OFFICER)
    _send_link(app, run_jobs, public_id)
    officer = signed_in(app, OFFICER)
    landing = open_link(officer, path_of(link_in(smtp.to(OFFICER)[-1]))).headers["Location"]
    assert officer.get(landing).status_code == 200
    assert _signed_in(officer)
    serializer = app.session_interface.get_signing_serializer(app)
    flask_session = serializer.loads(officer.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    assert flask_session["_user_id"].startswith(f"{find_user_id(app, OFFICER)}.")
    assert flask_session.get("_id")  # "strong" session protection still holds its fingerprint
    assert not {"portal", "portal_responses"} & set(flask_session)
    assert public_id not in str(flask_session)


def find_user_id(app, email) -> int:
    with app.app_context():
        return find_user(email).id


# -- caching -----------------------------------------------------------------------

def test_signed_in_and_portal_pages_are_never_stored(app, second_case, smtp, run_jobs):
    officer = signed_in(app, OFFICER)
    assert officer.get(f"/groups/{SECOND}").headers.get("Cache-Control") == "no-store"
    assert officer.get("/my-groups").headers.get("Cache-Control") == "no-store"
    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    assert witness.get(landing).headers.get("Cache-Control") == "no-store"


def test_a_staff_download_is_never_stored_while_the_public_copy_is_cacheable(app, published):  # noqa: F811
    with app.app_context():
        report = db.session.scalar(select(Document).where(Document.kind == DocumentKind.REPORT))
    download = signed_in(app, OFFICER).get(f"/groups/{SECOND}/documents/{report.public_id}/download")
    assert download.status_code == 200 and download.headers.get("Cache-Control") == "no-store"
    public = app.test_client()
    assert public.get(REVIEW).headers["Cache-Control"] == "public, max-age=300"
    assert public.get(f"{REVIEW}/report.pdf").headers["Cache-Control"].startswith("public")
    assert public.get("/reviews").headers["Cache-Control"].startswith("public")
    assert public.get("/static/build/app.css").headers.get("Cache-Control") != "no-store"


# -- headers and cookies in production -------------------------------------------------

def test_the_content_security_policy_pins_base_and_form_targets(client):
    policy = client.get("/sign-in").headers["Content-Security-Policy"]
    assert "base-uri 'none'" in policy and "form-action 'self'" in policy


def test_production_cookies_are_host_only(app, database_url, redis_url, monkeypatch, make_user):
    for name in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME", "PORTAL_COOKIE_NAME"):
        assert getattr(ProductionConfig, name).startswith("__Host-"), name
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    production = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                            RATELIMIT_STORAGE_URI=redis_url, STORAGE_DIR=app.config["STORAGE_DIR"],
                            SCRUTINY_TEAM_EMAIL="scrutiny@example.org", SCRUTINY_TEAM_PHONE="01632 960 000")
    client = production.test_client()
    email = make_user("officer")
    page = client.get("/sign-in", base_url="https://localhost")
    signed = client.post("/sign-in", base_url="https://localhost",
                         data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    assert signed.status_code == 302
    cookie = next(c for c in signed.headers.getlist("Set-Cookie") if c.startswith("__Host-session="))
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
