"""Browser journeys: a real Chromium (Debian's package) driven by Playwright
against the test app served on 127.0.0.1.

No Chromium on PATH: the journeys are skipped, unless REQUIRE_BROWSER=1
(as in CI), when they fail instead, so a missing browser cannot pass quietly.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google over the network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # Everything in this folder is a browser test, marked or not: CI's
    # PostgreSQL pass leaves out `-m browser` and must not run any of it.
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# Short enough that a broken journey fails fast; long enough for a slow CI box.
TIMEOUT_MS = 5_000


def _chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = "Chromium is not on PATH (install Debian's package: apt-get install chromium)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(app):
    """The session's test app on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium_browser():
    executable = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser context (no cookies) per test, 1280 x 800, base URL set."""
    context = chromium_browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


# A phone as the outsiders use one: 375 px wide, touch, mobile viewport rules.
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(chromium_browser, live_server):
    """A phone with no cookies, per test."""
    context = chromium_browser.new_context(base_url=live_server, viewport=PHONE, has_touch=True,
                                           is_mobile=True, device_scale_factor=1)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def sign_in(page):
    """Signs in through the form, as a user would (mouse and typing)."""

    def do(email: str, password: str = PASSWORD):
        page.goto("/sign-in")
        page.get_by_label("Email address", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)

    return do


VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def nu_html_checker():
    """Runs the Nu HTML Checker (npm's vnu-jar, pinned in package.json) once
    over the files given; returns its errors, each with the file's `path`.
    No Java or no jar: skipped here, a failure in CI (CI=true)."""
    import json
    import subprocess

    java = shutil.which("java")
    missing = ("Java is not on PATH (apt-get install default-jre-headless)" if not java else
               f"{VNU_JAR} is missing (npm ci installs it)" if not VNU_JAR.exists() else None)
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}", pytrace=False)
        pytest.skip(missing)

    def check(paths: list[str]) -> list[dict]:
        result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *paths],
                                capture_output=True, text=True, timeout=600)
        messages = json.loads(result.stderr or result.stdout)["messages"]
        for m in messages:
            m["path"] = m.get("url", "").removeprefix("file:")
        return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]

    return check
