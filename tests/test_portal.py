"""The witness portal: links, sessions, isolation, and every refusal of an upload."""
import io
import logging
import os
import zipfile
from datetime import date, timedelta

import boto3
from bs4 import BeautifulSoup
from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.invitations.models import Invitation
from tests.conftest import Browser, csrf_token
from tests.factories import make_invitation
from tests.test_invitations_journey import GROUP, link_in, open_link, path_of
from tests.files import PPTX_TYPE as PPTX, make_gif, make_ooxml, make_pdf, ooxml_entries, make_zip


def _send_link(app, run_jobs, public_id, kind="invitation"):
    from scrutiny.invitations import services

    with app.app_context():
        invitation = services.by_public_id(public_id)
        services.queue_email(invitation, kind)
    run_jobs()


def _witness(app, smtp, run_jobs, email="wit@carers.example", deadline=None):
    public_id = make_invitation(app, GROUP, "Carers in Northshire", email=email, deadline=deadline)
    _send_link(app, run_jobs, public_id)
    url = link_in(smtp.to(email)[-1])
    browser = Browser(app.test_client())
    landing = open_link(browser, path_of(url)).headers["Location"]
    return browser, public_id, landing, path_of(url)


def _draft(browser, landing):
    return browser.submit(f"{landing}/evidence", {}, form_page=landing).headers["Location"]


def _post_files(browser, edit_url, files, **fields):
    token = csrf_token(browser.get(edit_url).text)
    data = {"csrf_token": token, "title": "My evidence", "kind": "written", "summary": "Kept summary", **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return browser.client.post(edit_url, data=data, content_type="multipart/form-data")


def _stored_files(app):
    """Every file kept: on disk (temporary files included), and in the bucket
    when the app stores files there."""
    from scrutiny.storage import s3_client_options

    root = app.config["STORAGE_DIR"]
    found = [os.path.join(d, f) for d, _, names in os.walk(root) for f in names]
    if app.config["STORAGE_URL"]:
        bucket = app.config["STORAGE_URL"].removeprefix("s3://").split("/")[0]
        client = boto3.client("s3", **s3_client_options(app.config))
        found += [f"s3://{bucket}/{o['Key']}" for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
        found += [f"multipart:{u['Key']}" for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
    return found


def test_a_mail_scanner_opening_the_link_does_not_spend_it(app, second_case, smtp, run_jobs):
    """Scanners fetch every link on delivery; only the witness's button press spends it."""
    from scrutiny.invitations.models import PortalToken

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email="wit@carers.example")
    _send_link(app, run_jobs, public_id)
    start = path_of(link_in(smtp.to("wit@carers.example")[-1]))
    scanner = Browser(app.test_client())
    for _ in range(2):
        page = scanner.get(start)
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        assert soup.h1.get_text(strip=True) == "Open your evidence page"
        assert "Adult Social Care Waiting Times" in page.text and app.config["COUNCIL_NAME"] in page.text
        assert soup.select_one("main form[method=post] button").get_text(strip=True) == "Open your evidence page"
    assert scanner.get(f"/portal/invitations/{public_id}").status_code == 404  # a look opens nothing
    with app.app_context():
        assert db.session.scalar(select(PortalToken)).used_at is None
        assert db.session.scalar(select(Invitation)).status == "sent"

    witness = Browser(app.test_client())
    opened = open_link(witness, start)
    assert opened.status_code == 302 and opened.headers["Location"] == f"/portal/invitations/{public_id}"
    assert "Evidence for Adult Social Care Waiting Times" in witness.get(opened.headers["Location"]).text
    with app.app_context():
        assert db.session.scalar(select(PortalToken)).used_at is not None
        assert db.session.scalar(select(Invitation)).status == "opened"
    assert "This link has already been used" in scanner.get(start).text
    # The button without the page's CSRF token does nothing.
    assert Browser(app.test_client()).client.post(start).status_code == 400


def test_a_used_link_offers_a_new_one_and_the_new_one_works(app, second_case, smtp, run_jobs):
    browser, public_id, landing, start = _witness(app, smtp, run_jobs)
    stranger = Browser(app.test_client())
    page = stranger.get(start)
    assert page.status_code == 200
    assert "This link has already been used" in page.text
    assert stranger.get(landing).status_code == 404  # the used link gave the stranger nothing
    sent = stranger.submit("/portal/new-link", {"email": "WIT@carers.example"}, form_page=start)
    assert "Check your email" in sent.text
    run_jobs()
    new_url = link_in(smtp.to("wit@carers.example")[-1])
    assert smtp.to("wit@carers.example")[-1]["Subject"].strip().startswith("Your new link")
    assert open_link(stranger, path_of(new_url)).headers["Location"] == landing


def test_asking_for_a_link_for_an_unknown_address_says_the_same_and_sends_nothing(app, second_case, smtp, run_jobs):
    page = Browser(app.test_client()).submit("/portal/new-link", {"email": "nobody@x.example"})
    assert "Check your email" in page.text
    run_jobs()
    assert smtp.messages == []


def test_an_expired_link_is_refused(app, second_case, smtp, run_jobs):
    from scrutiny.invitations.models import PortalToken

    public_id = make_invitation(app, GROUP, "Carers in Northshire", email="old@x.example")
    _send_link(app, run_jobs, public_id)
    url = link_in(smtp.to("old@x.example")[-1])
    with app.app_context():
        for token in db.session.scalars(select(PortalToken)):
            token.expires_at = token.expires_at - timedelta(days=400)
        db.session.commit()
    page = Browser(app.test_client()).get(path_of(url))
    assert "This link has expired" in page.text
    assert "Email me a new link" in page.text


def test_a_made_up_link_is_refused(app, second_case):
    page = Browser(app.test_client()).get("/portal/start/" + "A" * 43)
    assert "This link does not work" in page.text


def test_link_expiry_follows_the_deadline_and_the_grace_period(app, second_case):
    from scrutiny.invitations import services

    public_id = make_invitation(app, GROUP, "Carers in Northshire", deadline=date(2031, 3, 10))
    with app.app_context():
        expiry = services.link_expiry(services.by_public_id(public_id))
    assert expiry.date() == date(2031, 3, 10) + timedelta(days=app.config["PORTAL_LINK_GRACE_DAYS"] + 1)


def test_tokens_are_long_random_and_stored_only_as_hashes(app, second_case, smtp, run_jobs):
    from scrutiny.invitations.models import PortalToken

    _, _, _, start = _witness(app, smtp, run_jobs)
    token = start.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits in URL-safe base64
    with app.app_context():
        stored = [t.token_hash for t in db.session.scalars(select(PortalToken))]
    assert token not in stored and len(stored[0]) == 64


def test_the_token_never_reaches_the_log(app, second_case, smtp, run_jobs, caplog):
    from scrutiny.redaction import RedactPortalTokens

    _, _, _, start = _witness(app, smtp, run_jobs)
    token = start.rsplit("/", 1)[1]
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s', (
        "127.0.0.1", f"GET {start} HTTP/1.1", "302"), None)
    assert RedactPortalTokens().filter(record)
    assert token not in record.getMessage() and "/portal/start/[redacted]" in record.getMessage()
    pressed = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(r)s %(s)s', None, None)
    pressed.args = {"r": f"POST {start} HTTP/1.1", "s": "302"}  # as gunicorn's access log passes them
    assert RedactPortalTokens().filter(pressed) and token not in pressed.getMessage()
    assert any(isinstance(f, RedactPortalTokens) for f in logging.getLogger("werkzeug").filters)


def test_withdrawing_ends_the_witness_session_at_once(app, second_case, smtp, run_jobs):
    browser, public_id, landing, _ = _witness(app, smtp, run_jobs)
    assert browser.get(landing).status_code == 200
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    officer.submit(f"/groups/{GROUP}/invitations/{public_id}/withdraw", {},
                   form_page=f"/groups/{GROUP}/invitations/{public_id}")
    assert browser.get(landing).status_code == 404
    assert "To open your evidence page, use the link" in browser.get("/portal/").text


def test_a_witness_never_sees_another_witnesses_invitation_draft_or_file(app, second_case, smtp, run_jobs):
    alice, _, alice_landing, _ = _witness(app, smtp, run_jobs, email="alice@x.example")
    bob, _, bob_landing, _ = _witness(app, smtp, run_jobs, email="bob@x.example")
    alice_draft = _draft(alice, alice_landing)
    assert _post_files(alice, alice_draft, [("a.pdf", make_pdf())]).status_code == 302
    soup = BeautifulSoup(alice.get(alice_draft).text, "html.parser")
    file_url = soup.find("a", string="a.pdf")["href"]
    for url in (alice_landing, alice_draft, file_url, f"{alice_draft}/submit"):
        response = bob.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text
    token = csrf_token(bob.get(bob_landing).text)
    assert bob.client.post(f"{file_url}/remove".replace("/files/", "/files/"), data={"csrf_token": token}
                           ).status_code in (404, 405)
    assert bob.client.post(alice_draft, data={"csrf_token": token, "title": "Hijack"}).status_code == 404
    assert alice.get(file_url).status_code == 200


def test_portal_ids_are_unguessable(app, second_case):
    public_id = make_invitation(app, GROUP, "Carers in Northshire")
    assert len(public_id) >= 22 and not public_id.isdigit()


def test_the_witness_answers_and_a_decline_needs_a_reason(app, second_case, smtp, run_jobs):
    browser, public_id, landing, _ = _witness(app, smtp, run_jobs)
    page = browser.submit(f"{landing}/respond", {"response": "decline", "decline_reason": ""}, form_page=landing)
    assert "Tell us why you cannot give evidence" in page.text
    page = browser.submit(f"{landing}/respond", {"response": "decline", "decline_reason": "No capacity"},
                          form_page=landing, follow=True)
    assert "You said you cannot give evidence" in page.text
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))
        assert (invitation.status, invitation.decline_reason) == ("declined", "No capacity")


def test_a_witness_saves_a_draft_and_comes_back_to_it(app, second_case, smtp, run_jobs):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    form = BeautifulSoup(browser.get(draft).text, "html.parser")
    home_care = form.find("label", string=lambda s: s and s.strip() == "Home care")["for"]
    theme_id = form.select_one(f"#{home_care}")["value"]
    assert _post_files(browser, draft, [], body="Half written", theme_ids=[theme_id]).status_code == 302
    soup = BeautifulSoup(browser.get(draft).text, "html.parser")
    assert soup.select_one("#body").text.strip() == "Half written"
    assert soup.select_one(f"#{home_care}").has_attr("checked")
    assert "Draft, not sent yet" in browser.get(landing).text


def test_after_the_deadline_a_draft_can_no_longer_be_changed(app, second_case, smtp, run_jobs):
    browser, public_id, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))
        invitation.deadline = date.today() - timedelta(days=1)
        db.session.commit()
    page = browser.get(draft)
    assert "was not submitted before the deadline" in page.text
    assert "Add evidence" not in browser.get(landing).text


# ---- refusals: each names the file and why; the form is kept; storage stays clean ----

def _refusal(app, smtp, run_jobs, files, **limits):
    saved = {k: app.config[k] for k in limits}
    app.config.update(limits)
    try:
        browser, _, landing, _ = _witness(app, smtp, run_jobs)
        draft = _draft(browser, landing)
        page = _post_files(browser, draft, files)
    finally:
        app.config.update(saved)
    soup = BeautifulSoup(page.text, "html.parser")
    return page, soup, browser, draft


def _assert_refused(page, soup, name, words, app):
    assert page.status_code == 200
    summary = soup.select_one(".govuk-error-summary").text
    assert f"“{name}”" in summary, summary
    for word in words:
        assert word in summary, (word, summary)
    assert soup.select_one("#summary").text.strip() == "Kept summary"  # the rest of the form is kept
    assert soup.select_one("#title")["value"] == "My evidence"


def test_a_gif_renamed_as_pdf_is_refused_and_nothing_is_stored(app, second_case, smtp, run_jobs, either_store):
    page, soup, *_ = _refusal(app, smtp, run_jobs, [("report.pdf", make_gif())])
    _assert_refused(page, soup, "report.pdf", ["GIF", "which we cannot accept"], app)
    assert _stored_files(app) == []


def test_a_powerpoint_named_pdf_is_kept_as_a_powerpoint_and_downloads_as_one(app, second_case, smtp, run_jobs, either_store):
    from scrutiny.evidence.models import EvidenceFile

    browser, public_id, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    pptx = make_ooxml("pptx")
    saved = _post_files(browser, draft, [("slides.pdf", pptx)], kind="presentation")
    assert saved.status_code == 302
    kept = _stored_files(app)  # one file, in the store the app is set to use, no temporary one left
    assert len(kept) == 1 and kept[0].startswith("s3://" if either_store == "s3" else app.config["STORAGE_DIR"])
    page = BeautifulSoup(browser.get(saved.headers["Location"]).text, "html.parser")
    banner = " ".join(page.select_one(".govuk-notification-banner").get_text(" ").split())
    assert "“slides.pdf” is a PowerPoint presentation, so we have stored it as one." in banner
    link = page.find("a", string="slides.pdf")  # the list shows the name as the witness gave it
    assert "Downloads as “slides.pptx”" in link.find_parent("td").text
    response = browser.get(link["href"])
    assert response.headers["Content-Type"] == PPTX
    assert response.headers["Content-Disposition"] == "attachment; filename=slides.pptx"
    assert response.data == pptx
    with app.app_context():
        stored = db.session.scalar(select(EvidenceFile))
        assert (stored.original_name, stored.content_type, stored.category, stored.named_as) == (
            "slides.pdf", PPTX, "presentation", "application/pdf")
        assert stored.page_count is None  # not read as a PDF

    browser.submit(f"{draft}/submit", {"notice_confirmed": "y"})
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    with app.app_context():
        file_id = db.session.scalar(select(EvidenceFile)).public_id
    download = officer.get(f"/groups/{GROUP}/evidence/files/{file_id}")
    assert download.headers["Content-Disposition"] == "attachment; filename=slides.pptx"


def test_a_witness_who_goes_straight_to_check_is_still_told_a_file_was_stored_as_what_it_is(
        app, second_case, smtp, run_jobs):
    browser, public_id, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    saved = _post_files(browser, draft, [("slides.pdf", make_ooxml("pptx"))], kind="presentation", check="y")
    assert saved.headers["Location"].endswith("/submit")
    page = BeautifulSoup(browser.get(saved.headers["Location"]).text, "html.parser")
    banner = " ".join(page.select_one(".govuk-notification-banner").get_text(" ").split())
    assert "“slides.pdf” is a PowerPoint presentation, so we have stored it as one." in banner


def test_an_oversized_file_is_refused(app, second_case, smtp, run_jobs, either_store):
    page, soup, *_ = _refusal(app, smtp, run_jobs, [("big.pdf", make_pdf() + b"0" * 5000)], MAX_UPLOAD_BYTES=2048)
    _assert_refused(page, soup, "big.pdf", ["2 KB"], app)
    assert _stored_files(app) == []


def test_a_macro_enabled_document_is_refused(app, second_case, smtp, run_jobs):
    entries = ooxml_entries("docx")
    entries["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macros"
    page, soup, *_ = _refusal(app, smtp, run_jobs, [("budget.docx", make_zip(entries))])
    _assert_refused(page, soup, "budget.docx", ["macros"], app)
    assert _stored_files(app) == []


def test_a_zip_bomb_is_refused(app, second_case, smtp, run_jobs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in ooxml_entries("pptx").items():
            zf.writestr(name, data)
        with zf.open("ppt/media/huge.bin", "w") as entry:
            chunk = b"\0" * (1 << 20)
            for _ in range(40):
                entry.write(chunk)
    page, soup, *_ = _refusal(app, smtp, run_jobs, [("deck.pptx", buffer.getvalue())],
                              MAX_INFLATED_BYTES=10 * 1024 * 1024)
    _assert_refused(page, soup, "deck.pptx", [], app)
    assert _stored_files(app) == []


def test_one_bad_file_does_not_lose_the_good_ones(app, second_case, smtp, run_jobs, either_store):
    page, soup, browser, draft = _refusal(app, smtp, run_jobs, [("good.pdf", make_pdf()), ("bad.pdf", b"hello")])
    _assert_refused(page, soup, "bad.pdf", [], app)
    files = [a.text for a in BeautifulSoup(browser.get(draft).text, "html.parser").select("tbody a")]
    assert files == ["good.pdf"]
    assert len(_stored_files(app)) == 1


def test_path_like_names_are_kept_only_as_plain_names(app, second_case, smtp, run_jobs):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    response = _post_files(browser, draft, [("../../etc/passwd.pdf", make_pdf()),
                                            ("/var/tmp/.\x07slides.pptx", make_ooxml("pptx"))])
    assert response.status_code == 302
    names = [a.text for a in BeautifulSoup(browser.get(draft).text, "html.parser").select("tbody a")]
    assert names == ["passwd.pdf", "slides.pptx"]
    stored = _stored_files(app)
    assert len(stored) == 2
    root = os.path.realpath(app.config["STORAGE_DIR"])
    for path in stored:
        assert os.path.realpath(path).startswith(root + os.sep)
        assert "passwd" not in path and "slides" not in path


def test_downloads_are_attachments_with_the_stored_type(app, second_case, smtp, run_jobs, either_store):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    _post_files(browser, draft, [("deck.pptx", make_ooxml("pptx"))])
    link = BeautifulSoup(browser.get(draft).text, "html.parser").find("a", string="deck.pptx")["href"]
    response = browser.get(link)
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == make_ooxml("pptx")


def test_a_pdfs_pages_are_counted_when_it_is_uploaded(app, second_case, smtp, run_jobs):
    """Counted once, at upload, so building documents need not open the file."""
    from scrutiny.evidence.models import EvidenceFile
    from tests.test_agenda import three_page_pdf

    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    _post_files(browser, draft, [("slides.pdf", three_page_pdf("Waiting lists")), ("data.csv", b"a,b\n1,2\n")])
    with app.app_context():
        counted = {f.original_name: f.page_count for f in db.session.scalars(select(EvidenceFile))}
    assert counted == {"slides.pdf": 3, "data.csv": None}


def test_submitting_without_content_is_refused(app, second_case, smtp, run_jobs):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    page = browser.submit(f"{draft}/submit", {"notice_confirmed": "y"})
    assert "Add a summary, your written evidence or at least one file" in page.text


def test_a_request_over_the_total_limit_gets_a_plain_page(app, second_case, smtp, run_jobs):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        page = _post_files(browser, draft, [("huge.pdf", make_pdf() + b"0" * (2 * 1024 * 1024))])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    assert page.status_code == 413
    assert "The files are too large" in page.text and "less than 1 MB" in page.text
    assert _stored_files(app) == []


def test_a_presentation_is_filed_against_the_witnesses_session(app, second_case, smtp, run_jobs):
    from tests.test_permissions import _make_session

    browser, public_id, landing, _ = _witness(app, smtp, run_jobs)
    session_id = _make_session(app, public_id)
    draft = _draft(browser, landing)
    assert _post_files(browser, draft, [("deck.pptx", make_ooxml("pptx"))], kind="presentation").status_code == 302
    with app.app_context():
        from scrutiny.evidence.models import Submission

        submission = db.session.scalar(select(Submission))
        assert submission.session.public_id == session_id
    page = browser.get(landing).text
    assert "Hearing" in page and "Add to your calendar (.ics)" in page
    calendar = BeautifulSoup(page, "html.parser").find("a", string="Add to your calendar (.ics)")["href"]
    response = browser.get(calendar)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"SUMMARY:Adult Social Care Waiting Times: Hearing" in response.data.replace(b"\r\n ", b"")


# ---- the privacy and publication notice, confirmed before submitting ----

def _ready_to_submit(app, smtp, run_jobs):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    assert _post_files(browser, draft, [], body="Carers wait months.").status_code == 302
    return browser, draft


def test_submitting_without_confirming_the_notice_is_refused_and_the_draft_kept(app, second_case, smtp, run_jobs):
    from scrutiny.evidence.models import Submission

    browser, draft = _ready_to_submit(app, smtp, run_jobs)
    page = browser.submit(f"{draft}/submit", {})
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.title.text.startswith("Error: ")
    summary = soup.select_one(".govuk-error-summary")
    assert summary.find("a", href="#notice_confirmed").get_text(strip=True) == \
        "Confirm you have read the privacy and publication notice"
    assert "Confirm you have read the privacy and publication notice" in soup.select_one(".govuk-error-message").text
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        assert (submission.status, submission.notice_confirmed_at) == ("draft", None)
        assert submission.body == "Carers wait months."
    run_jobs()
    assert not [m for m in smtp.messages if m["Subject"].strip().startswith("We have received")]


def test_the_notice_is_shown_and_its_confirmation_recorded(app, second_case, smtp, run_jobs):
    import hashlib

    from scrutiny.evidence.models import Submission

    browser, draft = _ready_to_submit(app, smtp, run_jobs)
    soup = BeautifulSoup(browser.get(f"{draft}/submit").text, "html.parser")
    notice = soup.select_one(".app-notice")
    said = " ".join(notice.get_text(" ").split())
    for words in ("What we publish", "What stays confidential", "Who sees your evidence", "How long we keep it",
                  f"{app.config['COUNCIL_NAME']} keeps your evidence and your contact details for "
                  "six years after the review ends"):
        assert words in said, words
    assert soup.find("label", string=lambda s: s and "I have read the privacy and publication notice" in s)
    form = BeautifulSoup(browser.get(draft).text, "html.parser")
    assert form.find("a", string=lambda s: s and s.startswith("privacy and publication notice"))["href"] == \
        "/portal/privacy-notice"

    done = browser.submit(f"{draft}/submit", {"notice_confirmed": "y"}, follow=True)
    assert "Your evidence has been submitted" in done.text
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        assert submission.status == "submitted" and submission.notice_confirmed_at is not None
    with app.test_request_context():
        from scrutiny.portal.notice import privacy_notice

        shown = str(privacy_notice())
    assert "What stays confidential" in shown
    assert submission.notice_sha256 == hashlib.sha256(shown.encode()).hexdigest()


def test_the_council_writes_its_own_notice(app, second_case, smtp, run_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_PRIVACY_NOTICE",
                        "# Our promise\n\n{council_name} publishes evidence on its website for {retention}.")
    monkeypatch.setitem(app.config, "EVIDENCE_RETENTION", "ten years")
    browser, draft = _ready_to_submit(app, smtp, run_jobs)
    notice = BeautifulSoup(browser.get(f"{draft}/submit").text, "html.parser").select_one(".app-notice")
    assert notice.h3.text == "Our promise"
    assert f"{app.config['COUNCIL_NAME']} publishes evidence on its website for ten years." in notice.text
    assert "What stays confidential" not in notice.text
    page = BeautifulSoup(browser.get("/portal/privacy-notice").text, "html.parser")
    assert page.h1.text == "Privacy and publication notice" and page.h2.text == "Our promise"


# ---- limits that must hold when requests arrive together ----

def _clients_of(app, browser, count):
    """Test clients sharing the witness's session, one per thread."""
    clients = []
    for _ in range(count):
        client = app.test_client()
        for cookie in browser.client._cookies.values():
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        clients.append(client)
    return clients


def _all_at_once(calls):
    """Run each call in its own thread, released together; their results in order."""
    import threading

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_thirty_uploads_at_once_to_one_draft_keep_only_twenty_files(app, second_case, smtp, run_jobs):
    from sqlalchemy import func

    from scrutiny.evidence.models import EvidenceFile

    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    token = csrf_token(browser.get(draft).text)
    pdf = make_pdf()

    def upload(client, i):
        data = {"csrf_token": token, "title": "My evidence", "kind": "written", "summary": "Kept summary",
                "files": [(io.BytesIO(pdf), f"part {i}.pdf")]}
        return lambda: client.post(draft, data=data, content_type="multipart/form-data")

    responses = _all_at_once([upload(c, i) for i, c in enumerate(_clients_of(app, browser, 30))])

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 20
    assert len(_stored_files(app)) == 20  # the refused ten left nothing behind
    assert sorted(r.status_code for r in responses) == [200] * 10 + [302] * 20
    for page in (r for r in responses if r.status_code == 200):
        summary = BeautifulSoup(page.text, "html.parser").select_one(".govuk-error-summary").text
        assert "was not added: a piece of evidence can have at most 20 files" in summary


def test_pressing_add_evidence_forty_times_at_once_makes_one_draft(app, second_case, smtp, run_jobs):
    from scrutiny.evidence.models import Submission

    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    token = csrf_token(browser.get(landing).text)

    def add(client):
        return lambda: client.post(f"{landing}/evidence", data={"csrf_token": token})

    responses = _all_at_once([add(c) for c in _clients_of(app, browser, 40)])

    assert {r.status_code for r in responses} == {302}
    assert len({r.headers["Location"] for r in responses}) == 1  # all sent to the same draft
    with app.app_context():
        assert len(db.session.scalars(select(Submission)).all()) == 1


def test_a_started_draft_is_kept_and_add_evidence_starts_another_up_to_the_limit(app, second_case, smtp, run_jobs):
    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    first = _draft(browser, landing)
    assert _post_files(browser, first, []).status_code == 302  # given a title: no longer untouched
    second = _draft(browser, landing)
    assert second != first and _draft(browser, landing) == second  # the untouched one is reopened

    saved = app.config["MAX_DRAFTS_PER_INVITATION"]
    app.config["MAX_DRAFTS_PER_INVITATION"] = 2
    try:
        assert _post_files(browser, second, []).status_code == 302
        page = browser.submit(f"{landing}/evidence", {}, form_page=landing, follow=True)
    finally:
        app.config["MAX_DRAFTS_PER_INVITATION"] = saved
    assert "You already have 2 drafts that are not submitted yet." in page.text


def test_a_full_disk_keeps_nothing_and_says_to_try_again(app, second_case, smtp, run_jobs, monkeypatch):
    import errno

    from scrutiny import storage as storage_module
    from scrutiny.evidence.models import EvidenceFile

    browser, _, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_module.os, "fsync", no_space)  # the bytes written, then the disk is full
    page = _post_files(browser, draft, [("evidence.pdf", make_pdf())])
    monkeypatch.undo()

    soup = BeautifulSoup(page.text, "html.parser")
    _assert_refused(page, soup, "evidence.pdf", ["We could not save your file", "Nothing was kept; please try "
                                                 "again later."], app)
    with app.app_context():
        assert db.session.scalars(select(EvidenceFile)).all() == []
    assert _stored_files(app) == []


def test_an_office_file_that_loads_a_template_from_outside_is_refused(app, second_case, smtp, run_jobs):
    entries = ooxml_entries("docx")
    entries["word/_rels/settings.xml.rels"] = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/attachedTemplate" Target="http://198.51.100.7/t.dotm" TargetMode="External"/>'
        b'</Relationships>')
    page, soup, *_ = _refusal(app, smtp, run_jobs, [("statement.docx", make_zip(entries))])
    _assert_refused(page, soup, "statement.docx", ["loads something from outside the file"], app)
    assert _stored_files(app) == []
