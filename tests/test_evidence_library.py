"""The evidence library: officers and the group's councillors see all its
evidence in one list, filter and search it, open it, download its files;
officers review it."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.extensions import db
from tests.queries import queries_for
from tests.conftest import csrf_token
from tests.factories import make_invitation, make_submission
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
LIBRARY = f"/groups/{GROUP}/evidence"
ADULT_CARE = "Northshire Adult Social Care"
CARERS = "Carers in Northshire"


# -- making evidence ---------------------------------------------------------

def _evidence(app, organisation=ADULT_CARE, group=GROUP, *, days_ago=0, **kwargs) -> str:
    """A piece of evidence from `organisation`, submitted `days_ago` days ago."""
    invitation = make_invitation(app, group, organisation, email=f"{organisation[:5].lower()}@org.example")
    public_id = make_submission(app, invitation, **kwargs)
    with app.app_context():
        submission = _submission(public_id)
        if submission.status != "draft":
            submission.submitted_at = datetime(2026, 10, 1, 12) - timedelta(days=days_ago)
        db.session.commit()
    return public_id


def _add_file(app, submission_public_id, name="waiting-times.csv", data=b"month,weeks\nMay,12\n",
              content_type="text/csv", confidential=False) -> str:
    """A file stored as an upload would be: bytes in storage, a row that points at them."""
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.storage import storage

    with app.app_context():
        store = storage()
        blob = store.put_stream(io.BytesIO(data), max_bytes=len(data))
        key = store.commit(blob)
        file = EvidenceFile(submission=_submission(submission_public_id), storage_key=key, original_name=name,
                            content_type=content_type, category="data", size=blob.size, sha256=blob.sha256,
                            confidential=confidential)
        db.session.add(file)
        db.session.commit()
        return file.public_id


def _submission(public_id):
    from scrutiny.evidence.models import Submission

    return db.session.scalar(select(Submission).where(Submission.public_id == public_id))


def _state(app, public_id):
    with app.app_context():
        s = _submission(public_id)
        return {"status": s.status, "themes": [t.name for t in s.themes], "officer_summary": s.officer_summary,
                "reviewed_by": s.reviewed_by.email if s.reviewed_by else None, "reviewed_at": s.reviewed_at}


def _theme_id(app, name, group=GROUP):
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        return next(t.id for t in get_group_by_slug(group).themes if t.name == name)


def _organisation_id(app, name):
    from scrutiny.organisations.services import find_by_name

    with app.app_context():
        return find_by_name(name).id


# -- reading the pages -------------------------------------------------------

def _soup(page):
    return BeautifulSoup(page.text, "html.parser")


def _titles(page):
    return [a.text for a in _soup(page).select(".govuk-summary-card__title a")]


def _count(page):
    return _soup(page).select_one("#results-count").text


def _errors(page):
    return {a["href"]: a.text for a in _soup(page).select(".govuk-error-summary a")}


@pytest.fixture
def evidence(app, second_case):
    """Four pieces of evidence for the second group, newest first, and a draft."""
    return {
        "waits": _evidence(app, ADULT_CARE, title="Assessment waiting times", days_ago=1, kind="data",
                           summary="Monthly figures for each team.", themes=("Assessments",)),
        "carers": _evidence(app, CARERS, title="What carers told us", days_ago=2,
                            summary="A survey of unpaid carers.", body="Carers wait for **respite** too.",
                            status="accepted", themes=("Home care",), confidential=True),
        "visits": _evidence(app, ADULT_CARE, title="Home visits", days_ago=3, kind="presentation",
                            body="Slides about domiciliary rotas.", status="set_aside",
                            themes=("Assessments", "Home care")),
        "minutes": _evidence(app, CARERS, title="Notes of the carers' forum", days_ago=4, kind="minutes",
                             body="The forum discussed assessments backlog."),
        "draft": _evidence(app, CARERS, title="Half-written reply", status="draft",
                           body="assessments respite"),
    }


# -- the list ----------------------------------------------------------------

def test_officer_sees_all_submitted_evidence_newest_first_and_never_drafts(browser, evidence):
    browser.sign_in("lead@second.example")
    page = browser.get(LIBRARY)
    assert page.status_code == 200
    assert _titles(page) == ["Assessment waiting times", "What carers told us", "Home visits",
                             "Notes of the carers' forum"]
    assert _count(page) == "4 pieces of evidence"
    assert "Half-written reply" not in page.text
    # Drafts are not counted beside the filters either.
    assert "Minutes (1)" in page.text and "Submitted (2)" in page.text
    check_page(page.text, LIBRARY)


def test_each_item_shows_what_it_is(app, browser, evidence):
    _add_file(app, evidence["waits"])
    _add_file(app, evidence["waits"], name="notes.txt", data=b"notes", content_type="text/plain")
    browser.sign_in("lead@second.example")
    cards = _soup(browser.get(LIBRARY)).select(".govuk-summary-card")
    first = {row.dt.text.strip(): row.dd.text.strip() for row in cards[0].select(".govuk-summary-list__row")}
    assert first == {"Organisation": ADULT_CARE, "Kind": "Data", "Themes": "Assessments",
                     "Submitted": "30 September 2026", "Files": "2"}
    assert cards[0].select_one(".govuk-tag").text == "Submitted"
    second_tags = [t.text for t in cards[1].select(".govuk-tag")]
    assert second_tags == ["Accepted for the report", "Confidential"]
    third = {row.dt.text.strip(): row.dd.text.strip() for row in cards[2].select(".govuk-summary-list__row")}
    assert third["Themes"] == "Assessments, Home care" and third["Files"] == "None"
    assert cards[2].select_one(".govuk-tag").text == "Set aside"


@pytest.mark.parametrize("filters,expected", [
    ({"theme": "Home care"}, ["What carers told us", "Home visits"]),
    ({"theme": ["Home care", "Assessments"]}, ["Assessment waiting times", "What carers told us", "Home visits"]),
    ({"organisation": CARERS}, ["What carers told us", "Notes of the carers' forum"]),
    ({"kind": "minutes"}, ["Notes of the carers' forum"]),
    ({"kind": ["data", "presentation"]}, ["Assessment waiting times", "Home visits"]),
    ({"status": "accepted"}, ["What carers told us"]),
    ({"status": ["submitted", "set_aside"]}, ["Assessment waiting times", "Home visits",
                                              "Notes of the carers' forum"]),
    ({"theme": "Home care", "organisation": ADULT_CARE}, ["Home visits"]),
    ({"theme": "Assessments", "kind": "data", "status": "submitted", "q": "monthly"}, ["Assessment waiting times"]),
    ({"theme": "Assessments", "status": "accepted"}, []),
])
def test_filters_narrow_the_list(app, browser, evidence, filters, expected):
    args = dict(filters)
    if "theme" in args:
        names = args["theme"] if isinstance(args["theme"], list) else [args["theme"]]
        args["theme"] = [_theme_id(app, n) for n in names]
    if "organisation" in args:
        args["organisation"] = _organisation_id(app, args["organisation"])
    browser.sign_in("member@second.example")
    page = browser.get(LIBRARY, query_string=args)
    assert page.status_code == 200
    assert _titles(page) == expected
    soup = _soup(page)
    # The filters stay as chosen, so the next change starts from here.
    for name in ("theme", "kind", "status"):
        values = args.get(name, [])
        values = [str(v) for v in (values if isinstance(values, list) else [values])]
        assert sorted(i["value"] for i in soup.select(f"input[name={name}][checked]")) == sorted(values)
    if not expected:
        assert "No evidence matches your search and filters" in page.text
        links = [a.text for a in soup.select(f"#main-content a[href='{LIBRARY}']")
                 if not a.find_parent("nav", class_="app-subnav")]
        assert links == ["Clear filters", "see all 4 pieces of evidence"]


def test_one_result_is_one_piece(browser, evidence):
    browser.sign_in("lead@second.example")
    assert _count(browser.get(LIBRARY, query_string={"kind": "minutes"})) == "1 piece of evidence"


def test_unknown_filter_values_are_ignored(browser, evidence):
    browser.sign_in("lead@second.example")
    page = browser.get(LIBRARY, query_string={"kind": "poetry", "status": "draft", "theme": ["x", "999999"],
                                              "organisation": "nobody"})
    assert page.status_code == 200
    assert len(_titles(page)) == 4
    assert "Half-written reply" not in page.text


def test_a_group_with_no_evidence_says_so(browser, second_case):
    browser.sign_in("lead@second.example")
    page = browser.get(LIBRARY)
    assert _count(page) == "0 pieces of evidence"
    assert "No evidence has been submitted to this topic group yet" in page.text
    check_page(page.text, LIBRARY)


@pytest.mark.parametrize("query,expected", [
    ("times", ["Assessment waiting times"]),                        # title
    ("unpaid carers", ["What carers told us"]),                     # summary
    ("respite", ["What carers told us"]),                           # body (Markdown)
    ("domiciliary", ["Home visits"]),
    ("assess", ["Assessment waiting times", "Notes of the carers' forum"]),  # a prefix
    ("ASSESSMENTS", ["Assessment waiting times", "Notes of the carers' forum"]),
    ("forum assessments", ["Notes of the carers' forum"]),          # every word must match
    ("hovercraft", []),
])
def test_search_finds_words_in_titles_summaries_and_text(browser, evidence, query, expected):
    browser.sign_in("lead@second.example")
    page = browser.get(LIBRARY, query_string={"q": query})
    assert _titles(page) == expected
    assert _soup(page).select_one("#q")["value"] == query


ALL = ["Assessment waiting times", "What carers told us", "Home visits", "Notes of the carers' forum"]
CARERS_ONLY = ["What carers told us"]


@pytest.mark.parametrize("query,expected", [
    ('"', ALL), ("*", ALL), ("-", ALL), ("%", ALL), ("()", ALL), ("\\", ALL),
    ('"respite', CARERS_ONLY), ('"respite"', CARERS_ONLY), ("respite*", CARERS_ONLY), ("-respite", CARERS_ONLY),
    ("respite)", CARERS_ONLY), ("^respite", CARERS_ONLY), ("{respite}", CARERS_ONLY), ("respite:", CARERS_ONLY),
    ("respite & | !", CARERS_ONLY),
    # Operators typed are words to look for, never syntax; what they find may differ by database
    # (PostgreSQL drops common words such as "or"), so only "no error" is asked of these.
    ("respite OR", None), ("OR", None), ("AND NOT", None), ("NEAR(", None), ("NEAR(respite, 2)", None),
    ("title:respite", None), ("_", None), ("respite_", None), ("'; DROP TABLE submissions; --", None),
])
def test_punctuation_and_search_operators_typed_do_not_break_the_search(browser, evidence, query, expected):
    browser.sign_in("lead@second.example")
    page = browser.get(LIBRARY, query_string={"q": query})
    assert page.status_code == 200
    if expected is not None:
        assert _titles(page) == expected
    assert len(_titles(browser.get(LIBRARY))) == 4  # and the library is still there


def test_the_other_groups_evidence_never_shows_and_its_addresses_are_404(app, browser, demo_case, evidence):
    theirs = _evidence(app, ADULT_CARE, group=demo_case, title="Assessment data for another review",
                       body="assessments respite domiciliary")
    their_file = _add_file(app, theirs)
    browser.sign_in("lead@second.example")
    for query in ("", "assessment", "respite"):
        page = browser.get(LIBRARY, query_string={"q": query})
        assert "Assessment data for another review" not in page.text
    assert browser.get(f"{LIBRARY}/{theirs}").status_code == 404
    assert browser.get(f"{LIBRARY}/files/{their_file}").status_code == 404
    token = csrf_token(browser.get(f"{LIBRARY}/{evidence['waits']}").text)
    response = browser.client.post(f"{LIBRARY}/{theirs}/review", data={"csrf_token": token, "decision": "accepted"})
    assert response.status_code == 404
    assert _state(app, theirs)["status"] == "submitted"
    # ... while in its own group's library it is there.
    assert "Assessment data for another review" in browser.get(f"/groups/{demo_case}/evidence").text


def test_drafts_cannot_be_opened_or_downloaded(app, browser, evidence):
    draft_file = _add_file(app, evidence["draft"])
    browser.sign_in("lead@second.example")
    assert browser.get(f"{LIBRARY}/{evidence['draft']}").status_code == 404
    assert browser.get(f"{LIBRARY}/files/{draft_file}").status_code == 404


def test_unknown_evidence_and_files_are_404(browser, evidence):
    browser.sign_in("lead@second.example")
    assert browser.get(f"{LIBRARY}/no-such-evidence").status_code == 404
    assert browser.get(f"{LIBRARY}/files/no-such-file").status_code == 404
    assert browser.get("/groups/no-such-group/evidence").status_code == 404


# -- one piece of evidence ---------------------------------------------------

def test_the_evidence_page_shows_the_submission_and_its_files(app, browser, evidence):
    data = b"x" * int(2.4 * 1024 * 1024)
    file_id = _add_file(app, evidence["carers"], name="carers survey.pdf", data=data, content_type="application/pdf")
    browser.sign_in("lead@second.example")
    url = f"{LIBRARY}/{evidence['carers']}"
    page = browser.get(url)
    soup = _soup(page)
    assert soup.h1.text == "What carers told us"
    rows = {row.dt.text.strip(): row.dd.text.strip() for row in soup.select("dl.govuk-summary-list > div")}
    assert rows["Organisation"] == CARERS
    assert rows["Contact"] == "Wendy Witness"
    assert rows["Kind"] == "Written evidence"
    assert rows["Status"] == "Accepted for the report"
    assert rows["Themes"] == "Home care"
    assert "A survey of unpaid carers." in page.text
    assert soup.select_one(".app-markdown strong").text == "respite"
    assert "for the topic group only" in page.text
    file_row = soup.select_one("table tbody tr")
    cells = [c.text.strip() for c in file_row.select("th, td")]
    assert cells[0] == "carers survey.pdf Confidential"  # the whole submission is confidential
    assert cells[1:3] == ["PDF", "2.4 MB"]
    assert file_row.select_one("details code").text == hashlib.sha256(data).hexdigest()
    assert file_row.select_one("a")["href"] == f"{LIBRARY}/files/{file_id}"
    check_page(page.text, url)


def test_markdown_in_evidence_cannot_run_scripts(app, browser, second_case):
    public_id = _evidence(app, body="<script>alert(1)</script> [click](javascript:alert(1))")
    browser.sign_in("member@second.example")
    page = browser.get(f"{LIBRARY}/{public_id}")
    assert "<script>alert(1)" not in page.text
    body = _soup(page).select_one(".app-markdown")
    assert body.select("script") == [] and body.select("a[href^=javascript]") == []


def test_file_sizes_read_as_people_read_them():
    from scrutiny.uploads import human_size as file_size_label

    assert [file_size_label(n) for n in (0, 1, 512, 2048, 15_000, int(2.4 * 1024 ** 2), 50 * 1024 ** 2,
                                         150 * 1024 ** 2, 3 * 1024 ** 3)] == [
        "0 bytes", "1 byte", "512 bytes", "2 KB", "14.6 KB", "2.4 MB", "50 MB", "150 MB", "3 GB"]


# -- councillors -------------------------------------------------------------

def test_a_councillor_of_the_group_sees_confidential_evidence_and_downloads_files(app, browser, evidence):
    file_id = _add_file(app, evidence["carers"], name="Survey results (final).csv", data=b"q,a\n1,yes\n")
    browser.sign_in("member@second.example")
    page = browser.get(LIBRARY)
    assert "What carers told us" in _titles(page)
    url = f"{LIBRARY}/{evidence['carers']}"
    detail = browser.get(url)
    assert detail.status_code == 200
    assert "Confidential" in detail.text
    assert "Review this evidence" not in detail.text  # councillors read; officers review
    check_page(detail.text, url)
    download = browser.get(f"{LIBRARY}/files/{file_id}")
    assert download.status_code == 200
    assert download.data == b"q,a\n1,yes\n"


def test_the_chair_counts_as_a_member(browser, evidence):
    browser.sign_in("chair@second.example")
    assert browser.get(LIBRARY).status_code == 200
    assert browser.get(f"{LIBRARY}/{evidence['waits']}").status_code == 200


def test_a_councillor_cannot_review_even_by_posting(app, browser, evidence):
    browser.sign_in("member@second.example")
    token = csrf_token(browser.get(f"{LIBRARY}/{evidence['waits']}").text)
    response = browser.client.post(f"{LIBRARY}/{evidence['waits']}/review", data={
        "csrf_token": token, "decision": "accepted", "officer_summary": "Sneaky"})
    assert response.status_code == 403
    assert _state(app, evidence["waits"])["status"] == "submitted"
    assert _state(app, evidence["waits"])["officer_summary"] == ""


def test_a_councillor_outside_the_group_is_refused_everything(app, browser, evidence):
    file_id = _add_file(app, evidence["waits"])
    browser.sign_in("outsider@second.example")
    for url in (LIBRARY, f"{LIBRARY}/{evidence['waits']}", f"{LIBRARY}/files/{file_id}"):
        response = browser.get(url)
        assert response.status_code == 403, url
        assert "You do not have permission to see this page" in response.text
        assert "Assessment waiting times" not in response.text


def test_signed_out_visitors_are_sent_to_sign_in(app, browser, evidence):
    file_id = _add_file(app, evidence["waits"])
    for url in (LIBRARY, f"{LIBRARY}/{evidence['waits']}", f"{LIBRARY}/files/{file_id}"):
        response = browser.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


# -- downloads ---------------------------------------------------------------

def test_a_download_is_an_attachment_of_the_stored_type_never_sniffed(app, browser, evidence):
    html = b"<html><script>alert(1)</script></html>"
    file_id = _add_file(app, evidence["waits"], name="report 2026.html", data=html, content_type="text/plain")
    browser.sign_in("lead@second.example")
    response = browser.get(f"{LIBRARY}/files/{file_id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "report 2026.html" in response.headers["Content-Disposition"]
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.data == html


def test_a_download_streams_from_storage_with_its_checksum_as_etag(app, browser, evidence):
    """Served from the storage's stream, not a path: its length, a strong
    ETag (the file's SHA-256), an unchanged copy not sent again, and ranges
    for a resumed download."""
    data = b"month,weeks\n" + b"May,12\n" * 1000
    file_id = _add_file(app, evidence["waits"], data=data)
    browser.sign_in("lead@second.example")
    url = f"{LIBRARY}/files/{file_id}"

    whole = browser.get(url)
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Content-Length"] == str(len(data))
    assert whole.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'

    assert browser.get(url, headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304
    part = browser.get(url, headers={"Range": "bytes=0-11"})
    assert part.status_code == 206 and part.data == b"month,weeks\n"


def test_a_pdf_stored_before_pages_were_counted_is_counted_once_when_asked(app, evidence):
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.evidence.services import pdf_pages
    from scrutiny.storage import storage
    from tests.test_agenda import three_page_pdf

    file_id = _add_file(app, evidence["waits"], name="slides.pdf", data=three_page_pdf("Slides"),
                        content_type="application/pdf")
    with app.app_context():
        file = db.session.scalar(select(EvidenceFile).where(EvidenceFile.public_id == file_id))
        assert file.page_count is None
        assert pdf_pages(file) == 3
        db.session.commit()
        storage().delete(file.storage_key)  # kept on the row: the file is not read again
        db.session.remove()
        file = db.session.scalar(select(EvidenceFile).where(EvidenceFile.public_id == file_id))
        assert (file.page_count, pdf_pages(file)) == (3, 3)


def test_a_file_whose_bytes_are_missing_is_404_not_an_error(app, browser, evidence):
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.storage import storage

    file_id = _add_file(app, evidence["waits"])
    with app.app_context():
        storage().delete(db.session.scalar(select(EvidenceFile.storage_key).where(EvidenceFile.public_id == file_id)))
    browser.sign_in("lead@second.example")
    assert browser.get(f"{LIBRARY}/files/{file_id}").status_code == 404


# -- reviewing ---------------------------------------------------------------

def _review(browser, public_id, data):
    url = f"{LIBRARY}/{public_id}"
    return browser.submit(f"{url}/review", data, form_page=url)


def test_officer_accepts_evidence_with_themes_and_a_summary(app, browser, evidence):
    browser.sign_in("lead@second.example")
    home_care = _theme_id(app, "Home care")
    assessments = _theme_id(app, "Assessments")
    response = _review(browser, evidence["waits"], {
        "decision": "accepted", "themes": [home_care, assessments],
        "officer_summary": "Shows waits doubled since 2024.\r\n\r\nUse <b>chart</b> 2."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LIBRARY}/{evidence['waits']}"
    state = _state(app, evidence["waits"])
    assert state["status"] == "accepted"
    assert state["themes"] == ["Assessments", "Home care"]
    assert state["officer_summary"] == "Shows waits doubled since 2024.\r\n\r\nUse <b>chart</b> 2."
    assert state["reviewed_by"] == "lead@second.example"
    assert abs(state["reviewed_at"] - datetime.now(timezone.utc).replace(tzinfo=None)) < timedelta(minutes=1)

    page = browser.get(response.headers["Location"])
    assert "Saved your review of Assessment waiting times." in page.text
    summary = _soup(page).find("h2", string="Officer summary").find_next_siblings("p", limit=2)
    assert [p.text for p in summary] == ["Shows waits doubled since 2024.", "Use <b>chart</b> 2."]
    assert "by Priya Lead-Officer" in page.text

    listed = _soup(browser.get(LIBRARY)).select(".govuk-summary-card")[0]
    assert listed.select_one(".govuk-tag").text == "Accepted for the report"
    assert "Assessments, Home care" in listed.text
    assert _titles(browser.get(LIBRARY, query_string={"status": "accepted"})) == [
        "Assessment waiting times", "What carers told us"]


def test_officer_sets_evidence_aside_and_clears_its_themes(app, browser, evidence):
    browser.sign_in("lead@second.example")
    _review(browser, evidence["visits"], {"decision": "set_aside", "officer_summary": "Out of scope."})
    state = _state(app, evidence["visits"])
    assert (state["status"], state["themes"], state["officer_summary"]) == ("set_aside", [], "Out of scope.")
    card = _soup(browser.get(LIBRARY, query_string={"status": "set_aside"})).select_one(".govuk-summary-card")
    assert card.select_one("a").text == "Home visits" and card.select_one(".govuk-tag").text == "Set aside"


def test_leaving_the_decision_keeps_the_status_and_saves_the_rest(app, browser, evidence):
    browser.sign_in("lead@second.example")
    page = _soup(browser.get(f"{LIBRARY}/{evidence['carers']}"))
    # The form opens with what is saved.
    assert page.select_one("input[name=decision][checked]")["value"] == "accepted"
    assert [i["value"] for i in page.select("input[name=themes][checked]")] == [str(_theme_id(app, "Home care"))]
    _review(browser, evidence["carers"], {"decision": "unchanged", "themes": [_theme_id(app, "Home care")],
                                          "officer_summary": "Carers need respite."})
    state = _state(app, evidence["carers"])
    assert (state["status"], state["officer_summary"]) == ("accepted", "Carers need respite.")


@pytest.mark.parametrize("data,field,message", [
    ({"decision": "approved"}, "#decision",
     "Choose whether to accept the evidence for the report, set it aside or leave it as it is"),
    ({"decision": "draft"}, "#decision",
     "Choose whether to accept the evidence for the report, set it aside or leave it as it is"),
    ({"decision": "accepted", "officer_summary": "x" * 2001}, "#officer_summary",
     "The officer summary must be 2000 characters or fewer (it is 2001)"),
    ({"decision": "accepted", "themes": ["OTHER"]}, "#themes", "Choose only themes of this topic group"),
    ({"decision": "accepted", "themes": ["not-a-number"]}, "#themes", "Choose only themes of this topic group"),
])
def test_bad_review_input_is_refused_in_the_error_summary_and_nothing_is_saved(
        app, browser, demo_case, evidence, data, field, message):
    if data.get("themes") == ["OTHER"]:
        data = {**data, "themes": [_theme_id(app, "Assessments"),
                                   _theme_id(app, _any_theme(app, demo_case), group=demo_case)]}
    browser.sign_in("lead@second.example")
    before = _state(app, evidence["waits"])
    page = _review(browser, evidence["waits"], data)
    assert page.status_code == 200
    assert _errors(page) == {field: message}
    soup = _soup(page)
    assert soup.select_one(field) is not None, f"{field} links to nothing"
    assert soup.title.text.startswith("Error: ")
    check_page(page.text, "review with errors")
    assert _state(app, evidence["waits"]) == before
    if "officer_summary" in data:  # what was typed is kept to correct
        assert soup.select_one("#officer_summary").text == data["officer_summary"]


def _any_theme(app, slug):
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        return get_group_by_slug(slug).themes[0].name


def test_a_draft_cannot_be_reviewed(app, browser, evidence):
    from scrutiny.auth.services import find_user
    from scrutiny.evidence.library import LibraryError, review

    browser.sign_in("lead@second.example")
    token = csrf_token(browser.get(LIBRARY).text)
    response = browser.client.post(f"{LIBRARY}/{evidence['draft']}/review",
                                   data={"csrf_token": token, "decision": "accepted"})
    assert response.status_code == 404
    with app.app_context():
        with pytest.raises(LibraryError) as refused:
            review(_submission(evidence["draft"]), decision="accepted", themes=(), officer_summary="",
                   by=find_user("lead@second.example"))
        assert str(refused.value) == "Only evidence that has been submitted can be reviewed"
        db.session.rollback()
    assert _state(app, evidence["draft"])["status"] == "draft"
    assert _state(app, evidence["draft"])["reviewed_by"] is None


def test_a_review_without_a_form_token_is_refused(app, browser, evidence):
    browser.sign_in("lead@second.example")
    response = browser.client.post(f"{LIBRARY}/{evidence['waits']}/review", data={"decision": "accepted"})
    assert response.status_code == 400
    assert _state(app, evidence["waits"])["status"] == "submitted"


# -- the services directly ---------------------------------------------------

def test_library_service_filters_and_counts(app, evidence):
    from scrutiny.evidence.library import facet_counts, get_submission, library
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        group = get_group_by_slug(GROUP)
        assert len(library(group)) == 4
        assert len(library(group, include_drafts=True)) == 5
        assert [s.title for s in library(group, kinds=["minutes"], query="assess")] == ["Notes of the carers' forum"]
        facets = facet_counts(group)
        assert facets.total == 4
        assert facets.kinds == {"written": 1, "data": 1, "presentation": 1, "minutes": 1}
        assert facets.statuses == {"submitted": 2, "accepted": 1, "set_aside": 1}
        assert {t.name: facets.themes.get(t.id) for t in group.themes} == {"Assessments": 2, "Home care": 2}
        assert [(name, count) for _, name, count in facets.organisations] == [(CARERS, 2), (ADULT_CARE, 2)]
        assert get_submission(group, evidence["draft"]) is None
        assert get_submission(group, evidence["waits"]).title == "Assessment waiting times"


# -- queries -----------------------------------------------------------------



def _more_evidence(app, n, start):
    organisations = (ADULT_CARE, CARERS)
    themes = ((), ("Assessments",), ("Assessments", "Home care"))
    for i in range(start, start + n):
        public_id = _evidence(app, organisations[i % 2], title=f"Evidence {i}", body=f"assessments item {i}",
                              kind=("written", "data", "presentation", "minutes")[i % 4], themes=themes[i % 3],
                              confidential=i % 2 == 0)
        for j in range(i % 3):
            _add_file(app, public_id, name=f"file-{i}-{j}.csv", data=f"{i},{j}\n".encode())


def test_the_library_page_queries_do_not_grow_with_the_evidence(app, browser, second_case):
    browser.sign_in("lead@second.example")
    _more_evidence(app, 3, 0)
    before = queries_for(app, browser.client, LIBRARY)
    searched_before = queries_for(app, browser.client, LIBRARY, query_string={"q": "assess", "kind": "data"})
    _more_evidence(app, 12, 3)
    page = browser.get(LIBRARY)
    assert _count(page) == "15 pieces of evidence"
    assert queries_for(app, browser.client, LIBRARY) == before
    assert queries_for(app, browser.client, LIBRARY, query_string={"q": "assess", "kind": "data"}) == searched_before


def _many(app, count: int, kinds=("written", "data")) -> None:
    """`count` submitted pieces, one a day back from 1 October, their kinds in turn."""
    from scrutiny.evidence.models import Submission
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        group = get_group_by_slug(GROUP)
        db.session.add_all([Submission(topic_group=group, title=f"Piece {n:03d}", kind=kinds[n % len(kinds)],
                                       status="submitted", submitted_at=datetime(2026, 10, 1) - timedelta(days=n))
                            for n in range(count)])
        db.session.commit()


def test_a_long_library_comes_a_page_at_a_time_and_keeps_its_filters(app, browser, second_case):
    _many(app, 120)
    browser.sign_in("lead@second.example")
    first = browser.get(LIBRARY)
    assert _count(first).startswith("120 pieces")
    assert "Showing 1 to 50, newest first." in first.text
    assert _titles(first)[:2] == ["Piece 000", "Piece 001"] and len(_titles(first)) == 50
    nav = _soup(first).select_one("nav.govuk-pagination")
    assert nav["aria-label"] == "Pages of the evidence library"
    assert [a.text for a in nav.select(".govuk-pagination__item a")] == ["1", "2", "3"]

    last = browser.get(nav.select_one("a[rel=next]")["href"].replace("page=2", "page=3"))
    assert _titles(last)[0] == "Piece 100" and len(_titles(last)) == 20
    assert "Showing 101 to 120" in last.text
    # Past the end: the last page, not an empty one.
    assert _titles(browser.get(LIBRARY + "?page=99")) == _titles(last)

    filtered = browser.get(LIBRARY, query_string={"kind": "data"})
    assert _count(filtered).startswith("60 pieces")
    following = _soup(filtered).select_one("nav.govuk-pagination a[rel=next]")["href"]
    assert "kind=data" in following and "page=2" in following
    assert all(int(t[-3:]) % 2 == 1 for t in _titles(browser.get(following)))  # still only the data


def test_a_library_page_costs_the_same_however_long_the_library(app, browser, second_case):
    _many(app, 60)
    browser.sign_in("lead@second.example")
    fewer = queries_for(app, browser.client, LIBRARY)
    _many(app, 240)
    assert queries_for(app, browser.client, LIBRARY) == fewer
    assert len(_titles(browser.get(LIBRARY))) == 50
