"""Officers clear evidence going public: passages redacted on recorded
grounds, confidential evidence never published, and a file replaced by a
redacted version that really lacks the text and carries no metadata."""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup
from PIL import Image
from werkzeug.datastructures import FileStorage

from scrutiny.demo.files import simple_pdf
from scrutiny.extensions import db
from tests.conftest import csrf_token
from tests.files import make_gif, make_odf
from tests.test_pages_accessibility import check_page
from tests.test_evidence_library import _add_file, _evidence, _submission

GROUP = "adult-social-care-waiting-times"
OFFICER = "lead@second.example"
BODY = ("Mrs Jane Doe of 12 Elm Road waited nine months for an assessment.\n\n"
        "Her daughter says JANE   DOE was never told why. Waits doubled in two years.")
MARKER = "[redacted: Schedule 12A, paragraph 2]"


def _pdf_with_metadata(lines: list[str]) -> bytes:
    """A real PDF with an author, a title and an XMP packet, as a word processor leaves them."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(simple_pdf("Evidence", lines))) as pdf:
        pdf.docinfo["/Author"] = "Officer Who Redacted"
        pdf.docinfo["/Title"] = "Waiting times (draft)"
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:creator"] = ["Officer Who Redacted"]
        pdf.save(out)
    return out.getvalue()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 6), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def evidence(app, second_case):
    """An accepted item with a PDF naming the resident, and a confidential one."""
    item = _evidence(app, title="What residents told us", body=BODY, status="accepted")
    leaky = _add_file(app, item, name="survey.pdf", content_type="application/pdf",
                      data=simple_pdf("Survey", ["Jane Doe, 12 Elm Road", "Waits doubled."]))
    secret = _evidence(app, "Carers in Northshire", title="Case reviews", body="About Jane Doe.",
                       status="accepted", confidential=True)
    return {"item": item, "file": leaky, "secret": secret}


def _officer():
    from scrutiny.auth.services import find_user

    return find_user(OFFICER)


def _file(public_id):
    from sqlalchemy import select

    from scrutiny.evidence.models import EvidenceFile

    return db.session.scalar(select(EvidenceFile).where(EvidenceFile.public_id == public_id))


def _stored_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts)


def _group():
    from scrutiny.groups.services import get_group_by_slug

    return get_group_by_slug(GROUP)


# -- the item's text -----------------------------------------------------------------------------


def test_a_redacted_passage_becomes_a_marker_everywhere_and_its_ground_is_recorded(app, evidence):
    from scrutiny.publication import clearance

    with app.app_context():
        item = _submission(evidence["item"])
        done = clearance.clear_item(item, "publish", _officer(),
                                    [("Jane Doe", "12a_2", "A resident, named without her consent")])
        text = done.clearance.public_text
        assert text.count(MARKER) == 2  # "Jane Doe" and "JANE   DOE": any case, any spacing
        assert "jane" not in text.lower() and "Waits doubled in two years." in text
        assert _submission(evidence["item"]).body == BODY  # the original is untouched
        [redaction] = done.clearance.redactions
        assert (redaction.passage, redaction.ground_label, redaction.public_interest_note) == (
            "Jane Doe", "Schedule 12A, paragraph 2: information likely to reveal the identity of an individual",
            "A resident, named without her consent")
        assert redaction.decided_by.email == OFFICER and redaction.decided_at is not None


def test_overlapping_passages_are_one_marker_naming_both_grounds(app, evidence):
    from scrutiny.publication import clearance

    with app.app_context():
        done = clearance.clear_item(_submission(evidence["item"]), "publish", _officer(),
                                    [("Jane Doe of 12 Elm Road", "12a_1", ""), ("12 Elm Road", "12a_2", "")])
        assert done.clearance.public_text.startswith(
            "Mrs [redacted: Schedule 12A, paragraph 1; Schedule 12A, paragraph 2] waited")


def test_a_passage_not_in_the_text_and_a_missing_ground_are_refused_naming_them(app, evidence):
    from scrutiny.publication import clearance
    from scrutiny.publication.models import Clearance

    with app.app_context():
        item = _submission(evidence["item"])
        with pytest.raises(clearance.NotCleared) as refused:
            clearance.clear_item(item, "publish", _officer(), [("John Smith", "12a_1", ""), ("Elm Road", "", "")])
        messages = [p.message for p in refused.value.problems]
        assert "“John Smith” is not in the evidence’s text: copy it exactly as it is written there" in messages
        assert "Choose the ground for withholding “Elm Road”" in messages
        assert db.session.query(Clearance).count() == 0


def test_confidential_evidence_can_never_be_published(app, evidence):
    from scrutiny.publication import clearance, cleared

    with app.app_context():
        with pytest.raises(clearance.NotCleared, match="confidential: it can never be published"):
            clearance.clear_item(_submission(evidence["secret"]), "publish", _officer())
        assert [s.title for s in cleared.going_public(_group())] == ["What residents told us"]


# -- its files ---------------------------------------------------------------------------------


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def test_a_replacement_still_holding_a_redacted_passage_is_refused_and_nothing_is_kept(app, evidence):
    from scrutiny.publication import clearance
    from scrutiny.publication.models import Clearance

    with app.app_context():
        clearance.clear_item(_submission(evidence["item"]), "publish", _officer(), [("Jane Doe", "12a_2", "")])
        before = _stored_files(app)
        # A box drawn over the name: the text is still there, split across lines and in capitals.
        covered = simple_pdf("Survey", ["JANE", "DOE, \u2588\u2588 Elm Road"])
        with pytest.raises(clearance.NotCleared) as refused:
            clearance.replace_file(_file(evidence["file"]), _upload(covered, "survey-redacted.pdf"), _officer())
        assert refused.value.problems[0].message.startswith(
            "The replacement still contains “Jane Doe”: a box drawn over text leaves the text in the file")
        assert _stored_files(app) == before
        assert not list((Path(app.config["STORAGE_DIR"]) / "tmp").glob("*"))
        assert db.session.query(Clearance).filter(Clearance.evidence_file_id.is_not(None)).count() == 0


def test_publishing_a_file_as_it_is_is_refused_while_it_holds_a_redacted_passage(app, evidence):
    from scrutiny.publication import clearance

    with app.app_context():
        clearance.clear_item(_submission(evidence["item"]), "publish", _officer(), [("Jane Doe", "12a_2", "")])
        with pytest.raises(clearance.NotCleared, match="survey.pdf contains “Jane Doe”"):
            clearance.clear_file(_file(evidence["file"]), "publish", _officer())


def test_a_clean_pdf_replacement_is_stored_without_its_metadata_and_the_original_is_kept(app, evidence):
    from scrutiny.publication import clearance, cleared
    from scrutiny.storage import storage

    with app.app_context():
        item = _submission(evidence["item"])
        original = _file(evidence["file"])
        original_sha, original_key = original.sha256, original.storage_key
        original_bytes = storage().open(original_key).read()
        assert [type(w).__name__ for w in cleared.uncleared(_group())] == ["Submission", "EvidenceFile"]

        clearance.clear_item(item, "publish", _officer(), [("Jane Doe", "12a_2", "Named resident")],
                             summary="")
        assert [type(w).__name__ for w in cleared.uncleared(_group())] == ["EvidenceFile"]
        decided = clearance.replace_file(
            original, _upload(_pdf_with_metadata(["[name removed], 12 Elm Road", "Waits doubled."]),
                              "survey-redacted.pdf"), _officer())
        assert cleared.uncleared(_group()) == []

        with storage().open(decided.replacement_storage_key) as stream, pikepdf.open(stream) as pdf:
            assert "/Author" not in pdf.docinfo and "/Title" not in pdf.docinfo
            assert "/Metadata" not in pdf.Root
            assert "Waits doubled." in pdf.pages[0].Contents.read_bytes().decode("latin-1")
        assert storage().open(original_key).read() == original_bytes and _file(evidence["file"]).sha256 == original_sha

        [public] = cleared.public_items(_group())
        assert MARKER in public.text and "Jane" not in public.text
        [public_file] = public.files
        assert (public_file.name, public_file.replaced, public_file.storage_key) == (
            "survey-redacted.pdf", True, decided.replacement_storage_key)


def test_an_image_replacement_loses_its_exif_and_gps(app, evidence):
    from scrutiny.publication import clearance
    from scrutiny.storage import storage

    photo = _jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the test photo does say where
    with app.app_context():
        clearance.clear_item(_submission(evidence["item"]), "publish", _officer())
        decided = clearance.replace_file(_file(evidence["file"]), _upload(photo, "site.jpg"), _officer())
        assert decided.replacement_content_type == "image/jpeg"
        with storage().open(decided.replacement_storage_key) as stream, Image.open(stream) as image:
            assert image.size == (8, 6)
            assert len(image.getexif()) == 0 and "exif" not in image.info


def test_a_replacement_must_be_a_pdf_or_an_image(app, evidence):
    from scrutiny.publication import clearance

    with app.app_context():
        with pytest.raises(clearance.NotCleared, match="must be a PDF or an image"):
            clearance.replace_file(_file(evidence["file"]), _upload(make_odf("odt"), "survey.odt"),
                                   _officer())
        with pytest.raises(clearance.NotCleared, match="site.gif must be a PDF or an image"):
            clearance.replace_file(_file(evidence["file"]), _upload(make_gif(), "site.gif"), _officer())
        # A PDF named as a Word file is taken as the PDF it is, under a name that says so.
        decided = clearance.replace_file(_file(evidence["file"]), _upload(simple_pdf("x", ["y"]), "x.docx"),
                                         _officer())
        assert (decided.replacement_name, decided.replacement_content_type) == ("x.pdf", "application/pdf")


def test_withholding_an_item_withholds_its_files_and_empties_the_waiting_list(app, evidence):
    from scrutiny.publication import clearance, cleared

    with app.app_context():
        clearance.clear_item(_submission(evidence["item"]), "withhold", _officer())
        assert cleared.uncleared(_group()) == [] and cleared.public_items(_group()) == []


def test_redacting_a_passage_a_published_file_holds_sends_the_file_back_for_a_decision(app, evidence):
    from scrutiny.publication import clearance, cleared

    with app.app_context():
        clearance.clear_item(_submission(evidence["item"]), "publish", _officer())
        clearance.clear_file(_file(evidence["file"]), "publish", _officer())
        assert cleared.uncleared(_group()) == []
        done = clearance.clear_item(_submission(evidence["item"]), "publish", _officer(), [("Elm Road", "12a_2", "")])
        assert done.reopened == ["survey.pdf"]
        assert [f.original_name for f in cleared.uncleared(_group())] == ["survey.pdf"]


# -- the officers' pages -------------------------------------------------------------------------


def _soup(page):
    return BeautifulSoup(page.text, "html.parser")


def _errors(page):
    return {a["href"]: a.text for a in _soup(page).select(".govuk-error-summary a")}


def test_an_officer_clears_an_item_and_its_file_through_the_pages(app, browser, evidence):
    browser.sign_in(OFFICER)
    library = browser.get(f"/groups/{GROUP}/evidence")
    listing_url = _soup(library).find("a", string="Clear evidence for publication")["href"]
    listing = browser.get(listing_url)
    assert "2 items and files are waiting for a decision" in listing.text
    assert "Case reviews" not in listing.text  # confidential: never going public
    item_url = _soup(listing).find("a", string="What residents told us")["href"]

    # Preview, with one mistake: the ground forgotten. What was typed stays.
    rows = {"redactions-0-passage": "Jane Doe", "redactions-0-ground": "", "redactions-0-note": "Named resident",
            "redactions-1-passage": "", "redactions-1-ground": "", "redactions-1-note": ""}
    page = browser.submit(item_url, {"decision": "publish", **rows, "summary": "", "preview": "Preview"})
    assert _errors(page) == {"#redactions-0-ground": "Choose the ground for withholding “Jane Doe”"}
    check_page(page.text, item_url)
    assert _soup(page).select_one("#redactions-0-ground")  # the summary's link lands on the field
    assert _soup(page).select_one("#redactions-0-passage").text == "Jane Doe"
    assert _soup(page).select_one("#redactions-0-note").text == "Named resident"

    rows["redactions-0-ground"] = "12a_2"
    page = browser.submit(item_url, {"decision": "publish", **rows, "summary": "", "preview": "Preview"})
    preview = _soup(page).select(".app-markdown")[2].get_text(" ")
    assert MARKER in preview and "Jane" not in preview
    assert "It is not saved until you save your decision" in page.text

    page = browser.submit(item_url, {"decision": "publish", **rows, "summary": ""}, follow=True)
    assert "Saved your decision on What residents told us." in page.text
    history = _soup(page).find("caption", string=lambda s: s and "with their grounds" in s).find_parent("table")
    assert "Schedule 12A, paragraph 2: information likely to reveal the identity" in history.text
    assert "Priya Lead-Officer" in history.text

    file_url = _soup(page).find("a", href=lambda h: h and "/files/" in h)["href"]
    form_page = browser.get(file_url)
    check_page(form_page.text, file_url)
    leaky = simple_pdf("Survey", ["Jane Doe, 12 Elm Road"])
    page = browser.client.post(file_url, data={"csrf_token": csrf_token(form_page.text), "decision": "replace",
                                               "replacement": (io.BytesIO(leaky), "survey-redacted.pdf")},
                               content_type="multipart/form-data")
    assert list(_errors(page)) == ["#replacement"]
    assert "The replacement still contains “Jane Doe”" in page.text

    clean = _pdf_with_metadata(["[name removed], 12 Elm Road"])
    page = browser.client.post(file_url, data={"csrf_token": csrf_token(form_page.text), "decision": "replace",
                                               "replacement": (io.BytesIO(clean), "survey-redacted.pdf")},
                               content_type="multipart/form-data", follow_redirects=True)
    assert "Saved your decision on survey.pdf." in page.text
    assert "Publish a redacted version" in page.text
    download = browser.get(_soup(browser.get(file_url)).find("a", string="Download survey-redacted.pdf")["href"])
    with pikepdf.open(io.BytesIO(download.data)) as pdf:
        assert "/Author" not in pdf.docinfo

    listing = browser.get(listing_url)
    check_page(listing.text, listing_url)
    assert "Every piece of evidence and every file going public has been decided." in listing.text


def test_an_item_not_going_public_is_not_found(app, browser, evidence):
    browser.sign_in(OFFICER)
    assert browser.get(f"/groups/{GROUP}/publication/evidence/{evidence['secret']}").status_code == 404
