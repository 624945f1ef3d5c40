"""Survey results as evidence: "Add to evidence" writes one evidence item of
kind "survey" (drawn again, the same item is updated), and the documents
pipeline builds the results PDF with its charts, whose text is checked with
pdftotext, Arabic, Bengali and Urdu labels included."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.survey_factory import make_survey, respond

GROUP = "adult-social-care-waiting-times"
FONTS = Path(__file__).resolve().parent.parent / "scrutiny" / "static" / "build" / "fonts"


@pytest.fixture
def officer(browser, second_case, make_user):
    browser.sign_in(make_user("officer"))
    return browser


@pytest.fixture
def survey(app, second_case):
    made = make_survey(app, GROUP)
    respond(app, made, {"ease": "easy", "services": ["gp"], "rating": 4, "home": "arabic", "ethnic": "other_arab"},
            n=7, language="ar")
    respond(app, made, {"ease": "hard", "services": ["hospital"], "rating": 2, "home": "bengali",
                        "ethnic": "asian_bangladeshi"}, n=6, channel="paper", language="bn")
    respond(app, made, {"ease": "neither", "rating": 3, "home": "urdu", "ethnic": "asian_pakistani"}, n=5,
            channel="interview", language="ur")
    respond(app, made, {"ease": "easy", "home": "english", "ethnic": "white_roma"}, n=2)
    return made


def _add(officer, made):
    url = f"/groups/{GROUP}/surveys/{made.public_id}/results"
    page = officer.get(url)
    return officer.client.post(f"{url}/evidence", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)


def _items(app, made):
    from scrutiny.evidence.models import Submission
    from scrutiny.extensions import db

    with app.app_context():
        return [(s.kind, s.status, s.title, s.summary, s.body, s.added_by.name if s.added_by else None)
                for s in db.session.scalars(select(Submission).where(Submission.survey_id == made.id))]


def _pdf(app, made):
    from scrutiny.documents.models import Document
    from scrutiny.extensions import db
    from scrutiny.storage import storage

    with app.app_context():
        documents = list(db.session.scalars(select(Document).where(Document.subject == f"survey:{made.id}")
                                            .order_by(Document.version)))
        done = [d for d in documents if d.status == "done"]
        assert done, [(d.status, d.error) for d in documents]
        with storage().open(done[-1].storage_key) as stream:
            return len(documents), done[-1], stream.read()


def _pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "results.pdf"
    path.write_bytes(data)
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_add_to_evidence_writes_one_item_for_review_and_builds_the_pdf(app, officer, survey, run_jobs, tmp_path):
    page = _add(officer, survey)
    assert "Added the results to the evidence library, for review." in page.text
    [(kind, status, title, summary, body, added_by)] = _items(app, survey)
    assert (kind, status, title) == ("survey", "submitted", "Survey results: Getting health care")
    assert added_by and added_by.startswith("Officer Person")
    assert summary.startswith("20 responses (online 9, paper 6, interview 5)")
    # English (2) is small, so Urdu (5, the next smallest) is hidden with it.
    assert "| Arabic – العربية | 7 |" in body and "| Urdu – اردو | fewer than 5 |" in body
    assert "need not add up to the total" in body
    run_jobs()
    count, document, data = _pdf(app, survey)
    assert (count, document.kind) == (1, "survey_results")
    text = _pdftotext(data, tmp_path)
    assert "Survey results: Getting health care" in text
    assert "20 responses" in text and "Withdrawn responses are not counted" in text
    assert "fewer than 5" in text
    assert "Question 6: What is your ethnic group?" in text
    page = officer.get(f"/groups/{GROUP}/surveys/{survey.public_id}/results")
    assert "Download the results PDF" in page.text and "Update the evidence with these results" in page.text


def test_the_pdf_holds_the_charts_as_svg(app, officer, survey, run_jobs):
    _add(officer, survey)
    run_jobs()
    _, _, data = _pdf(app, survey)
    # WeasyPrint draws inline SVG as vector paths: the bars' GOV.UK blue is in the page's content.
    import io
    import zlib  # noqa: F401 - pikepdf decompresses

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = b"".join(page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array)
                           else b"".join(c.read_bytes() for c in page.Contents) for page in pdf.pages)
    blue = b"0.113725 0.439216 0.721569"  # #1d70b8 as PDF colour operands
    assert blue in content or b"0.1137 0.4392 0.7216" in content


def test_arabic_and_urdu_labels_are_real_text_in_the_pdf(app, officer, survey, run_jobs, tmp_path):
    _add(officer, survey)
    run_jobs()
    text = _pdftotext(_pdf(app, survey)[2], tmp_path)
    assert "العربية" in text or "ةيبرعلا" in text  # in logical or in visual order
    assert "اردو" in text or "ودرا" in text


def test_bengali_labels_are_real_text_in_the_pdf(app, officer, survey, run_jobs, tmp_path):
    """pdftotext reads the text back even when it was drawn as empty boxes
    (the text layer keeps the letters), so a font for the script must be in
    the PDF too: this machine's own fonts have none for Bengali."""
    _add(officer, survey)
    run_jobs()
    data = _pdf(app, survey)[2]
    assert "বাংলা" in _pdftotext(data, tmp_path)
    (tmp_path / "fonts.pdf").write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, text=True).stdout
    # name, type..., emb, sub, uni, object, generation: the Noto faces we ship, embedded (subset).
    embedded = {line.split()[0].partition("+")[2].rsplit("-", 1)[0] for line in fonts.splitlines()[2:]
                if line.split()[-5] == "yes"}
    assert {"Noto-Sans-Bengali", "Noto-Sans-Arabic"} <= embedded, fonts


def test_chart_bars_in_other_scripts_are_numbered_and_the_table_beside_them_has_the_words(
        app, officer, survey, run_jobs, tmp_path):
    """WeasyPrint draws an SVG's text without right-to-left ordering or
    Arabic joining: a bar whose label is not in Latin script is labelled by
    its row's number, and the table beside the chart, laid out as text,
    holds the label."""
    _add(officer, survey)
    run_jobs()
    text = _pdftotext(_pdf(app, survey)[2], tmp_path)
    # Which language do you speak at home: Arabic 7, Bengali 6, Urdu 5 (hidden with English 2), English 2.
    assert "1: 7" in text and "2: 6" in text and "3: fewer than 5" in text
    assert "English: fewer than 5" in text  # a Latin label stays on its bar
    assert text.count("Arabic –") == 1 and text.count("Bengali –") == 1  # the table's row, not the bar
    assert "Bar Answer Responses" in text
    assert "العربية" in text or "ةيبرعلا" in text  # the table's Arabic, in logical or visual order
    assert "বাংলা" in text


def test_drawing_again_updates_the_same_item(app, officer, survey, run_jobs):
    _add(officer, survey)
    run_jobs()
    respond(app, survey, {"ease": "hard", "home": "english", "ethnic": "white_british"}, n=10)
    page = _add(officer, survey)
    assert "Updated the survey’s evidence item with the latest results." in page.text
    [(kind, status, title, summary, body, _)] = _items(app, survey)
    assert summary.startswith("30 responses")
    run_jobs()
    count, document, _ = _pdf(app, survey)
    assert (count, document.version) == (2, 2)


def test_drawing_again_with_nothing_new_builds_nothing(app, officer, survey, run_jobs):
    _add(officer, survey)
    run_jobs()
    _add(officer, survey)
    run_jobs()
    assert _pdf(app, survey)[0] == 1
    assert len(_items(app, survey)) == 1


def test_an_accepted_item_can_be_linked_from_a_finding_and_stays_accepted(app, officer, survey):
    from scrutiny.evidence.models import Submission
    from scrutiny.extensions import db
    from scrutiny.findings.models import FindingEvidence
    from scrutiny.groups.services import get_group_by_slug

    _add(officer, survey)
    with app.app_context():
        item = db.session.scalar(select(Submission).where(Submission.survey_id == survey.id))
        item.status = "accepted"  # as the officers' review does
        finding = get_group_by_slug(GROUP).findings[0]
        finding.evidence_links.append(FindingEvidence(submission=item))
        db.session.commit()
    _add(officer, survey)
    assert [row[1] for row in _items(app, survey)] == ["accepted"]


def test_too_few_responses_are_not_added(app, officer, second_case):
    made = make_survey(app, GROUP, census=False)
    respond(app, made, {"ease": "easy"}, n=3)
    page = _add(officer, made)
    assert "fewer than 5 responses so far" in page.text
    assert _items(app, made) == []


def test_councillors_read_results_but_cannot_add_them(app, browser, survey):
    browser.sign_in("member@second.example")
    url = f"/groups/{GROUP}/surveys/{survey.public_id}/results"
    page = browser.get(url)
    assert page.status_code == 200 and "Add these results to the evidence" not in page.text
    response = browser.client.post(f"{url}/evidence", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 403
    assert _items(app, survey) == []
