"""Officers add evidence a witness gave another way (by e-mail, by post,
orally at a session): with its files and who gave it, marked as added by
the officer, into the same review as evidence from the portal."""
from __future__ import annotations

import io
import os

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.extensions import db
from tests.conftest import Browser, csrf_token
from tests.factories import make_invitation
from tests.files import make_pdf
from tests.test_pages_accessibility import check_page

GROUP = "adult-social-care-waiting-times"
LIBRARY = f"/groups/{GROUP}/evidence"
NEW = f"{LIBRARY}/new"
OFFICER = "lead@second.example"
OFFICER_NAME = "Priya Lead-Officer"
CARERS = "Carers in Northshire"


def _soup(page):
    return BeautifulSoup(page.text, "html.parser")


def _errors(page) -> dict[str, str]:
    return {a["href"]: " ".join(a.text.split()) for a in _soup(page).select(".govuk-error-summary a")}


def _rows(node) -> dict[str, str]:
    return {r.dt.text.strip(): " ".join(r.dd.text.split()) for r in node.select(".govuk-summary-list__row")}


def _submissions(app) -> list:
    """The group's evidence (the demo case beside it has its own)."""
    from scrutiny.evidence.models import Submission
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        return [(s.title, s.status, s.received_via) for s in db.session.scalars(
            select(Submission).where(Submission.topic_group_id == get_group_by_slug(GROUP).id))]


def _stored_files(app) -> list[str]:
    root = app.config["STORAGE_DIR"]
    return [os.path.join(d, f) for d, _, names in os.walk(root) for f in names]


def _today(app) -> str:
    from scrutiny.clock import today

    with app.app_context():
        return f"{today():%-d %B %Y}"


def _session(app, invitation):
    """A session, "Hearing", with the invitation's witness presenting: its id, as the form offers it."""
    from scrutiny.sessions.models import EvidenceSession
    from tests.test_permissions import _make_session

    public_id = _make_session(app, invitation)
    with app.app_context():
        return str(db.session.scalar(select(EvidenceSession.id).where(EvidenceSession.public_id == public_id)))


def _choice(app, invitation):
    """The invitation as the form offers it: its row id (a GOV.UK select lower-cases public ids)."""
    from scrutiny.invitations.services import by_public_id

    with app.app_context():
        return str(by_public_id(invitation).id)


def _add(browser, files=(), **fields):
    """Post the form as an officer's browser would, multipart with files."""
    token = csrf_token(browser.get(NEW).text)
    data = {"csrf_token": token, "kind": "written", **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    browser.page = browser.client.post(NEW, data=data, content_type="multipart/form-data")
    return browser.page


@pytest.fixture
def witness(app, second_case):
    return make_invitation(app, GROUP, CARERS, email="wendy@carers.example", name="Wendy Witness")


def test_an_officer_adds_oral_evidence_given_at_a_session_with_a_pdf(app, browser, witness):
    session = _session(app, witness)
    browser.sign_in(OFFICER)
    form = browser.get(NEW)
    assert form.status_code == 200
    check_page(form.text, NEW)
    page = _add(browser, files=[("notes of the hearing.pdf", make_pdf())], received_via="oral",
                invitation=_choice(app, witness), session=session, title="What Wendy told the hearing",
                summary="Carers wait months for an assessment.", body="She said **nobody calls back**.")
    assert page.status_code == 302, _errors(page)
    shown = browser.get(page.headers["Location"])
    received = f"Added by {OFFICER_NAME} on {_today(app)}, received orally at an evidence session " \
               f"from Wendy Witness (Hearing)"
    rows = _rows(_soup(shown))
    assert rows["Received"] == received
    assert rows["Organisation"] == CARERS and rows["Status"].startswith("Submitted")
    assert "notes of the hearing.pdf" in shown.text
    check_page(shown.text, page.headers["Location"])

    # In the library, marked as the officer's, beside witnesses' evidence; councillors see it too.
    library = browser.get(LIBRARY)
    card = _soup(library).select_one(".govuk-summary-card")
    assert card.select_one(".govuk-summary-card__title").text.strip() == "What Wendy told the hearing"
    assert _rows(card)["Received"] == received and _rows(card)["Files"] == "1"
    browser.sign_out()
    browser.sign_in("member@second.example")
    assert _rows(_soup(browser.get(page.headers["Location"])))["Received"] == received

    from scrutiny.evidence.models import Submission
    from scrutiny.outbox.models import Email

    with app.app_context():
        stored = db.session.scalar(select(Submission))
        assert (stored.status, stored.received_via, stored.added_by.email, stored.given_by) == \
            ("submitted", "oral", OFFICER, "")
        assert stored.submitted_at is not None and stored.session.title == "Hearing"
        assert [(f.original_name, f.content_type, f.page_count) for f in stored.files] == \
            [("notes of the hearing.pdf", "application/pdf", 1)]
        # The witness has given evidence, so reminders stop; no receipt is sent for it.
        assert stored.invitation.status == "evidence_submitted"
        assert db.session.scalar(select(func.count()).select_from(Email)
                                 .where(Email.kind == "acknowledgement")) == 0


def test_without_an_invitation_it_names_who_gave_it_and_their_organisation(app, browser, second_case):
    from scrutiny.organisations.services import find_by_name

    with app.app_context():
        org = find_by_name(CARERS).id
    browser.sign_in(OFFICER)
    page = _add(browser, received_via="post", organisation=str(org), title="A letter from a carer",
                body="Dear councillors, ...")
    assert _errors(page) == {"#given_by": "Enter who gave the evidence, as there is no invitation"}
    assert _soup(page).select_one("#title")["value"] == "A letter from a carer"
    assert _submissions(app) == []

    page = _add(browser, received_via="post", organisation=str(org), given_by="Sam Patel, carer",
                title="A letter from a carer", body="Dear councillors, ...")
    assert page.status_code == 302, _errors(page)
    rows = _rows(_soup(browser.get(page.headers["Location"])))
    assert rows["Received"] == f"Added by {OFFICER_NAME} on {_today(app)}, received by post from Sam Patel, carer"
    assert rows["Organisation"] == CARERS


def test_a_bad_file_is_refused_by_name_the_typed_text_is_kept_and_nothing_is_stored(app, browser, witness):
    browser.sign_in(OFFICER)
    page = _add(browser, files=[("slides.pdf", make_pdf()), ("minutes.pdf", b"not a pdf at all")],
                received_via="email", invitation=_choice(app, witness), kind="data", title="Figures by e-mail",
                summary="Sent after the meeting.", body="See the attached.", given_by="Wendy's deputy")
    assert page.status_code == 200
    errors = _errors(page)
    assert list(errors) == ["#files"] and "minutes.pdf" in errors["#files"]
    soup = _soup(page)
    assert soup.title.text.startswith("Error: ")
    assert soup.select_one("#title")["value"] == "Figures by e-mail"
    assert soup.select_one("#given_by")["value"] == "Wendy's deputy"
    assert soup.select_one("#summary").text.strip() == "Sent after the meeting."
    assert soup.select_one("#body").text.strip() == "See the attached."
    assert soup.select_one("input[name=received_via][checked]")["value"] == "email"
    assert soup.select_one("input[name=kind][checked]")["value"] == "data"
    assert soup.select_one("#invitation option[selected]")["value"] == _choice(app, witness)
    # The good file is named, to be chosen again: nothing was half-added.
    assert "slides.pdf" in soup.select_one("#files-to-choose-again").text
    check_page(page.text, NEW)
    assert _submissions(app) == []
    assert _stored_files(app) == []
    from scrutiny.invitations.services import by_public_id

    with app.app_context():
        assert by_public_id(witness).status == "sent"


def test_every_missing_or_foreign_choice_is_named_at_once(app, browser, witness, demo_case):
    other_groups = make_invitation(app, demo_case, CARERS, email="x@carers.example")
    browser.sign_in(OFFICER)
    page = _add(browser, received_via="oral", invitation="", kind="poetry", title=" ")
    assert _errors(page) == {
        "#given_by": "Enter who gave the evidence, as there is no invitation",
        "#session": "Choose the evidence session where it was given",
        "#kind": "Choose what kind of evidence this is",
        "#title": "Enter a title for the evidence",
        "#body": "Add a summary, the written evidence or at least one file",
    }
    page = _add(browser, received_via="pigeon", invitation=_choice(app, other_groups), session="nope", title="T", body="B",
                themes=["999999"])
    assert _errors(page) == {
        "#received_via": "Choose how the evidence came",
        "#invitation": "Choose a witness invited by this topic group, or no invitation",
        "#session": "Choose one of this topic group's evidence sessions",
        "#themes": "Choose only themes of this topic group",
    }
    assert _submissions(app) == []


def test_councillors_cannot_add_evidence_and_see_no_button(app, browser, second_case):
    browser.sign_in("member@second.example")
    assert "Add evidence received another way" not in browser.get(LIBRARY).text
    assert browser.client.get(NEW).status_code == 403
    token = csrf_token(browser.get(LIBRARY).text)
    response = browser.client.post(NEW, data={"csrf_token": token, "received_via": "post", "given_by": "Me",
                                              "kind": "written", "title": "Sneaky", "body": "x"})
    assert response.status_code == 403
    assert _submissions(app) == []
    browser.sign_out()
    browser.sign_in(OFFICER)
    assert "Add evidence received another way" in browser.get(LIBRARY).text


def test_added_evidence_is_accepted_in_review_and_a_finding_can_rest_on_it(app, browser, witness):
    from scrutiny.evidence.models import Submission
    from scrutiny.findings.models import Finding

    browser.sign_in(OFFICER)
    page = _add(browser, received_via="post", invitation=_choice(app, witness), title="Posted survey", summary="Survey results.")
    url = page.headers["Location"]
    public_id = url.rsplit("/", 1)[1]
    page = browser.submit(f"{url}/review", {"decision": "accepted", "officer_summary": "Useful."}, form_page=url)
    assert page.status_code == 302
    with app.app_context():
        submission = db.session.scalar(select(Submission).where(Submission.public_id == public_id))
        assert submission.status == "accepted"
        finding = db.session.scalar(select(Finding).where(Finding.title == "Waits for assessments have doubled"))
        submission_id, finding_id = submission.id, finding.id
    findings = f"/groups/{GROUP}/findings"
    page = browser.submit(f"{findings}/{finding_id}/evidence", {"submission_id": str(submission_id), "note": "p2"},
                          form_page=f"{findings}/{finding_id}/edit")
    assert page.status_code == 302
    with app.app_context():
        assert [lk.submission.title for lk in db.session.get(Finding, finding_id).evidence_links] == ["Posted survey"]


def test_the_witness_sees_it_read_only_as_added_by_the_scrutiny_team(app, second_case, smtp, run_jobs):
    from tests.test_portal import _witness

    witness_browser, invitation, landing, _ = _witness(app, smtp, run_jobs, email="wendy@carers.example")
    officer = Browser(app.test_client())
    officer.sign_in(OFFICER)
    page = _add(officer, files=[("letter.pdf", make_pdf())], received_via="post", invitation=_choice(app, invitation),
                given_by="Wendy's colleague", title="Our letter", summary="What we see.")
    assert page.status_code == 302, _errors(page)
    _add(officer, received_via="email", given_by="Someone else", title="Not Wendy's", body="x")
    run_jobs()
    assert len(smtp.to("wendy@carers.example")) == 1  # the invitation only: no receipt

    mine = witness_browser.get(landing)
    rows = [" ".join(r.text.split()) for r in _soup(mine).select("table tbody tr")]
    assert rows == [f"Our letter 1 Added by the scrutiny team {_today(app)}"]
    item = witness_browser.get(_soup(mine).select_one("table tbody a")["href"])
    assert f"The scrutiny team added this evidence for you on {_today(app)}" in item.text
    assert "Wendy's colleague" not in item.text and f"Added by {OFFICER_NAME}" not in item.text
    assert _soup(item).select("form textarea, form input[type=file]") == []
    assert "letter.pdf" in item.text


def test_the_library_page_queries_do_not_grow_with_recorded_evidence(app, browser, witness, make_user):
    """Who added each piece, whom it came from and at which session are loaded
    with the list, not one piece at a time."""
    from tests.queries import queries_for

    session = _session(app, witness)
    browser.sign_in(OFFICER)

    def add(n, start):
        for i in range(start, start + n):
            other = make_invitation(app, GROUP, CARERS, email=f"w{i}@carers.example", name=f"Witness {i}")
            browser.sign_out()
            browser.sign_in(make_user("officer"))
            page = _add(browser, received_via=("oral", "post")[i % 2], invitation=_choice(app, other),
                        session=session if i % 2 == 0 else "", title=f"Evidence {i}", body="text")
            assert page.status_code == 302, _errors(page)

    add(2, 0)
    before = queries_for(app, browser.client, LIBRARY)
    add(6, 2)
    page = browser.get(LIBRARY)
    assert page.text.count("Added by Officer Person") == 8 and page.text.count("(Hearing)") == 4
    assert queries_for(app, browser.client, LIBRARY) == before
