"""A responder on a phone and on a desktop: the link's start page, the
response form with an error named and linked, the check page; screenshots
of each at 375 and 1280 px."""
from __future__ import annotations

import pytest

from tests.test_letters import SOCIAL_CARE, TRUST, second  # noqa: F401
from tests.test_responses_sending import response_links, sent  # noqa: F401


@pytest.mark.parametrize("device,address,name", [("page", "ceo@trust.example", TRUST),
                                                  ("phone", "director@asc.example", SOCIAL_CARE)])
def test_a_responder_answers_fixes_an_error_and_checks(request, sent, screenshot_dir,  # noqa: F811
                                                       device, address, name):
    page = request.getfixturevalue(device)
    width = page.viewport_size["width"]
    [token] = response_links(sent, address)
    page.goto(f"/portal/respond/{token}")
    page.get_by_role("heading", name="Respond to the recommendations").wait_for()
    page.screenshot(path=screenshot_dir / f"response-start-{width}.png", full_page=True)
    page.get_by_role("button", name="Open the response page").click()
    page.get_by_role("heading", level=1).filter(has_text="Respond to the recommendations of").wait_for()

    page.get_by_label("Not accepted").check()
    page.get_by_label("What will be done").fill("Publish the figures quarterly instead")
    page.get_by_role("button", name="Check and submit").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "say why it is not fully accepted" in summary.inner_text()
    # The typed action is kept, with a blank row after it.
    assert page.get_by_label("What will be done").first.input_value() == "Publish the figures quarterly instead"
    page.screenshot(path=screenshot_dir / f"response-form-error-{width}.png", full_page=True)
    summary.get_by_role("link", name="say why it is not fully accepted").click()
    assert page.evaluate("document.activeElement.id").endswith("-reason")

    page.get_by_label("Your reason").fill("Monthly figures would not be reliable.")
    page.get_by_label("Owner’s role").first.fill("Head of Performance")
    page.get_by_label("Already in place").first.check()
    page.get_by_role("button", name="Check and submit").click()
    page.get_by_role("heading", name="Check your response before you submit it").wait_for()
    page.screenshot(path=screenshot_dir / f"response-check-{width}.png", full_page=True)
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
