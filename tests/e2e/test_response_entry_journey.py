"""An officer enters a response that came by letter, in a real browser:
"Add another action" keeps what was typed, a gap is named in the error
summary, and the saved record says who entered it from which original."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.files import make_pdf
from tests.test_responses_officers import GROUP, TODAY, _request


def test_officer_enters_a_letter_response_with_an_extra_action(page, sign_in, second_case, app, screenshot_dir,
                                                               tmp_path):
    _request(app)
    _request(app, "Northshire Hospitals Trust", sent_days_ago=40, due_in=-2)
    letter = tmp_path / "reply-from-director.pdf"
    letter.write_bytes(make_pdf())
    sign_in("lead@second.example")
    page.goto(f"/groups/{GROUP}/responses")
    page.screenshot(path=str(screenshot_dir / "responses-overview-1280.png"), full_page=True)
    page.get_by_role("link", name="Northshire Adult Social Care").click()
    page.get_by_role("link", name="Enter a response received by letter or e-mail").click()

    page.get_by_role("radio", name="Not accepted").check()
    page.get_by_label("What will be done, or is in place").fill("Publish waits quarterly")
    page.get_by_label("Owner’s role").fill("Head of Assessments")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill(str(TODAY.year + 1))
    page.get_by_role("button", name="Add another action").click()
    expect(page.get_by_label("What will be done, or is in place").first).to_have_value("Publish waits quarterly")
    expect(page.get_by_role("group", name="Recommendation 1, action 2 (leave blank if there are no more)")).to_be_visible()

    page.get_by_label("Who signed it").fill("Dana Director")
    page.get_by_role("button", name="Save the response").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Recommendation 1: say why it is not fully accepted")
    expect(summary).to_contain_text("Choose the letter or e-mail the response came in")
    page.screenshot(path=str(screenshot_dir / "response-entry-error-1280.png"), full_page=True)
    summary.get_by_role("link", name="Recommendation 1: say why it is not fully accepted").click()
    expect(page.get_by_label("Reason")).to_be_focused()
    page.get_by_label("Reason").fill("Figures by area need a new report first.")
    page.get_by_label("The letter or e-mail").set_input_files(str(letter))
    page.get_by_role("button", name="Save the response").click()

    expect(page.locator("#submitted-by")).to_contain_text(
        "Entered by Priya Lead-Officer on " + TODAY.strftime("%-d %B %Y") + " from a letter or e-mail")
    expect(page.get_by_role("link", name="reply-from-director.pdf")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "response-page-1280.png"), full_page=True)

    # The same pages on a phone.
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshot_dir / "response-page-375.png"), full_page=True)
    page.goto(f"/groups/{GROUP}/responses")
    page.screenshot(path=str(screenshot_dir / "responses-overview-375.png"), full_page=True)
    other = _request(app, round=2)
    page.goto(f"/groups/{GROUP}/responses/{other}/enter")
    page.get_by_role("radio", name="Partially accepted").check()
    page.get_by_role("button", name="Save the response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("say why it is not fully accepted")
    page.screenshot(path=str(screenshot_dir / "response-entry-error-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
