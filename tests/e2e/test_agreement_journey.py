"""The draft page in a real browser: a member opens a comment form without
JavaScript's help, answers, is told what is missing, and the chair signs off."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GROUP = "/groups/adult-social-care-waiting-times"


def test_member_comments_and_answers_then_the_chair_signs_off(page, sign_in, second_case, app, screenshot_dir):
    from scrutiny.auth.services import find_user
    from scrutiny.extensions import db
    from scrutiny.findings.agreement import circulate
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        circulate(get_group_by_slug("adult-social-care-waiting-times"), find_user("lead@second.example"))
        db.session.commit()

    sign_in("member@second.example")
    page.goto(f"{GROUP}/draft")
    page.get_by_text("Add a comment on finding 1").click()
    page.get_by_label("Your comment on finding 1").fill("Which years do the figures cover?")
    page.get_by_role("button", name="Add comment").first.click()
    expect(page.get_by_text("Your comment is added.")).to_be_visible()
    expect(page.locator("[id^=comments-finding-]")).to_contain_text("Which years do the figures cover?")

    page.get_by_label("Disagree").check()
    page.get_by_role("button", name="Send my answer").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give your reason for disagreeing")
    page.get_by_label("Reason").fill("The figures stop in 2023.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer to draft 1 is recorded: disagree.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.context.clear_cookies()
    sign_in("chair@second.example")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{GROUP}/draft")
    page.get_by_role("button", name="Sign off draft 1").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft 1 is signed off.")
    expect(page.locator("#reopen")).to_contain_text("Reopen the signed-off draft")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the draft page scrolls sideways at 375px"
    page.screenshot(path=str(screenshot_dir / "agreement-signed-off-375.png"), full_page=True)
