"""The documents and letters lists follow running builds by themselves: a
row turns from "Building" to "Ready" with its download link while the
person stays on the page, without the page reloading (focus and place kept)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO = "/groups/bame-health-inequalities"


def test_the_letters_list_shows_finished_letters_without_a_reload(page, demo_case, sign_in, run_jobs):
    sign_in("officer@example.org", "scrutiny-demo")
    page.goto(f"{DEMO}/letters")
    page.get_by_role("button", name="Build letters").click()
    page.wait_for_load_state()
    table = page.get_by_role("table", name="Addressees")
    rows = table.locator("tbody tr")
    count = rows.count()
    expect(table.locator("[data-document]")).to_have_count(count)
    expect(table).not_to_contain_text("Ready")
    expect(page.locator("[data-progress-text]")).to_have_text(f"{count} documents are being built.")

    # Someone reading the list, keyboard focus on the last row's link.
    last_link = rows.last.get_by_role("link", name=re.compile("date"))
    last_link.focus()
    page.evaluate("window.stayedOnThisPage = true")

    run_jobs()  # a real RQ worker builds every letter while the page is open

    expect(rows.filter(has_text="Ready")).to_have_count(count, timeout=20_000)
    expect(rows.get_by_role("link", name=re.compile("^Download PDF"))).to_have_count(count)
    expect(table.locator("[data-document]")).to_have_count(0)
    assert page.evaluate("window.stayedOnThisPage === true"), "the page reloaded to show the finished letters"
    expect(page.locator("[data-progress-text]")).to_have_text(f"All {count} builds have finished.")
    expect(rows.last.get_by_role("link", name=re.compile("date"))).to_be_focused()


def test_the_documents_list_shows_a_finished_report_without_a_reload(page, demo_case, sign_in, run_jobs):
    sign_in("officer@example.org", "scrutiny-demo")
    page.goto(f"{DEMO}/documents")
    page.get_by_role("button", name="Build the report (PDF)").click()
    page.wait_for_url(re.compile(r"/documents/[^/]+$"))  # the report's own page
    page.goto(f"{DEMO}/documents")
    versions = page.get_by_role("table", name="Versions of the report").locator("tbody tr")
    expect(versions.first).to_contain_text("Building")
    page.evaluate("window.stayedOnThisPage = true")

    run_jobs()

    expect(versions.first).to_contain_text("Ready", timeout=20_000)
    expect(versions.first.get_by_role("link", name=re.compile("^Download PDF"))).to_be_visible()
    assert page.evaluate("window.stayedOnThisPage === true"), "the page reloaded to show the finished report"
