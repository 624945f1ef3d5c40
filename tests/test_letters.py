"""Recommendation letters: due dates by kind of addressee, an officer's first
date (no reason) and changes (with one), dates earlier than the statutory
period (confirmed, and asked for rather than imposed), letters to named
contacts with a reference and the scrutiny team's reply-to details, the
closing kept with the signature, one tagged PDF per addressee holding only
its own recommendations, rebuilds of only what changed, one council named
throughout the demo, who may do what, the CLI."""
from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import render_template
from pypdf import PdfReader
from sqlalchemy import func, select

from scrutiny.documents import letters, render
from scrutiny.documents.models import Document
from scrutiny.extensions import db
from scrutiny.findings.models import Recommendation, ReportSettings
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name, save_organisation
from scrutiny.responses import services as responses
from scrutiny.responses.models import ResponseDue
from tests.conftest import PASSWORD, Browser
from tests.test_pages_accessibility import check_page
from tests.workers import app_env, flask_command, worker_process

DEMO = "bame-health-inequalities"
SECOND = "adult-social-care-waiting-times"
ASKED = date(2026, 11, 25)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
TEAM_EMAIL = "scrutiny@council.example"
TEAM_PHONE = "01234 567890"

# The second review's addressees (its own, beside Northshire Adult Social Care).
SOCIAL_CARE = "Northshire Adult Social Care"  # a council department: no statutory period
TRUST = "Northshire Hospitals NHS Trust"  # 28 days
CHAIR_2 = "Councillor Tom Chairperson"
LEAD_2 = "Priya Lead-Officer"

# The demo's: its council is the configured one (COUNCIL_NAME), named by a placeholder in the case file.
PARTNERSHIP = "Health in Hertfordshire"
MENTAL_HEALTH = "Hertfordshire Partnership University NHS Foundation Trust"
NHS = [MENTAL_HEALTH, "East and North Hertfordshire NHS Trust", "West Hertfordshire Teaching Hospitals NHS Trust",
       "Hertfordshire Community NHS Trust", "Hertfordshire and West Essex Integrated Care Board"]
CHAIR = "Councillor Judi Billing MBE"
LEAD_OFFICER = "Sam Patel"


def receives(council: str) -> dict[str, list[int]]:
    """Which of the demo's six recommendations each addressee receives."""
    return {MENTAL_HEALTH: [1, 2, 3, 4], **{name: [1, 3, 4] for name in NHS[1:]}, PARTNERSHIP: [5], council: [6]}


@pytest.fixture
def asked_on(monkeypatch):
    """Whatever is prepared is asked on 25 November 2026 (ASKED)."""
    day = {"today": ASKED}
    monkeypatch.setattr(responses, "today", lambda: day["today"])
    return day


@pytest.fixture
def team(app, monkeypatch):
    """The scrutiny team's configured reply-to address and phone."""
    monkeypatch.setitem(app.config, "SCRUTINY_TEAM_EMAIL", TEAM_EMAIL)
    monkeypatch.setitem(app.config, "SCRUTINY_TEAM_PHONE", TEAM_PHONE)


@pytest.fixture
def second(app, second_case):
    """The second review with three addressees: its social care department
    (no contact yet, no statutory period), an NHS trust with a named contact,
    and the council's own executive known only by the contact's role."""
    with app.app_context():
        group = get_group_by_slug(SECOND)
        trust = save_organisation(None, name=TRUST, kind="nhs_body", contact_name="Dr Ada Obi",
                                  contact_role="Chief Executive",
                                  postal_address="Trust Offices\n  12 Infirmary Road \n\nNorthtown\nNT1 2AB")
        council = save_organisation(None, name=app.config["COUNCIL_NAME"], kind="council_executive",
                                    contact_role="Leader of the Council", postal_address="County Hall\nNorthtown")
        group.recommendations.append(Recommendation(
            number=2, text="Agree a shared discharge plan with adult social care.",
            explanation="People wait in hospital for a care assessment.", addressees=[trust, council]))
        db.session.commit()
    return SECOND


def normalise(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [normalise(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def signed_in(app, email="lead@second.example", password=PASSWORD) -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(email, password)
    return browser


def demo_officer(app) -> Browser:
    return signed_in(app, "officer@example.org", "scrutiny-demo")


def org_id(app, name) -> int:
    with app.app_context():
        return find_by_name(name).id


def set_contact(app, name, contact_name="Mel Director", role="Director of Adult Social Care",
                address="Civic Centre\nNorthtown\nNT1 1AA"):
    with app.app_context():
        org = find_by_name(name)
        org.contact_name, org.contact_role, org.postal_address = contact_name, role, address
        db.session.commit()


def set_date(app, slug, name, due_on, reason="", earlier=False):
    """An officer's date, set through the service (the page is tested below)."""
    from scrutiny.auth.services import find_user

    with app.app_context():
        officer = find_user("officer@example.org" if slug == DEMO else "lead@second.example")
        responses.set_due_date(get_group_by_slug(slug), find_by_name(name), due_on, reason, officer,
                               earlier_confirmed=earlier)
        db.session.commit()


def build(browser, slug=SECOND, follow=False):
    return browser.submit(f"/groups/{slug}/letters/build", {}, form_page=f"/groups/{slug}/letters", follow=follow)


def letter_documents(app) -> dict[str, Document]:
    """The latest letter of each addressee, by the addressee's name."""
    with app.app_context():
        found = {}
        for document in db.session.scalars(select(Document).where(Document.kind == "letter")
                                           .order_by(Document.version.desc())):
            found.setdefault(document.organisation.name, document)
        db.session.expunge_all()
        return found


def download(browser, slug, document) -> bytes:
    response = browser.get(f"/groups/{slug}/documents/{document.public_id}/download")
    assert response.status_code == 200
    return response.data


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def errors_of(response) -> dict[str, str]:
    soup = BeautifulSoup(response.text, "html.parser")
    return {a["href"]: normalise(a.get_text()) for a in soup.select(".govuk-error-summary a")}


# ---- due dates ---------------------------------------------------------------------------


def test_default_due_dates_follow_the_kind_of_addressee_with_their_legal_basis(app, second, asked_on):
    council = app.config["COUNCIL_NAME"]
    with app.app_context():
        rows = {row.organisation.name: row for row in responses.prepare(get_group_by_slug(SECOND)).values()}
        db.session.commit()
        for row in rows.values():
            db.session.refresh(row)
        db.session.expunge_all()
    assert set(rows) == {SOCIAL_CARE, TRUST, council}
    assert (rows[council].requested_on, rows[council].due_on) == (ASKED, date(2027, 1, 25))
    assert rows[council].rule == "Two months from 25 November 2026: Local Government Act 2000, section 9FE"
    assert (rows[TRUST].requested_on, rows[TRUST].due_on) == (ASKED, date(2026, 12, 23))
    assert rows[TRUST].rule.startswith("28 days from the request of 25 November 2026: Local Authority")
    assert rows[TRUST].rule.endswith("Health Scrutiny) Regulations 2013, regulation 22")
    # A council department has no statutory period: no default, an officer sets it.
    assert (rows[SOCIAL_CARE].due_on, rows[SOCIAL_CARE].rule) == (None, "")

    # Preparing again later keeps every date where it was.
    asked_on["today"] = date(2027, 3, 1)
    with app.app_context():
        again = responses.prepare(get_group_by_slug(SECOND))
        assert {r.organisation.name: (r.requested_on, r.due_on) for r in again.values()} == {
            name: (r.requested_on, r.due_on) for name, r in rows.items()}


def test_months_are_calendar_months_clamped_to_the_month_end(app):
    with app.app_context():
        executive = {start: responses.default_due("council_executive", start)[0] for start in (
            date(2027, 1, 31), date(2028, 1, 31), date(2026, 12, 31), date(2027, 8, 31), date(2027, 2, 28))}
        assert executive == {date(2027, 1, 31): date(2027, 3, 31), date(2028, 1, 31): date(2028, 3, 31),
                             date(2026, 12, 31): date(2027, 2, 28), date(2027, 8, 31): date(2027, 10, 31),
                             date(2027, 2, 28): date(2027, 4, 28)}
        assert responses.add_period(date(2027, 1, 31), {"months": 1}) == date(2027, 2, 28)
        assert responses.add_period(date(2028, 1, 31), {"months": 1}) == date(2028, 2, 29)
        assert responses.default_due("nhs_body", date(2027, 2, 1))[0] == date(2027, 3, 1)
        assert responses.default_due("voluntary_community", date(2027, 2, 1)) == (None, "")
        assert responses.period_text({"months": 1, "days": 7}) == "one month and 7 days"


def test_letters_are_refused_naming_each_addressee_without_a_contact_or_a_date(app, second, asked_on):
    officer = signed_in(app)
    page = build(officer, follow=True)
    assert page.status_code == 200
    text = normalise(BeautifulSoup(page.text, "html.parser").get_text(" "))
    assert f"{SOCIAL_CARE} has no contact to address the letter to" in text
    assert f"{SOCIAL_CARE} (council department) has no date by which to respond" in text
    assert f"{TRUST} has no" not in text and f"{TRUST} (nhs" not in text
    assert count(app, Document) == 0
    assert count(app, ResponseDue) == 0  # nothing is prepared by a refused build
    # The letters page says the same before anyone tries, offers no button, and shows who each letter is to.
    page = officer.get(f"/groups/{SECOND}/letters")
    check_page(page.text, "letters")
    soup = BeautifulSoup(page.text, "html.parser")
    assert f"{SOCIAL_CARE} has no contact" in soup.get_text()
    assert not soup.find("button", string=re.compile("Build letters"))
    cells = {normalise(tr.th.get_text(" ")): normalise(tr.get_text(" ")) for tr in soup.select("tbody tr")}
    social_care = next(v for k, v in cells.items() if k.startswith(SOCIAL_CARE))
    assert "No contact" in social_care and "Add a contact" in social_care
    assert "Dr Ada Obi Chief Executive" in next(v for k, v in cells.items() if k.startswith(TRUST))
    council = next(v for k, v in cells.items() if k.startswith(app.config["COUNCIL_NAME"]))
    assert "Leader of the Council No named contact: the letter is addressed to the role." in council

    # The officer adds the contact on the organisation's page: the address keeps its lines.
    url = f"/organisations/{org_id(app, SOCIAL_CARE)}/edit"
    form = officer.get(url)
    check_page(form.text, url)
    soup = BeautifulSoup(form.text, "html.parser")
    assert soup.find("textarea", id="postal_address") and soup.find("label", {"for": "contact_name"})
    response = officer.submit(url, {"name": SOCIAL_CARE, "kind": "council_department", "contact_name": " Mel  Director ",
                                    "contact_role": "Director of Adult Social Care",
                                    "postal_address": "Civic Centre\r\n\r\n  Market Square\r\nNorthtown\r\nNT1 1AA  "})
    assert response.status_code == 302
    with app.app_context():
        org = find_by_name(SOCIAL_CARE)
        assert (org.contact_name, org.contact_role, org.postal_address) == (
            "Mel Director", "Director of Adult Social Care", "Civic Centre\nMarket Square\nNorthtown\nNT1 1AA")
    assert "Civic Centre\nMarket Square" in officer.get(url).text
    too_long = officer.submit(url, {"name": SOCIAL_CARE, "kind": "council_department", "contact_name": "x" * 201})
    assert errors_of(too_long) == {"#contact_name": "The contact name must be 200 characters or fewer"}

    text = normalise(BeautifulSoup(officer.get(f"/groups/{SECOND}/letters").text, "html.parser").get_text(" "))
    assert "no contact" not in text and f"{SOCIAL_CARE} (council department) has no date" in text


def test_the_first_date_needs_no_reason_a_change_does_and_both_are_shown(app, second, asked_on):
    officer = signed_in(app)
    url = f"/groups/{SECOND}/letters/{org_id(app, SOCIAL_CARE)}/due-date"
    form = officer.get(url)
    check_page(form.text, url)
    soup = BeautifulSoup(form.text, "html.parser")
    assert "None for this kind of organisation" in soup.get_text()
    assert "Reason (optional)" in soup.get_text() and "no reason is needed" in soup.get_text()
    assert not soup.find("input", {"name": "earlier_confirmed"})  # no statutory period to be earlier than
    response = officer.submit(url, {"due_on": ["15", "1", "2027"], "reason": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/groups/{SECOND}/letters")
    with app.app_context():
        row = db.session.scalar(select(ResponseDue))
        assert (row.organisation.name, row.requested_on, row.due_on) == (SOCIAL_CARE, ASKED, date(2027, 1, 15))
        assert (row.rule, row.changed_reason, row.changed_by.name, row.earlier_confirmed) == (
            "Set by the scrutiny officer", "", LEAD_2, False)

    # A change of the officer's own date needs a reason; nothing moves without one.
    soup = BeautifulSoup(officer.get(url).text, "html.parser")
    assert "Reason for changing the date" in soup.get_text()
    refused = officer.submit(url, {"due_on": ["29", "1", "2027"], "reason": "  "})
    assert refused.status_code == 200
    assert errors_of(refused) == {"#reason": "Enter the reason for changing the date from 15 January 2027"}
    assert BeautifulSoup(refused.text, "html.parser").select_one("#due_on-day")["value"] == "29"  # kept as typed
    check_page(refused.text, url)
    officer.submit(url, {"due_on": ["29", "1", "2027"], "reason": "The director asked for two more weeks."})
    with app.app_context():
        row = db.session.scalar(select(ResponseDue))
        assert (row.due_on, row.changed_reason) == (date(2027, 1, 29), "The director asked for two more weeks.")

    # Moving a statutory date is a change too, even before the letters are prepared.
    trust_url = f"/groups/{SECOND}/letters/{org_id(app, TRUST)}/due-date"
    refused = officer.submit(trust_url, {"due_on": ["8", "1", "2027"], "reason": "", "earlier_confirmed": ""})
    assert errors_of(refused) == {"#reason": "Enter the reason for changing the date from 23 December 2026"}
    asked_on["today"] = date(2026, 12, 1)  # a change later keeps the request date of the row it changes
    officer.submit(trust_url, {"due_on": ["8", "1", "2027"], "reason": "The trust board meets on 7 January."})
    with app.app_context():
        row = db.session.scalar(select(ResponseDue).where(ResponseDue.organisation_id == org_id(app, TRUST)))
        assert (row.requested_on, row.due_on, row.earlier_confirmed) == (date(2026, 12, 1), date(2027, 1, 8), False)

    page = officer.get(f"/groups/{SECOND}/letters")
    check_page(page.text, "letters")
    soup = BeautifulSoup(page.text, "html.parser")
    cell = normalise(next(tr for tr in soup.select("tbody tr") if SOCIAL_CARE in tr.th.get_text()).get_text(" "))
    assert "29 January 2027" in cell and "Set by the scrutiny officer" in cell
    assert f"by {LEAD_2}" in cell and "Reason: The director asked for two more weeks." in cell
    council = normalise(next(tr for tr in soup.select("tbody tr")
                             if app.config["COUNCIL_NAME"] in tr.th.get_text()).get_text(" "))
    assert "1 February 2027" in council and "Local Government Act 2000, section 9FE" in council  # if built today


def test_a_date_earlier_than_the_statutory_period_needs_the_officers_confirmation(app, second, asked_on):
    officer = signed_in(app)
    url = f"/groups/{SECOND}/letters/{org_id(app, TRUST)}/due-date"
    soup = BeautifulSoup(officer.get(url).text, "html.parser")
    box = soup.find("input", {"name": "earlier_confirmed", "type": "checkbox"})
    assert box is not None and not box.has_attr("checked")
    assert soup.find("label", {"for": box["id"]}).get_text(strip=True) == \
        "I confirm the response is asked earlier than the statutory period"
    assert "Ends on 23 December 2026" in normalise(soup.get_text(" "))

    # Every problem at once: an earlier date unconfirmed, and no reason for moving the statutory date.
    refused = officer.submit(url, {"due_on": ["9", "12", "2026"], "reason": ""})
    assert set(errors_of(refused)) == {"#earlier_confirmed", "#reason"}

    data = {"due_on": ["9", "12", "2026"], "reason": "The committee meets on 10 December."}
    refused = officer.submit(url, data)
    assert refused.status_code == 200
    assert errors_of(refused) == {"#earlier_confirmed": "9 December 2026 is before the statutory period ends on "
                                  "23 December 2026: confirm that the response is asked earlier, or choose a later date"}
    soup = BeautifulSoup(refused.text, "html.parser")
    assert soup.select_one("#due_on-day")["value"] == "9"
    assert soup.find("textarea", {"name": "reason"}).get_text() == "The committee meets on 10 December."
    check_page(refused.text, url)
    assert count(app, ResponseDue) == 0

    assert officer.submit(url, {**data, "earlier_confirmed": "y"}).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(ResponseDue))
        assert (row.due_on, row.earlier_confirmed, row.changed_reason) == (
            date(2026, 12, 9), True, "The committee meets on 10 December.")
    cell = normalise(next(tr for tr in BeautifulSoup(officer.get(f"/groups/{SECOND}/letters").text, "html.parser")
                          .select("tbody tr") if TRUST in tr.th.get_text()).get_text(" "))
    assert "9 December 2026" in cell and "Asked earlier than the statutory period." in cell

    # A date on or after the period's end is no longer "earlier", whatever was ticked.
    officer.submit(url, {"due_on": ["23", "12", "2026"], "reason": "Back to the statutory date.", "earlier_confirmed": "y"})
    with app.app_context():
        assert db.session.scalar(select(ResponseDue)).earlier_confirmed is False


def test_a_bad_date_is_refused_and_nothing_is_saved(app, second, asked_on):
    officer = signed_in(app)
    url = f"/groups/{SECOND}/letters/{org_id(app, SOCIAL_CARE)}/due-date"
    cases = [
        ({"due_on": ["", "", ""], "reason": "Board meeting"}, "Enter the date the response is due"),
        ({"due_on": ["31", "2", "2027"], "reason": "Board meeting"}, "must be a real date"),
        ({"due_on": ["20", "11", "2026"], "reason": "Board meeting"}, "The date must be after the request on 25 November 2026"),
        ({"due_on": ["15", "1", "2027"], "reason": "x" * 2001}, "The reason must be 2000 characters or fewer"),
    ]
    for data, message in cases:
        response = officer.submit(url, data)
        assert response.status_code == 200, data
        soup = BeautifulSoup(response.text, "html.parser")
        summary = soup.select_one(".govuk-error-summary")
        assert summary and message in summary.get_text(), (data, summary)
        assert soup.title.get_text().startswith("Error:")
        check_page(response.text, url)
    assert count(app, ResponseDue) == 0
    # Only addressees have a date to set.
    assert officer.get(f"/groups/{SECOND}/letters/{org_id(app, 'Carers in Northshire')}/due-date").status_code == 404


# ---- the letters -------------------------------------------------------------------------


def test_letters_go_to_named_contacts_with_a_reference_reply_to_and_the_chairs_signature(
        app, second, asked_on, team, run_jobs):
    council = app.config["COUNCIL_NAME"]
    set_contact(app, SOCIAL_CARE)
    set_date(app, SECOND, SOCIAL_CARE, date(2027, 1, 29))
    set_date(app, SECOND, TRUST, date(2026, 12, 9), "The committee meets on 10 December.", earlier=True)
    officer = signed_in(app)
    assert "3 letters: 3 being built." in build(officer, follow=True).text
    run_jobs()
    documents = letter_documents(app)
    assert {n: d.status for n, d in documents.items()} == {SOCIAL_CARE: "done", TRUST: "done", council: "done"}
    text = {name: pdf_text(download(officer, SECOND, d)) for name, d in documents.items()}

    trust = text[TRUST]
    assert "Dr Ada Obi Chief Executive Northshire Hospitals NHS Trust Trust Offices 12 Infirmary Road Northtown " \
           "NT1 2AB" in trust
    assert "Dear Dr Ada Obi," in trust
    assert "Our reference AHSP/2027/03-NHNT Date " in trust
    assert f"Reply to {TEAM_EMAIL} Telephone {TEAM_PHONE}" in trust
    assert f"by e-mail to {TEAM_EMAIL}, quoting our reference AHSP/2027/03-NHNT" in trust
    assert f"please call the scrutiny team on {TEAM_PHONE}" in trust
    assert f"for the attention of {LEAD_2}, the group’s lead officer" in trust
    # Earlier than the statutory period: asked for, with the day the period really ends.
    assert "We would be grateful for your response by 9 December 2026." in trust
    assert "ends on 23 December 2026" in trust and "Please respond by" not in trust
    assert "in place of" not in trust
    assert f"Yours sincerely, {CHAIR_2} Chair of the Adult Social Care Waiting Times topic group {council}" in trust
    assert "The committee meets on 10 December" not in trust  # the officer's reason stays on the letters page

    # Known only by role: addressed to the role; the council's own executive is called that, not by its name twice.
    own = text[council]
    assert f"Leader of the Council {council} County Hall Northtown" in own and "Dear Leader of the Council," in own
    assert "makes one recommendation to the council’s executive" in own
    assert "Please respond by 25 January 2027. Under the Local Government Act 2000, section 9FE" in own
    assert "Our reference AHSP/2027/03-ECC" in own

    social = text[SOCIAL_CARE]
    assert "Dear Mel Director," in social and "Please respond by 29 January 2027" in social
    assert "There is no statutory duty to respond" in social and "Our reference AHSP/2027/03-NASC" in social
    for name, letter in text.items():
        # The team's address is the only one a letter prints.
        assert set(EMAIL.findall(letter)) == {TEAM_EMAIL}, name
        assert letter.count(council) >= 2 and "Example County Council" in letter

    # With the report's reference set, letters carry it; without reply-to details nothing empty is printed.
    with app.app_context():
        db.session.add(ReportSettings(topic_group=get_group_by_slug(SECOND), reference="HSC/2026/07"))
        db.session.commit()
    app.config["SCRUTINY_TEAM_EMAIL"], app.config["SCRUTINY_TEAM_PHONE"] = "", ""
    with app.app_context():
        group = get_group_by_slug(SECOND)
        context = letters.letter_context(group, letters.subject_for(find_by_name(TRUST)), 2, ASKED)
    assert context["reference"] == "HSC/2026/07-NHNT" and context["logo"] is None
    html = render_template_in(app, context)
    assert "Reply to" not in html and "Telephone" not in html and "by e-mail to" not in html
    assert not BeautifulSoup(html, "html.parser").select(".letterhead img")
    # Where the council has a logo, the letterhead carries it, named by the council's name.
    logo = BeautifulSoup(render_template_in(app, {**context, "logo": {"src": "scrutiny-asset:/logo.png"}}),
                         "html.parser").select_one(".letterhead img")
    assert (logo["src"], logo["alt"]) == ("scrutiny-asset:/logo.png", council)


def render_template_in(app, context) -> str:
    with app.app_context(), app.test_request_context():
        return render_template("pdf/letter.html", letter=context, council_name=app.config["COUNCIL_NAME"],
                               brand_colour=app.config["BRAND_COLOUR"])


def test_the_closing_stays_with_the_signature_when_a_letter_breaks_across_pages(
        app, second, asked_on, team, run_jobs):
    """The shortest explanation that pushes the letter onto a second page
    would, without `break-inside: avoid`, leave "Yours sincerely" at the foot
    of page one and the chair's name alone on page two."""
    set_contact(app, SOCIAL_CARE)
    set_date(app, SECOND, SOCIAL_CARE, date(2027, 1, 29))
    with app.app_context():
        group = get_group_by_slug(SECOND)
        responses.prepare(group)
        db.session.commit()
        context = letters.letter_context(group, letters.subject_for(find_by_name(SOCIAL_CARE)), 1, ASKED)
    sentence = "Residents waiting for an assessment told the group how the wait affected their families. "

    def pages(n: int) -> list[str]:
        context["recommendations"][0]["explanation"] = sentence * n
        laid_out = render.layout(render_template_in(app, context))
        out = io.BytesIO()
        laid_out.write_pdf(out)
        return pdf_pages(out.getvalue())

    low, high = 0, 40
    assert len(pages(low)) == 1 and len(pages(high)) >= 2
    while high - low > 1:  # the fewest sentences that make a second page
        middle = (low + high) // 2
        low, high = (middle, high) if len(pages(middle)) == 1 else (low, middle)
    broken = pages(high)
    assert len(broken) == 2 and "Yours sincerely" in broken[1] and CHAIR_2 in broken[1]
    assert "Yours sincerely" not in broken[0]

    # The same letter built for real by the worker.
    with app.app_context():
        get_group_by_slug(SECOND).recommendations[0].explanation = sentence * high
        db.session.commit()
    build(signed_in(app))
    run_jobs()
    document = letter_documents(app)[SOCIAL_CARE]
    assert document.page_count == 2
    built = pdf_pages(download(signed_in(app), SECOND, document))
    assert "Yours sincerely" in built[1] and f"{CHAIR_2} Chair of the" in built[1]


# ---- the demo -----------------------------------------------------------------------------


@pytest.fixture
def built(app, demo_case, team, run_jobs):
    """The demo's letters, built once: its officer's dates came with the case."""
    officer = demo_officer(app)
    page = build(officer, DEMO, follow=True)
    assert "7 letters: 7 being built." in page.text
    run_jobs()
    return officer


def test_the_demo_builds_one_letter_per_addressee_naming_one_council(app, built):
    officer = built
    council = app.config["COUNCIL_NAME"]
    receive = receives(council)
    with app.app_context():
        texts = {r.number: normalise(r.text) for r in get_group_by_slug(DEMO).recommendations}
    documents = letter_documents(app)
    assert set(documents) == set(receive)
    # Asked on 14 September 2021 (the review's own timeline); the partnership's date set by its officer.
    due = {council: "14 November 2021", PARTNERSHIP: "30 November 2021", **{name: "12 October 2021" for name in NHS}}
    for name, document in documents.items():
        assert (document.status, document.version, document.subject) == (
            "done", 1, f"organisation:{document.organisation_id}"), document.error
        response = officer.get(f"/groups/{DEMO}/documents/{document.public_id}/download")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        assert response.headers["Content-Disposition"].endswith(f"{DEMO}-letter-{slug}-v1.pdf")
        text = pdf_text(response.data)
        for number, rec in texts.items():
            assert (rec in text) == (number in receive[name]), (name, number)
            assert (f"Recommendation {number}" in text) == (number in receive[name]), (name, number)
        assert name in text and "BAME Health Inequalities" in text and "Dear " in text
        assert f"respond by {due[name]}" in text
        assert "Our reference HSC/2021/BAME-" in text
        assert CHAIR in text and "Chair of the BAME Health Inequalities topic group" in text
        assert "scrutiny team" in text and LEAD_OFFICER in text
        # One council throughout: the configured one, never the case file's own.
        assert council in text and "Hertfordshire County Council" not in text
        assert set(EMAIL.findall(text)) == {TEAM_EMAIL}, name

        reader = PdfReader(io.BytesIO(response.data))
        assert document.page_count == len(reader.pages)
        assert all("/StructParents" in page for page in reader.pages), name
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert reader.metadata.title == f"Recommendations to {name}: BAME Health Inequalities topic group – {council}"
    executive = pdf_text(download(officer, DEMO, documents[council]))
    assert "Councillor Alan Reyes Executive Member for Public Health and Prevention " + council in executive
    assert "Dear Councillor Alan Reyes," in executive and "to the council’s executive" in executive
    assert "Under the Local Government Act 2000, section 9FE, a response is due within two months" in executive
    trust = pdf_text(download(officer, DEMO, documents["East and North Hertfordshire NHS Trust"]))
    assert "Dear Claire Benson," in trust and "Our reference HSC/2021/BAME-ENHNT" in trust
    partnership = pdf_text(download(officer, DEMO, documents[PARTNERSHIP]))
    assert "There is no statutory duty to respond" in partnership
    assert "The partnership board" not in partnership  # the officer's reason stays on the letters page

    # The letters page lists each letter with its status and download.
    soup = BeautifulSoup(officer.get(f"/groups/{DEMO}/letters").text, "html.parser")
    assert len(soup.select("tbody tr")) == 7
    assert len(soup.select("a[href$='/download']")) == 7
    assert len(soup.select("strong.govuk-tag--green")) == 7
    # The demo's letters went on 14 September 2021: the page says when, to whom and by when.
    assert (f"Sent on 14 September 2021, response due 30 November 2021 To Dr Nadia Rahman, "
            f"partnership.board@health-partnership.example, by {LEAD_OFFICER}.") in normalise(soup.get_text(" "))
    index = officer.get(f"/groups/{DEMO}/documents").text
    assert f"/groups/{DEMO}/letters" in index and "7 are ready to download" in normalise(index)


def test_a_changed_recommendation_rebuilds_only_its_addressees_letters(app, built, run_jobs):
    from scrutiny.documents import services
    from scrutiny.jobs import queue

    first = letter_documents(app)
    with app.app_context():
        group = get_group_by_slug(DEMO)
        group.recommendations[1].text += " Report progress to the group within six months."
        db.session.commit()
        documents, started = services.request_letters(group, by=None)
        assert started == 1 and len(queue()) == 1
        assert {d.organisation.name: (d.version, d.status) for d in documents} == {
            name: ((2, "queued") if name == MENTAL_HEALTH else (1, "done")) for name in receives(app.config["COUNCIL_NAME"])}
    run_jobs()
    latest = letter_documents(app)
    assert latest[MENTAL_HEALTH].version == 2 and latest[MENTAL_HEALTH].status == "done"
    assert {n: d.public_id for n, d in latest.items() if n != MENTAL_HEALTH} == {
        n: d.public_id for n, d in first.items() if n != MENTAL_HEALTH}
    text = pdf_text(download(built, DEMO, latest[MENTAL_HEALTH]))
    assert "Report progress to the group within six months." in text
    assert "Please respond by 12 October 2021" in text  # still 28 days from the first request
    old = pdf_text(download(built, DEMO, first[MENTAL_HEALTH]))
    assert "within six months" not in old  # earlier versions stay downloadable

    # A new date for one addressee rebuilds that letter alone; nothing changed, nothing at all.
    set_date(app, DEMO, PARTNERSHIP, date(2021, 12, 7), "The board moved its meeting.")
    with app.app_context():
        documents, started = services.request_letters(get_group_by_slug(DEMO), by=None)
        assert started == 1
        assert [d.organisation.name for d in documents if d.status == "queued"] == [PARTNERSHIP]
    run_jobs()
    with app.app_context():
        _, started = services.request_letters(get_group_by_slug(DEMO), by=None)
        assert started == 0
    page = build(built, DEMO, follow=True)
    assert "7 letters: 7 unchanged since their latest version." in page.text


def test_the_letter_context_is_plain_json_about_one_organisation(app, demo_case, team):
    council = app.config["COUNCIL_NAME"]
    with app.app_context():
        group = get_group_by_slug(DEMO)
        subject = letters.subject_for(find_by_name(council))
        one = letters.letter_context(group, subject, 1, ASKED)
        two = letters.letter_context(group, subject, 2, date(2027, 1, 2))
        assert json.loads(json.dumps(one)) == one
        assert {k for k in one if one[k] != two[k]} == {"version", "built_on", "date"}
        assert [r["number"] for r in one["recommendations"]] == [6]
        assert one["organisation"]["name"] == council and one["chair"] == CHAIR
        assert one["organisation"]["address"] == ["County Hall", "1 Example Place", "Hertford", "SG13 0AA"]
        assert one["due"]["on"] == "2021-11-14" and one["due"]["basis"] == "Local Government Act 2000, section 9FE"
        assert one["reply_to"] == {"email": TEAM_EMAIL, "phone": TEAM_PHONE} and one["logo"] is None
        assert EMAIL.findall(json.dumps(one)) == [TEAM_EMAIL]
        healthwatch = letters.subject_for(find_by_name("Healthwatch Hertfordshire"))
        with pytest.raises(ValueError, match="No recommendation"):
            letters.letter_context(group, healthwatch, 1, ASKED)


def test_the_demo_names_the_configured_council(database_url, redis_url, tmp_path):
    """Another council running the demo sees its own name as the addressee, not Hertfordshire's."""
    from scrutiny.demo.loader import load_case
    from tests.conftest import make_app

    other = make_app(database_url, redis_url, COUNCIL_NAME="Northshire District Council", STORAGE_DIR=str(tmp_path))
    with other.app_context():
        load_case()
        group = get_group_by_slug(DEMO)
        assert [o.name for o in group.recommendations[-1].addressees] == ["Northshire District Council"]
        assert find_by_name("Hertfordshire County Council") is None
        assert letters.letter_problems(group) == []


def test_letters_are_not_built_through_the_report_button(app, demo_case):
    officer = demo_officer(app)
    response = officer.submit(f"/groups/{DEMO}/documents/letter/build", {}, form_page=f"/groups/{DEMO}/documents")
    assert response.status_code == 404


# ---- who may do what, and the CLI ---------------------------------------------------------


def test_a_councillor_reads_and_downloads_but_cannot_build_or_change_dates(app, second_case, asked_on, run_jobs):
    from tests.conftest import csrf_token

    addressee = org_id(app, SOCIAL_CARE)
    set_contact(app, SOCIAL_CARE)
    set_date(app, SECOND, SOCIAL_CARE, date(2027, 1, 29), "Agreed with the director.")
    build(signed_in(app))
    run_jobs()

    councillor = signed_in(app, "member@second.example")
    page = councillor.get(f"/groups/{SECOND}/letters")
    assert page.status_code == 200
    check_page(page.text, "letters")
    soup = BeautifulSoup(page.text, "html.parser")
    text = normalise(soup.get_text(" "))
    assert SOCIAL_CARE in text and "29 January 2027" in text
    assert "Reason: Agreed with the director." in text
    assert not soup.find("button", string=re.compile("Build letters")) and "Change date" not in text
    download_link = councillor.get(soup.select_one("a[href$='/download']")["href"])
    assert download_link.status_code == 200
    letter = pdf_text(download_link.data)
    assert "Publish waiting times for assessments every month." in letter
    assert CHAIR_2 in letter and LEAD_2 in letter and "Dear Mel Director," in letter
    assert "Please respond by 29 January 2027" in letter and "There is no statutory duty to respond" in letter

    token = csrf_token(page.text)
    assert councillor.client.post(f"/groups/{SECOND}/letters/build", data={"csrf_token": token}).status_code == 403
    url = f"/groups/{SECOND}/letters/{addressee}/due-date"
    assert councillor.client.get(url).status_code == 403
    assert councillor.client.post(url, data={"csrf_token": token, "due_on": ["1", "3", "2027"],
                                             "reason": "Mine"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ResponseDue)).due_on == date(2027, 1, 29)
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_the_cli_builds_every_letter_and_copies_them_out(app, second_case, database_url, redis_url, tmp_path):
    # The CLI runs on the real clock: a date after today.
    set_contact(app, SOCIAL_CARE)
    set_date(app, SECOND, SOCIAL_CARE, date.today() + timedelta(days=60))
    env = app_env(app, database_url, redis_url, tmp_path)
    out = tmp_path / "out"
    with worker_process(env):
        result = flask_command("documents", "build", SECOND, "--kind", "letters", "--out", str(out), "--wait",
                               "--timeout", "120", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"Recommendation letter to {SOCIAL_CARE} version 1: queued." in result.stdout
    [pdf] = out.glob("*.pdf")
    assert pdf.name == f"{SECOND}-letter-northshire-adult-social-care-v1.pdf"
    assert str(pdf) in result.stdout
    assert "Publish waiting times for assessments every month." in pdf_text(pdf.read_bytes())
