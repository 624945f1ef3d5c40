"""Publishing the second review (not the demo), in a real browser: the
officer clears its evidence (a passage redacted on a Schedule 12A ground
with a public-interest note, an item withheld, a PDF replaced: first by a
"redacted" version still holding the passage, which is refused naming it,
then by a clean one), publishes the review; a reader, signed out, finds the
marker and never the passage, downloads the replaced file and reads its
text, follows the review by e-mail (double opt-in); the officer publishes
the responses, the reader is e-mailed, and the public page shows the
organisation's decision; both Atom feeds parse with their entries."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from scrutiny import clock
from scrutiny.demo.files import simple_pdf
from scrutiny.evidence.models import Submission
from scrutiny.extensions import db
from scrutiny.findings.models import FindingEvidence
from scrutiny.groups.services import get_group_by_slug
from tests.e2e.conftest import PHONE, TIMEOUT_MS
from tests.factories import make_invitation, make_submission, submit_response
from tests.test_evidence_library import _add_file
from tests.test_letters import SECOND, SOCIAL_CARE, second, signed_in  # noqa: F401
from tests.test_publication import build_report
from tests.test_responses_sending import ready, send

PASSAGE = "Jane Doe"
MARKER = "[redacted: Schedule 12A, paragraph 2]"
NOTE = "A resident named without her consent; naming her adds nothing to the findings."
SHOWN, WITHHELD = "What carers told us", "A family's story"
READER = "resident@home.example"
ATOM = "{http://www.w3.org/2005/Atom}"
CONFIRM = re.compile(r"https?://\S+/reviews/follow/confirm/[A-Za-z0-9_-]+")


def _evidence(app) -> None:
    """Accepted evidence naming a resident, with a PDF naming her too, and an item to withhold."""
    invitation = make_invitation(app, SECOND, "Carers in Northshire")
    shown = make_submission(app, invitation, title=SHOWN, status="accepted",
                            summary="Carers wait months for an assessment.",
                            body=f"Mrs {PASSAGE} of 12 Elm Road waited nine months for an assessment.\n\n"
                                 "Waits doubled in two years.")
    make_submission(app, invitation, title=WITHHELD, body="Told in the family's own words.", status="accepted")
    _add_file(app, shown, name="survey.pdf", content_type="application/pdf",
              data=simple_pdf("Survey", [f"{PASSAGE}, 12 Elm Road", "Waits doubled."]))
    with app.app_context():  # the finding rests on it, so the report can be built
        item = db.session.scalar(select(Submission).where(Submission.public_id == shown))
        group = get_group_by_slug(SECOND)
        group.findings[0].evidence_links.append(FindingEvidence(submission=item))
        db.session.commit()


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _entry_titles(feed: bytes) -> list[str]:
    root = ET.fromstring(feed)
    assert root.tag == f"{ATOM}feed"
    return [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]


def test_clearing_publishing_following_and_the_responses(page, chromium_browser, live_server, sign_in, app,
                                                         second, smtp, run_jobs, screenshot_dir, tmp_path):  # noqa: F811
    _evidence(app)
    ready(app, run_jobs)  # signed off, letters built
    build_report(app, run_jobs)
    with app.app_context():
        title, today = get_group_by_slug(SECOND).title, clock.today()

    # The officer redacts a passage of one item on its ground, with a public-interest note.
    sign_in("lead@second.example")
    page.goto(f"/groups/{SECOND}/publication/evidence")
    expect(page.locator("#waiting")).to_contain_text("3 items and files are waiting for a decision")
    page.get_by_role("link", name=SHOWN, exact=True).click()
    page.get_by_label("Publish it, with any passages below redacted").check()
    page.get_by_label("Passage 1 to redact", exact=True).fill(PASSAGE)
    page.get_by_label("Ground for withholding passage 1", exact=True).select_option(
        label="Schedule 12A, paragraph 2: information likely to reveal the identity of an individual")
    page.get_by_label("Public interest note for passage 1", exact=True).fill(NOTE)
    page.get_by_role("button", name="Save decision", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Saved your decision on {SHOWN}.")
    redactions = page.locator("table", has=page.locator("caption", has_text="with their grounds"))
    expect(redactions).to_contain_text(NOTE)
    expect(redactions).to_contain_text("Schedule 12A, paragraph 2")

    # Its PDF: a "redacted" version that still holds the passage is refused, naming it; a clean one is kept.
    page.get_by_role("link", name="Decide what the public gets of survey.pdf").click()
    leaky, clean = tmp_path / "leaky" / "survey-redacted.pdf", tmp_path / "clean" / "survey-redacted.pdf"
    leaky.parent.mkdir()
    clean.parent.mkdir()
    leaky.write_bytes(simple_pdf("Survey", ["JANE", "DOE, \u2588\u2588 Elm Road"]))  # a box drawn over it
    clean.write_bytes(simple_pdf("Survey", ["[name removed], 12 Elm Road", "Waits doubled."]))
    page.get_by_label("Publish a redacted version instead").check()
    page.get_by_label("Redacted version (only if you chose to publish one)").set_input_files(str(leaky))
    page.get_by_role("button", name="Save decision for this file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"The replacement still contains “{PASSAGE}”")
    page.get_by_label("Publish a redacted version instead").check()
    page.get_by_label("Redacted version (only if you chose to publish one)").set_input_files(str(clean))
    page.get_by_role("button", name="Save decision for this file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved your decision on survey.pdf.")

    # The other item is withheld.
    page.goto(f"/groups/{SECOND}/publication/evidence")
    page.get_by_role("link", name=WITHHELD, exact=True).click()
    page.get_by_label("Withhold it: it stays with the topic group").check()
    page.get_by_role("button", name="Save decision", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Saved your decision on {WITHHELD}.")
    page.goto(f"/groups/{SECOND}/publication/evidence")
    expect(page.locator("#waiting")).to_contain_text("Every piece of evidence and every file going public has been decided.")

    # Published.
    page.goto(f"/groups/{SECOND}/publication")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the review").click()
    expect(page.locator("#state")).to_contain_text("Published")
    run_jobs()

    # A reader, signed out, reads the public page: the marker, never the passage, nor the withheld item.
    reader = chromium_browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800}).new_page()
    reader.set_default_timeout(TIMEOUT_MS)
    reader.goto(f"/reviews/{SECOND}")
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    evidence = reader.locator("#evidence").locator("..")
    expect(evidence).to_contain_text(SHOWN)
    expect(evidence).to_contain_text(MARKER)
    expect(evidence).to_contain_text("Some of this evidence is withheld from publication.")
    assert PASSAGE.lower() not in reader.content().lower()
    assert WITHHELD not in reader.content() and "family's own words" not in reader.content()
    file_link = reader.get_by_role("link", name="survey-redacted.pdf")
    download = reader.request.get(file_link.get_attribute("href"))
    assert download.ok
    public_pdf = _pdf_text(download.body())
    assert "Waits doubled." in public_pdf and "jane" not in public_pdf.lower()

    # The reader follows the review by e-mail: the link's page, then its button.
    reader.get_by_role("link", name="Follow this review by email").click()
    reader.get_by_label("Email address").fill(READER)
    with reader.expect_navigation():
        reader.get_by_role("button", name="Follow this review").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Check your email")
    run_jobs()
    [asked] = smtp.to(READER)
    assert asked["Subject"] == f"Confirm you want to follow {title}"
    [link] = CONFIRM.findall(asked.get_body(("plain",)).get_content())
    reader.goto(urlsplit(link).path)  # the e-mailed link, on the server under test
    expect(reader.get_by_role("heading", level=1)).to_have_text("Confirm you want to follow this review")
    reader.get_by_role("button", name="Confirm and follow").click()
    expect(reader.locator(".govuk-panel")).to_contain_text("You are following this review")

    # The letters go, social care responds, and the officer publishes the responses.
    send(signed_in(app))
    run_jobs()
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("accepted", "", [
        ("Publish waiting times by area every month", "Head of Assessments", today + timedelta(days=90))])})
    page.goto(f"/groups/{SECOND}/publication")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the responses").click()
    expect(page.locator("#responses-state")).to_contain_text("Published")
    run_jobs()
    news = [m for m in smtp.to(READER) if m["Subject"] != asked["Subject"]]
    # A subject this long is folded onto a second line; unfolded it reads as one.
    assert [" ".join(m["Subject"].split()) for m in news] == [f"{title}: Responses from 1 organisation published"]
    assert f"/reviews/{SECOND}" in news[0].get_body(("plain",)).get_content()

    # The public page now shows the organisation's decision. Browsers may keep the page for
    # some minutes (Cache-Control: public, max-age): a reload asks again, and its ETag has changed.
    reader.goto(f"/reviews/{SECOND}")
    reader.reload()
    first = reader.locator("article", has=reader.get_by_role("heading", name="Recommendation 1", exact=True))
    expect(first).to_contain_text(SOCIAL_CARE)
    expect(first.locator(".govuk-summary-list")).to_contain_text("Accepted")
    expect(first).to_contain_text("Publish waiting times by area every month")
    reader.screenshot(path=screenshot_dir / "publication-public-page-1280.png", full_page=True)
    reader.set_viewport_size(PHONE)
    reader.screenshot(path=screenshot_dir / "publication-public-page-375.png", full_page=True)
    assert reader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Both Atom feeds parse, with their entries.
    index_feed = reader.request.get("/reviews/feed.atom")
    assert index_feed.ok
    assert title in _entry_titles(index_feed.body())
    review_feed = reader.request.get(f"/reviews/{SECOND}/feed.atom")
    assert review_feed.ok
    titles = _entry_titles(review_feed.body())
    assert "Final report published" in titles and "Responses from 1 organisation published" in titles
    reader.context.close()
