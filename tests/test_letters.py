"""Recommendation letters: due dates by kind of addressee, an officer's dates
and reasons, one tagged PDF per addressee holding only its own
recommendations, rebuilds of only what changed, who may do what, the CLI."""
from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select

from scrutiny.documents import letters
from scrutiny.documents.models import Document
from scrutiny.responses.models import ResponseDue
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.organisations.services import find_by_name
from tests.conftest import Browser
from tests.workers import app_env, flask_command, worker_process
from tests.test_pages_accessibility import check_page

DEMO = "bame-health-inequalities"
SECOND = "adult-social-care-waiting-times"
ASKED = date(2026, 11, 25)
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

EXECUTIVE = "Hertfordshire County Council"
PARTNERSHIP = "Health in Hertfordshire"
MENTAL_HEALTH = "Hertfordshire Partnership University NHS Foundation Trust"
NHS = [MENTAL_HEALTH, "East and North Hertfordshire NHS Trust", "West Hertfordshire Teaching Hospitals NHS Trust",
       "Hertfordshire Community NHS Trust", "Hertfordshire and West Essex Integrated Care Board"]
# Which of the demo's six recommendations each addressee receives.
RECEIVES = {MENTAL_HEALTH: [1, 2, 3, 4], **{name: [1, 3, 4] for name in NHS[1:]}, PARTNERSHIP: [5], EXECUTIVE: [6]}
CHAIR = "Councillor Judi Billing MBE"
LEAD_OFFICER = "Sam Patel"


@pytest.fixture
def asked_on(monkeypatch):
    """The letters are prepared on 25 November 2026 (ASKED)."""
    day = {"today": ASKED}
    monkeypatch.setattr(letters, "today", lambda: day["today"])
    return day


def normalise(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return normalise(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def signed_in(app, email="officer@example.org", password="scrutiny-demo") -> Browser:
    browser = Browser(app.test_client())
    browser.sign_in(email, password)
    return browser


def org_id(app, name) -> int:
    with app.app_context():
        return find_by_name(name).id


def set_date(app, slug, name, due_on, reason="Agreed with the partnership's board"):
    """An officer's date, set through the service (the page is tested below)."""
    from scrutiny.auth.services import find_user

    with app.app_context():
        officer = find_user("officer@example.org" if slug == DEMO else "lead@second.example")
        letters.set_due_date(get_group_by_slug(slug), find_by_name(name), due_on, reason, officer)


def build(browser, slug=DEMO, follow=False):
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


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# ---- due dates ---------------------------------------------------------------------------


def test_default_due_dates_follow_the_kind_of_addressee_with_their_legal_basis(app, demo_case, asked_on):
    with app.app_context():
        rows = {row.organisation.name: row for row in letters.prepare(get_group_by_slug(DEMO)).values()}
    assert set(rows) == set(RECEIVES)
    executive = rows[EXECUTIVE]
    assert (executive.requested_on, executive.due_on) == (ASKED, date(2027, 1, 25))
    assert executive.rule == "Two months from 25 November 2026: Local Government Act 2000, section 9FE"
    for name in NHS:
        assert (rows[name].requested_on, rows[name].due_on) == (ASKED, date(2026, 12, 23))
        assert rows[name].rule.startswith("28 days from the request of 25 November 2026: Local Authority")
        assert rows[name].rule.endswith("Health Scrutiny) Regulations 2013, regulation 22")
    # A health partnership has no statutory period: no default, an officer sets it.
    assert (rows[PARTNERSHIP].due_on, rows[PARTNERSHIP].rule) == (None, "")

    # Preparing again later keeps every date where it was.
    asked_on["today"] = date(2027, 3, 1)
    with app.app_context():
        again = letters.prepare(get_group_by_slug(DEMO))
        assert {r.organisation.name: (r.requested_on, r.due_on) for r in again.values()} == {
            name: (r.requested_on, r.due_on) for name, r in rows.items()}


def test_months_are_calendar_months_clamped_to_the_month_end(app):
    with app.app_context():
        executive = {start: letters.default_due("council_executive", start)[0] for start in (
            date(2027, 1, 31), date(2028, 1, 31), date(2026, 12, 31), date(2027, 8, 31), date(2027, 2, 28))}
        assert executive == {date(2027, 1, 31): date(2027, 3, 31), date(2028, 1, 31): date(2028, 3, 31),
                             date(2026, 12, 31): date(2027, 2, 28), date(2027, 8, 31): date(2027, 10, 31),
                             date(2027, 2, 28): date(2027, 4, 28)}
        assert letters.add_period(date(2027, 1, 31), {"months": 1}) == date(2027, 2, 28)
        assert letters.add_period(date(2028, 1, 31), {"months": 1}) == date(2028, 2, 29)
        assert letters.default_due("nhs_body", date(2027, 2, 1))[0] == date(2027, 3, 1)
        assert letters.default_due("voluntary_community", date(2027, 2, 1)) == (None, "")
        assert letters.period_text({"months": 1, "days": 7}) == "one month and 7 days"


def test_letters_are_refused_until_the_partnership_has_a_date(app, demo_case, asked_on):
    officer = signed_in(app)
    page = build(officer, follow=True)
    assert page.status_code == 200
    text = normalise(BeautifulSoup(page.text, "html.parser").get_text(" "))
    assert "Health in Hertfordshire (health partnership) has no date by which to respond" in text
    assert not any(f"{name} (nhs" in text for name in NHS)
    assert count(app, Document) == 0
    assert count(app, ResponseDue) == 0  # nothing is prepared by a refused build
    # The letters page says the same before anyone tries, and offers no button.
    soup = BeautifulSoup(officer.get(f"/groups/{DEMO}/letters").text, "html.parser")
    assert "Health in Hertfordshire (health partnership) has no date" in soup.get_text()
    assert not soup.find("button", string=re.compile("Build letters"))


def test_an_officer_sets_a_date_with_a_reason_which_is_kept_and_shown(app, demo_case, asked_on):
    officer = signed_in(app)
    partnership = org_id(app, PARTNERSHIP)
    url = f"/groups/{DEMO}/letters/{partnership}/due-date"
    form = officer.get(url)
    check_page(form.text, url)
    assert "None for this kind of organisation" in form.text
    response = officer.submit(url, {"due_on": ["15", "1", "2027"], "reason": "The partnership board meets on 14 January."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/groups/{DEMO}/letters")
    with app.app_context():
        row = db.session.scalar(select(ResponseDue))
        assert (row.organisation.name, row.requested_on, row.due_on) == (PARTNERSHIP, ASKED, date(2027, 1, 15))
        assert (row.rule, row.changed_reason, row.changed_by.name) == (
            "Set by the scrutiny officer", "The partnership board meets on 14 January.", LEAD_OFFICER)
        assert row.changed_at is not None
    page = officer.get(f"/groups/{DEMO}/letters")
    check_page(page.text, "letters")
    soup = BeautifulSoup(page.text, "html.parser")
    partnership_row = next(tr for tr in soup.select("tbody tr") if PARTNERSHIP in tr.th.get_text())
    cell = normalise(partnership_row.get_text(" "))
    assert "15 January 2027" in cell and "Set by the scrutiny officer" in cell
    assert f"by {LEAD_OFFICER}" in cell and "Reason: The partnership board meets on 14 January." in cell
    # The others show what a build today would give, and the button is there.
    executive_row = normalise(next(tr for tr in soup.select("tbody tr") if EXECUTIVE in tr.th.get_text()).get_text(" "))
    assert "25 January 2027" in executive_row and "Local Government Act 2000, section 9FE" in executive_row
    assert soup.find("button", string=re.compile("Build letters"))

    # Changing the executive's date later keeps its request date and says why.
    asked_on["today"] = date(2026, 12, 1)
    officer.submit(f"/groups/{DEMO}/letters/{org_id(app, EXECUTIVE)}/due-date",
                   {"due_on": ["5", "2", "2027"], "reason": "Cabinet meets on 4 February."})
    with app.app_context():
        row = db.session.scalar(select(ResponseDue).where(ResponseDue.organisation_id == org_id(app, EXECUTIVE)))
        assert (row.requested_on, row.due_on, row.changed_reason) == (
            date(2026, 12, 1), date(2027, 2, 5), "Cabinet meets on 4 February.")


def test_a_reason_is_required_and_nothing_is_saved_on_error(app, demo_case, asked_on):
    officer = signed_in(app)
    url = f"/groups/{DEMO}/letters/{org_id(app, PARTNERSHIP)}/due-date"
    cases = [
        ({"due_on": ["15", "1", "2027"], "reason": "  "}, "Enter the reason for the date"),
        ({"due_on": ["", "", ""], "reason": "Board meeting"}, "Enter the date the response is due"),
        ({"due_on": ["31", "2", "2027"], "reason": "Board meeting"}, "must be a real date"),
        ({"due_on": ["20", "11", "2026"], "reason": "Board meeting"}, "The date must be after the request on 25 November 2026"),
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
    assert officer.get(f"/groups/{DEMO}/letters/{org_id(app, 'Healthwatch Hertfordshire')}/due-date").status_code == 404


# ---- the letters -------------------------------------------------------------------------


@pytest.fixture
def built(app, demo_case, asked_on, run_jobs):
    """The demo's letters, built once, the partnership's date set first."""
    set_date(app, DEMO, PARTNERSHIP, date(2027, 1, 15))
    officer = signed_in(app)
    page = build(officer, follow=True)
    assert "7 letters: 7 being built." in page.text
    run_jobs()
    return officer


def test_one_letter_per_addressee_holding_only_its_own_recommendations(app, built):
    officer = built
    with app.app_context():
        texts = {r.number: normalise(r.text) for r in get_group_by_slug(DEMO).recommendations}
    documents = letter_documents(app)
    assert set(documents) == set(RECEIVES)
    due = {EXECUTIVE: "25 January 2027", PARTNERSHIP: "15 January 2027",
           **{name: "23 December 2026" for name in NHS}}
    for name, document in documents.items():
        assert (document.status, document.version, document.subject) == (
            "done", 1, f"organisation:{document.organisation_id}"), document.error
        response = officer.get(f"/groups/{DEMO}/documents/{document.public_id}/download")
        assert response.status_code == 200
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        assert response.headers["Content-Disposition"].endswith(f"{DEMO}-letter-{slug}-v1.pdf")
        text = pdf_text(response.data)
        for number, rec in texts.items():
            assert (rec in text) == (number in RECEIVES[name]), (name, number)
            assert (f"Recommendation {number}" in text) == (number in RECEIVES[name]), (name, number)
        assert name in text and "BAME Health Inequalities" in text
        assert f"Please respond by {due[name]}" in text
        assert CHAIR in text and "Chair of the BAME Health Inequalities topic group" in text
        assert "scrutiny team" in text and LEAD_OFFICER in text
        assert app.config["COUNCIL_NAME"] in text
        assert not EMAIL.search(text), EMAIL.search(text)

        reader = PdfReader(io.BytesIO(response.data))
        assert document.page_count == len(reader.pages)
        assert all("/StructParents" in page for page in reader.pages), name
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert reader.metadata.title == f"Recommendations to {name}: BAME Health Inequalities topic group – " \
                                        f"{app.config['COUNCIL_NAME']}"
    executive = pdf_text(officer.get(f"/groups/{DEMO}/documents/{documents[EXECUTIVE].public_id}/download").data)
    assert "Under the Local Government Act 2000, section 9FE, a response is due within two months" in executive
    partnership = pdf_text(officer.get(f"/groups/{DEMO}/documents/{documents[PARTNERSHIP].public_id}/download").data)
    assert "There is no statutory duty to respond" in partnership
    assert "The partnership board" not in partnership  # the officer's reason stays on the letters page

    # The letters page lists each letter with its status and download.
    soup = BeautifulSoup(officer.get(f"/groups/{DEMO}/letters").text, "html.parser")
    assert len(soup.select("tbody tr")) == 7
    assert len(soup.select("a[href$='/download']")) == 7
    assert len(soup.select("strong.govuk-tag--green")) == 7
    index = officer.get(f"/groups/{DEMO}/documents").text
    assert f"/groups/{DEMO}/letters" in index and "7 are ready to download" in normalise(index)


def test_a_changed_recommendation_rebuilds_only_its_addressees_letters(app, built, asked_on, run_jobs):
    from scrutiny.documents import services
    from scrutiny.jobs import queue

    first = letter_documents(app)
    asked_on["today"] = date(2027, 1, 10)  # weeks later: the dates must not move
    with app.app_context():
        group = get_group_by_slug(DEMO)
        group.recommendations[1].text += " Report progress to the group within six months."
        db.session.commit()
        documents, started = services.request_letters(group, by=None)
        assert started == 1 and len(queue()) == 1
        assert {d.organisation.name: (d.version, d.status) for d in documents} == {
            name: ((2, "queued") if name == MENTAL_HEALTH else (1, "done")) for name in RECEIVES}
    run_jobs()
    latest = letter_documents(app)
    assert latest[MENTAL_HEALTH].version == 2 and latest[MENTAL_HEALTH].status == "done"
    assert {n: d.public_id for n, d in latest.items() if n != MENTAL_HEALTH} == {
        n: d.public_id for n, d in first.items() if n != MENTAL_HEALTH}
    text = pdf_text(built.get(f"/groups/{DEMO}/documents/{latest[MENTAL_HEALTH].public_id}/download").data)
    assert "Report progress to the group within six months." in text
    assert "Please respond by 23 December 2026" in text  # still 28 days from the first request
    old = pdf_text(built.get(f"/groups/{DEMO}/documents/{first[MENTAL_HEALTH].public_id}/download").data)
    assert "within six months" not in old  # earlier versions stay downloadable

    # A new date for one addressee rebuilds that letter alone; nothing changed, nothing at all.
    set_date(app, DEMO, EXECUTIVE, date(2027, 2, 5), "Cabinet meets on 4 February.")
    with app.app_context():
        documents, started = services.request_letters(get_group_by_slug(DEMO), by=None)
        assert started == 1
        assert [d.organisation.name for d in documents if d.status == "queued"] == [EXECUTIVE]
    run_jobs()
    with app.app_context():
        _, started = services.request_letters(get_group_by_slug(DEMO), by=None)
        assert started == 0
    page = build(built, follow=True)
    assert "7 letters: 7 unchanged since their latest version." in page.text


def test_the_letter_context_is_plain_json_about_one_organisation(app, demo_case, asked_on):
    set_date(app, DEMO, PARTNERSHIP, date(2027, 1, 15))
    with app.app_context():
        group = get_group_by_slug(DEMO)
        letters.prepare(group)
        subject = letters.subject_for(find_by_name(EXECUTIVE))
        one = letters.letter_context(group, subject, 1, ASKED)
        two = letters.letter_context(group, subject, 2, date(2027, 1, 2))
        assert json.loads(json.dumps(one)) == one
        assert {k for k in one if one[k] != two[k]} == {"version", "built_on", "date"}
        assert [r["number"] for r in one["recommendations"]] == [6]
        assert one["organisation"]["name"] == EXECUTIVE and one["chair"] == CHAIR
        assert one["due"]["on"] == "2027-01-25" and one["due"]["basis"] == "Local Government Act 2000, section 9FE"
        assert not EMAIL.search(json.dumps(one))
        healthwatch = letters.subject_for(find_by_name("Healthwatch Hertfordshire"))
        with pytest.raises(ValueError, match="No recommendation"):
            letters.letter_context(group, healthwatch, 1, ASKED)


def test_letters_are_not_built_through_the_report_button(app, demo_case):
    officer = signed_in(app)
    response = officer.submit(f"/groups/{DEMO}/documents/letter/build", {}, form_page=f"/groups/{DEMO}/documents")
    assert response.status_code == 404


# ---- who may do what, and another group ---------------------------------------------------


def test_a_councillor_reads_and_downloads_but_cannot_build_or_change_dates(app, second_case, asked_on, run_jobs):
    from tests.conftest import PASSWORD, csrf_token

    addressee = org_id(app, "Northshire Adult Social Care")
    set_date(app, SECOND, "Northshire Adult Social Care", date(2027, 1, 29), "Agreed with the director.")
    build(signed_in(app, "lead@second.example", PASSWORD), slug=SECOND)
    run_jobs()

    councillor = signed_in(app, "member@second.example", PASSWORD)
    page = councillor.get(f"/groups/{SECOND}/letters")
    assert page.status_code == 200
    check_page(page.text, "letters")
    soup = BeautifulSoup(page.text, "html.parser")
    text = normalise(soup.get_text(" "))
    assert "Northshire Adult Social Care" in text and "29 January 2027" in text
    assert "Reason: Agreed with the director." in text
    assert not soup.find("button", string=re.compile("Build letters")) and "Change date" not in text
    download = councillor.get(soup.select_one("a[href$='/download']")["href"])
    assert download.status_code == 200
    letter = pdf_text(download.data)
    assert "Publish waiting times for assessments every month." in letter
    assert "Councillor Tom Chairperson" in letter and "Priya Lead-Officer" in letter
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
    set_date(app, SECOND, "Northshire Adult Social Care", date.today() + timedelta(days=60), "Agreed with the director.")
    env = app_env(app, database_url, redis_url, tmp_path)
    out = tmp_path / "out"
    with worker_process(env):
        result = flask_command("documents", "build", SECOND, "--kind", "letters", "--out", str(out), "--wait",
                               "--timeout", "120", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Recommendation letter to Northshire Adult Social Care version 1: queued." in result.stdout
    [pdf] = out.glob("*.pdf")
    assert pdf.name == f"{SECOND}-letter-northshire-adult-social-care-v1.pdf"
    assert str(pdf) in result.stdout
    assert "Publish waiting times for assessments every month." in pdf_text(pdf.read_bytes())
