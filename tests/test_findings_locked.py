"""Once the chair signs the draft off, findings, recommendations and report
text are locked: every change is refused with the reason and the way to
reopen, and what was typed is shown back."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.findings.models import (
    Draft,
    DraftStatus,
    Finding,
    FindingEvidence,
    Recommendation,
    ReportSection,
)
from scrutiny.groups.services import get_group_by_slug
from tests.test_findings_editing import GROUP, evidence, soup, summary_text

BASE = f"/groups/{GROUP}"
REOPEN = f"/groups/{GROUP}/draft#reopen"


def sign_off(app):
    from scrutiny.auth.services import find_user

    with app.app_context():
        db.session.add(Draft(topic_group=get_group_by_slug(GROUP), number=1, status=DraftStatus.SIGNED_OFF,
                             signed_off_at=datetime(2027, 2, 1, 12), signed_off_by=find_user("chair@second.example")))
        db.session.commit()


def state(app):
    with app.app_context():
        return (
            [(f.number, f.title, f.text) for f in db.session.scalars(select(Finding).order_by(Finding.number))],
            [(r.number, r.text) for r in db.session.scalars(select(Recommendation))],
            [(s.kind, s.body, s.position) for s in db.session.scalars(select(ReportSection))],
            db.session.scalar(select(func.count()).select_from(FindingEvidence)),
        )


def test_every_change_is_refused_once_signed_off(app, browser, second_case):
    survey = evidence(app, "Carers' survey")
    with app.app_context():
        finding = db.session.scalar(select(Finding.id))
        rec = db.session.scalar(select(Recommendation.id))
        section = db.session.scalar(select(ReportSection.id))
        db.session.add(FindingEvidence(finding_id=finding, submission_id=survey))
        db.session.commit()
        link = db.session.scalar(select(FindingEvidence.id))
    browser.sign_in("lead@second.example")
    opened = browser.get(f"{BASE}/findings/{finding}/edit")  # before sign-off: the form is open
    sign_off(app)
    before = state(app)

    from tests.conftest import csrf_token

    token = csrf_token(opened.text)
    posts = [
        (f"{BASE}/findings/new", {"title": "New", "text": "Text"}),
        (f"{BASE}/findings/{finding}/edit", {"title": "Typed title", "text": "Typed after sign-off.", "version": "1"}),
        (f"{BASE}/findings/{finding}/delete", {}),
        (f"{BASE}/findings/{finding}/move", {"direction": "down"}),
        (f"{BASE}/findings/{finding}/evidence", {"submission_id": str(survey)}),
        (f"{BASE}/findings/{finding}/evidence/{link}", {"note": "p. 2"}),
        (f"{BASE}/findings/{finding}/evidence/{link}/remove", {}),
        (f"{BASE}/recommendations/new", {"text": "Something that should change", "addressee_ids": ["1"]}),
        (f"{BASE}/recommendations/{rec}/edit", {"text": "Changed", "addressee_ids": ["1"], "version": "1"}),
        (f"{BASE}/recommendations/{rec}/delete", {}),
        (f"{BASE}/recommendations/{rec}/move", {"direction": "up"}),
        (f"{BASE}/recommendations/{rec}/quality/measure", {"measure-reason": "Because"}),
        (f"{BASE}/recommendations/{rec}/quality/measure/withdraw", {}),
        (f"{BASE}/report-text/new/custom", {"title": "Extra", "body": "More"}),
        (f"{BASE}/report-text/{section}/edit", {"body": "Changed", "version": "1"}),
        (f"{BASE}/report-text/{section}/delete", {}),
        (f"{BASE}/report-text/{section}/move", {"direction": "down"}),
        (f"{BASE}/report-text/settings", {"committee": "Other", "version": "1"}),
    ]
    for url, data in posts:
        page = browser.client.post(url, data={"csrf_token": token, **data})
        assert page.status_code == 409, url
        assert "signed off by Councillor Tom Chairperson on 1 February 2027" in page.text, url
        assert soup(page).find("a", href=REOPEN), url
    assert state(app) == before

    # The refused edit shows the typed text back.
    page = browser.client.post(f"{BASE}/findings/{finding}/edit", data={
        "csrf_token": token, "title": "Typed title", "text": "Typed after sign-off.", "version": "1"})
    assert soup(page).select_one("#text").text.strip() == "Typed after sign-off."
    assert "locked" in summary_text(page)

    # Forms are not offered; lists say why and lose their buttons.
    page = browser.get(f"{BASE}/findings/{finding}/edit")
    assert page.status_code == 200 and soup(page).find("a", href=REOPEN) and not soup(page).select("form #text")
    for url in (f"{BASE}/findings/{finding}/delete", f"{BASE}/recommendations/{rec}/edit",
                f"{BASE}/report-text/{section}/edit", f"{BASE}/report-text/settings"):
        page = browser.get(url)
        assert soup(page).find("a", href=REOPEN) and not soup(page).select("main form"), url
    page = browser.get(f"{BASE}/findings")
    assert soup(page).find("a", href=REOPEN) and "Add a finding" not in page.text and "Move down" not in page.text
    for url in (f"{BASE}/recommendations", f"{BASE}/report-text"):
        page = browser.get(url)
        assert soup(page).find("a", href=REOPEN), url
        assert not soup(page).select("main form"), url
