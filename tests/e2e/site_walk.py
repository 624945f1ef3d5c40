"""Every kind of page of the service, as each kind of person reaches it.

Officer, councillor and admin each sign in and follow the links they are
shown from their start pages; a witness and a responder do the same from
their links; nobody signed in opens the public pages. The demo and the
second review are loaded (`prepare`), with a built report, letters, an
evidence file and a few long unbroken words of the kind people type.

`walk` calls `look(page, who, path, status, html, note)` on each page as it
stands once opened, so each check (reflow, valid HTML, axe) says only what it
looks for and all of them meet the same pages.
"""
from __future__ import annotations

import io
from collections import Counter, deque
from collections.abc import Callable
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.conftest import PASSWORD
from tests.e2e.conftest import TIMEOUT_MS

Look = Callable[..., None]
Skip = Callable[[str, str], bool]  # (who, endpoint): True leaves that kind of page out for that person

DEMO, SECOND = "bame-health-inequalities", "adult-social-care-waiting-times"
DEMO_PASSWORD = "scrutiny-demo"
# Not pages: files, calendars, JSON, the portal's one-time door.
NOT_PAGES = {"static", "documents.download", "documents.status", "documents.progress", "evidence.download",
             "branding.image", "portal.download", "portal.session_calendar", "sessions.calendar", "portal.start",
             "health.healthz", "responses.original", "portal.response_letter", "tracker.group_csv",
             "tracker.all_csv", "documents.tracker_all_download", "documents.tracker_all_progress",
             "reviews_index.feed", "reviews_index.review_feed",
             "clearance.replacement", "public.report_pdf", "public.file", "audit.csv", "survey_results.csv"}

LONG_EMAIL = "evidence.submissions.for.scrutiny.reviews@northshire-community-health-partnership.example.org"
LONG_URL = "https://www.northshire-community-health-partnership.example.org/publications/2026/annual-report-on-waiting-times-for-adult-social-care-assessments.pdf"
LONG_FILE = "Northshire_Community_Health_Partnership_Waiting_Times_Evidence_Final_Version_Approved.csv"

# Evidence as people paste it: a web address, a line of code, a table of figures.
LONG_BODY = f"""See {LONG_URL}.

Write to {LONG_EMAIL}.

    SELECT assessment_requested_on, assessment_completed_on, waiting_days FROM adult_social_care_assessments_2026;

| Month | Assessments requested | Assessments completed | Median wait in days | Longest wait in days | Carers waiting |
| --- | --- | --- | --- | --- | --- |
| May | 412 | 380 | 61 | 203 | 97 |
"""

# Forms whose errors each get a look; sending them empty changes nothing.
EMPTY_FORMS = {
    "officer": ["/groups/new", "/organisations/new", f"/groups/{SECOND}/invitations/new",
                f"/groups/{SECOND}/sessions/new", f"/groups/{SECOND}/findings/new",
                f"/groups/{SECOND}/recommendations/new", f"/groups/{SECOND}/reviews/new"],
    "admin": ["/admin/users/new"],
    "nobody": ["/sign-in", "/portal/new-link", f"/reviews/{SECOND}/follow"],
}


def prepare(app) -> dict:
    """Both reviews, with the records that give each kind of page its content."""
    from datetime import date, timedelta

    from scrutiny.auth.services import create_user
    from scrutiny.demo.loader import load_case
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.invitations.services import by_public_id, issue_token
    from scrutiny.organisations.services import save_organisation
    from tests.conftest import SECOND_CASE
    from tests.factories import make_invitation, make_submission
    from tests.test_evidence_library import _add_file
    from tests.test_permissions import _circulate_draft, _make_session, _publish

    with app.app_context():
        load_case()
        load_case(SECOND_CASE, password=PASSWORD)
        get_group_by_slug(SECOND).scope += f"\n\nBackground: {LONG_URL}"
        db.session.commit()
        create_user("admin@second.example", "Ada Admin", "admin", PASSWORD)
        save_organisation(None, name="Northshire Community Health Partnership", kind="voluntary_community",
                          contact_name="Bartholomew Featherstonehaugh-Wolfeschlegelsteinhausen",
                          contact_role="Head of Communications", postal_address="1 Long Road\nNorthtown")
    invitation = make_invitation(app, SECOND, "Northshire Community Health Partnership", email=LONG_EMAIL,
                                 name="Bartholomew Featherstonehaugh-Wolfeschlegelsteinhausen",
                                 questions=f"Please read {LONG_URL} first.", deadline=date.today() + timedelta(days=14))
    submission = make_submission(app, invitation, title="Waiting times, " + LONG_FILE,
                                 summary=f"The figures are at {LONG_URL}", body=LONG_BODY)
    _add_file(app, submission, name=LONG_FILE)
    draft = make_submission(app, invitation, title="Our draft", status="draft", summary=LONG_URL)
    _add_file(app, draft, name=LONG_FILE)
    session = _make_session(app, invitation)
    _circulate_draft(app)
    _documents(app)
    engagement = _engagement(app)
    _publish(app, SECOND)  # the demo is published as it loads; this one beside it, with a cleared file
    from tests.test_permissions import _answered_action, _responses

    responses = _responses(app)
    responses.update(_answered_action(app, responses["answered"]))  # an action with progress and a date moved
    with app.app_context():
        from sqlalchemy import select

        from scrutiny.documents.models import Document
        from scrutiny.responses import links as response_links

        awaited = response_links.by_public_id(responses["response"])
        awaited.document_id = db.session.scalar(select(Document.id).where(
            Document.kind == "letter", Document.organisation_id == awaited.organisation_id))
        awaited.to_address = "director@asc.example"
        # An earlier ask for more time, refused: its history shows on both sides, and the
        # responder may still ask again (the ask form is crawled from the response page).
        from datetime import datetime

        from scrutiny.responses.models import ExtensionRequest

        db.session.add(ExtensionRequest(
            request=awaited, asked_at=datetime(2026, 11, 10, 10), asked_by_name="Bartholomew "
            "Featherstonehaugh-Wolfeschlegelsteinhausen", reason=f"Our figures are not ready: see {LONG_URL}",
            due_before=awaited.due_on, proposed_due=awaited.due_on + timedelta(days=28), decision="refused",
            decision_note=f"The group meets before then; see {LONG_URL}", decided_at=datetime(2026, 11, 12, 9)))
        db.session.commit()
        response_token = response_links.issue_token(awaited)
        answered_token = response_links.issue_token(response_links.by_public_id(responses["answered"]))
    with app.app_context():
        token = issue_token(by_public_id(invitation))
        from scrutiny.auth import password_reset
        from scrutiny.auth.services import find_user

        reset_token = password_reset.issue_token(find_user("admin@second.example"))
        follow_tokens = _published(app)
        link = next(link for f in get_group_by_slug(DEMO).findings for link in f.evidence_links)
        return {"token": token, "reset_token": reset_token, **follow_tokens, "response_token": response_token,
                "answered_token": answered_token, **responses,
                "invitation": invitation, "submission": submission, "draft": draft,
                "session": session, **engagement,
                "evidence_link": f"/groups/{DEMO}/findings/{link.finding_id}/evidence/{link.id}"}


def _answer_the_survey(context, look: Look, survey: str) -> None:
    """A resident's answers sent: the page that thanks them (only their browser sees it)."""
    page = context.new_page()
    page.goto(f"{survey}/questions")
    page.locator("main input[type=radio]").first.check()
    consent = page.locator("main input[type=checkbox][name=consented]")
    if consent.count():
        consent.check()
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit] >> visible=true").first.click()
    assert page.url.endswith("/sent"), page.url
    page.evaluate("document.fonts.ready")
    look(page, "nobody", f"{survey}/sent", 200, page.content())
    page.close()


def _engagement(app) -> dict:
    """An open survey with a response (and its results), a discussion with a
    resident's place, and one-to-one requests, in the second review."""
    from sqlalchemy import select

    from scrutiny.community.messages import manage_token
    from scrutiny.community.models import DiscussionEvent, EventSignup
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from tests.test_permissions import _community, _survey

    survey, community = _survey(app), _community(app)
    with app.app_context():
        signup = db.session.scalar(select(EventSignup).where(EventSignup.public_id == community["signup"]))
        token = manage_token(signup)
        # The demo's discussion held in 2021: closed, so its notes page opens.
        held = db.session.scalar(select(DiscussionEvent.public_id).where(
            DiscussionEvent.topic_group_id == get_group_by_slug(DEMO).id, DiscussionEvent.status == "closed"))
        db.session.commit()  # the link's hash, where making it kept one
    return {"survey": survey["survey"], "reference": survey["reference"], **community, "manage_token": token,
            "held_event": held}


def _published(app) -> dict:
    """The second review published, and a resident following it (not yet
    confirmed): the tokens of the links their e-mail would carry."""
    from datetime import datetime

    from scrutiny import links
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.publication.following import unsubscribe_token
    from scrutiny.publication.models import Follower, Publication, PublicationEvent

    group = get_group_by_slug(SECOND)
    if group.publication is None:  # published already, with its cleared file, by the setup
        db.session.add(Publication(topic_group=group, published_at=datetime(2026, 3, 2, 10)))
    db.session.add(PublicationEvent(topic_group=group, kind="report_published", title="Report published",
                                    summary=f"The report, with its evidence: {LONG_URL}"))
    confirm, confirm_hash = links.new_token()
    unsubscribe = unsubscribe_token(group.id, LONG_EMAIL)
    db.session.add(Follower(topic_group=group, email=LONG_EMAIL, confirm_token_hash=confirm_hash,
                            unsubscribe_token_hash=links.hash_token(unsubscribe)))
    db.session.commit()
    return {"follow_confirm": confirm, "follow_unsubscribe": unsubscribe}


def _documents(app):
    """A finished report and letters (a one-page PDF each), as the builds leave
    them, and the council's tracker of every group (no group of its own)."""
    from scrutiny.documents import letters
    from scrutiny.documents.models import Document
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.storage import storage
    from tests.files import make_pdf

    with app.app_context():
        for slug in (DEMO, SECOND):
            group = get_group_by_slug(slug)
            subjects = [("report", "")] + [("letter", f"organisation:{o.id}") for o in letters.addressees(group)]
            for kind, subject in subjects:
                blob = storage().put_stream(io.BytesIO(make_pdf()), max_bytes=100_000)
                db.session.add(Document(topic_group=group, kind=kind, subject=subject, version=1,
                                        input_hash="x" * 64, status="done", storage_key=storage().commit(blob),
                                        size=blob.size, sha256=blob.sha256, page_count=1,
                                        organisation_id=int(subject.split(":")[1]) if subject else None))
        blob = storage().put_stream(io.BytesIO(make_pdf()), max_bytes=100_000)
        db.session.add(Document(topic_group=None, kind="tracker_all", version=1, input_hash="x" * 64, status="done",
                                storage_key=storage().commit(blob), size=blob.size, sha256=blob.sha256, page_count=1))
        db.session.commit()


def _crawl(context, app, look: Look, who: str, seeds: list[str], limit: Counter, most: int,
           skip: Skip | None = None) -> None:
    """Opens the seeds, then every same-site link shown, `most` of each kind of page
    (none of a kind `skip` names for this person)."""
    adapter = app.url_map.bind("localhost")
    page = context.new_page()
    queue, seen = deque(seeds), set()
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
        except HTTPException:
            continue
        if endpoint in NOT_PAGES:
            continue
        if path not in seeds and (limit[endpoint] >= most or (skip and skip(who, endpoint))):
            continue
        limit[endpoint] += 1
        response = page.goto(path)
        page.evaluate("document.fonts.ready")
        look(page, who, path, response.status, response.text())  # the HTML as sent, before any script ran
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(href)
            if url.netloc == urlsplit(page.url).netloc and url.path not in ("/sign-out",):
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    page.close()


def _with_errors(context, look: Look, who: str, paths: list[str]) -> None:
    """Each form sent empty: the page again, with its error summary and messages."""
    page = context.new_page()
    for path in paths:
        page.goto(path)
        with page.expect_navigation() as sent:
            page.locator("main form[method=post] button[type=submit] >> visible=true").first.click()
        response = sent.value
        page.evaluate("document.fonts.ready")
        look(page, who, path, response.status, response.text(), " sent empty")
    page.close()


def walk(app, chromium_browser, live_server, look: Look, *, width: int, per_endpoint: dict[str, int],
         skip: Skip | None = None) -> None:
    """Opens every kind of page for each kind of person at `width` px, `per_endpoint[who]`
    of each kind per role, calling `look` on each; `skip` leaves out pages found by following links."""
    ids = prepare(app)
    forms = {who: list(paths) for who, paths in EMPTY_FORMS.items()}

    def context():
        made = chromium_browser.new_context(base_url=live_server, viewport={"width": width, "height": 640})
        made.set_default_timeout(TIMEOUT_MS)
        return made

    people = [
        ("officer", "lead@second.example", PASSWORD, ["/my-groups", "/groups", "/organisations/",
                                                    f"/groups/{SECOND}/surveys/{ids['survey']}/results",
                                                    f"/groups/{SECOND}/surveys/{ids['survey']}/responses/{ids['reference']}",
                                                    f"/groups/{SECOND}/responses/{ids['answered']}",
                                                    f"/groups/{SECOND}/responses/{ids['response']}/enter",
                                                    f"/groups/{SECOND}/invitations/{ids['invitation']}",
                                                    f"/groups/{SECOND}/evidence/{ids['submission']}",
                                                    # Linked from the group's page once every
                                                    # recommendation is achieved; here it says why not.
                                                    f"/groups/{SECOND}/close"]),
        ("officer", "officer@example.org", DEMO_PASSWORD, ["/my-groups", f"/groups/{DEMO}/letters",
                                                         f"/groups/{DEMO}/community/events/{ids['held_event']}/notes",
                                                         f"/groups/{DEMO}/invitations", ids["evidence_link"],
                                                         f"/groups/{DEMO}/draft/compare?from=1&to=now"]),
        ("councillor", "councillor@example.org", DEMO_PASSWORD, ["/my-groups"]),
        ("councillor", "member@second.example", PASSWORD, ["/my-groups", f"/groups/{SECOND}/evidence/{ids['submission']}"]),
        ("admin", "admin@second.example", PASSWORD, ["/my-groups", "/groups", "/admin/users", "/admin/logo"]),
    ]
    limits = {who: Counter() for who, *_ in people}  # a few of each kind of page per role, not per person
    for who, email, password, seeds in people:
        ctx = context()
        page = ctx.new_page()
        page.goto("/sign-in")
        page.get_by_label("Email address", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)
        page.close()
        _crawl(ctx, app, look, f"{who} {email}", seeds, limits[who], per_endpoint[who], skip)
        _with_errors(ctx, look, f"{who} {email}", forms.pop(who, []))
        ctx.close()

    anonymous = context()
    take_part = f"/take-part/{SECOND}"
    _crawl(anonymous, app, look, "nobody", ["/sign-in", "/portal/", "/portal/new-link", f"/reviews/{DEMO}",
                                            f"/reviews/{SECOND}", f"/reviews/{SECOND}/follow",
                                            f"{take_part}/discussions", f"{take_part}/one-to-one",
                                            f"{take_part}/surveys/{ids['survey']}",
                                            f"/ar{take_part}/surveys/{ids['survey']}/questions",
                                            f"{take_part}/surveys/{ids['survey']}/withdraw",
                                            f"/take-part/discussions/manage/{ids['manage_token']}"], Counter(),
           per_endpoint["nobody"], skip)
    _with_errors(anonymous, look, "nobody", forms["nobody"])
    _answer_the_survey(anonymous, look, f"{take_part}/surveys/{ids['survey']}")
    page = anonymous.new_page()
    page.goto("/portal/start/not-a-real-token")
    look(page, "nobody", "/portal/start/not-a-real-token", 200, page.content())
    # A password reset link opens its form; only saving it would spend it.
    page.goto(f"/reset-password/{ids['reset_token']}")
    look(page, "nobody", "/reset-password/<token>", 200, page.content())
    # A follower's links: each opens a page with a button; only the button changes anything.
    for name in ("confirm", "unsubscribe"):
        page.goto(f"/reviews/follow/{name}/{ids['follow_' + name]}")
        look(page, "nobody", f"/reviews/follow/{name}/<token>", 200, page.content())
    # The witness's link: a confirmation page first, where there is one, then the portal.
    page.goto(f"/portal/start/{ids['token']}")
    if "/portal/start/" in page.url:
        page.locator("main button[type=submit], main .govuk-button").first.click()
        page.wait_for_url(lambda url: "/portal/start/" not in url)
    page.close()
    _crawl(anonymous, app, look, "witness", [f"/portal/invitations/{ids['invitation']}",
                                             f"/portal/evidence/{ids['draft']}",
                                             f"/portal/evidence/{ids['draft']}/submit"], Counter(),
           per_endpoint["witness"], skip)
    # An organisation's response link: its start page, then the response pages.
    page = anonymous.new_page()
    page.goto(f"/portal/respond/{ids['response_token']}")
    look(page, "responder", "/portal/respond/<token>", 200, page.content())
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/portal/respond/" not in url)
    # A submitted response's link: its actions' progress pages.
    page.goto(f"/portal/respond/{ids['answered_token']}")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/portal/respond/" not in url)
    page.close()
    _crawl(anonymous, app, look, "responder", [f"/portal/responses/{ids['response']}",
                                               f"/portal/responses/{ids['response']}/check",
                                               f"/portal/responses/{ids['answered']}"], Counter(),
           per_endpoint["responder"], skip)
    anonymous.close()


