"""Officers write findings, link them to the evidence they rest on and put
them in order; a colleague's save is never silently overwritten."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup
from sqlalchemy import select, update

from scrutiny.extensions import db
from scrutiny.findings.models import Finding
from scrutiny.groups.services import get_group_by_slug
from tests.factories import make_invitation, make_submission
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
FINDINGS = f"/groups/{GROUP}/findings"
OFFICER = "lead@second.example"


def soup(page):
    return BeautifulSoup(page.text, "html.parser")


def errors(page) -> dict[str, str]:
    return {a["href"]: a.text.strip() for a in soup(page).select(".govuk-error-summary a")}


def summary_text(page) -> str:
    box = soup(page).select_one(".govuk-error-summary")
    return " ".join(box.text.split()) if box else ""


def theme_ids(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: t.id for t in get_group_by_slug(GROUP).themes}


def finding_rows(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [(f.number, f.title) for f in db.session.scalars(
            select(Finding).join(Finding.topic_group).where(Finding.topic_group.has(slug=GROUP))
            .order_by(Finding.number))]


def finding_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Finding.id).where(Finding.title == title))


def submission_id(app, public_id: str) -> int:
    from scrutiny.evidence.models import Submission

    with app.app_context():
        return db.session.scalar(select(Submission.id).where(Submission.public_id == public_id))


def evidence(app, title: str, *, status="accepted", confidential=False, kind="written") -> int:
    invitation = make_invitation(app, GROUP, "Carers in Northshire", email=f"{abs(hash(title))}@carers.example")
    return submission_id(app, make_submission(app, invitation, title=title, status=status,
                                              confidential=confidential, kind=kind))


def add_finding(browser, app, title="Carers are not told whom to call", text="First.\n\nSecond.", themes=()):
    ids = theme_ids(app)
    page = browser.submit(f"{FINDINGS}/new", {"title": title, "text": text,
                                              "theme_ids": [str(ids[t]) for t in themes]})
    assert page.status_code == 302, errors(page)
    return finding_id(app, title)


def test_officer_writes_a_finding_with_paragraphs_and_several_themes(app, browser, second_case):
    browser.sign_in(OFFICER)
    page = browser.get(f"{FINDINGS}/new")
    check_page(page.text, f"{FINDINGS}/new")
    text = "Carers wait **weeks** for a call back.\n\nSome give up.\n\n<script>alert(1)</script>"
    fid = add_finding(browser, app, text=text, themes=("Assessments", "Home care"))
    page = browser.get(FINDINGS)
    check_page(page.text, FINDINGS)
    section = soup(page).select_one(f"#finding-{fid}")
    assert section.h2.text == "2. Carers are not told whom to call"  # after the case's own finding
    assert "Themes: Assessments, Home care" in section.text
    paragraphs = [p.text for p in section.select(".app-markdown p")]
    assert paragraphs[:2] == ["Carers wait weeks for a call back.", "Some give up."]
    assert section.select_one(".app-markdown strong").text == "weeks"
    assert "<script>" not in page.text
    assert "No evidence linked yet" in section.text


def test_an_empty_finding_is_refused_naming_each_field_and_keeps_what_was_typed(app, browser, second_case):
    browser.sign_in(OFFICER)
    page = browser.submit(f"{FINDINGS}/new", {"title": "", "text": ""})
    assert errors(page) == {"#title": "Enter the finding’s title"}
    page = browser.submit(f"{FINDINGS}/new", {"title": "Half a thought", "text": "  "})
    assert errors(page) == {"#text": "Enter what the group found"}
    assert soup(page).select_one("#title")["value"] == "Half a thought"
    assert soup(page).title.text.startswith("Error: ")
    assert finding_rows(app) == [(1, "Waits for assessments have doubled")]


def test_evidence_links_with_notes_including_minutes_and_confidential_items(app, browser, second_case):
    survey = evidence(app, "Carers' survey")
    secret = evidence(app, "Case reviews", confidential=True)
    minutes = evidence(app, "Minutes: Carers' forum", kind="minutes")
    browser.sign_in(OFFICER)
    fid = add_finding(browser, app)
    edit = f"{FINDINGS}/{fid}/edit"
    for item, note in ((survey, "Page 4"), (secret, ""), (minutes, "Item 2")):
        page = browser.submit(f"{FINDINGS}/{fid}/evidence", {"submission_id": str(item), "note": note},
                              form_page=edit)
        assert page.status_code == 302, errors(page)
    page = browser.get(edit)
    check_page(page.text, edit)
    rows = [" ".join(r.text.split()) for r in soup(page).select("#evidence ~ div table tbody tr")]
    assert len(rows) == 3
    assert "Carers' survey" in rows[0] and "Page 4" in rows[0]
    assert "Case reviews" in rows[1] and "Confidential" in rows[1]
    assert "Minutes: Carers' forum" in rows[2] and "Item 2" in rows[2]
    # The list and the map flag the confidential item too.
    assert "Confidential" in soup(browser.get(FINDINGS)).select_one(f"#finding-{fid}").text

    # Change a note, then remove a link.
    with app.app_context():
        links = {lk.submission_id: lk.id for lk in db.session.get(Finding, fid).evidence_links}
    page = browser.submit(f"{FINDINGS}/{fid}/evidence/{links[survey]}", {"note": "Pages 4 to 6"})
    assert page.status_code == 302
    page = browser.submit(f"{FINDINGS}/{fid}/evidence/{links[secret]}/remove", {}, form_page=edit)
    assert page.status_code == 302
    with app.app_context():
        assert [(lk.submission.title, lk.note) for lk in db.session.get(Finding, fid).evidence_links] == [
            ("Carers' survey", "Pages 4 to 6"), ("Minutes: Carers' forum", "Item 2")]


def test_evidence_not_accepted_cannot_be_linked_and_the_note_is_kept(app, browser, second_case):
    withdrawn = evidence(app, "Withdrawn letter", status="set_aside")
    submitted = evidence(app, "Unreviewed reply", status="submitted")
    browser.sign_in(OFFICER)
    fid = add_finding(browser, app, themes=("Home care",))
    edit = f"{FINDINGS}/{fid}/edit"
    page = browser.get(edit)
    options = [o.text for o in soup(page).select("#submission_id option")]
    assert not any("Withdrawn letter" in o or "Unreviewed reply" in o for o in options)
    for item, name in ((withdrawn, "Withdrawn letter"), (submitted, "Unreviewed reply")):
        page = browser.submit(f"{FINDINGS}/{fid}/evidence", {"submission_id": str(item), "note": "Para 3"},
                              form_page=edit)
        assert page.status_code == 200
        message = errors(page)["#submission_id"]
        assert name in message and "not accepted" in message
        assert soup(page).select_one("#note")["value"] == "Para 3"
        assert soup(page).select_one("#text").text.strip() == "First.\n\nSecond."
        assert soup(page).select_one(f"input[name=theme_ids][value='{theme_ids(app)['Home care']}']").has_attr("checked")
    with app.app_context():
        assert db.session.get(Finding, fid).evidence_links == []


def test_move_up_and_down_swap_numbers_and_delete_closes_the_gap(app, browser, second_case):
    browser.sign_in(OFFICER)
    second = add_finding(browser, app, title="Second")
    add_finding(browser, app, title="Third")
    first = finding_id(app, "Waits for assessments have doubled")
    page = browser.submit(f"{FINDINGS}/{second}/move", {"direction": "up"}, form_page=FINDINGS)
    assert page.status_code == 302
    assert finding_rows(app) == [(1, "Second"), (2, "Waits for assessments have doubled"), (3, "Third")]
    browser.submit(f"{FINDINGS}/{first}/move", {"direction": "down"}, form_page=FINDINGS)
    assert finding_rows(app) == [(1, "Second"), (2, "Third"), (3, "Waits for assessments have doubled")]
    # The first cannot go further up: nothing changes.
    browser.submit(f"{FINDINGS}/{second}/move", {"direction": "up"}, form_page=FINDINGS)
    assert finding_rows(app)[0] == (1, "Second")
    # The buttons are plain forms: no JavaScript needed.
    buttons = soup(browser.get(FINDINGS)).select(f"#finding-{second} form button")
    assert [b.get_text(" ", strip=True) for b in buttons] == ["Move down finding 1"]

    page = browser.submit(f"{FINDINGS}/{second}/delete", {})
    assert page.status_code == 302
    assert finding_rows(app) == [(1, "Third"), (2, "Waits for assessments have doubled")]


def test_a_second_officer_saving_over_a_colleague_is_refused_and_keeps_their_text(app, browser, client,
                                                                                    make_user, second_case):
    from tests.conftest import Browser, csrf_token

    fid = finding_id(app, "Waits for assessments have doubled")
    edit = f"{FINDINGS}/{fid}/edit"
    browser.sign_in(OFFICER)
    mine = browser.get(edit)  # opened at version 1
    other = Browser(app.test_client())
    other.sign_in(make_user("officer", name="Sam Colleague"))
    page = other.submit(edit, {"title": "Waits have doubled", "text": "Sam's version.", "version": "1"})
    assert page.status_code == 302

    page = browser.client.post(edit, data={"csrf_token": csrf_token(mine.text), "version": "1",
                                           "title": "My title", "text": "My careful paragraph."})
    assert page.status_code == 409
    assert re.search(r"Sam Colleague changed this at \d\d:\d\d on \d+ \w+ \d{4}", summary_text(page))
    assert soup(page).select_one("#title")["value"] == "My title"
    assert soup(page).select_one("#text").text.strip() == "My careful paragraph."
    assert "Sam's version." in soup(page).select_one(".govuk-inset-text").text
    with app.app_context():
        assert db.session.get(Finding, fid).text == "Sam's version."
    # Having seen theirs, saving again replaces it knowingly.
    version = soup(page).select_one("input[name=version]")["value"]
    page = browser.client.post(edit, data={"csrf_token": csrf_token(page.text), "version": version,
                                           "title": "My title", "text": "My careful paragraph."})
    assert page.status_code == 302
    with app.app_context():
        finding = db.session.get(Finding, fid)
        assert finding.text == "My careful paragraph."
        assert finding.updated_by.email == OFFICER and finding.updated_at is not None


def test_the_database_catches_a_true_race_as_a_conflict(app, second_case, make_user):
    """Both saves passed the version check; the second UPDATE matches no row."""
    from scrutiny.auth.services import find_user
    from scrutiny.findings import services
    from scrutiny.findings.views import _save

    with app.test_request_context():
        group = get_group_by_slug(GROUP)
        finding = group.findings[0]
        colleague = find_user(make_user("officer", name="Rita Racer"))
        # A colleague's save lands between our check and our write.
        colleague_id = colleague.id
        with db.engine.begin() as other_connection:
            other_connection.execute(update(Finding.__table__).where(Finding.__table__.c.id == finding.id).values(
                version_id=Finding.__table__.c.version_id + 1, updated_by_id=colleague_id))
        details = services.FindingDetails(title="Mine", text="My text")
        _, problem = _save(finding, lambda: services.save_finding(group, finding, details, None, 1))
        assert problem[0] == "conflict"
        assert problem[1].startswith("Rita Racer changed this")
        assert db.session.get(Finding, finding.id).text.startswith("Waits for assessments doubled")


def test_councillors_read_findings_but_cannot_change_them(app, browser, second_case):
    fid = finding_id(app, "Waits for assessments have doubled")
    browser.sign_in("member@second.example")
    page = browser.get(FINDINGS)
    assert page.status_code == 200
    assert "Waits for assessments doubled in two years." in page.text
    assert "Add a finding" not in page.text and "Move down" not in page.text
    assert browser.client.get(f"{FINDINGS}/{fid}/edit").status_code == 403
    page = browser.client.post(f"{FINDINGS}/{fid}/move", data={"csrf_token": csrf_from(browser), "direction": "down"})
    assert page.status_code == 403


def csrf_from(browser):
    from tests.conftest import csrf_token

    return csrf_token(browser.get("/my-groups").text)


def test_the_group_page_lists_findings_by_title_with_all_their_themes(app, browser, second_case):
    browser.sign_in(OFFICER)
    page = browser.get(f"/groups/{GROUP}")
    item = soup(page).find("h2", string="Findings (draft)").find_next("ol").li
    assert " ".join(item.text.split()) == "Waits for assessments have doubled (Assessments, Home care)"
