"""The tracker of every group as a PDF: a council-wide document (it belongs
to no topic group) built through the documents pipeline by officers, with
each tracked group's recommendations, their group, decisions and judgements."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from scrutiny.extensions import db
from tests.conftest import csrf_token
from tests.test_pages_accessibility import check_page
from tests.test_tracker import ASC, CARERS, GROUP, monitored, ref, text_of

LIBRARIES = "Northshire Libraries Trust"
SECOND_TITLE = "Library Opening Hours"
SECOND_SLUG = "library-opening-hours"


def libraries_group(app) -> str:
    """A second tracked group of our own: its letter went to the Libraries
    Trust, which accepted recommendation 1 (one action, judged Green) and
    did not accept recommendation 2 ("The buildings are leased")."""
    from scrutiny.auth.services import find_user
    from scrutiny.findings.models import Recommendation
    from scrutiny.groups.models import TopicGroup
    from scrutiny.organisations.services import save_organisation
    from scrutiny.responses import judgements, references
    from scrutiny.responses.models import RecommendationResponse, ResponseAction, ResponseRequest

    today = date.today()
    with app.app_context():
        trust = save_organisation(None, name=LIBRARIES, kind="voluntary_community", contact_name="Lee Librarian",
                                  contact_role="Chief Executive", postal_address="2 Book Lane\nNorthtown")
        group = TopicGroup(title=SECOND_TITLE, slug=SECOND_SLUG, scope="Opening hours of the county's libraries.")
        first = Recommendation(topic_group=group, number=1, text="Open every library on Saturday afternoons.",
                               addressees=[trust])
        second = Recommendation(topic_group=group, number=2, text="Publish each library's footfall each quarter.",
                                addressees=[trust])
        db.session.add_all([group, first, second])
        db.session.flush()
        code = references.fix_code(group, date(2026, 11, 1))
        request = ResponseRequest(topic_group=group, organisation=trust,
                                  sent_at=datetime.combine(today - timedelta(days=50), time(9)),
                                  due_on=today - timedelta(days=10),
                                  submitted_at=datetime.combine(today - timedelta(days=12), time(15)),
                                  submitted_by_name="Lee Librarian")
        db.session.add(request)
        db.session.flush()
        db.session.add_all([
            RecommendationResponse(request=request, recommendation=first, decision="accepted", actions=[
                ResponseAction(description="Agree Saturday rotas", owner_role="Head of Libraries", position=0,
                               target_date=date(2027, 5, 1), original_target_date=date(2027, 5, 1),
                               progress_status="on_track", progress_on=today - timedelta(days=4))]),
            RecommendationResponse(request=request, recommendation=second, decision="not_accepted",
                                   reason="The buildings are leased."),
        ])
        db.session.commit()
        judgements.record([judgements.Proposed(first, "green", "Rotas in place")],
                          by=find_user("lead@second.example"))
        return code


def documents_of_every_group(app):
    from scrutiny.documents.models import Document

    with app.app_context():
        return [(d.version, d.status, d.topic_group_id, d.variant) for d in db.session.scalars(
            select(Document).where(Document.kind == "tracker_all").order_by(Document.version))]


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.fixture
def officer(browser, second_case):
    browser.sign_in("lead@second.example")
    return browser


def test_the_tracker_of_every_group_is_built_as_one_tagged_pdf(app, officer, run_jobs):
    monitored(app)
    code = libraries_group(app)
    tracker = officer.get("/tracker")
    assert "Build the tracker as a PDF" in tracker.text
    listing = officer.get("/tracker/pdf")  # linked from the tracker as "PDF versions of the tracker"
    assert 'href="/tracker/pdf"' in tracker.text
    assert "No version has been built yet" in text_of(listing.text)

    response = officer.client.post("/tracker/pdf", data={"csrf_token": csrf_token(tracker.text)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/tracker/pdf#version-")
    building = officer.get("/tracker/pdf")
    assert "Version 1 is being built." in text_of(building.text) and "Building" in building.text
    assert 'data-progress-url="/tracker/pdf/progress"' in building.text
    public_id = response.headers["Location"].split("#version-")[1]
    state = officer.get(f"/tracker/pdf/progress?id={public_id}").get_json()
    assert state["documents"][public_id]["finished"] is False

    run_jobs()
    assert officer.get(f"/tracker/pdf/progress?id={public_id}").get_json()["documents"][public_id]["finished"]
    listing = officer.get("/tracker/pdf")
    check_page(listing.text, "the tracker of every group as a PDF")
    link = re.search(r'href="(/tracker/pdf/[0-9A-Za-z_-]+)"', listing.text).group(1)
    assert "Ready" in listing.text and "Out of date" not in listing.text
    pdf = officer.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "recommendations-tracker-every-group-v1.pdf" in pdf.headers["Content-Disposition"]
    reader, text = pdf_text(pdf.data)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    assert "Recommendations tracker: every topic group" in text
    assert "5 recommendations of 2 topic groups" in text and "Topic group" in text
    # Both groups' rows, each with its references, addressees and decisions, and judgements.
    for n in (1, 2, 3):
        assert ref(n) in text
    assert f"{code}/R1" in text and f"{code}/R2" in text
    assert "Adult Social Care Waiting Times" in text and SECOND_TITLE in text
    assert f"{CARERS}: Overdue" in text and f"{ASC}: Not accepted" in text
    assert f"{LIBRARIES}: Accepted" in text and f"{LIBRARIES}: Not accepted" in text
    assert "Amber" in text and "Reason: Slow start" in text
    assert "Green" in text and "Reason: Rotas in place" in text
    assert "Awaiting judgement" in text
    # Groups in the order of their references: ASCWT's rows before LOH's.
    assert text.index(ref(3)) < text.index(f"{code}/R1")
    # The document belongs to no group, and is the tagged variant the config asks for.
    assert documents_of_every_group(app) == [(1, "done", None, app.config["PDF_VARIANT"])]

    # Nothing changed: asking again gives the same version, not a new build.
    again = officer.client.post("/tracker/pdf", data={"csrf_token": csrf_token(tracker.text)}, follow_redirects=True)
    assert "Nothing has changed since version 1: it is the latest." in text_of(again.text)
    assert len(documents_of_every_group(app)) == 1

    # A new judgement changes the tracker: version 1 is out of date, and the next build is version 2.
    from scrutiny.auth.services import find_user
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.responses import judgements

    with app.app_context():
        judgements.record([judgements.Proposed(get_group_by_slug(SECOND_SLUG).recommendations[1], "red",
                                               "Refused outright")], by=find_user("lead@second.example"))
    assert "Out of date" in officer.get("/tracker/pdf").text
    officer.client.post("/tracker/pdf", data={"csrf_token": csrf_token(tracker.text)})
    run_jobs()
    assert [v[:2] for v in documents_of_every_group(app)] == [(1, "done"), (2, "done")]
    listing = officer.get("/tracker/pdf")
    newest = re.search(r'href="(/tracker/pdf/[0-9A-Za-z_-]+)"', listing.text).group(1)
    assert "Reason: Refused outright" in pdf_text(officer.get(newest).data)[1]
    # The groups' own document pages never show the council's tracker.
    assert officer.get(f"/groups/{SECOND_SLUG}/documents/{newest.rsplit('/', 1)[1]}").status_code == 404


def test_councillors_cannot_build_or_download_it(app, officer, browser, run_jobs):
    monitored(app)
    page = officer.get("/tracker")
    officer.client.post("/tracker/pdf", data={"csrf_token": csrf_token(page.text)})
    run_jobs()
    link = re.search(r'href="(/tracker/pdf/[0-9A-Za-z_-]+)"', officer.get("/tracker/pdf").text).group(1)
    officer.sign_out()
    browser.sign_in("member@second.example")
    mine = browser.get(f"/groups/{GROUP}/tracker")
    assert mine.status_code == 200 and 'action="/tracker/pdf"' not in mine.text
    assert browser.get("/tracker/pdf").status_code == 403
    assert browser.get(link).status_code == 403
    assert browser.client.post("/tracker/pdf", data={"csrf_token": csrf_token(mine.text)}).status_code == 403
    assert len(documents_of_every_group(app)) == 1


def test_with_no_tracked_group_it_cannot_be_built(app, officer):
    page = officer.get("/tracker/pdf")
    assert "It cannot be built yet: No topic group has sent its recommendation letters yet" in text_of(page.text)
    assert "Build the tracker as a PDF" not in page.text
    tracker = officer.get("/tracker")
    response = officer.client.post("/tracker/pdf", data={"csrf_token": csrf_token(tracker.text)},
                                   follow_redirects=True)
    assert "No topic group has sent its recommendation letters yet" in text_of(response.text)
    assert documents_of_every_group(app) == []


def test_a_council_wide_build_whose_worker_died_is_swept_and_the_kinds_keep_their_owners(app, second_case):
    """The sweep and reconcile handle a document with no group; a group kind
    cannot be built for no group, nor the council's for a group."""
    from scrutiny.clock import utcnow
    from scrutiny.documents import services
    from scrutiny.documents.models import Document
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        db.session.add(Document(topic_group=None, kind="tracker_all", version=1, input_hash="x" * 64,
                                status="running", rq_job_id="gone", created_at=utcnow() - timedelta(hours=3)))
        db.session.commit()
        assert services.sweep() == 1
        assert db.session.scalar(select(Document.status).where(Document.kind == "tracker_all")) == "failed"
        with pytest.raises(services.DocumentError):
            services.request_build(None, "report", by=None)
        with pytest.raises(services.DocumentError):
            services.request_build(get_group_by_slug(second_case), "tracker_all", by=None)
