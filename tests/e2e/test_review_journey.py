"""Issue 7's "Done when": a review of our own, from nothing to the report and
the letters, through the pages in a real browser.

The officer sets up the group, gives the organisations named contacts,
accepts the evidence, writes two findings linked to it, two recommendations
with addressees (adding a missing organisation from the form) and the report
text; the report is built as a draft; a councillor comments, the members
agree and the chair signs off; the report is built again, final, and the
letters go to named contacts. The PDFs are read back with pypdf and checked
for what a reader would look for.
"""
from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CASE = Path(__file__).resolve().parents[1] / "data" / "review_journey.toml"
LEAD = "lead@southvale.example"
CHAIR = "chair@southvale.example"
MEMBER = "member@southvale.example"
CHAIR_NAME = "Councillor Rita Okafor"
TITLE = "Damp and Mould in Rented Homes"
SLUG = "damp-and-mould-in-rented-homes"
GROUP = f"/groups/{SLUG}"
TRUST = "Southvale NHS Foundation Trust"
EXECUTIVE = "Southvale Council Executive"
FORUM = "Southvale Tenants’ Forum"  # added from the recommendation form
CONTACTS = {
    TRUST: ("Dr Amara Okoye", "Chief Executive", "Southvale General Hospital\nHill Road\nSouthvale SV1 2AB"),
    EXECUTIVE: ("Councillor Sam Reid", "Leader of the Council", "Town Hall\nMarket Square\nSouthvale SV1 1AA"),
    FORUM: ("Jo Birch", "Secretary", "12 Mill Lane\nSouthvale SV3 4CD"),
}
EVIDENCE_TITLE = "Damp cases seen in our clinics"
MEETING = date(2027, 3, 18)

FOREWORD = ("No family should have to choose between a damp home and no home.\n\n"
            "I thank the tenants who let us into their homes and told us what mould does to their health.")
SUMMARY = "Damp and mould are making children ill, and repairs take too long."
CONCLUSIONS = "The council and the trust must act together, and tenants must be told what to expect."
FINDINGS = [
    {"title": "Children with asthma live in damp homes",
     "text": ("Clinicians see more children with asthma from homes with damp and mould each winter.\n\n"
              "Most of the families they see rent from private landlords who do not answer repair requests."),
     "theme": "Health", "note": "page 3, table 2"},
    {"title": "Repairs take months",
     "text": ("Tenants wait months for a landlord to treat mould, and many give up asking.\n\n"
              "The council hears of few of these cases, so it rarely uses its enforcement powers."),
     "theme": "Repairs", "note": "paragraph 14"},
]
RECOMMENDATIONS = [
    {"text": "Refer every child admitted with asthma from a damp home to the council’s housing team.",
     "why": "Clinicians see the harm first, and the council can act on the home.",
     "findings": [0], "addressees": [TRUST, EXECUTIVE],
     "measure": "Referrals from the trust are counted each quarter.", "timescale": "Within 6 months"},
    {"text": "Publish how long mould repairs take and tell tenants how to report a landlord who does not act.",
     "why": "Tenants give up when nobody answers them.",
     "findings": [0, 1], "addressees": [EXECUTIVE], "add": FORUM,
     "measure": "Repair times are published every quarter.", "timescale": "By April 2027"},
]


def normalise(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(page: Page, href: str, name: str) -> tuple[list[str], PdfReader]:
    """Download a PDF as the signed-in user (the page's cookies) and read its
    text. Set REPORT_PDF_DIR to keep the PDFs, to look at them."""
    response = page.request.get(href)
    assert response.ok, f"{href} answered {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    if os.environ.get("REPORT_PDF_DIR"):
        (Path(os.environ["REPORT_PDF_DIR"]) / f"review-{name}.pdf").write_bytes(response.body())
    reader = PdfReader(io.BytesIO(response.body()))
    return [page.extract_text() for page in reader.pages], reader


def title_of(reader: PdfReader) -> str:
    return (reader.metadata or {}).get("/Title") or reader.xmp_metadata.dc_title.get("x-default")


def fill_date(page: Page, field: str, day: date) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def success(page: Page):
    return page.locator(".govuk-notification-banner--success")


def shot(page: Page, screenshot_dir: Path, name: str) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width}px"
    page.screenshot(path=str(screenshot_dir / f"review-{name}-{width}.png"), full_page=True)


def seed_evidence(app) -> None:
    """A witness invited and their evidence handed in, through the services:
    the portal's own journeys (test_portal_journeys.py) take a witness through
    those pages; here the officer's side starts when the evidence arrives."""
    from scrutiny.auth.services import find_user
    from scrutiny.evidence import services as evidence
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.invitations import services as invitations
    from scrutiny.organisations.services import find_by_name

    with app.app_context():
        group = get_group_by_slug(SLUG)
        invitation = invitations.create_invitation(
            group, invitations.Contact(organisation=find_by_name(TRUST), name="Dr Lena Osei",
                                       email="lena.osei@trust.example", role="Consultant Paediatrician"),
            questions="What do you see of damp and mould in your clinics?",
            deadline=date.today() + timedelta(days=21), by=find_user(LEAD), send=True)
        submission = evidence.create_draft(invitation)
        evidence.save_draft(submission, title=EVIDENCE_TITLE,
                            summary="Admissions of children with asthma from damp homes rose each winter.",
                            body="Our paediatric clinics see the effects of damp homes every week.",
                            kind="written", theme_ids=[], confidential=False)
        evidence.submit(submission, notice_sha256="0" * 64)  # the witness confirmed the notice


def scheduled_digests(app) -> list[str]:
    from scrutiny import jobs

    with app.app_context():
        return [j for j in jobs.queue().scheduled_job_registry.get_job_ids() if j.startswith("comment-digest-")]


def send_scheduled_now(app, run_jobs) -> None:
    """What the worker's scheduler does at the end of the hour."""
    from rq.job import Job

    from scrutiny import jobs

    with app.app_context():
        queue = jobs.queue()
        for job_id in queue.scheduled_job_registry.get_job_ids():
            job = Job.fetch(job_id, connection=jobs.redis_connection())
            queue.scheduled_job_registry.remove(job)
            queue.enqueue_job(job)
    run_jobs()


def test_a_review_of_our_own_from_nothing_to_the_report_and_letters(
        page, sign_in, app, run_jobs, smtp, screenshot_dir):
    from scrutiny.demo.loader import load_case

    with app.app_context():
        load_case(CASE, password=PASSWORD)  # accounts and organisations only: no group

    # 1. The officer sets up the group --------------------------------------------------------
    sign_in(LEAD)
    page.goto("/groups/new")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Scope and terms of reference").fill(
        "How damp and mould in **rented homes** harm residents' health, and how repairs could come sooner.")
    page.get_by_label("Chair", exact=True).select_option(label=CHAIR_NAME)
    page.get_by_role("group", name="Members").get_by_label("Councillor Dev Patel").check()
    page.get_by_label("Themes").fill("Health\nRepairs\n")
    page.get_by_label("Key lines of enquiry").fill("Who is harmed by damp and mould?\nWhy do repairs take so long?")
    page.get_by_role("button", name="Save topic group").click()
    page.wait_for_url(f"**{GROUP}")
    expect(success(page)).to_contain_text(f"Saved {TITLE}.")
    shot(page, screenshot_dir, "group")

    # ... and names the person each organisation's letters go to.
    for name in (TRUST, EXECUTIVE):
        page.goto("/organisations/")
        page.get_by_role("link", name=f"Edit {name}").click()
        contact, role, address = CONTACTS[name]
        page.get_by_label("Contact name (optional)").fill(contact)
        page.get_by_label("Contact’s role (optional)").fill(role)
        page.get_by_label("Postal address (optional)").fill(address)
        page.get_by_role("button", name="Save organisation").click()
        expect(success(page)).to_contain_text(f"Saved {name}.")

    # 2. Evidence arrives; the officer accepts it in the library ------------------------------
    seed_evidence(app)
    run_jobs()  # the invitation and the acknowledgement go out
    assert len(smtp.to("lena.osei@trust.example")) == 2

    page.goto(GROUP)
    page.get_by_role("navigation", name=TITLE).get_by_role("link", name="Evidence library").click()
    page.get_by_role("link", name=EVIDENCE_TITLE).click()
    page.get_by_label("Accept for the report").check()
    page.get_by_role("group", name="Themes").get_by_label("Health").check()
    page.get_by_role("button", name="Save review").click()
    expect(success(page)).to_contain_text(f"Saved your review of {EVIDENCE_TITLE}.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Accepted for the report")

    # 3. Findings, each resting on the evidence with a note -----------------------------------
    for number, finding in enumerate(FINDINGS, start=1):
        page.goto(GROUP)
        page.get_by_role("navigation", name=TITLE).get_by_role("link", name="Findings").click()
        page.get_by_role("link", name="Add a finding").click()
        page.get_by_label("Title", exact=True).fill(finding["title"])
        page.get_by_label("What the group found").fill(finding["text"])
        page.get_by_role("group", name="Themes").get_by_label(finding["theme"]).check()
        page.get_by_role("button", name="Save finding").click()
        expect(success(page)).to_contain_text(f"Added finding {number}. Now link the evidence it rests on.")
        page.get_by_label("Evidence", exact=True).select_option(
            label=f"Written evidence: {EVIDENCE_TITLE} – {TRUST}")
        page.get_by_label("Note (optional)").fill(finding["note"])
        page.get_by_role("button", name="Link this evidence").click()
        expect(success(page)).to_contain_text(f"Linked the evidence to finding {number}.")
        linked = page.locator("#evidence ~ .app-table-scroll table")
        expect(linked).to_contain_text(EVIDENCE_TITLE)
        expect(linked).to_contain_text(finding["note"])
    shot(page, screenshot_dir, "finding")

    # Recommendations, one adding the organisation missing from the list.
    for number, rec in enumerate(RECOMMENDATIONS, start=1):
        page.goto(f"{GROUP}/recommendations")
        page.get_by_role("link", name="Add a recommendation").click()
        page.get_by_label("What should change").fill(rec["text"])
        page.get_by_label("Why the group makes it (optional)").fill(rec["why"])
        rests_on = page.get_by_role("group", name="Findings it rests on")
        for index in rec["findings"]:
            rests_on.get_by_label(f"{index + 1}. {FINDINGS[index]['title']}").check()
        addressed = page.get_by_role("group", name="Addressed to")
        for name in rec["addressees"]:
            addressed.get_by_label(name).check()
        page.get_by_label("Measure of success").fill(rec["measure"])
        page.get_by_label("Timescale", exact=True).fill(rec["timescale"])
        if rec.get("add"):
            page.get_by_text("The organisation is not in the list").click()
            page.get_by_label("Name of the organisation").fill(rec["add"])
            page.get_by_label("Kind of organisation").select_option(label="Voluntary or community group")
            page.get_by_role("button", name="Add organisation").click()
            expect(success(page)).to_contain_text(
                f"Added {rec['add']} and ticked it below. The recommendation is not saved yet.")
            # Nothing typed is lost, and the new organisation is ticked beside the others.
            expect(page.get_by_label("What should change")).to_have_value(rec["text"])
            expect(page.get_by_label("Measure of success")).to_have_value(rec["measure"])
            expect(page.get_by_label("Timescale", exact=True)).to_have_value(rec["timescale"])
            addressed = page.get_by_role("group", name="Addressed to")
            for name in [*rec["addressees"], rec["add"]]:
                expect(addressed.get_by_label(name)).to_be_checked()
            for index in rec["findings"]:
                expect(page.get_by_role("group", name="Findings it rests on")
                       .get_by_label(f"{index + 1}. {FINDINGS[index]['title']}")).to_be_checked()
            shot(page, screenshot_dir, "recommendation-organisation-added")
        page.get_by_role("button", name="Save recommendation").click()
        expect(success(page)).to_contain_text(f"Saved recommendation {number}.")
        expect(page.locator("#quality .govuk-tag--green")).to_have_count(4)  # addressee, change, measure, timescale

    # The report's text and where it goes.
    page.goto(f"{GROUP}/report-text")
    for link, label, body in (("Write the chair’s foreword", "Chair’s foreword", FOREWORD),
                              ("Write the key messages and executive summary", "Key messages and executive summary",
                               SUMMARY),
                              ("Write the conclusions", "Conclusions", CONCLUSIONS)):
        page.get_by_role("link", name=link).click()
        page.get_by_label(label, exact=True).fill(body)
        page.get_by_role("button", name="Save section").click()
        expect(success(page)).to_contain_text("Saved")
    page.get_by_role("link", name="Change where the report goes").click()
    page.get_by_label("Committee the report goes to").fill("Housing and Health Scrutiny Committee")
    fill_date(page, "meeting_date", MEETING)
    page.get_by_label("Reference (optional)").fill("HHSC/2027/02")
    page.get_by_role("button", name="Save settings").click()
    expect(success(page)).to_contain_text("Saved the report settings.")
    expect(page.locator("main")).to_contain_text(CHAIR_NAME)  # the foreword's signature

    # 4. The draft report --------------------------------------------------------------------------
    page.get_by_role("navigation", name=TITLE).get_by_role("link", name="Documents").click()
    page.get_by_role("button", name="Build the report (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"version 1$"))  # the job is queued
    run_jobs()
    # The document's page follows the build and reloads itself when it ends:
    # wait for that, as the officer would, rather than race it to the list.
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    page.goto(f"{GROUP}/documents")
    shot(page, screenshot_dir, "documents")
    href = page.get_by_role("link", name="Download PDF version 1").get_attribute("href")
    pages, reader = pdf_pages(page, href, "report-draft")
    text = normalise(" ".join(pages))
    for number, content in enumerate(pages, start=1):
        assert "DRAFT" in content, f"page {number} of the draft has no DRAFT mark"
    assert title_of(reader).startswith(f"{TITLE} (draft)")
    assert "Topic group report: draft" in normalise(pages[0])
    for paragraph in FOREWORD.split("\n\n"):
        assert normalise(paragraph) in text, paragraph
    assert f"{CHAIR_NAME} Chair of the {TITLE} topic group" in text  # the foreword signed by the chair
    assert "For Housing and Health Scrutiny Committee, 18 March 2027" in normalise(pages[0])
    for number, finding in enumerate(FINDINGS, start=1):
        for paragraph in finding["text"].split("\n\n"):
            assert paragraph in text, f"finding {number}'s narrative is missing: {paragraph}"
        assert f"[E1, {finding['note']}]" in text
    # Exactly the linked evidence: there is only E1, cited with each finding's own note.
    assert sorted(set(re.findall(r"\[E\d+", text))) == ["[E1"]
    recommendations = text[text.rindex("Recommendation 1"):]
    assert re.search(r"paragraphs 1\.1–1\.2, page \d+", recommendations), recommendations[:600]
    second = recommendations[recommendations.index("Recommendation 2"):]
    assert re.search(r"paragraphs 1\.1–1\.2, page \d+; paragraphs 2\.1–2\.2, page \d+", second), second[:600]
    assert FORUM in second

    # 5. The councillors: a comment, the draft circulated, agreed and signed off -----------------
    page.context.clear_cookies()
    sign_in(MEMBER)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{GROUP}/draft")
    page.get_by_text("Add a comment on finding 2").click()
    page.get_by_label("Your comment on finding 2").fill("Do we know how many landlords were asked?")
    thread = page.locator(".app-thread", has_text="Comments on finding 2")
    thread.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Your comment is added.")).to_be_visible()
    expect(thread).to_contain_text("Do we know how many landlords were asked?")
    shot(page, screenshot_dir, "draft-comment")
    assert len(scheduled_digests(app)) == 1, "the lead officer's digest should be scheduled"

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(LEAD)
    page.goto(f"{GROUP}/draft")
    page.get_by_label("Note to members (optional)").fill("Please answer by Friday.")
    page.get_by_role("button", name="Send draft 1 to members").click()
    expect(success(page)).to_contain_text("Draft 1 is with the members for agreement.")

    page.context.clear_cookies()
    sign_in(MEMBER)
    page.goto(f"{GROUP}/draft")
    page.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(success(page)).to_contain_text("Your answer to draft 1 is recorded: agree.")

    page.context.clear_cookies()
    sign_in(CHAIR)
    page.goto(f"{GROUP}/draft")
    page.get_by_role("button", name="Sign off draft 1").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft 1 is signed off.")
    shot(page, screenshot_dir, "signed-off")

    # The lead officer's digest, at the end of the hour.
    send_scheduled_now(app, run_jobs)
    [digest] = smtp.to(LEAD)
    assert "Do we know how many landlords were asked?" in digest.get_body(("plain",)).get_content()

    # 6. The final report and the letters -------------------------------------------------------
    page.context.clear_cookies()
    sign_in(LEAD)
    page.goto(f"{GROUP}/documents")
    page.get_by_role("button", name="Build the report (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"version 2$"))  # the sign-off changed it
    run_jobs()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    page.goto(f"{GROUP}/documents")
    href = page.get_by_role("link", name="Download PDF version 2").get_attribute("href")
    pages, reader = pdf_pages(page, href, "report-final")
    for number, content in enumerate(pages, start=1):
        assert "DRAFT" not in content, f"page {number} of the signed-off report still says DRAFT"
    assert "draft" not in title_of(reader).lower()
    cover = normalise(pages[0])
    assert "Housing and Health Scrutiny Committee, 18 March 2027" in cover
    assert "Reference: HHSC/2027/02" in cover and "Agreed by the group on" in cover

    page.goto(f"{GROUP}/letters")
    # The organisation added from the form has no contact yet, and a voluntary
    # group no statutory period: the page says both, and where to put them right.
    problems = page.locator("main .govuk-grid-column-two-thirds ul.govuk-list--bullet").last
    expect(problems).to_contain_text(f"{FORUM} has no contact to address the letter to")
    expect(problems).to_contain_text(f"{FORUM} (voluntary or community group) has no date by which to respond")
    expect(page.get_by_role("button", name="Build letters")).to_have_count(0)
    page.get_by_role("link", name=f"Add a contact for {FORUM}").click()
    contact, role, address = CONTACTS[FORUM]
    page.get_by_label("Contact name (optional)").fill(contact)
    page.get_by_label("Contact’s role (optional)").fill(role)
    page.get_by_label("Postal address (optional)").fill(address)
    page.get_by_role("button", name="Save organisation").click()
    expect(success(page)).to_contain_text(f"Saved {FORUM}.")
    page.goto(f"{GROUP}/letters")
    page.get_by_role("link", name=f"Set date for {FORUM}").click()
    fill_date(page, "due_on", date.today() + timedelta(days=56))
    page.get_by_role("button", name="Save the date").click()
    expect(success(page)).to_contain_text(f"{FORUM} is now asked to respond by")
    page.get_by_role("button", name="Build letters").click()
    expect(success(page)).to_contain_text("3 letters: 3 being built.")
    run_jobs()
    page.goto(f"{GROUP}/letters")
    shot(page, screenshot_dir, "letters")
    for name, numbers in ((TRUST, [1]), (EXECUTIVE, [1, 2]), (FORUM, [2])):
        href = page.get_by_role("link", name=f"Download PDF of the letter to {name}, version 1").get_attribute("href")
        letter = normalise(" ".join(pdf_pages(page, href, "letter-" + re.sub(r"\W+", "-", name.lower()))[0]))
        assert f"Dear {CONTACTS[name][0]}," in letter, letter[:400]
        for number, rec in enumerate(RECOMMENDATIONS, start=1):
            if number in numbers:
                assert f"Recommendation {number}" in letter and normalise(rec["text"]) in letter, (name, number)
            else:
                assert normalise(rec["text"]) not in letter, f"the letter to {name} carries recommendation {number}"
        assert CHAIR_NAME in letter
