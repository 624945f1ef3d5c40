"""Boxes whose text is formatted explain how in plain words, never by naming
"Markdown", which most witnesses and many officers have never heard of."""
from bs4 import BeautifulSoup

from tests.conftest import Browser
from tests.factories import make_invitation
from tests.test_invitations_journey import GROUP


def _said(html: str) -> str:
    main = BeautifulSoup(html, "html.parser").select_one("main")
    return " ".join(main.get_text(" ").split())


def _assert_plain_help(html: str, url: str) -> None:
    said = _said(html)
    assert "markdown" not in said.lower(), f"{url} says Markdown: {said[:300]}"
    help_ = BeautifulSoup(html, "html.parser").select_one("main details.govuk-details")
    assert help_ is not None, f"{url} has no formatting help"
    assert help_.summary.get_text(strip=True) == "Formatting help"
    text = " ".join(help_.get_text(" ").split())
    assert "Leave a blank line between paragraphs." in text, url
    assert "Start a line with “- ” (a dash and a space) for a bullet list" in text, url
    assert "Put two stars around words for bold" in text, url


def test_the_witness_and_the_staff_forms_explain_formatting_without_jargon(app, second_case, smtp, run_jobs):
    from tests.test_permissions import _make_session
    from tests.test_portal import _draft, _witness

    witness, public_id, landing, _ = _witness(app, smtp, run_jobs)
    draft = _draft(witness, landing)
    _assert_plain_help(witness.get(draft).text, draft)
    for url in (landing, f"{draft}/submit", "/portal/privacy-notice", "/portal/new-link"):
        assert "markdown" not in _said(witness.get(url).text).lower(), url

    session_id = _make_session(app, make_invitation(app, GROUP, "Carers in Northshire", email="s@x.example"))
    officer = Browser(app.test_client())
    officer.sign_in("lead@second.example")
    for url in ("/groups/new", f"/groups/{GROUP}/edit", f"/groups/{GROUP}/findings/new",
                f"/groups/{GROUP}/report-text/new/custom", f"/groups/{GROUP}/sessions/new",
                f"/groups/{GROUP}/sessions/{session_id}/record", f"/groups/{GROUP}/evidence/new"):
        page = officer.get(url)
        assert page.status_code == 200, url
        _assert_plain_help(page.text, url)
