"""Active content in a witness's PDF (scripts, actions that run by
themselves, commands that launch programs, links out, attached files) never
reaches anyone else: not the copy staff download, not the agenda pack (even
for a file stored before uploads were cleaned). And a presentation joins a
pack only once an officer has accepted it."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pikepdf
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import select

from scrutiny.demo.files import simple_pdf
from scrutiny.extensions import db
from tests.conftest import Browser, csrf_token
from tests.test_invitations_journey import GROUP
from tests.test_portal import _draft, _post_files, _witness

WITNESS_TEXT = "Carers wait months for an assessment"
SECOND_PAGE_TEXT = "Second page of the slides"


# ---- a hostile PDF, and a walk that finds what it carries -----------------------------


def _js(pdf, code: str):
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript,
                                                JS=pikepdf.String(code)))


def _link(pdf, rect, **fields):
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                                Rect=pikepdf.Array(rect), Border=pikepdf.Array([0, 0, 0]),
                                                **fields))


def hostile_pdf(heading: str = "Waiting lists", text: str = WITNESS_TEXT) -> bytes:
    """Two pages of real text, carrying everything a viewer might run: a
    document /OpenAction script, a named script, a page-open (/AA) script, a
    link that runs a script, a /Launch link, a web (/URI) link, an embedded
    file in the names tree and as an attachment annotation; and one link
    within the document (GoTo the second page) that must survive."""
    with pikepdf.open(io.BytesIO(simple_pdf(heading, [text]))) as pdf, \
            pikepdf.open(io.BytesIO(simple_pdf("Page two", [SECOND_PAGE_TEXT]))) as page_two:
        pdf.pages.append(page_two.pages[0])
        first, second = pdf.pages[0], pdf.pages[1]
        pdf.Root.OpenAction = _js(pdf, "app.alert('opened')")
        embedded = pikepdf.Stream(pdf, b"MZ not really a program")
        embedded.Type = pikepdf.Name.EmbeddedFile
        filespec = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("run.exe"),
                                                        EF=pikepdf.Dictionary(F=pdf.make_indirect(embedded))))
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), _js(pdf, "this.print()")])),
            EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("run.exe"), filespec])))
        first.obj.AA = pikepdf.Dictionary(O=_js(pdf, "app.launchURL('https://evil.example/')"))
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        first.obj.Annots = pdf.make_indirect(pikepdf.Array([
            _link(pdf, [50, 700, 200, 720], A=_js(pdf, "app.alert('clicked')")),
            _link(pdf, [50, 660, 200, 680], A=launch),
            _link(pdf, [50, 620, 200, 640], A=pikepdf.Dictionary(S=pikepdf.Name.URI,
                                                                 URI=pikepdf.String("https://evil.example/"))),
            _link(pdf, [50, 580, 200, 600], A=pikepdf.Dictionary(
                S=pikepdf.Name.GoTo, D=pikepdf.Array([second.obj, pikepdf.Name.Fit]))),
            pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
                                                 Rect=pikepdf.Array([300, 700, 320, 720]), FS=filespec)),
        ]))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def active_content(data: bytes) -> set[str]:
    """Every kind of active content anywhere in the file (all its objects, reachable or not)."""
    found = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        names = pdf.Root.get("/Names")
        if names is not None:
            found |= {str(k) for k in names.keys() if k in ("/JavaScript", "/EmbeddedFiles")}
        if "/OpenAction" in pdf.Root:
            found.add("/OpenAction")
        for obj in pdf.objects:
            stack = [obj]
            while stack:
                item = stack.pop()
                if isinstance(item, pikepdf.Array):
                    stack.extend(i for i in item if isinstance(i, pikepdf.Object) and not i.is_indirect)
                elif isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
                    for key in item.keys():
                        if key in ("/JS", "/AA", "/EF", "/EmbeddedFiles", "/JavaScript"):
                            found.add(str(key))
                        value = item.get(key)
                        if key == "/S" and value in ("/JavaScript", "/Launch", "/URI", "/GoToR", "/GoToE",
                                                     "/SubmitForm", "/ImportData"):
                            found.add(str(value))
                        if key == "/Subtype" and value == "/FileAttachment":
                            found.add("/FileAttachment")
                        if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) and not value.is_indirect:
                            stack.append(value)
    return found


def internal_links(data: bytes) -> int:
    """Links that go to a page of the same document."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(1 for page in pdf.pages for a in page.obj.get("/Annots", [])
                   if a.get("/Subtype") == "/Link" and a.get("/A", {}).get("/S") == "/GoTo")


def text_of(data: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_the_hostile_pdf_carries_everything_the_checks_look_for():
    """The test's own file: if this fails, the tests below prove nothing."""
    data = hostile_pdf()
    assert active_content(data) >= {"/JavaScript", "/EmbeddedFiles", "/OpenAction", "/JS", "/AA", "/EF",
                                    "/Launch", "/URI", "/FileAttachment"}
    assert WITNESS_TEXT in text_of(data) and internal_links(data) == 1


# ---- at upload ------------------------------------------------------------------------


def test_a_witnesss_pdf_is_stored_without_scripts_launches_links_out_or_attachments(
        app, second_case, smtp, run_jobs, either_store):
    from scrutiny.evidence.models import EvidenceFile

    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    saved = _post_files(browser, draft, [("slides.pdf", hostile_pdf())], kind="presentation")
    assert saved.status_code == 302
    # The witness is told what the copy the council keeps no longer has.
    banner = BeautifulSoup(browser.get(saved.headers["Location"]).text, "html.parser")
    told = " ".join(banner.select_one(".govuk-notification-banner").get_text(" ").split())
    assert "“slides.pdf”" in told and "script" in told and "embedded file" in told and "link to a web page" in told
    browser.submit(f"{draft}/submit", {"notice_confirmed": "y"})

    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    with app.app_context():
        stored = db.session.scalar(select(EvidenceFile))
        file_id, size, sha256, pages = stored.public_id, stored.size, stored.sha256, stored.page_count
    download = officer.get(f"/groups/{GROUP}/evidence/files/{file_id}")
    assert download.status_code == 200
    data = download.data
    assert active_content(data) == set()
    # The pages and the link within the document are still there.
    assert WITNESS_TEXT in text_of(data) and SECOND_PAGE_TEXT in text_of(data)
    assert pages == len(PdfReader(io.BytesIO(data)).pages) == 2
    assert internal_links(data) == 1
    # What the row says is what is stored.
    assert (size, sha256) == (len(data), hashlib.sha256(data).hexdigest())


def _opens_at_its_first_page() -> bytes:
    """An ordinary PDF as word processors write them: it opens at page 1, fitted (a view, not an action)."""
    with pikepdf.open(io.BytesIO(simple_pdf("Waiting lists", [WITNESS_TEXT]))) as pdf:
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def test_an_ordinary_pdf_is_kept_byte_for_byte(app, second_case, smtp, run_jobs):
    from scrutiny.evidence.models import EvidenceFile

    plain = _opens_at_its_first_page()
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    saved = _post_files(browser, draft, [("plain.pdf", plain)])
    banner = BeautifulSoup(browser.get(saved.headers["Location"]).text, "html.parser")
    assert " ".join(banner.select_one(".govuk-notification-banner").get_text(" ").split()) == \
        "Success Your draft is saved and added 1 file. It is not submitted yet."
    with app.app_context():
        stored = db.session.scalar(select(EvidenceFile))
        assert stored.sha256 == hashlib.sha256(plain).hexdigest()


def test_an_officer_recording_a_pdf_for_a_witness_stores_it_clean(app, second_case):
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.storage import storage

    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    form_page = f"/groups/{GROUP}/evidence/new"
    token = csrf_token(officer.get(form_page).text)
    page = officer.client.post(form_page, content_type="multipart/form-data", data={
        "csrf_token": token, "received_via": "email", "given_by": "A carer", "kind": "written",
        "title": "Sent by e-mail", "files": [(io.BytesIO(hostile_pdf()), "emailed.pdf")]})
    assert page.status_code == 302, page.text
    with app.app_context():
        stored = db.session.scalar(select(EvidenceFile))
        with storage().open(stored.storage_key) as fh:
            data = fh.read()
        assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert active_content(data) == set() and WITNESS_TEXT in text_of(data)


def test_a_pdf_that_cannot_be_opened_to_be_checked_is_refused(app, second_case, smtp, run_jobs):
    from tests.test_portal import _stored_files

    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    page = _post_files(browser, draft, [("mangled.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)])
    assert page.status_code == 200
    assert "“mangled.pdf” could not be opened to check it is safe to share" in " ".join(page.text.split())
    assert _stored_files(app) == []


# ---- the agenda pack ------------------------------------------------------------------


def _session_with_presenter(app, invitation_public_id) -> str:
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.invitations.services import by_public_id
    from scrutiny.sessions.models import EvidenceSession, SessionSlot

    with app.app_context():
        invitation = by_public_id(invitation_public_id)
        session = EvidenceSession(topic_group=get_group_by_slug(GROUP), title="Hearing",
                                  agenda="1. Welcome\n2. Carers' evidence",
                                  starts_at=datetime(2026, 12, 1, 10), ends_at=datetime(2026, 12, 1, 12),
                                  slots=[SessionSlot(invitation=invitation)])
        db.session.add(session)
        db.session.commit()
        return session.public_id


def _stored_before(app, invitation_public_id, title, content, status) -> str:
    """A presentation whose file went straight into storage, as files stored
    before uploads were cleaned did."""
    from scrutiny.evidence.models import EvidenceFile, Submission
    from scrutiny.invitations.services import by_public_id
    from scrutiny.storage import storage

    with app.app_context():
        invitation = by_public_id(invitation_public_id)
        blob = storage().put_stream(io.BytesIO(content), max_bytes=len(content))
        submission = Submission(topic_group=invitation.topic_group, invitation=invitation,
                                organisation=invitation.organisation, kind="presentation", title=title,
                                status=status, submitted_at=datetime(2026, 11, 1))
        submission.files.append(EvidenceFile(storage_key=storage().commit(blob), original_name=f"{title}.pdf",
                                             content_type="application/pdf", category="presentation",
                                             size=blob.size, sha256=blob.sha256))
        db.session.add(submission)
        db.session.commit()
        return submission.public_id


def _build_pack(officer, session_id, run_jobs) -> tuple[bytes, BeautifulSoup]:
    officer.submit(f"/groups/{GROUP}/sessions/{session_id}/agenda-pack", {}, form_page=f"/groups/{GROUP}/documents")
    run_jobs()
    soup = BeautifulSoup(officer.get(f"/groups/{GROUP}/documents").text, "html.parser")
    row = soup.select_one(f"#agenda-{session_id}")
    _, pack_link = [a["href"] for a in row.select("a[href$='/download']")]
    return officer.get(pack_link).data, row


def test_the_agenda_pack_has_no_active_content_and_only_accepted_presentations(
        app, second_case, smtp, run_jobs):
    from tests.factories import make_invitation

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email="wit@carers.example")
    session_id = _session_with_presenter(app, public_id)
    _stored_before(app, public_id, "Accepted slides", hostile_pdf("Accepted slides"), "accepted")
    waiting = _stored_before(app, public_id, "Unreviewed slides",
                             hostile_pdf("Unreviewed slides", "Not yet read by an officer"), "submitted")
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")

    pack, row = _build_pack(officer, session_id, run_jobs)
    assert active_content(pack) & {"/JavaScript", "/JS", "/Launch", "/AA", "/EF", "/EmbeddedFiles",
                                   "/OpenAction", "/FileAttachment"} == set()
    text = text_of(pack)
    assert WITNESS_TEXT in text and SECOND_PAGE_TEXT in text  # the accepted presentation's pages
    assert "Not yet read by an officer" not in text
    # The documents page says what was left out, and why.
    left_out = " ".join(row.get_text(" ").split())
    assert "Unreviewed slides" in left_out and "not yet accepted" in left_out
    assert row.find("a", string="Unreviewed slides")["href"].endswith(f"/evidence/{waiting}")

    # Once accepted, it joins the pack: cleaned as well.
    review_page = f"/groups/{GROUP}/evidence/{waiting}"
    officer.submit(f"{review_page}/review", {"decision": "accepted"}, form_page=review_page)
    pack, row = _build_pack(officer, session_id, run_jobs)
    assert "Not yet read by an officer" in text_of(pack)
    assert active_content(pack) & {"/JavaScript", "/JS", "/Launch", "/AA", "/EF", "/EmbeddedFiles",
                                   "/OpenAction", "/FileAttachment"} == set()
    assert "not yet accepted" not in " ".join(row.get_text(" ").split())


def test_pdfs_stored_before_cleaning_are_cleaned_in_place_by_a_command(app, second_case, smtp, run_jobs):
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.storage import storage
    from tests.factories import make_invitation

    invitation = make_invitation(app, GROUP, "Carers in Northshire", email="slides@carers.example")
    _stored_before(app, invitation, "Old slides", hostile_pdf(), "accepted")
    _stored_before(app, invitation, "Plain slides", simple_pdf("Plain", ["Nothing active here."]), "accepted")
    with app.app_context():
        old_keys = {f.original_name: f.storage_key for f in db.session.scalars(select(EvidenceFile))}

    result = app.test_cli_runner().invoke(args=["evidence", "clean-pdfs"])
    assert result.exit_code == 0, result.output
    assert "2 PDFs checked, 1 stored again without active content." in result.output

    with app.app_context():
        files = {f.original_name: f for f in db.session.scalars(select(EvidenceFile))}
        old, plain = files["Old slides.pdf"], files["Plain slides.pdf"]
        data = storage().open(old.storage_key).read()
        assert active_content(data) == set() and "Waiting lists" in text_of(data)
        # The row describes what downloads serve, and the old copy is gone.
        assert (old.size, old.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert not storage().exists(old_keys["Old slides.pdf"])
        assert plain.storage_key == old_keys["Plain slides.pdf"]
    again = app.test_cli_runner().invoke(args=["evidence", "clean-pdfs"])
    assert "2 PDFs checked, 0 stored again" in again.output
