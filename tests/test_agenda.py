"""The agenda pack of an evidence session: the data of the agenda, the tagged
agenda built with WeasyPrint as the build job builds it, and the pack that
appends the session's presentations with pypdf (converting PowerPoint files
with LibreOffice when it is installed, listing them otherwise)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import time
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import render_template
from pypdf import PdfReader

from scrutiny.documents import agenda as agenda_module
from scrutiny.documents import render
from scrutiny.documents.agenda import agenda_context, agenda_problems, make_pack
from scrutiny.extensions import db
from tests.files import PPTX_TYPE, make_ooxml, make_zip

BUILT_ON = date(2026, 11, 25)
FIRST = "Evidence session 1: NHS services"
SECOND = "Evidence session 2: community voices"
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
CONFIDENTIAL_TITLE = "Maternity care and women from BAME backgrounds"
CONFIDENTIAL_FILE = "maternity-case-reviews.pdf"
MENTAL_HEALTH = "Mental health services and BAME communities"
MENTAL_HEALTH_FILE = "mental-health-services-presentation.pdf"
HAS_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))


# ---- helpers ----------------------------------------------------------------------------


def session_named(title):
    from scrutiny.sessions.models import EvidenceSession

    return db.session.query(EvidenceSession).filter_by(title=title).one()


def invitation_of(contact_name):
    from scrutiny.invitations.models import Invitation

    return db.session.query(Invitation).filter_by(contact_name=contact_name).one()


def context(app, title=FIRST, **kwargs):
    with app.app_context():
        return agenda_context(session_named(title), version=kwargs.get("version", 1),
                              built_on=kwargs.get("built_on", BUILT_ON))


def three_page_pdf(heading: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<h1>{heading}</h1><p>Slide one text</p>"
                                  "<p style='break-before: page'>Slide two text</p>"
                                  "<p style='break-before: page'>Slide three text</p>").write_pdf()


def real_pptx(title: str, lines: list[str]) -> bytes:
    """A one-slide PowerPoint file LibreOffice opens (tests.files.make_ooxml
    makes one that passes the upload check but has no slides to convert)."""
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pt = "application/vnd.openxmlformats-officedocument.presentationml"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    paras = "".join(f'<a:p><a:r><a:rPr lang="en-GB" sz="2400"/><a:t>{t}</a:t></a:r></a:p>' for t in [title, *lines])
    slide = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld xmlns:a="{a}" xmlns:r="{r}" '
             f'xmlns:p="{p}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
             '</p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr txBox="1"/>'
             '<p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="457200"/><a:ext cx="8229600" '
             'cy="4572000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>'
             f'<p:txBody><a:bodyPr/><a:lstStyle/>{paras}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>')
    return make_zip({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/ppt/presentation.xml" ContentType="{pt}.presentation.main+xml"/>'
            f'<Override PartName="/ppt/slides/slide1.xml" ContentType="{pt}.slide+xml"/></Types>').encode(),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}">'
                        f'<Relationship Id="rId1" Type="{r}/officeDocument" Target="ppt/presentation.xml"/>'
                        '</Relationships>').encode(),
        "ppt/presentation.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation xmlns:a="{a}" '
            f'xmlns:r="{r}" xmlns:p="{p}"><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
            '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>').encode(),
        "ppt/_rels/presentation.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}">'
            f'<Relationship Id="rId2" Type="{r}/slide" Target="slides/slide1.xml"/></Relationships>').encode(),
        "ppt/slides/slide1.xml": slide.encode(),
    })


def add_presentation(app, contact_name, title, files, *, session_title=FIRST, status="accepted",
                     confidential=False, kind="presentation"):
    """A presentation from a witness's invitation; files are (name, bytes, content type[, confidential])."""
    from scrutiny.evidence.models import Submission

    with app.app_context():
        invitation = invitation_of(contact_name)
        submission = Submission(topic_group=invitation.topic_group, invitation=invitation,
                                organisation=invitation.organisation, kind=kind, title=title, status=status,
                                confidential=confidential,
                                session=session_named(session_title) if session_title else None)
        for name, content, content_type, *secret in files:
            add_file(submission, name, content, content_type, confidential=bool(secret and secret[0]))
        db.session.add(submission)
        db.session.commit()


def add_file(submission, name, content, content_type, confidential=False):
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.storage import storage

    blob = storage().put_stream(io.BytesIO(content), max_bytes=len(content))
    submission.files.append(EvidenceFile(
        storage_key=storage().commit(blob), original_name=name, content_type=content_type,
        category="presentation", size=blob.size, sha256=blob.sha256, confidential=confidential))


def add_pptx(app, content=None, name="maternity-slides.pptx"):
    """The maternity lead's slides, filed against the first session."""
    add_presentation(app, "Maternity Services Lead", "Maternity services: what we have changed",
                     [(name, content or real_pptx("Maternity slides", ["Continuity of carer"]), PPTX_TYPE)])


def render_agenda(app, ctx) -> str:
    with app.test_request_context():
        return render_template("pdf/agenda.html", agenda=ctx, council_name=app.config["COUNCIL_NAME"],
                               brand_colour=app.config["BRAND_COLOUR"])


def build_agenda(app, ctx, target: Path) -> Path:
    """As the build job does: template, layout with the app's fetcher, tagged PDF."""
    fetcher = render.AssetOnlyFetcher()
    laid_out = render.layout(render_agenda(app, ctx), fetcher)
    render.write(laid_out, target, variant="pdf/ua-1")
    assert fetcher.refused == []
    return target


def build_pack(app, tmp_path, title=FIRST):
    """(context, agenda path, pack path, make_pack's result)."""
    ctx = context(app, title)
    agenda_pdf = build_agenda(app, ctx, tmp_path / "agenda.pdf")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "pack.pdf"
    with app.app_context():
        result = make_pack(agenda_pdf, session_named(title), out)
    return ctx, agenda_pdf, out, result


def texts(reader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def outline_pages(reader) -> list[tuple[str, int, int]]:
    """(title, depth, page number from 0) of every outline entry, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((item.title, depth, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def metadata_streams(reader) -> list[bytes]:
    """Every /Metadata stream in the file: the catalog's and any page's."""
    found = []
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        found.append(root["/Metadata"].get_object().get_data())
    for page in reader.pages:
        if "/Metadata" in page:
            found.append(page["/Metadata"].get_object().get_data())
    return found


def no_converter(monkeypatch):
    monkeypatch.setattr(agenda_module, "converter", lambda: None)


# ---- the context ------------------------------------------------------------------------


def test_the_context_lists_the_presenters_and_their_presentation_files(app, demo_case):
    ctx = context(app)
    assert ctx["council_name"] == app.config["COUNCIL_NAME"]
    assert ctx["group_title"] == "BAME Health Inequalities"
    assert ctx["title"] == f"Agenda: {FIRST}" and ctx["pack_title"] == f"Agenda pack: {FIRST}"
    s = ctx["session"]
    assert s["title"] == FIRST
    assert (s["day"], s["day_text"], s["time_text"]) == ("2021-05-12", "Wednesday 12 May 2021", "14:00 to 16:30")
    assert s["location"] == "County Hall, Hertford, and online" and s["online_url"] == ""
    assert ctx["agenda_markdown"].startswith("1. Welcome and introductions (the Chair)")
    # The three presenters in the order they present, each with their own presentation.
    assert [(w["organisation"], w["name"], w["presentations"]) for w in ctx["witnesses"]] == [
        ("Hertfordshire Partnership University NHS Foundation Trust", "Dr Samuel Adeyemi", [MENTAL_HEALTH]),
        ("Hertfordshire and West Essex Integrated Care Board", "Fiona Marsh", []),
        ("East and North Hertfordshire NHS Trust", "Maternity Services Lead", []),
    ]
    [p] = ctx["presentations"]
    assert (p["title"], p["organisation"], p["witness"], p["name"], p["format"], p["pages"], p["included"]) == (
        MENTAL_HEALTH, "Hertfordshire Partnership University NHS Foundation Trust", "Dr Samuel Adeyemi",
        MENTAL_HEALTH_FILE, "PDF", 1, True)
    assert re.fullmatch(r"[0-9a-f]{64}", p["sha256"])
    assert ctx["included"] == [MENTAL_HEALTH_FILE] and ctx["not_included"] == []
    # The second session has its own witness and presentation.
    second = context(app, SECOND)
    assert [(w["name"], w["presentations"]) for w in second["witnesses"]] == [
        ("Priya Shah", ["What residents told us about health services"])]
    assert second["included"] == ["healthwatch-community-voices.pdf"]
    assert second["session"]["location"] == "Online"


def test_which_presentations_belong_to_the_session(app, demo_case):
    """Accepted, and filed against the session or sent by one of its
    presenters with no session given; not drafts, not yet accepted, not set
    aside, not another session's, and never anything confidential."""
    add_presentation(app, "Fiona Marsh", "Diabetes slides", [("diabetes-slides.pdf", three_page_pdf("Diabetes"),
                                                             "application/pdf")], session_title=None)
    add_presentation(app, "Fiona Marsh", "Draft slides", [("draft.pdf", three_page_pdf("Draft"), "application/pdf")],
                     status="draft")
    add_presentation(app, "Fiona Marsh", "Set aside slides", [("aside.pdf", three_page_pdf("Aside"), "application/pdf")],
                     status="set_aside")
    add_presentation(app, "Fiona Marsh", "Unreviewed slides", [("unread.pdf", three_page_pdf("Unread"), "application/pdf")],
                     status="submitted")
    add_presentation(app, "Fiona Marsh", "Slides for the other session",
                     [("other.pdf", three_page_pdf("Other"), "application/pdf")], session_title=SECOND)
    add_presentation(app, "Fiona Marsh", "Data, not slides", [("data.pdf", three_page_pdf("Data"), "application/pdf")],
                     kind="data")
    add_presentation(app, "Maternity Services Lead", "Secret slides",
                     [("secret-slides.pdf", three_page_pdf("Secret"), "application/pdf")], confidential=True)
    add_presentation(app, "Maternity Services Lead", "Maternity slides",
                     [("maternity-public.pdf", three_page_pdf("Maternity"), "application/pdf"),
                      ("maternity-private-notes.pdf", three_page_pdf("Private"), "application/pdf", True)])
    ctx = context(app)
    assert ctx["included"] == [MENTAL_HEALTH_FILE, "diabetes-slides.pdf", "maternity-public.pdf"]
    assert [p["pages"] for p in ctx["presentations"]] == [1, 3, 3]
    assert [w["presentations"] for w in ctx["witnesses"]] == [[MENTAL_HEALTH], ["Diabetes slides"],
                                                              ["Maternity slides"]]
    dump = json.dumps(ctx)
    for hidden in ("Draft slides", "Set aside slides", "Unreviewed slides", "Slides for the other session",
                   "Data, not slides", "Secret slides", "secret-slides.pdf", "maternity-private-notes.pdf"):
        assert hidden not in dump
    with app.app_context():
        assert [s.title for s in agenda_module.awaiting_acceptance(session_named(FIRST))] == ["Unreviewed slides"]
    assert "other.pdf" in json.dumps(context(app, SECOND))


def test_confidential_evidence_never_appears(app, demo_case):
    from scrutiny.evidence.models import Submission

    dump = json.dumps(context(app), sort_keys=True)
    assert CONFIDENTIAL_TITLE not in dump and CONFIDENTIAL_FILE not in dump
    assert "case reviews" not in dump.lower()
    # Even as an accepted presentation filed against the session, it stays out.
    with app.app_context():
        maternity = db.session.query(Submission).filter_by(title=CONFIDENTIAL_TITLE).one()
        maternity.kind, maternity.status, maternity.session = "presentation", "accepted", session_named(FIRST)
        db.session.commit()
    dump = json.dumps(context(app), sort_keys=True)
    assert CONFIDENTIAL_TITLE not in dump and CONFIDENTIAL_FILE not in dump
    # Made public, but with its file still confidential: listed, its file not.
    with app.app_context():
        db.session.query(Submission).filter_by(title=CONFIDENTIAL_TITLE).one().confidential = False
        db.session.commit()
    ctx = context(app)
    assert CONFIDENTIAL_TITLE in json.dumps(ctx) and CONFIDENTIAL_FILE not in json.dumps(ctx)


def test_no_email_address_in_the_context(app, demo_case):
    with app.app_context():
        invitation_of("Fiona Marsh").contact_name = "fiona.marsh@icb.example"
        session = session_named(FIRST)
        session.agenda += "\n6. Questions in advance to [the clerk](mailto:clerk@council.example)"
        db.session.commit()
    dump = json.dumps(context(app), sort_keys=True)
    assert not EMAIL.search(dump), EMAIL.search(dump)
    assert "[e-mail address removed]" in dump


def test_the_context_is_plain_json_and_changes_when_a_file_does(app, demo_case):
    from scrutiny.evidence.models import EvidenceFile

    first, again = context(app), context(app)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert json.loads(json.dumps(first)) == first
    later = context(app, version=2, built_on=date(2027, 1, 2))
    assert {k for k in first if first[k] != later[k]} == {"version", "built_on", "date"}
    with app.app_context():
        db.session.query(EvidenceFile).filter_by(original_name=MENTAL_HEALTH_FILE).one().sha256 = "0" * 64
        db.session.commit()
    changed = context(app)
    assert {k for k in first if first[k] != changed[k]} == {"presentations"}


def test_problems(app, demo_case):
    with app.app_context():
        session = session_named(FIRST)
        assert agenda_problems(session) == []
        session.agenda, session.title = "  ", ""
        found = agenda_problems(session)
        db.session.rollback()
    assert len(found) == 2 and "no title" in found[0] and "no agenda" in found[1]


# ---- the agenda -------------------------------------------------------------------------


def test_the_agenda_html_is_structured(app, demo_case, monkeypatch):
    no_converter(monkeypatch)
    add_pptx(app)
    ctx = context(app)
    soup = BeautifulSoup(render_agenda(app, ctx), "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.title.get_text() == f"Agenda: {FIRST} – {app.config['COUNCIL_NAME']}"
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == [FIRST]
    assert [h.get_text(strip=True) for h in soup.find_all("h2")] == ["Agenda", "Witnesses",
                                                                     "Presentations in this pack"]
    assert len(soup.select("#agenda ol > li")) == 5  # the Markdown agenda, rendered
    table = soup.select_one("#witnesses table")
    assert table.caption and all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
    assert [th.get_text(strip=True) for th in table.select("tbody th")] == [w["organisation"] for w in ctx["witnesses"]]
    following = soup.select("#presentations ol li")
    assert len(following) == 1 and MENTAL_HEALTH_FILE in following[0].get_text()
    [left_out] = soup.select("#presentations ul li")
    assert "maternity-slides.pptx" in left_out.get_text()
    assert "Not included: PowerPoint file; download it separately" in left_out.get_text()
    text = soup.get_text(" ")
    assert "Wednesday 12 May 2021" in text and "14:00 to 16:30" in text and "County Hall, Hertford" in text
    assert not soup.find("img") and not soup.find("script") and not soup.find("link")
    assert CONFIDENTIAL_TITLE not in text and not EMAIL.search(text)


def test_the_online_link_is_shown(app, demo_case):
    with app.app_context():
        session_named(SECOND).online_url = "https://meet.example/j/123"
        db.session.commit()
    soup = BeautifulSoup(render_agenda(app, context(app, SECOND)), "html.parser")
    assert soup.find("a", href="https://meet.example/j/123")


def test_the_agenda_pdf_is_tagged(app, demo_case, tmp_path):
    ctx = context(app)
    reader = PdfReader(build_agenda(app, ctx, tmp_path / "agenda.pdf"))
    for number, page in enumerate(reader.pages, start=1):
        assert "/StructParents" in page, f"page {number} is outside the tag tree"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata["/Title"] == f"Agenda: {FIRST} – {app.config['COUNCIL_NAME']}"
    assert any(b"pdfuaid" in m for m in metadata_streams(reader))  # the agenda alone is PDF/UA
    text = " ".join(texts(reader))
    for name in ("Dr Samuel Adeyemi", "Fiona Marsh", "Maternity Services Lead", MENTAL_HEALTH,
                 "Welcome and introductions (the Chair)", "Wednesday 12 May 2021"):
        assert name in text, name


# ---- the pack -------------------------------------------------------------------------------


def test_the_pack_appends_each_presentation_after_the_agenda(app, either_store, demo_case, tmp_path):
    add_presentation(app, "Fiona Marsh", "Diabetes slides", [("diabetes-slides.pdf", three_page_pdf("Diabetes data"),
                                                             "application/pdf")], session_title=None)
    with app.app_context():
        session_named(FIRST).online_url = "https://meet.example/j/123"
        db.session.commit()
    ctx, agenda_pdf, out, result = build_pack(app, tmp_path)
    agenda_pages = len(PdfReader(agenda_pdf).pages)
    assert result["included"] == [MENTAL_HEALTH_FILE, "diabetes-slides.pdf"] == ctx["included"]
    assert result["skipped"] == []
    reader = PdfReader(out)
    assert len(reader.pages) == result["pages"] == agenda_pages + 1 + 3
    # Nothing left beside the pack: no temp file.
    assert [p.name for p in out.parent.iterdir()] == ["pack.pdf"]

    pages = texts(reader)
    assert "Witnesses" in " ".join(pages[:agenda_pages])
    assert MENTAL_HEALTH in pages[agenda_pages] and "Routes into care by ethnic group" in pages[agenda_pages]
    assert "Diabetes data" in pages[agenda_pages + 1] and "Slide three text" in pages[agenda_pages + 3]
    assert "Routes into care" not in " ".join(pages[:agenda_pages])

    outline = outline_pages(reader)
    top = [(title, page) for title, depth, page in outline if depth == 0]
    assert top == [("Agenda", 0),
                   (f"{MENTAL_HEALTH} – Hertfordshire Partnership University NHS Foundation Trust", agenda_pages),
                   ("Diabetes slides – Hertfordshire and West Essex Integrated Care Board", agenda_pages + 1)]
    # The agenda's own bookmarks sit under its entry.
    assert ("Witnesses", 2) in {(t, d) for t, d, _ in outline}

    # A convenience copy: it claims no PDF/UA conformance, but has a title and language.
    root = reader.trailer["/Root"]
    assert not any(b"pdfuaid" in m for m in metadata_streams(reader))
    assert "/Metadata" not in root and "/StructTreeRoot" not in root and "/MarkInfo" not in root
    assert not any("/StructParents" in page for page in reader.pages)
    links = [a.get_object() for a in reader.pages[0].get("/Annots") or []]
    assert [a["/A"]["/URI"] for a in links] == ["https://meet.example/j/123"]  # links still work
    assert not any("/StructParent" in a for a in links)
    assert reader.metadata["/Title"] == f"Agenda pack: {FIRST}"
    assert root["/Lang"] == "en" and root["/PageMode"] == "/UseOutlines"
    assert b"pdfuaid" not in out.read_bytes()


def test_a_powerpoint_file_is_converted_when_libreoffice_is_installed(app, either_store, demo_case, tmp_path):
    add_pptx(app)
    ctx, agenda_pdf, out, result = build_pack(app, tmp_path)
    agenda_pages = len(PdfReader(agenda_pdf).pages)
    reader = PdfReader(out)
    [pptx] = [p for p in ctx["presentations"] if p["name"] == "maternity-slides.pptx"]
    if HAS_SOFFICE:
        assert pptx["included"] and pptx["note"] == "converted to PDF for this pack"
        assert result["included"] == [MENTAL_HEALTH_FILE, "maternity-slides.pptx"] and result["skipped"] == []
        assert len(reader.pages) == agenda_pages + 1 + 1
        last = texts(reader)[-1]
        assert "Maternity slides" in last and "Continuity of carer" in last
        top = [(title, page) for title, depth, page in outline_pages(reader) if depth == 0]
        assert top[-1] == ("Maternity services: what we have changed – East and North Hertfordshire NHS Trust",
                           agenda_pages + 1)
        assert not any(b"pdfuaid" in m for m in metadata_streams(reader))
    else:
        assert not pptx["included"]
        assert result["skipped"] == [{"name": "maternity-slides.pptx",
                                      "reason": "Not included: PowerPoint file; download it separately"}]
        assert len(reader.pages) == agenda_pages + 1
    assert [p.name for p in out.parent.iterdir()] == ["pack.pdf"]


def test_without_libreoffice_a_powerpoint_file_is_listed_and_skipped(app, demo_case, tmp_path, monkeypatch):
    no_converter(monkeypatch)
    add_pptx(app)
    ctx, agenda_pdf, out, result = build_pack(app, tmp_path)
    reason = "Not included: PowerPoint file; download it separately"
    assert ctx["not_included"] == [{"name": "maternity-slides.pptx", "reason": reason}]
    assert result == {"pages": len(PdfReader(agenda_pdf).pages) + 1, "included": [MENTAL_HEALTH_FILE],
                      "skipped": [{"name": "maternity-slides.pptx", "reason": reason}]}
    agenda_text = " ".join(texts(PdfReader(agenda_pdf)))
    assert "maternity-slides.pptx" in agenda_text and reason in agenda_text
    assert [title for title, depth, _ in outline_pages(PdfReader(out)) if depth == 0] == [
        "Agenda", f"{MENTAL_HEALTH} – Hertfordshire Partnership University NHS Foundation Trust"]


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice is not installed")
def test_a_powerpoint_file_libreoffice_cannot_open_is_skipped(app, demo_case, tmp_path):
    add_pptx(app, content=make_ooxml("pptx"), name="empty.pptx")  # passes the upload check, has no slides
    ctx, agenda_pdf, out, result = build_pack(app, tmp_path)
    assert result["included"] == [MENTAL_HEALTH_FILE]
    [skipped] = result["skipped"]
    assert skipped["name"] == "empty.pptx"
    assert skipped["reason"].startswith("Not included: it could not be converted to PDF")
    assert len(PdfReader(out).pages) == len(PdfReader(agenda_pdf).pages) + 1


def test_a_conversion_that_hangs_is_stopped(app, demo_case, tmp_path, monkeypatch):
    """A converter that never finishes is killed with its children after the timeout."""
    pid_file = tmp_path / "child.pid"
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(agenda_module, "converter", lambda: str(script))
    monkeypatch.setitem(app.config, "AGENDA_CONVERT_TIMEOUT", 1)
    add_pptx(app)
    started = time.monotonic()
    _, _, out, result = build_pack(app, tmp_path)
    assert time.monotonic() - started < 30
    assert result["skipped"] == [{"name": "maternity-slides.pptx", "reason": "Not included: it could not be "
                                  "converted to PDF: LibreOffice took longer than 1 seconds; download it separately"}]
    assert out.exists()
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/stat").read_text().split(") ")[1][0]
        except FileNotFoundError:
            break
        if state == "Z":  # killed, not yet reaped by its new parent
            break
        time.sleep(0.05)
    else:
        pytest.fail("the converter's child process is still running")


def test_a_broken_presentation_pdf_is_skipped_with_its_reason(app, demo_case, tmp_path):
    broken = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ngarbage" + os.urandom(200)
    add_presentation(app, "Fiona Marsh", "Broken slides", [("broken.pdf", broken, "application/pdf")])
    ctx, agenda_pdf, out, result = build_pack(app, tmp_path)
    reason = "Not included: the file could not be read as a PDF; download it separately"
    assert ctx["not_included"] == [{"name": "broken.pdf", "reason": reason}]
    assert result["included"] == [MENTAL_HEALTH_FILE]
    assert result["skipped"] == [{"name": "broken.pdf", "reason": reason}]
    assert len(PdfReader(out).pages) == len(PdfReader(agenda_pdf).pages) + 1
    assert [p.name for p in out.parent.iterdir()] == ["pack.pdf"]


def test_a_failed_pack_leaves_no_file_and_no_temp(app, demo_case, tmp_path, monkeypatch):
    from pypdf import PdfWriter

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "pack.pdf"
    # An agenda that is not a PDF cannot be skipped: the pack fails.
    broken_agenda = tmp_path / "agenda.pdf"
    broken_agenda.write_bytes(b"%PDF-1.7\nnot really" + os.urandom(100))
    with app.app_context(), pytest.raises(Exception):
        make_pack(broken_agenda, session_named(FIRST), out)
    assert list(out_dir.iterdir()) == []

    # A failure half-way through writing leaves neither the pack nor its temp file.
    agenda_pdf = build_agenda(app, context(app), tmp_path / "good-agenda.pdf")

    real_write, written_to = PdfWriter.write, []

    def write_then_fail(self, stream):
        if not hasattr(stream, "name"):  # make_pack trying a presentation on its own
            return real_write(self, stream)
        written_to.append(Path(stream.name))
        stream.write(b"%PDF-1.7\n% half a file")
        raise OSError("disk full")

    monkeypatch.setattr(PdfWriter, "write", write_then_fail)
    with app.app_context(), pytest.raises(OSError, match="disk full"):
        make_pack(agenda_pdf, session_named(FIRST), out)
    assert list(out_dir.iterdir()) == []
    # The temp file was beside the pack and named after it (so a sweep of the
    # build's temp files, "build-<id>-*.pdf", would find it too).
    [temp] = written_to
    assert temp.parent == out_dir and temp.name.startswith("pack.") and temp.suffix == ".pdf"


def test_a_file_pypdf_fails_on_while_merging_is_skipped(app, demo_case, tmp_path, monkeypatch):
    from pypdf import PdfWriter

    add_presentation(app, "Fiona Marsh", "Diabetes slides", [("diabetes-slides.pdf", three_page_pdf("Diabetes data"),
                                                             "application/pdf")])
    real_append = PdfWriter.append

    def append(self, fileobj, outline_item=None, **kwargs):
        real_append(self, fileobj, outline_item=outline_item, **kwargs)  # half-added, then it fails
        if outline_item and outline_item.startswith("Diabetes slides"):
            raise KeyError("/Resources")

    monkeypatch.setattr(PdfWriter, "append", append)
    _, agenda_pdf, out, result = build_pack(app, tmp_path)
    assert result["included"] == [MENTAL_HEALTH_FILE]
    assert result["skipped"] == [{"name": "diabetes-slides.pdf", "reason": "Not included: the file could not be "
                                  "added (KeyError); download it separately"}]
    reader = PdfReader(out)
    assert len(reader.pages) == len(PdfReader(agenda_pdf).pages) + 1
    assert "Diabetes data" not in " ".join(texts(reader))


def test_a_witness_at_both_sessions_is_on_both_agendas(app, demo_case, tmp_path):
    """Fiona Marsh presents at the first session and, added later, at the second too."""
    from scrutiny.sessions.services import set_presenters

    with app.app_context():
        second = session_named(SECOND)
        set_presenters(second, [slot.invitation_id for slot in second.slots] + [invitation_of("Fiona Marsh").id])
    for title, names in ((FIRST, ["Dr Samuel Adeyemi", "Fiona Marsh", "Maternity Services Lead"]),
                         (SECOND, ["Priya Shah", "Fiona Marsh"])):
        ctx = context(app, title)
        assert [w["name"] for w in ctx["witnesses"]] == names
        text = " ".join(texts(PdfReader(build_agenda(app, ctx, tmp_path / "agenda.pdf"))))
        assert "Fiona Marsh" in text and "Hertfordshire and West Essex Integrated Care Board" in text
