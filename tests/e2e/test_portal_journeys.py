"""The witness portal and the officers' evidence pages, in a real browser.

The witness starts from the link in a real e-mail (the loopback SMTP server,
sent by a real RQ worker) and works on a phone-sized screen; the officer and
the councillor use the demo case. Each test asserts what a person at the
screen would notice, and leaves screenshots in test-artifacts/screenshots.
"""
from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_journeys import LAYOUT, tab_until
from tests.test_invitations_journey import invite, link_in, path_of
from tests.files import make_gif, make_ooxml, make_pdf

pytestmark = pytest.mark.browser

DEMO = "/groups/bame-health-inequalities"
DEMO_PASSWORD = "scrutiny-demo"
WITNESS = "jo@carers.example"
# Fixtures ------------------------------------------------------------------

@pytest.fixture
def emailed_link(app, second_case, smtp, run_jobs):
    """The officer invites Jo (over the test client) and a worker sends the e-mail; returns the link's path."""
    from tests.conftest import Browser

    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    assert invite(officer, app, email=WITNESS).status_code == 302
    assert smtp.to(WITNESS) == [], "nothing should leave before a worker sends it"
    run_jobs()
    [message] = smtp.to(WITNESS)
    return path_of(link_in(message))


@pytest.fixture
def files(tmp_path):
    """Real files on disk for the file chooser."""
    made = {"waits.pdf": make_pdf(), "slides.pptx": make_ooxml("pptx"), "report.pdf": make_gif()}
    for name, content in made.items():
        (tmp_path / name).write_bytes(content)
    return {name: (tmp_path / name, content) for name, content in made.items()}


# Helpers -------------------------------------------------------------------

class ScrollsSideways(AssertionError):
    """A page wider than the screen: kept apart so a known overflow can be an exact xfail."""


TABLES = """() => [...document.querySelectorAll("main table")]
  .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(t => Math.round(t.getBoundingClientRect().width) + " px table, columns "
       + [...t.querySelectorAll("thead th")]
           .map(th => `${th.innerText.trim() || "(no text)"} ${Math.round(th.getBoundingClientRect().width)}`)
           .join(", "))"""


def check_layout(page: Page, name: str, width: int, problems: list[str], screenshot_dir=None,
                 overflow: list[str] | None = None) -> None:
    """Exactly one h1 (into `problems`) and no sideways scrolling (into `overflow`, or `problems`)."""
    page.evaluate("document.fonts.ready")
    layout = page.evaluate(LAYOUT)
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"), full_page=True)
    if layout["scrollWidth"] > width:
        (problems if overflow is None else overflow).append(
            f"{name}: scrolls sideways, {layout['scrollWidth']} px wide at {width} px; "
            f"too wide: {layout['wide']} {page.evaluate(TABLES)}")
    if len(layout["h1s"]) != 1:
        problems.append(f"{name}: {len(layout['h1s'])} h1 headings {layout['h1s']}, expected one")


def open_link(page: Page, start: str) -> str:
    """Opens the e-mailed link and presses its button; returns the invitation page's path."""
    token = start.rsplit("/", 1)[1]
    response = page.goto(start)
    assert response.ok, f"the link answered {response.status}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Open your evidence page")
    page.get_by_role("button", name="Open your evidence page").click()
    page.wait_for_url(re.compile(r"/portal/invitations/"))
    assert "/portal/start/" not in page.url and token not in page.url, (
        f"the token should leave the address bar at once; it shows {page.url}")
    assert re.search(r"/portal/invitations/[^/]+$", page.url), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence for Adult Social Care Waiting Times")
    return page.url


def start_draft(page: Page) -> None:
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(re.compile(r"/portal/evidence/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your evidence")


# 1 -------------------------------------------------------------------------

def test_witness_on_a_phone_answers_uploads_and_submits(phone, emailed_link, smtp, run_jobs, files, screenshot_dir):
    page, width, problems = phone, PHONE["width"], []

    open_link(page, emailed_link)
    expect(page.get_by_role("list").filter(has_text="How long do carers wait?")).to_be_visible()
    check_layout(page, "portal-invitation", width, problems, screenshot_dir)

    page.get_by_label("Yes, we will give evidence").check()
    page.get_by_role("button", name="Send answer").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Thank you: your answer has been sent to the scrutiny team.")
    expect(page.locator("main")).to_contain_text("You said you will give evidence")
    expect(page.get_by_label("Yes, we will give evidence")).to_be_checked()
    check_layout(page, "portal-answered", width, problems, screenshot_dir)

    start_draft(page)
    check_layout(page, "portal-evidence-new", width, problems, screenshot_dir)
    page.get_by_label("Title", exact=True).fill("Carers' waiting times")
    page.get_by_label("Written evidence", exact=True).check()
    page.get_by_label("Summary", exact=True).fill("Carers wait months for an assessment.")
    page.get_by_label("Your written evidence").fill("## What we see\n\n- Long waits\n- Little news while waiting")
    page.get_by_label("Upload files").set_input_files([files["waits.pdf"][0], files["slides.pptx"][0]])
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your draft is saved and added 2 files. It is not submitted yet.")
    table = page.get_by_role("table", name="Files uploaded with this evidence")
    expect(table.locator("tbody tr td:first-child a")).to_have_text(["waits.pdf", "slides.pptx"])
    expect(page.get_by_label("Title", exact=True)).to_have_value("Carers' waiting times")
    check_layout(page, "portal-draft-saved", width, problems, screenshot_dir)

    # Whatever was typed since the last save is saved on the way to the check.
    page.get_by_label("Summary", exact=True).fill("Carers wait months for an assessment. Typed after saving.")
    page.get_by_role("button", name="Save and check before submitting").click()
    page.wait_for_url(re.compile(r"/submit$"))
    expect(page.locator("main .govuk-summary-list")).to_contain_text("Typed after saving.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your evidence before you submit it")
    check = page.locator("main .govuk-summary-list")
    expect(check).to_contain_text("Carers' waiting times")
    expect(check).to_contain_text("waits.pdf")
    expect(check).to_contain_text("slides.pptx")
    expect(page.get_by_role("heading", name="Privacy and publication notice")).to_be_visible()
    check_layout(page, "portal-check", width, problems, screenshot_dir)

    page.get_by_label("I have read the privacy and publication notice").check()
    page.get_by_role("button", name="Submit evidence").click()
    page.wait_for_url(re.compile(r"/portal/invitations/[^/]+$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your evidence has been submitted. We have emailed you a receipt listing what we received.")
    row = page.get_by_role("table", name="Evidence you have started or sent").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Submitted")
    check_layout(page, "portal-submitted", width, problems, screenshot_dir)

    run_jobs()
    receipts = [m for m in smtp.to(WITNESS) if m["Subject"].strip().startswith("We have received")]
    assert len(receipts) == 1, [m["Subject"] for m in smtp.to(WITNESS)]
    text = receipts[0].get_body(("plain",)).get_content()
    for name in ("waits.pdf", "slides.pptx"):
        _, content = files[name]
        assert name in text, f"the receipt does not name {name}:\n{text}"
        assert hashlib.sha256(content).hexdigest() in text, f"the receipt lacks the SHA-256 of {name}:\n{text}"

    assert not problems, "\n".join(problems)


# 2 -------------------------------------------------------------------------

def test_a_refused_upload_is_explained_and_the_rest_is_kept(phone, emailed_link, files, screenshot_dir):
    page = phone
    open_link(page, emailed_link)
    start_draft(page)

    page.get_by_label("Title", exact=True).fill("Our survey")
    page.get_by_label("Summary", exact=True).fill("What 40 carers told us.")
    page.get_by_label("Upload files").set_input_files([files["report.pdf"][0], files["waits.pdf"][0]])
    page.get_by_role("button", name="Save draft").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    link = summary.get_by_role("link").filter(has_text="“report.pdf”")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("GIF")
    page.screenshot(path=str(screenshot_dir / "portal-upload-refused-375.png"), full_page=True)

    expect(page.get_by_label("Title", exact=True)).to_have_value("Our survey")
    expect(page.get_by_label("Summary", exact=True)).to_have_value("What 40 carers told us.")
    table = page.get_by_role("table", name="Files uploaded with this evidence")
    expect(table.locator("tbody tr td:first-child a")).to_have_text(["waits.pdf"])

    link.click()
    expect(page.locator("input[type=file]")).to_be_focused()
    problems: list[str] = []
    check_layout(page, "portal-upload-refused-focus", PHONE["width"], problems)
    assert not problems, "\n".join(problems)


# 3 -------------------------------------------------------------------------

def test_witness_declines_with_a_reason_using_only_the_keyboard(page, emailed_link, screenshot_dir):
    open_link(page, emailed_link)

    radio = tab_until(page, lambda e: e["type"] == "radio", "The answer radios", max_presses=40)
    assert radio["name"] == "response", radio
    if radio["id"] != "response-2":  # the first radio: move to "No" in the group
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.get_by_label("No, we cannot give evidence")).to_be_checked()
    expect(page.get_by_label("Yes, we will give evidence")).not_to_be_checked()

    reason = tab_until(page, lambda e: e["tag"] == "textarea", "The reason box", max_presses=3)
    assert reason["id"] == "decline_reason", reason
    page.keyboard.type("We have no one free before the deadline.")
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == "Send answer", "The Send answer button",
              max_presses=3)
    page.keyboard.press("Enter")

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Thank you: your answer has been sent to the scrutiny team.")
    expect(page.locator("main")).to_contain_text(
        "You said you cannot give evidence (“We have no one free before the deadline.”). "
        "To send evidence after all, change your answer to yes.")
    expect(page.get_by_label("No, we cannot give evidence")).to_be_checked()
    expect(page.get_by_label("If not, why not?")).to_have_value("We have no one free before the deadline.")
    page.screenshot(path=str(screenshot_dir / "portal-declined-1280.png"), full_page=True)


# 4 -------------------------------------------------------------------------

@pytest.mark.parametrize("width", [1280, 320])
def test_officer_evidence_pages_fit_the_screen(page, demo_case, sign_in, screenshot_dir, width):
    page.set_viewport_size({"width": width, "height": 640 if width == 320 else 800})
    sign_in("officer@example.org", DEMO_PASSWORD)
    problems: list[str] = []
    overflow: list[str] = []

    def visit(name, path):
        response = page.goto(path)
        assert response.ok, f"{name}: {path} answered {response.status}"
        check_layout(page, name, width, problems, screenshot_dir, overflow)

    visit("officer-invitations", f"{DEMO}/invitations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations")

    visit("officer-sessions", f"{DEMO}/sessions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence sessions")
    first_session = page.locator("main table tbody a").first
    title = first_session.inner_text()
    first_session.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_layout(page, "officer-session", width, problems, screenshot_dir, overflow)

    visit("officer-library", f"{DEMO}/evidence")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence library")
    # The demo's four, two sessions' minutes, its survey's results and two sets of residents' notes.
    expect(page.locator("#results-count")).to_have_text("9 pieces of evidence")
    first_evidence = page.locator(".govuk-summary-card__title a").first
    title = first_evidence.inner_text()
    first_evidence.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_layout(page, "officer-evidence", width, problems, screenshot_dir, overflow)

    page.goto(f"{DEMO}/evidence")
    themes = page.get_by_role("group", name="Theme")
    themes.get_by_role("checkbox", name=re.compile(r"^Maternity \(\d+\)$")).check()
    page.get_by_role("search", name="Filter the evidence").get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"[?&]theme="))
    expect(page.locator("#results-count")).to_have_text("1 piece of evidence")
    expect(page.locator(".govuk-summary-card__title")).to_have_text(
        ["Maternity care and women from BAME backgrounds"])
    expect(page.get_by_role("group", name="Theme").get_by_role("checkbox", name=re.compile(r"^Maternity"))
           ).to_be_checked()
    check_layout(page, "officer-library-filtered", width, problems, screenshot_dir, overflow)

    assert not problems, "\n".join(problems)
    if overflow:
        raise ScrollsSideways("\n".join(overflow))


# 5 -------------------------------------------------------------------------

def test_councillor_downloads_a_confidential_file(page, demo_case, sign_in, screenshot_dir):
    sign_in("councillor@example.org", DEMO_PASSWORD)
    page.goto(f"{DEMO}/evidence")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence library")
    card = page.locator(".govuk-summary-card", has_text="Maternity care and women from BAME backgrounds")
    expect(card.locator(".govuk-tag", has_text="Confidential")).to_be_visible()
    card.get_by_role("link", name="Maternity care and women from BAME backgrounds").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Maternity care and women from BAME backgrounds")
    expect(page.locator("main")).to_contain_text("This evidence is confidential: for the topic group only.")
    page.screenshot(path=str(screenshot_dir / "councillor-confidential-evidence-1280.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download maternity-case-reviews.pdf").click()
    download = info.value
    assert download.suggested_filename == "maternity-case-reviews.pdf"
    assert download.failure() is None
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-", "the download is not a PDF"
