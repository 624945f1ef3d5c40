"""The whole life of a review's recommendations, in a real browser, on the
second review (not the demo): the officer sends the signed-off letters and
each addressee's e-mail reaches the loopback SMTP server; the NHS trust asks
for more time, gets it and responds on a desktop; the social care department
responds on a phone; the council's executive answers by letter, which the
officer enters; the responses PDF is built and read; progress is recorded and
a target date moved; the group's 6-month judgements are recorded; the
tracker goes out as CSV, comes back with a judgement changed, and shows it."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from scrutiny import clock
from tests.e2e.conftest import PHONE
from tests.files import make_pdf
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second  # noqa: F401
from tests.test_responses_sending import ready, response_links

ON = "%-d %B %Y"
RESPONSES = f"/groups/{SECOND}/responses"


def _fill_date(scope, day):
    scope.get_by_label("Day").fill(str(day.day))
    scope.get_by_label("Month").fill(str(day.month))
    scope.get_by_label("Year").fill(str(day.year))


def _open_link(page, token):
    """As a responder does: the e-mailed link's page, then its button (a GET spends nothing)."""
    page.goto(f"/portal/respond/{token}")
    page.get_by_role("button", name="Open the response page").click()
    page.get_by_role("heading", level=1).filter(has_text="Respond to the recommendations of").wait_for()


def _answer_and_submit(page, decision, action, role, target, name, email, reason=None):
    page.get_by_label(decision, exact=True).check()
    if reason:
        page.get_by_label("Your reason").fill(reason)
    page.get_by_label("What will be done").first.fill(action)
    page.get_by_label("Owner’s role").first.fill(role)
    _fill_date(page.get_by_role("group").filter(has_text="Target date").first, target)
    page.get_by_role("button", name="Check and submit").click()
    page.get_by_role("heading", name="Check your response before you submit it").wait_for()
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Submit the response").click()


def test_from_the_letters_to_the_trackers_csv_round_trip(page, phone, chromium_browser, live_server, sign_in, app,
                                                          second, smtp, run_jobs, screenshot_dir, tmp_path):  # noqa: F811
    with app.app_context():
        today = clock.today()
    ready(app, run_jobs)

    # The officer sends the letters; each addressee's contact gets a response link.
    sign_in("lead@second.example")
    page.goto(f"/groups/{SECOND}/letters")
    page.get_by_role("button", name="Send the letters and response links").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sent 3 letters")
    run_jobs()
    [trust_token] = response_links(smtp, "ceo@trust.example")
    [care_token] = response_links(smtp, "director@asc.example")
    assert response_links(smtp, "leader@council.example"), "the council's executive was sent its link too"

    # The trust asks for more time, on a desktop of its own.
    trust = chromium_browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800}).new_page()
    _open_link(trust, trust_token)
    trust.get_by_role("link", name="ask for more time").click()
    asked_for = today + timedelta(days=60)
    _fill_date(trust.get_by_role("group", name="The date you propose to respond by"), asked_for)
    trust.get_by_label("Why you need more time").fill("Our board must approve the response at its next meeting.")
    trust.get_by_label("Your full name").fill("Priya Patel")
    trust.screenshot(path=screenshot_dir / "monitoring-more-time-1280.png", full_page=True)
    trust.get_by_role("button", name="Ask for more time").click()
    expect(trust.locator("main")).to_contain_text("Waiting for a decision")

    # The officer grants it; the trust is told by e-mail.
    page.goto(RESPONSES)
    page.locator("main table").get_by_role("link", name=TRUST).first.click()
    expect(page.locator("#decide-more-time")).to_contain_text(f"asks to respond by {asked_for.strftime(ON)}")
    page.get_by_role("button", name="Grant more time").click()
    expect(page.locator("main")).to_contain_text(f"Granted to {asked_for.strftime(ON)}")
    run_jobs()
    decisions = [m for m in smtp.to("ceo@trust.example") if asked_for.strftime(ON) in m.get_body(("plain",)).get_content()]
    assert decisions, "the trust is e-mailed the new date"

    # The trust responds, accepting, with an action.
    trust.reload()
    _answer_and_submit(trust, "Accepted", "Discharge-to-assess beds opened in every locality", "Director of Operations",
                       today + timedelta(days=200), "Priya Patel", "ceo@trust.example")
    trust.get_by_role("heading", name="Response submitted").wait_for()
    trust.screenshot(path=screenshot_dir / "monitoring-trust-submitted-1280.png", full_page=True)

    # Social care responds on a phone, not accepting, with its reason.
    _open_link(phone, care_token)
    _answer_and_submit(phone, "Not accepted", "Publish waits quarterly instead", "Head of Assessments",
                       today + timedelta(days=120), "Mel Director", "director@asc.example",
                       reason="Monthly figures by area would not be reliable yet.")
    phone.get_by_role("heading", name="Response submitted").wait_for()
    phone.screenshot(path=screenshot_dir / "monitoring-care-submitted-375.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    run_jobs()
    assert any("receipt" in m["Subject"].lower() or "received" in m["Subject"].lower()
               for m in smtp.to("director@asc.example")), "a receipt by e-mail"

    # The council's executive answered by letter: the officer enters it.
    letter = tmp_path / "executive-reply.pdf"
    letter.write_bytes(make_pdf())
    page.goto(RESPONSES)
    page.locator("main table").get_by_role("link", name=app.config["COUNCIL_NAME"]).first.click()
    page.get_by_role("link", name="Enter a response received by letter or e-mail").click()
    page.get_by_role("radio", name="Partially accepted").check()
    page.get_by_label("Reason").fill("Funding for extra social workers is agreed for one year only.")
    page.get_by_label("What will be done, or is in place").fill("Recruit four assessment social workers")
    page.get_by_label("Owner’s role").fill("Director of Adult Social Services")
    _fill_date(page, today + timedelta(days=150))
    page.get_by_label("Who signed it").fill("Councillor Lee Leader")
    page.get_by_label("The letter or e-mail").set_input_files(str(letter))
    page.get_by_role("button", name="Save the response").click()
    expect(page.locator("#submitted-by")).to_contain_text("from a letter or e-mail")

    # The responses PDF, built by the worker, read by its text.
    page.goto(RESPONSES)
    with page.expect_navigation():  # the build is queued before the worker runs
        page.get_by_role("button", name="Build responses PDF").click()
    run_jobs()
    page.goto(f"/groups/{SECOND}/documents")
    href = page.locator("#responses-pdf ~ div a", has_text="Download PDF").first.get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.ok
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).split())
    for expected in ("Discharge-to-assess beds opened in every locality", "Not accepted",
                     "Monthly figures by area would not be reliable yet.", "Partially accepted",
                     "Recruit four assessment social workers", TRUST, SOCIAL_CARE):
        assert expected in text, expected
    assert "ceo@trust.example" not in text

    # Progress on the trust's action, and its target date moved with a reason.
    page.goto(RESPONSES)
    page.locator("main table").get_by_role("link", name=TRUST).first.click()
    page.get_by_role("link", name="Record or see progress").first.click()
    page.get_by_label("On track").check()
    page.get_by_label("Note (optional)").fill("Two of five localities open.")
    page.get_by_role("button", name="Record progress").click()
    expect(page.get_by_text("Two of five localities open.")).to_be_visible()
    moved_to = today + timedelta(days=260)
    _fill_date(page.get_by_role("group", name="New target date"), moved_to)
    page.get_by_label("Reason for moving the date").fill("Building work in one locality is late.")
    page.get_by_role("button", name="Change the target date").click()
    expect(page.get_by_text("Building work in one locality is late.")).to_be_visible()
    page.screenshot(path=screenshot_dir / "monitoring-action-1280.png", full_page=True)

    # The 6-month review: the group's judgement on each recommendation.
    page.goto(RESPONSES)
    page.get_by_role("link", name="Reviews and the group’s judgements").click()
    page.get_by_role("link", name="6-month review", exact=True).click()
    page.get_by_role("group", name="Judgement on recommendation 1").get_by_label("Red").check()
    page.get_by_label("Reason for the judgement on recommendation 1").fill("Monthly figures were refused.")
    page.get_by_role("group", name="Judgement on recommendation 2").get_by_label("Amber").check()
    page.get_by_role("button", name="Record the judgements and mark the review held").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    page.goto(RESPONSES)
    page.get_by_role("link", name="Reviews and the group’s judgements").click()
    expect(page.locator("main table")).to_contain_text("Judgements recorded on " + today.strftime(ON))
    page.screenshot(path=screenshot_dir / "monitoring-review-1280.png", full_page=True)

    # The tracker: export, change recommendation 2 to green, import, see it.
    page.goto(f"/groups/{SECOND}/tracker")
    expect(page.locator("table")).to_contain_text("Amber")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the tracker as a CSV file").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [r["Judgement"] for r in rows] == ["Red", "Amber"]
    assert rows[1]["Reference"].endswith("/R2")
    rows[1]["Judgement"], rows[1]["Judgement reason"] = "Green", "Beds open in every locality."
    changed = tmp_path / "tracker.csv"
    with changed.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    page.get_by_role("link", name="Import judgements from a CSV file").click()
    page.get_by_label("CSV file").set_input_files(str(changed))
    page.get_by_role("button", name="Import the judgements").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Imported the file: 1 judgement recorded, 1 row unchanged.")
    page.goto(f"/groups/{SECOND}/tracker")
    row = page.locator("tr", has_text=rows[1]["Reference"])
    expect(row).to_contain_text("Green")
    page.screenshot(path=screenshot_dir / "monitoring-tracker-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_dir / "monitoring-tracker-375.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
