"""An officer records oral evidence in a real browser: chooses the witness and
the session from the lists, uploads a bad file and a good one, is told which
file was refused with the text kept, then adds it and finds it in the library."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import make_invitation
from tests.files import make_pdf

pytestmark = pytest.mark.browser

SLUG = "adult-social-care-waiting-times"
GROUP = f"/groups/{SLUG}"


def test_officer_records_oral_evidence_at_a_session(page, sign_in, second_case, app, screenshot_dir, tmp_path):
    from tests.test_permissions import _make_session

    invitation = make_invitation(app, SLUG, "Carers in Northshire", email="wendy@carers.example",
                                 name="Wendy Witness")
    _make_session(app, invitation)
    good, bad = tmp_path / "notes of the hearing.pdf", tmp_path / "slides.pdf"
    good.write_bytes(make_pdf())
    bad.write_bytes(b"this is not a PDF")

    sign_in("lead@second.example")
    page.goto(f"{GROUP}/evidence")
    page.get_by_role("link", name="Add evidence received another way").click()
    expect(page.locator("h1")).to_have_text("Add evidence received another way")
    page.get_by_label("Orally at an evidence session").check()
    page.get_by_label("Which invited witness gave it?").select_option(label="Wendy Witness, Carers in Northshire")
    page.get_by_label("Evidence session", exact=True).select_option(index=1)
    page.get_by_role("radio", name="Written evidence").check()
    page.get_by_label("Title", exact=True).fill("What Wendy told the hearing")
    page.get_by_label("Summary", exact=True).fill("Carers wait months for an assessment.")
    page.get_by_label("Assessments").check()
    page.get_by_label("Upload files").set_input_files([str(good), str(bad)])
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(screenshot_dir / f"evidence-recorded-form-{width}.png"), full_page=True)
    page.get_by_role("button", name="Add evidence").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("slides.pdf")
    expect(page.locator("#files-to-choose-again")).to_contain_text("notes of the hearing.pdf")
    expect(page.get_by_label("Title", exact=True)).to_have_value("What Wendy told the hearing")
    expect(page.get_by_label("Which invited witness gave it?")).to_have_value(
        page.get_by_label("Which invited witness gave it?").locator("option", has_text="Wendy").get_attribute("value"))
    expect(page.get_by_label("Orally at an evidence session")).to_be_checked()
    page.screenshot(path=str(screenshot_dir / "evidence-recorded-refused-375.png"), full_page=True)

    page.get_by_label("Upload files").set_input_files([str(good)])
    page.get_by_role("button", name="Add evidence").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Added What Wendy told the hearing")
    received = page.locator(".govuk-summary-list__row", has_text="Received")
    expect(received).to_contain_text("Added by Priya Lead-Officer on")
    expect(received).to_contain_text("received orally at an evidence session from Wendy Witness (Hearing)")

    page.goto(f"{GROUP}/evidence")
    card = page.locator(".govuk-summary-card", has_text="What Wendy told the hearing")
    expect(card).to_contain_text("received orally at an evidence session from Wendy Witness")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(screenshot_dir / f"evidence-recorded-library-{width}.png"), full_page=True)
