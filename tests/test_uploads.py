"""The upload check, from the witness's side: what is accepted, what is
refused and the exact message they read, and that a refusal leaves nothing
in storage. Every file is built here, so nothing binary is committed."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from scrutiny.storage import LocalStorage
from tests.files import (
    DOCX_TYPE,
    PPTX_TYPE,
    XLSX_TYPE,
    make_gif,
    make_jpeg,
    make_odf,
    make_ooxml,
    make_pdf,
    make_png,
    make_zip,
    odf_entries,
    ooxml_entries,
    set_encrypted_flag,
)
from scrutiny.uploads import (
    CheckedFile,
    UploadRefused,
    check_upload,
    human_size,
    safe_name,
    store_upload,
    upload_limits,
)

MB = 1024 * 1024
KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}")
FORMATS = "PDF, Word, OpenDocument, CSV, Excel, PowerPoint, PNG or JPEG"

# -- helpers ---------------------------------------------------------------------


def pixels(data: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert("RGB").tobytes()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path):
    return LocalStorage(tmp_path / "storage")


@pytest.fixture
def upload(store):
    """Send bytes as a witness would; returns (blob, checked)."""
    def send(data: bytes, name: str, *, max_bytes=20 * MB, max_inflated_bytes=100 * MB, **kwargs):
        return store_upload(io.BytesIO(data), name, max_bytes=max_bytes,
                            max_inflated_bytes=max_inflated_bytes, store=store, **kwargs)
    return send


@pytest.fixture
def refused(upload, store):
    """Send bytes that must be refused; returns the refusal after checking
    that nothing at all was left in storage."""
    def send(data: bytes, name: str, **kwargs) -> UploadRefused:
        with pytest.raises(UploadRefused) as caught:
            upload(data, name, **kwargs)
        assert files_under(store.root) == []
        return caught.value
    return send


# -- accepted --------------------------------------------------------------------

ACCEPTED = [
    (make_pdf, "Evidence to the panel.pdf", "pdf", "application/pdf", "document"),
    (lambda: make_ooxml("docx"), "Written evidence.docx", "docx", DOCX_TYPE, "document"),
    (lambda: make_odf("odt"), "Response.odt", "odt", "application/vnd.oasis.opendocument.text", "document"),
    (lambda: b"Ward,Waiting weeks\nNorth,12\nSouth,9\n", "waiting.csv", "csv", "text/csv", "data"),
    (lambda: make_ooxml("xlsx"), "Waiting times.xlsx", "xlsx", XLSX_TYPE, "data"),
    (lambda: make_ooxml("pptx"), "Slides.pptx", "pptx", PPTX_TYPE, "presentation"),
    (lambda: make_odf("odp"), "Slides.odp", "odp", "application/vnd.oasis.opendocument.presentation",
     "presentation"),
    (make_png, "Chart.png", "png", "image/png", "image"),
    (make_jpeg, "Photo.jpg", "jpg", "image/jpeg", "image"),
    (make_jpeg, "Photo.JPEG", "jpg", "image/jpeg", "image"),
]


@pytest.mark.parametrize("build, name, extension, content_type, category", ACCEPTED)
def test_each_accepted_kind_is_recognised_and_stored(upload, store, build, name, extension,
                                                     content_type, category):
    data = build()

    blob, checked = upload(data, name)

    assert checked == CheckedFile(content_type=content_type, extension=extension, category=category,
                                  safe_name=name, text_encoding="utf-8" if extension == "csv" else None,
                                  page_count=1 if extension == "pdf" else None)
    key = store.commit(blob)
    assert files_under(store.root) == [store.root / key]
    with store.open(key) as f:
        stored = f.read()
    if category == "image":  # saved again without metadata: the same picture
        assert pixels(stored) == pixels(data)
    else:
        assert stored == data


def test_a_pdfs_pages_are_counted_at_upload(upload):
    from tests.test_agenda import three_page_pdf

    _, three = upload(three_page_pdf("Slides"), "slides.pdf")
    assert three.page_count == 3


def test_a_pdf_that_cannot_be_opened_to_check_is_refused(refused):
    # What cannot be opened cannot be checked for active content, so it is not passed on to others.
    error = refused(make_pdf().replace(b"/Pages", b"/Pagez"), "broken.pdf")
    assert str(error).startswith("“broken.pdf” could not be opened to check it is safe to share")


def test_pdf_is_a_presentation_when_the_form_takes_only_presentations(upload):
    _, checked = upload(make_pdf(), "slides.pdf", accept=["presentation"])
    assert checked.category == "presentation"


def test_a_form_lists_only_the_formats_it_takes(refused):
    error = refused(make_ooxml("docx"), "report.docx", accept=["presentation"])
    assert str(error) == (
        "“report.docx” is a Word document, which we cannot accept here. "
        "Save it as a PDF, OpenDocument or PowerPoint file and upload it again."
    )


def test_a_name_without_a_real_extension_is_given_one(upload):
    _, checked = upload(make_pdf(), "Minutes 12.03.2024")
    assert checked.extension == "pdf"
    assert checked.safe_name == "Minutes 12.03.2024.pdf"


# -- the name and the content disagree -------------------------------------------


def test_png_renamed_pdf_is_kept_as_a_png(upload):
    _, checked = upload(make_png(), "report.pdf")
    assert (checked.content_type, checked.category, checked.named_as) == ("image/png", "image", "application/pdf")
    assert checked.stored_as_note == "“report.pdf” is a PNG image, so we have stored it as one."


def test_powerpoint_named_pdf_is_kept_as_a_powerpoint_under_the_name_given(upload):
    _, checked = upload(make_ooxml("pptx"), "slides.pdf")
    assert (checked.content_type, checked.category, checked.extension) == (PPTX_TYPE, "presentation", "pptx")
    assert (checked.safe_name, checked.named_as) == ("slides.pdf", "application/pdf")
    assert checked.stored_as_note == "“slides.pdf” is a PowerPoint presentation, so we have stored it as one."


@pytest.mark.parametrize("build, name, extension, claimed", [
    (make_pdf, "report.docx", "pdf", DOCX_TYPE),
    (lambda: make_ooxml("docx"), "report.pdf", "docx", "application/pdf"),
    (lambda: make_ooxml("xlsx"), "waiting.csv", "xlsx", "text/csv"),
    (make_jpeg, "chart.png", "jpg", "image/png"),
])
def test_any_accepted_type_named_as_another_is_kept_as_what_it_is(upload, build, name, extension, claimed):
    _, checked = upload(build(), name)
    assert (checked.extension, checked.safe_name, checked.named_as) == (extension, name, claimed)


def test_a_download_name_has_the_extension_of_what_the_file_is():
    from scrutiny.uploads import download_name

    assert download_name("slides.pdf", PPTX_TYPE) == "slides.pptx"
    assert download_name("Minutes 12.03.2024", "application/pdf") == "Minutes 12.03.2024.pdf"
    assert download_name("photo.JPEG", "image/jpeg") == "photo.JPEG"


def test_a_name_claiming_a_type_we_do_not_take_is_still_refused(refused):
    error = refused(make_pdf(), "report.doc")
    assert error.code == "name_mismatch"
    assert str(error) == "“report.doc” is really a PDF, not a DOC file: rename it to “report.pdf” and upload it again."


def test_the_browsers_content_type_does_not_decide(store):
    # A werkzeug FileStorage carries the browser's claim; only the bytes count.
    from werkzeug.datastructures import FileStorage

    fake = FileStorage(io.BytesIO(b"MZ\x90\x00" + bytes(200)), filename="report.pdf",
                       content_type="application/pdf")
    with pytest.raises(UploadRefused) as caught:
        store_upload(fake, fake.filename, max_bytes=MB, max_inflated_bytes=MB, store=store)

    assert str(caught.value) == (
        f"“report.pdf” is really an EXE file, which we cannot accept. "
        f"Save it as a {FORMATS} file and upload it again."
    )
    assert files_under(store.root) == []


def test_text_renamed_pdf_is_refused(refused):
    error = refused(b"Dear panel,\nThis is my evidence.\n", "report.pdf")
    assert error.code == "wrong_type"
    assert str(error) == (
        f"“report.pdf” is not a {FORMATS} file. Save it in one of those formats and upload it again."
    )


def test_a_recognised_but_unaccepted_type_renamed_pdf_says_what_it_is(refused):
    error = refused(make_gif(), "report.pdf")
    assert str(error) == (
        f"“report.pdf” is really a GIF file, which we cannot accept. "
        f"Save it as a {FORMATS} file and upload it again."
    )


def test_a_plain_zip_is_refused(refused):
    error = refused(make_zip({"a.pdf": make_pdf(), "b.pdf": make_pdf()}), "evidence.zip")
    assert str(error) == (
        "“evidence.zip” is a ZIP file, which we cannot accept. "
        "Take the files out of it and upload each one separately."
    )


def test_an_epub_is_refused_as_a_type_not_as_damaged(refused):
    data = make_zip({"mimetype": b"application/epub+zip", "META-INF/container.xml": b"<container/>"})
    error = refused(data, "report.epub")
    assert str(error) == (
        f"“report.epub” is an EPUB e-book, which we cannot accept. Save it as a {FORMATS} file and upload it again."
    )


def test_old_office_and_password_protected_files_are_refused_with_a_way_forward(refused):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    error = refused(ole, "budget.xlsx")
    assert str(error) == (
        "“budget.xlsx” is password-protected or saved in an older Office format. "
        "Remove any password, save it as an Excel workbook (.xlsx) and upload it again."
    )


# -- size ------------------------------------------------------------------------


def test_too_large_is_refused_with_the_limit_as_people_read_it(refused):
    error = refused(make_pdf().ljust(2000, b"\n"), "big.pdf", max_bytes=1000)
    assert error.code == "too_large"
    assert str(error) == (
        "“big.pdf” is larger than 1000 bytes. Make it smaller (for example by compressing its "
        "pictures or splitting it into parts) and upload it again."
    )


@pytest.mark.parametrize("size, shown", [(1024, "1 KB"), (512 * 1024, "512 KB"), (10 * MB, "10 MB"),
                                         (int(1.5 * MB), "1.5 MB"), (25 * MB, "25 MB"), (100, "100 bytes")])
def test_sizes_read_as_people_read_them(size, shown):
    assert human_size(size) == shown


def test_an_empty_file_is_refused(refused):
    error = refused(b"", "evidence.pdf")
    assert str(error) == "“evidence.pdf” is empty. Check you chose the right file and upload it again."


# -- macros ----------------------------------------------------------------------

MACROS = (
    "contains macros. We cannot accept files with macros because they can run harmful code. "
)


def test_docx_with_a_vba_project_is_refused(refused):
    entries = ooxml_entries("docx")
    entries["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 vba"
    error = refused(make_zip(entries), "report.docx")
    assert error.code == "macros"
    assert str(error) == f"“report.docx” {MACROS}Save a copy as a Word document (.docx) and upload that."


def test_docm_content_type_is_refused(refused):
    data = make_ooxml("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    error = refused(data, "report.docx")
    assert error.code == "macros"
    assert "contains macros" in str(error)


def test_excel_4_macro_sheets_are_refused(refused):
    entries = ooxml_entries("xlsx", extra_types='<Override PartName="/xl/macrosheets/sheet1.xml" '
                                                'ContentType="application/vnd.ms-excel.macrosheet+xml"/>')
    entries["xl/macrosheets/sheet1.xml"] = b"<xm:macrosheet/>"
    error = refused(make_zip(entries), "data.xlsx")
    assert str(error) == f"“data.xlsx” {MACROS}Save a copy as an Excel workbook (.xlsx) and upload that."


def test_macro_content_type_hidden_by_character_references_is_still_found(refused):
    # "macro&#69;nabled" is "macroEnabled" to Word; a real XML parser sees it too.
    data = make_ooxml("pptx", main_type="application/vnd.ms-powerpoint.presentation.macro&#69;nabled.main+xml")
    assert refused(data, "slides.pptx").code == "macros"


def test_odt_with_basic_macros_is_refused(refused):
    entries = odf_entries("odt")
    entries["Basic/Standard/Module1.xml"] = b"<script:module/>"
    error = refused(make_zip(entries), "response.odt")
    assert str(error) == f"“response.odt” {MACROS}Save a copy as a PDF and upload that."


def test_odp_with_a_script_in_its_manifest_is_refused(refused):
    entries = odf_entries("odp", extra_manifest=(
        '<manifest:file-entry manifest:full-path="Scripts/python/run.py" '
        'manifest:media-type="application/x-python-script"/>'))
    assert refused(make_zip(entries), "slides.odp").code == "macros"


def test_password_protected_odf_is_refused(refused):
    entries = odf_entries("odt", extra_manifest=(
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
        "</manifest:file-entry>"))
    error = refused(make_zip(entries), "response.odt")
    assert str(error) == (
        "“response.odt” is protected with a password. Remove the password, save it and upload it again."
    )


# -- broken and hostile archives ---------------------------------------------------


def invalid(name: str, noun: str) -> str:
    return (f"“{name}” is not a valid {noun}: it may be damaged or not fully saved. "
            "Open it, save it again and upload the new copy.")


def test_corrupt_zip_named_docx_is_not_a_valid_document(refused):
    data = b"PK\x03\x04" + bytes(range(256)) * 4
    error = refused(data, "report.docx")
    assert error.code == "invalid"
    assert str(error) == invalid("report.docx", "Word document")


def test_truncated_docx_is_not_a_valid_document(refused):
    data = make_ooxml("docx")
    assert str(refused(data[: len(data) // 2], "report.docx")) == invalid("report.docx", "Word document")


def test_ooxml_without_content_types_is_not_valid(refused):
    entries = ooxml_entries("xlsx")
    del entries["[Content_Types].xml"]
    assert str(refused(make_zip(entries), "data.xlsx")) == invalid("data.xlsx", "Excel spreadsheet")


def test_ooxml_without_its_main_part_is_not_valid(refused):
    entries = ooxml_entries("pptx")
    del entries["ppt/presentation.xml"]
    assert str(refused(make_zip(entries), "slides.pptx")) == invalid("slides.pptx", "PowerPoint presentation")


def test_odf_without_mimetype_is_not_valid(refused):
    entries = odf_entries("odt")
    del entries["mimetype"]
    assert str(refused(make_zip(entries), "response.odt")) == invalid("response.odt", "OpenDocument text file")


def test_metadata_with_a_doctype_is_refused(refused):
    entries = ooxml_entries("docx")
    # Entities could expand (or fetch) anything; Office never writes a DOCTYPE.
    declaration, _, types = entries["[Content_Types].xml"].partition(b"\n")
    entries["[Content_Types].xml"] = declaration + b'<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">]>' + types
    assert b"<Types " in entries["[Content_Types].xml"]
    assert refused(make_zip(entries), "report.docx").code == "invalid"


def test_encrypted_zip_is_refused(refused):
    error = refused(set_encrypted_flag(make_ooxml("docx")), "report.docx")
    assert str(error) == (
        "“report.docx” is protected with a password. Remove the password, save it and upload it again."
    )


@pytest.mark.parametrize("member", ["../../evil.sh", "/etc/cron.d/evil", "word/../../evil", "C:/evil.bat",
                                    "..\\..\\evil.bat"])
def test_zip_entries_with_unsafe_paths_are_refused(refused, member):
    entries = ooxml_entries("docx")
    entries[member] = b"boom"
    error = refused(make_zip(entries), "report.docx")
    assert error.code == "unsafe_archive"
    assert str(error) == invalid("report.docx", "Word document")


def test_zip_bomb_over_the_inflated_limit_is_refused(refused, tmp_path):
    # 50 MB of zeros, written in 1 MB pieces: the zip is ~50 KB and never in memory whole.
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in ooxml_entries("docx").items():
            zf.writestr(name, data)
        with zf.open("word/media/image1.png", "w") as part:
            zeros = bytes(MB)
            for _ in range(50):
                part.write(zeros)
    assert path.stat().st_size < MB

    error = refused(path.read_bytes(), "report.docx", max_inflated_bytes=10 * MB)

    assert error.code == "zip_bomb"
    assert str(error) == (
        "“report.docx” unpacks to more than 10 MB, which is more than we can check. Make it "
        "smaller (for example by compressing its pictures or splitting it into parts) and upload it again."
    )


def test_an_entry_compressed_over_100_to_1_is_refused_even_under_the_limit(refused):
    entries = ooxml_entries("docx")
    entries["word/media/image1.png"] = bytes(2 * MB)
    error = refused(make_zip(entries), "report.docx", max_inflated_bytes=100 * MB)
    assert error.code == "zip_bomb"
    assert str(error) == (
        "“report.docx” is packed in an unusual way that we cannot check safely. Open it, "
        "save it again (or save it as a PDF) and upload the new copy."
    )


def test_a_small_highly_compressed_entry_is_fine(upload):
    entries = ooxml_entries("docx")
    entries["word/document.xml"] = b"<w:document>" + b" " * 500_000 + b"</w:document>"
    _, checked = upload(make_zip(entries), "report.docx")
    assert checked.extension == "docx"


def test_too_many_entries_is_refused(refused):
    entries = ooxml_entries("xlsx")
    entries.update({f"xl/worksheets/sheet{n}.xml": b"<worksheet/>" for n in range(10)})
    error = refused(make_zip(entries), "data.xlsx", max_zip_entries=10)
    assert error.code == "too_many_entries"
    assert str(error) == (
        "“data.xlsx” has more than 10 parts inside it, which is more than we can check. Open it, "
        "save it again (or save it as a PDF) and upload the new copy."
    )


# -- CSV ---------------------------------------------------------------------------

NOT_TEXT = "is not a plain-text CSV file. Save it from your spreadsheet as “CSV UTF-8” and upload it again."


def test_csv_with_nul_bytes_is_refused(refused):
    error = refused(b"Ward,Weeks\nNorth\x00,12\n", "waiting.csv")
    assert error.code == "not_text"
    assert str(error) == f"“waiting.csv” {NOT_TEXT}"


def test_nul_bytes_beyond_the_sample_are_still_found(refused):
    data = b"Ward,Weeks\n" + b"North,12\n" * 10_000 + b"\x00"
    assert refused(data, "waiting.csv").code == "not_text"


def test_utf16_csv_is_refused(refused):
    assert refused("Ward,Weeks\nNorth,12\n".encode("utf-16"), "waiting.csv").code == "not_text"


def test_binary_named_csv_is_refused(refused):
    assert refused(bytes(range(1, 256)) * 10, "waiting.csv").code == "not_text"


def test_cp1252_csv_is_accepted(upload):
    data = "Service,Cost\nCafé visits,£12\n“Quoted”,€5\n".encode("cp1252")
    _, checked = upload(data, "costs.csv")
    assert checked.extension == "csv"
    assert checked.text_encoding == "cp1252"


def test_utf8_csv_with_bom_is_accepted(upload):
    _, checked = upload("\ufeffWard,Café\nNorth,1\n".encode("utf-8"), "wards.csv")
    assert checked.text_encoding == "utf-8-sig"


def test_utf8_character_cut_at_the_sample_edge_is_fine(upload):
    data = b"a" * (64 * 1024 - 1) + "é\n".encode("utf-8")  # é straddles the 64 KiB mark
    _, checked = upload(data, "long.csv")
    assert checked.text_encoding == "utf-8"


def test_text_is_only_csv_when_named_csv(refused):
    error = refused(b"Ward,Weeks\nNorth,12\n", "waiting.txt")
    assert str(error) == f"“waiting.txt” is not a {FORMATS} file. Save it in one of those formats and upload it again."


# -- names ---------------------------------------------------------------------------


@pytest.mark.parametrize("original, shown", [
    ("../../etc/passwd", "passwd"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\evil\\x.pdf", "x.pdf"),
    ("C:\\Users\\x\\report.pdf", "report.pdf"),
    ("re\x00po\x1brt\n.pdf", "report.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override removed
    (".hidden.pdf", "hidden.pdf"),
    (".pdf", "file.pdf"),
    ("../..", "file"),
    ("", "file"),
    (None, "file"),
    ("report.pdf. . ", "report.pdf"),
    ("Cafe\u0301 notes.pdf", "Café notes.pdf"),  # macOS sends decomposed accents
])
def test_safe_name(original, shown):
    assert safe_name(original) == shown


def test_very_long_names_keep_their_extension():
    name = safe_name("x" * 400 + ".docx")
    assert len(name) == 150
    assert name == "x" * 145 + ".docx"


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "C:\\evil\\x.pdf", "bad\x00\x07name.pdf",
                                  "y" * 300 + ".pdf"])
def test_the_stored_key_never_holds_the_users_name(upload, store, name):
    blob, checked = upload(make_pdf(), name)
    key = store.commit(blob)

    assert KEY_RE.fullmatch(key)
    assert checked.safe_name == safe_name(name)
    assert [p.relative_to(store.root).as_posix() for p in files_under(store.root)] == [key]


def test_check_upload_works_on_a_file_on_disk(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(make_png())
    checked = check_upload(path, "chart.png", max_inflated_bytes=MB)
    assert (checked.content_type, checked.category) == ("image/png", "image")


def test_upload_limits_come_from_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 3 * MB)
    monkeypatch.setitem(app.config, "MAX_INFLATED_BYTES", 30 * MB)
    monkeypatch.setitem(app.config, "MAX_ZIP_ENTRIES", 500)
    with app.app_context():
        assert upload_limits() == {"max_bytes": 3 * MB, "max_inflated_bytes": 30 * MB, "max_zip_entries": 500}


def test_upload_limits_come_from_the_settings(app, monkeypatch):
    assert (app.config["MAX_UPLOAD_BYTES"], app.config["MAX_INFLATED_BYTES"], app.config["MAX_ZIP_ENTRIES"]) == (
        50 * MB, 500 * MB, 2000)  # the documented defaults
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 7 * MB)
    with app.app_context():
        assert upload_limits() == {"max_bytes": 7 * MB, "max_inflated_bytes": 500 * MB, "max_zip_entries": 2000}


# -- what Office files do when opened ----------------------------------------------

def _rels(*relationships: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(relationships) + "</Relationships>").encode()


OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_a_word_document_loading_a_template_from_outside_is_refused(refused):
    entries = ooxml_entries("docx")
    entries["word/_rels/settings.xml.rels"] = _rels(
        f'<Relationship Id="rId1" Type="{OFFICE_RELS}/attachedTemplate" '
        'Target="http://198.51.100.7/template.dotm" TargetMode="External"/>')
    error = refused(make_zip(entries), "statement.docx")
    assert error.code == "external_link"
    assert str(error).startswith(
        "“statement.docx” loads something from outside the file when it is opened "
        "(“http://198.51.100.7/template.dotm”)")


def test_a_plain_hyperlink_in_a_document_is_accepted(upload):
    entries = ooxml_entries("docx")
    entries["word/_rels/document.xml.rels"] = _rels(
        f'<Relationship Id="rId9" Type="{OFFICE_RELS}/hyperlink" '
        'Target="https://www.gov.uk/carers-allowance" TargetMode="External"/>')
    _, checked = upload(make_zip(entries), "statement.docx")
    assert checked.extension == "docx"


def test_an_embedded_ole_object_is_refused_by_its_relationship_and_by_its_bytes(refused):
    by_relationship = ooxml_entries("docx")
    by_relationship["word/_rels/document.xml.rels"] = _rels(
        f'<Relationship Id="rId5" Type="{OFFICE_RELS}/oleObject" Target="embeddings/oleObject1.bin"/>')
    by_relationship["word/embeddings/oleObject1.bin"] = b"not even OLE"
    by_bytes = ooxml_entries("docx")
    by_bytes["word/media/image1.emf"] = OLE_MAGIC + bytes(1000)  # named as a picture

    for entries in (by_relationship, by_bytes):
        error = refused(make_zip(entries), "statement.docx")
        assert error.code == "embedded_object"
        assert str(error).startswith("“statement.docx” contains an embedded object")


def _vba_project() -> bytes:
    """An OLE compound file's first bytes and a directory naming the VBA project stream."""
    return OLE_MAGIC + bytes(504) + "_VBA_PROJECT".encode("utf-16-le") + bytes(100)


def test_a_vba_project_under_a_renamed_part_is_refused_by_relationship_and_by_bytes(refused):
    # PowerPoint finds the project by its relationship, whatever the part is called.
    by_relationship = ooxml_entries("pptx")
    by_relationship["ppt/_rels/presentation.xml.rels"] = _rels(
        '<Relationship Id="rId7" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="media/image9.png"/>')
    by_relationship["ppt/media/image9.png"] = make_png()
    by_bytes = ooxml_entries("pptx")
    by_bytes["ppt/media/image9.png"] = _vba_project()

    for entries in (by_relationship, by_bytes):
        error = refused(make_zip(entries), "deck.pptx")
        assert error.code == "macros"
        assert "“deck.pptx” contains macros" in str(error)


# -- archives as a whole ---------------------------------------------------------

def test_a_zip_bomb_of_many_one_megabyte_parts_is_refused(refused):
    entries = ooxml_entries("docx")
    zeros = bytes(MB)
    entries.update({f"word/media/part{i}.bin": zeros for i in range(450)})
    data = make_zip(entries)
    assert len(data) < 600 * 1024  # 450 MB inflated from about half a megabyte

    error = refused(data, "statement.docx", max_inflated_bytes=500 * MB)  # the app's default
    assert error.code == "zip_bomb"
    assert str(error).startswith("“statement.docx” is packed in an unusual way")


# -- pictures --------------------------------------------------------------------

def _png_declaring(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _jpeg_declaring(width: int, height: int) -> bytes:
    import struct

    data = bytearray(make_jpeg())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize("data, name, declared", [
    (_png_declaring(100_000, 100_000), "chart.png", ""),  # over twice Pillow's limit
    (_png_declaring(10_000, 10_000), "chart.png", " (10,000 × 10,000 pixels)"),  # just over it
    (_jpeg_declaring(60_000, 60_000), "photo.jpg", ""),
], ids=["png 100000x100000", "png 10000x10000", "jpeg 60000x60000"])
def test_a_picture_declaring_absurd_pixel_counts_is_refused_from_its_header(refused, data, name, declared):
    error = refused(data, name)
    assert error.code == "too_many_pixels"
    assert str(error) == (
        f"“{name}” is too large a picture{declared}: we can open pictures of up to 89 million pixels "
        "(width times height). Make it smaller, for example by resizing it, and upload it again.")


def test_a_photo_is_stored_without_camera_or_gps_data_and_still_the_right_way_up(upload, store):
    import hashlib

    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "Fonecam", "X200"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: turn 90 degrees to show
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 12.0, 3.0)}
    photo = make_jpeg(size=(40, 20), exif=exif)
    assert b"Fonecam" in photo

    blob, checked = upload(photo, "ward visit.jpg")
    key = store.commit(blob)
    with store.open(key) as f:
        stored = f.read()

    assert b"Fonecam" not in stored and b"X200" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert image.size == (20, 40)  # turned for good
    assert (blob.size, blob.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())


def test_a_pngs_text_and_exif_chunks_are_not_stored(upload, store):
    from PIL import Image, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "J. Witness, 4 Elm Road")
    buf = io.BytesIO()
    Image.new("RGB", (3, 3), (10, 20, 30)).save(buf, "PNG", pnginfo=text)
    blob, _ = upload(buf.getvalue(), "chart.png")
    stored = store.root.joinpath(store.commit(blob)).read_bytes()
    assert b"Elm Road" not in stored
    assert pixels(stored) == pixels(buf.getvalue())


# -- a full disk -----------------------------------------------------------------

def test_a_full_disk_refuses_the_upload_and_leaves_nothing(refused, monkeypatch):
    import errno

    from scrutiny import storage as storage_module

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_module.os, "fsync", no_space)  # after the bytes are written
    error = refused(make_pdf(), "evidence.pdf")
    assert error.code == "not_saved"
    assert str(error) == "We could not save your file “evidence.pdf”. Nothing was kept; please try again later."
