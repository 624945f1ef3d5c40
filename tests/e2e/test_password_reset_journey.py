"""Forgotten and changed passwords in a real browser: the reset starts from
the sign-in page on a phone and ends with the link in a real e-mail; each
page is checked for one h1 and no sideways scrolling at 375 and 1280 px,
and left as a screenshot in test-artifacts/screenshots."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE
from tests.e2e.test_portal_journeys import check_layout

pytestmark = pytest.mark.browser

NEW_PASSWORD = "purple tractor evening"
LINK = re.compile(r"http://\S+(/reset-password/\S+)")


def _both_widths(page: Page, name: str, problems: list[str], screenshot_dir) -> None:
    """Checks and photographs the page as it is, at 375 and 1280 px, and puts the phone back."""
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 740 if width == 375 else 800})
        check_layout(page, f"password-{name}", width, problems, screenshot_dir)
    page.set_viewport_size(PHONE)


def test_forgotten_password_on_a_phone(phone: Page, make_user, smtp, run_jobs, screenshot_dir):
    email = make_user("officer", name="Sam Officer")
    problems: list[str] = []
    phone.goto("/sign-in")
    phone.get_by_role("link", name="Forgotten your password?").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Reset your password")

    phone.get_by_role("button", name="Send the link").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    _both_widths(phone, "forgot-errors", problems, screenshot_dir)
    phone.get_by_label("Email address").fill(email)
    phone.get_by_role("button", name="Send the link").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(phone.locator("main")).to_contain_text(f"If an account uses {email}")
    _both_widths(phone, "link-sent", problems, screenshot_dir)

    run_jobs()
    [message] = smtp.to(email)
    path = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    phone.goto(path)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    phone.get_by_label("New password", exact=True).fill("short")
    phone.get_by_label("Confirm new password").fill("short")
    phone.get_by_role("button", name="Save new password").click()
    summary = phone.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Password must be at least 12 characters")
    _both_widths(phone, "reset-errors", problems, screenshot_dir)
    summary.get_by_role("link", name="Password must be at least 12 characters").click()
    expect(phone.get_by_label("New password", exact=True)).to_be_focused()

    phone.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Save new password").click()
    phone.wait_for_url(re.compile(r"/sign-in$"))
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("Your password has been reset")
    _both_widths(phone, "reset-done", problems, screenshot_dir)

    phone.get_by_label("Email address", exact=True).fill(email)
    phone.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(lambda url: "/sign-in" not in url)

    phone.goto(path)  # the link, once more
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    _both_widths(phone, "link-used", problems, screenshot_dir)
    assert not problems, "\n".join(problems)


def test_changing_a_password_from_the_header(page: Page, make_user, sign_in, smtp, screenshot_dir):
    email = make_user("councillor", name="Cllr Alex Example")
    sign_in(email)
    problems: list[str] = []
    page.locator(".app-header__user").get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    _both_widths(page, "change", problems, screenshot_dir)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your current password is not right")
    _both_widths(page, "change-errors", problems, screenshot_dir)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    _both_widths(page, "changed", problems, screenshot_dir)
    assert not problems, "\n".join(problems)
