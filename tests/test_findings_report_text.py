"""The report's own text: the chair's foreword, the key messages, the
conclusions, sections of the officer's own in their order, and where the
report goes."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.findings.models import ReportSection, ReportSettings
from scrutiny.groups.services import get_group_by_slug
from tests.test_findings_editing import GROUP, errors, soup, summary_text
from tests.test_pages_accessibility import check_page

TEXT = f"/groups/{GROUP}/report-text"
OFFICER = "lead@second.example"


def sections(app):
    with app.app_context():
        return [(s.kind, s.heading, s.body) for s in db.session.scalars(
            select(ReportSection).order_by(ReportSection.position))]


def section_id(app, kind, title=""):
    with app.app_context():
        query = select(ReportSection.id).where(ReportSection.kind == kind)
        if title:
            query = query.where(ReportSection.title == title)
        return db.session.scalar(query)


def test_the_case_text_shows_with_the_chair_named_under_the_foreword(app, browser, second_case):
    browser.sign_in("member@second.example")
    page = browser.get(TEXT)
    assert page.status_code == 200
    check_page(page.text, TEXT)
    text = " ".join(soup(page).get_text(" ").split())
    assert "Nobody should wait months to learn whether they will get care." in text
    assert "Councillor Tom Chairperson" in text
    assert "Adults and Health Scrutiny Panel" in text and "18 March 2027" in text and "AHSP/2027/03" in text
    assert "Edit" not in [a.text for a in soup(page).select("main a")]


def test_officer_edits_the_foreword_and_adds_and_orders_sections(app, browser, second_case):
    browser.sign_in(OFFICER)
    foreword = section_id(app, "foreword")
    page = browser.get(f"{TEXT}/new/foreword")  # already written: opens it
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/report-text/{foreword}/edit")
    edit = f"{TEXT}/{foreword}/edit"
    check_page(browser.get(edit).text, edit)
    page = browser.submit(edit, {"body": "Waiting is hard.\n\nWe listened.", "version": "1"})
    assert page.status_code == 302, summary_text(page)

    for title, body in (("Background", "Why we looked."), ("Method", "How we looked.")):
        page = browser.submit(f"{TEXT}/new/custom", {"title": title, "body": body})
        assert page.status_code == 302, errors(page)
    method = section_id(app, "custom", "Method")
    browser.submit(f"{TEXT}/{method}/move", {"direction": "up"}, form_page=TEXT)
    assert [h for k, h, _ in sections(app) if k == "custom"] == ["Method", "Background"]
    page = browser.get(TEXT)
    headings = [h.text for h in soup(page).select("main h2, main h3")]
    assert headings.index("Method") < headings.index("Background")
    assert [p.text for p in soup(page).select(f"#section-{foreword} .app-markdown p")] == [
        "Waiting is hard.", "We listened."]

    # A custom section needs a heading and text; what was typed stays.
    page = browser.submit(f"{TEXT}/new/custom", {"title": "", "body": "Orphan text"})
    assert errors(page) == {"#title": "Enter the section’s heading"}
    assert soup(page).select_one("#body").text.strip() == "Orphan text"

    browser.submit(f"{TEXT}/{method}/delete", {})
    assert [h for k, h, _ in sections(app) if k == "custom"] == ["Background"]


def test_report_settings_take_a_real_meeting_date(app, browser, second_case):
    browser.sign_in(OFFICER)
    url = f"{TEXT}/settings"
    check_page(browser.get(url).text, url)
    page = browser.submit(url, {"committee": "Scrutiny Board", "meeting_date": ["31", "2", "2027"], "reference": "SB/1",
                                "version": "1"})
    assert errors(page) == {"#meeting_date": "Date of the meeting must be a real date, for example 27 3 2025"}
    assert soup(page).select_one("#committee")["value"] == "Scrutiny Board"
    page = browser.submit(url, {"committee": "Scrutiny Board", "meeting_date": ["1", "3", "2027"], "reference": "SB/1",
                                "version": "1"})
    assert page.status_code == 302, summary_text(page)
    with app.app_context():
        settings = db.session.get(ReportSettings, get_group_by_slug(GROUP).id)
        assert (settings.committee, settings.meeting_date, settings.reference) == (
            "Scrutiny Board", date(2027, 3, 1), "SB/1")
    # A form opened before that save is refused rather than overwriting it.
    page = browser.submit(url, {"committee": "Old", "version": "1"})
    assert page.status_code == 409 and "changed this" in summary_text(page)
