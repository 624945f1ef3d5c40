"""A published review's public pages, signed out: the scope, the report
(PDF and web page), the cleared evidence and its files (never the withheld
or confidential), the responses only once published, the group's latest
judgements, a withdrawn review's 410 notice; every response cacheable
(ETag, 304, public max-age) and never carrying or varying by a cookie."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from scrutiny.auth.services import find_user
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.responses import judgements
from tests.factories import submit_response
from tests.test_letters import SECOND, SOCIAL_CARE, second, signed_in  # noqa: F401
from tests.test_publication import PAGE, add_evidence, build_report, clear, publish
from tests.test_responses_sending import ready, send, text

REVIEW = f"/reviews/{SECOND}"


@pytest.fixture
def published(app, second, run_jobs):  # noqa: F811 - the fixture imported above
    evidence = add_evidence(app)
    ready(app, run_jobs)
    build_report(app, run_jobs)
    clear(app, evidence["shown"])
    clear(app, evidence["withheld"], "withhold")
    assert publish(signed_in(app)).status_code == 302
    return evidence


def no_cookie(response):
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_the_public_page_shows_the_review_and_only_the_cleared_evidence(app, client, published):
    page = client.get(REVIEW)
    assert page.status_code == 200
    shown = text(page)
    assert "Adult Social Care Waiting Times" in shown
    assert "care assessments" in page.text and "<strong>care assessments</strong>" in page.text  # Markdown
    assert "Final report published on" in shown
    assert f'href="{REVIEW}/report.pdf"' in page.text and f'href="{REVIEW}/report"' in page.text
    assert "What carers told us" in shown and "From Carers in Northshire" in shown
    assert "carers-survey.csv" in shown
    assert "A family's story" not in shown and "Told in the family's words" not in shown  # withheld
    assert "Case reviews in confidence" not in shown and "Names of people" not in shown  # confidential
    assert "Publish waiting times for assessments every month." in shown
    assert "will be published here once they are received" in shown
    assert "Final report published" in shown.split("Updates")[-1]
    # Nothing of the staff's: no account, no officer's name, no e-mail address.
    assert "Sign out" not in shown and "Priya Lead-Officer" not in shown and "@" not in shown


def test_the_report_and_the_files_download_signed_out(app, client, published):
    pdf = client.get(f"{REVIEW}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Adult Social Care Waiting Times" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    no_cookie(pdf)
    assert pdf.headers["Cache-Control"].startswith("public") and pdf.headers["ETag"]
    assert client.get(f"{REVIEW}/report.pdf", headers={"If-None-Match": pdf.headers["ETag"]}).status_code == 304

    file = client.get(f"{REVIEW}/files/{published['file']}")
    assert file.status_code == 200 and file.data == b"area,weeks\nNorth,14\n"
    assert "max-age=3600" in file.headers["Cache-Control"] and "public" in file.headers["Cache-Control"]
    no_cookie(file)
    assert client.get(f"{REVIEW}/files/{published['file']}",
                      headers={"If-None-Match": file.headers["ETag"]}).status_code == 304
    assert client.get(f"{REVIEW}/files/not-a-file").status_code == 404

    web = client.get(f"{REVIEW}/report")
    assert web.status_code == 200
    assert "Recommendations" in text(web) and "Waits for assessments have doubled" in text(web)
    assert "Draft" not in text(web)


def test_pages_are_cacheable_and_never_touch_a_session(app, client, published):
    page = client.get(REVIEW)
    assert page.headers["Cache-Control"] == "public, max-age=300"
    etag = page.headers["ETag"]
    no_cookie(page)
    again = client.get(REVIEW, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    no_cookie(again)
    # The same page, the same ETag and body (its CSP nonce comes from the ETag, so a
    # revalidated cached page still matches the header that comes with the 304).
    second_look = client.get(REVIEW)
    assert second_look.headers["ETag"] == etag and second_look.data == page.data
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in page.text
    # A signed-in officer's cookie is neither read nor refreshed here.
    officer = signed_in(app)
    seen = officer.client.get(REVIEW)
    assert seen.status_code == 200 and seen.headers["ETag"] == etag
    no_cookie(seen)
    # A change to what the page shows changes its ETag.
    with app.app_context():
        get_group_by_slug(SECOND).scope += "\n\nUpdated scope."
        db.session.commit()
    changed = client.get(REVIEW, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_responses_and_judgements_appear_once_the_responses_are_published(app, client, published, smtp,
                                                                           run_jobs):
    send(signed_in(app))
    run_jobs()
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("partially_accepted", "Monthly figures need a new system.",
                                                   [("Publish quarterly waits first", "Head of Assessments",
                                                     date.today() + timedelta(days=90))])})
    with app.app_context():
        group = get_group_by_slug(SECOND)
        judgements.record([judgements.Proposed(group.recommendations[0], "amber", "Quarterly only so far.")],
                          find_user("lead@second.example"))
    before = text(client.get(REVIEW))
    assert "Monthly figures need a new system." not in before
    assert "Amber" in before and "Quarterly only so far." in before  # the group's judgement, with its date
    assert f"judgement, on {date.today().strftime('%-d %B %Y')}" in before

    officer = signed_in(app)
    assert officer.submit(f"{PAGE}/publish-responses", {}, form_page=PAGE).status_code == 302
    after = text(client.get(REVIEW))
    assert "Partially accepted, responded on" in after
    assert "Monthly figures need a new system." in after
    assert "Publish quarterly waits first (Planned; Head of Assessments; by" in after
    assert "Dana Director" not in after and "dana@org.example" not in after  # who signed it stays in the PDF
    assert "No response received yet: due by" in after  # the trust, asked and not yet answered
    assert "Responses from 1 organisation published" in after.split("Updates")[-1]


def test_a_withdrawn_review_is_gone_with_its_reason(app, client, published):
    officer = signed_in(app)
    officer.submit(f"{PAGE}/withdraw", {"reason": "A witness asked us to correct their evidence."}, form_page=PAGE)
    for url in (REVIEW, f"{REVIEW}/report", f"{REVIEW}/report.pdf", f"{REVIEW}/files/{published['file']}"):
        page = client.get(url)
        assert page.status_code == 410, url
        shown = text(page)
        assert "This review was withdrawn from publication on" in shown
        assert "A witness asked us to correct their evidence." in shown
        assert "What carers told us" not in shown
        no_cookie(page)


def test_an_unpublished_or_unknown_review_is_not_found(app, client, second):  # noqa: F811
    for url in (REVIEW, f"{REVIEW}/report", f"{REVIEW}/report.pdf", "/reviews/no-such-review"):
        page = client.get(url)
        assert page.status_code == 404
        no_cookie(page)


def test_the_demo_is_published_with_its_history(app, client, demo_case):
    page = client.get(f"/reviews/{demo_case}")
    assert page.status_code == 200
    shown = text(page)
    assert "What residents told us about health services" in shown
    assert "Maternity care and women from BAME backgrounds" not in shown.split("Recommendations")[0]  # confidential
    assert "responded on" in shown
    updates = shown.split("Updates")[-1]
    assert "14 September 2021 : Final report published" in updates
    assert "Responses from 6 organisations published" in updates
    assert "22 March 2022 : 6-month review: judgements recorded" in updates
