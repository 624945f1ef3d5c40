"""The journey of issue 3, as a new user would take it: officer invites, the
e-mail arrives at a real SMTP server, its link opens the portal, the witness
uploads a PDF and a PPTX and submits, the receipt lists both with SHA-256."""
import hashlib
import io
import re
from datetime import date, timedelta

from bs4 import BeautifulSoup

from scrutiny.organisations.services import find_by_name
from tests.files import make_ooxml, make_pdf

GROUP = "adult-social-care-waiting-times"
LINK = re.compile(r"https?://\S+/portal/start/[A-Za-z0-9_-]+")


def invite(browser, app, email="jo@carers.example", send=True):
    with app.app_context():
        org_id = find_by_name("Carers in Northshire").id
    deadline = date.today() + timedelta(days=14)
    data = {"organisation_id": org_id, "contact_name": "Jo Carer", "contact_email": email,
            "questions": "How long do carers wait?\nWhat would help?",
            "deadline": [str(deadline.day), str(deadline.month), str(deadline.year)]}
    if send:
        data["send_now"] = "y"
    return browser.submit(f"/groups/{GROUP}/invitations/new", data)


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return LINK.search(text).group(0)


def open_link(browser, path: str):
    """Open an e-mailed link as a witness does: its page, then the button on it."""
    page = browser.get(path)
    assert page.status_code == 200 and "Open your evidence page" in page.text, page.text[:500]
    return browser.submit(path, {})


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_officer_invites_and_the_witness_sends_evidence_end_to_end(app, client, second_case, smtp, run_jobs):
    from tests.conftest import Browser

    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    response = invite(officer, app)
    assert response.status_code == 302
    assert smtp.messages == []  # nothing leaves before a worker sends it
    run_jobs()

    [message] = smtp.to("jo@carers.example")
    assert message["Subject"] == "Invitation to give evidence: Adult Social Care Waiting Times"
    assert message.get_body(("html",)) is not None
    text = message.get_body(("plain",)).get_content()
    assert "How long do carers wait?" in text and "Jo Carer" in text
    url = link_in(message)

    officer_list = officer.get(f"/groups/{GROUP}/invitations").text
    assert "Sent (1)" in officer_list

    witness = Browser(client)
    opened = open_link(witness, path_of(url))
    assert opened.status_code == 302
    landing = opened.headers["Location"]
    assert "/portal/start/" not in landing  # the token leaves the address bar at once
    page = witness.get(landing)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Evidence for Adult Social Care Waiting Times" in page.text
    assert "How long do carers wait?" in page.text

    started = witness.submit(f"{landing}/evidence", {}, form_page=landing)
    edit_url = started.headers["Location"]
    pdf, pptx = make_pdf(), make_ooxml("pptx")
    token = witness.get(edit_url)
    from tests.conftest import csrf_token

    saved = client.post(edit_url, data={
        "csrf_token": csrf_token(token.text), "title": "Carers' waiting times", "kind": "written",
        "summary": "Carers wait months.", "body": "## What we see\nLong waits.",
        "files": [(io.BytesIO(pdf), "waits.pdf"), (io.BytesIO(pptx), "slides.pptx")],
    }, content_type="multipart/form-data")
    assert saved.status_code == 302, BeautifulSoup(saved.text, "html.parser").select_one(".govuk-error-summary")
    draft = witness.get(edit_url).text
    assert "waits.pdf" in draft and "slides.pptx" in draft

    done = witness.submit(f"{edit_url}/submit", {"notice_confirmed": "y"}, follow=True)
    assert "Your evidence has been submitted" in done.text
    run_jobs()

    [receipt] = [m for m in smtp.to("jo@carers.example") if m["Subject"].strip().startswith("We have received")]
    receipt_text = receipt.get_body(("plain",)).get_content()
    for name, content in (("waits.pdf", pdf), ("slides.pptx", pptx)):
        assert name in receipt_text
        assert hashlib.sha256(content).hexdigest() in receipt_text

    assert "Evidence submitted (1)" in officer.get(f"/groups/{GROUP}/invitations").text

    library = BeautifulSoup(officer.get(f"/groups/{GROUP}/evidence").text, "html.parser")
    entry = library.find("a", string=re.compile("Carers' waiting times"))
    assert entry is not None, library.select_one("main").text
    evidence_page = officer.get(entry["href"]).text
    for name, content in (("waits.pdf", pdf), ("slides.pptx", pptx)):
        assert name in evidence_page
        assert hashlib.sha256(content).hexdigest() in evidence_page
