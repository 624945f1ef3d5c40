"""Every route has a permission check, and each role meets the right answer."""
from datetime import datetime

import pytest

from scrutiny.organisations.services import find_by_name

GROUP = "adult-social-care-waiting-times"

# (method, url, who may open it) for every route; checked against the app's map below.
OFFICER = {"admin", "officer"}
STAFF = {"admin", "officer", "councillor"}
ROUTES = [
    ("GET", "/", "public"),
    ("GET", "/sign-in", "public"),
    ("GET", "/healthz", "public"),
    ("GET", "/accessibility", "public"),  # the accessibility statement (scrutiny/accessibility/views.py)
    ("POST", "/sign-out", STAFF),
    ("GET", "/change-password", STAFF),
    ("GET", "/forgot-password", "public"),
    ("GET", "/reset-password/not-a-token", "public"),
    ("GET", "/my-groups", STAFF),
    ("GET", "/groups", OFFICER),
    ("GET", "/groups/new", OFFICER),
    ("GET", f"/groups/{GROUP}", "member"),
    ("GET", f"/groups/{GROUP}/edit", OFFICER),
    ("GET", f"/groups/{GROUP}/status", OFFICER),
    ("GET", "/organisations/", OFFICER),
    ("GET", "/organisations/new", OFFICER),
    ("GET", "/organisations/{org}/edit", OFFICER),
    ("GET", "/admin/users", {"admin"}),
    ("GET", "/admin/users/new", {"admin"}),
    ("GET", "/admin/users/{user}/edit", {"admin"}),
    ("GET", "/admin/logo", {"admin"}),
    ("POST", "/admin/logo", {"admin"}),
    ("POST", "/admin/logo/remove", {"admin"}),
    ("GET", "/admin/logo/image", {"admin"}),
    ("GET", f"/groups/{GROUP}/invitations", OFFICER),
    ("GET", f"/groups/{GROUP}/invitations/new", OFFICER),
    ("GET", f"/groups/{GROUP}/invitations/bulk", OFFICER),
    ("GET", f"/groups/{GROUP}/invitations/import", OFFICER),
    ("POST", f"/groups/{GROUP}/invitations/import/confirm", OFFICER),
    ("GET", f"/groups/{GROUP}/invitations/{{invitation}}", OFFICER),
    ("POST", f"/groups/{GROUP}/invitations/{{invitation}}/remind", OFFICER),
    ("GET", f"/groups/{GROUP}/sessions", "member"),
    ("GET", f"/groups/{GROUP}/sessions/new", OFFICER),
    ("GET", f"/groups/{GROUP}/sessions/{{session}}", "member"),
    ("GET", f"/groups/{GROUP}/sessions/{{session}}/edit", OFFICER),
    ("GET", f"/groups/{GROUP}/sessions/{{session}}/record", OFFICER),
    ("GET", f"/groups/{GROUP}/sessions/{{session}}/calendar.ics", "member"),
    ("GET", f"/groups/{GROUP}/evidence", "member"),
    ("GET", f"/groups/{GROUP}/evidence/{{submission}}", "member"),
    ("POST", f"/groups/{GROUP}/evidence/{{submission}}/review", OFFICER),
    ("GET", f"/groups/{GROUP}/evidence/new", OFFICER),
    ("GET", f"/groups/{GROUP}/evidence/files/{{file}}", "member"),
    ("GET", f"/groups/{GROUP}/documents", "member"),
    ("POST", f"/groups/{GROUP}/documents/report/build", OFFICER),
    ("POST", f"/groups/{GROUP}/documents/responses/build", OFFICER),  # the responses PDF
    ("GET", f"/groups/{GROUP}/documents/{{document}}", "member"),
    ("GET", f"/groups/{GROUP}/documents/{{document}}/status", "member"),
    ("GET", f"/groups/{GROUP}/documents/progress", "member"),
    ("GET", f"/groups/{GROUP}/documents/{{document}}/download", "member"),
    ("GET", f"/groups/{GROUP}/report", "member"),
    ("POST", f"/groups/{GROUP}/sessions/{{session}}/agenda-pack", OFFICER),
    ("GET", f"/groups/{GROUP}/letters", "member"),
    ("POST", f"/groups/{GROUP}/letters/build", OFFICER),
    ("GET", f"/groups/{GROUP}/letters/{{addressee}}/due-date", OFFICER),
    # Responses to the recommendations (scrutiny/responses/views.py).
    ("GET", f"/groups/{GROUP}/responses", "member"),
    ("GET", f"/groups/{GROUP}/responses/{{response}}", "member"),
    ("GET", f"/groups/{GROUP}/responses/{{answered}}/original", "member"),
    ("GET", f"/groups/{GROUP}/responses/{{response}}/enter", OFFICER),
    ("POST", f"/groups/{GROUP}/responses/{{answered}}/inadequate", OFFICER),
    ("POST", f"/groups/{GROUP}/responses/{{response}}/more-time", OFFICER),  # extension_views.py
    # An action's progress and target date (scrutiny/responses/progress_views.py).
    ("GET", f"/groups/{GROUP}/actions/{{action}}", "member"),
    ("POST", f"/groups/{GROUP}/actions/{{action}}/progress", OFFICER),
    ("POST", f"/groups/{GROUP}/actions/{{action}}/target-date", OFFICER),
    ("POST", f"/groups/{GROUP}/letters/send", OFFICER),
    # The recommendations tracker (scrutiny/responses/tracker_views.py): councillors look at their groups'.
    ("GET", f"/groups/{GROUP}/tracker", "member"),
    ("POST", f"/groups/{GROUP}/tracker/judgements", OFFICER),
    ("GET", f"/groups/{GROUP}/tracker.csv", OFFICER),
    ("GET", f"/groups/{GROUP}/tracker/import", OFFICER),
    ("GET", "/tracker", OFFICER),
    ("POST", "/tracker/judgements", OFFICER),
    ("GET", "/tracker.csv", OFFICER),
    ("GET", "/tracker/import", OFFICER),
    # The tracker of every group as a PDF, a council-wide document (scrutiny/documents/views.py).
    ("GET", "/tracker/pdf", OFFICER),
    ("POST", "/tracker/pdf", OFFICER),
    ("GET", "/tracker/pdf/progress", OFFICER),
    ("GET", "/tracker/pdf/{council_document}", OFFICER),
    # Reviews, the group's judgements and closing (scrutiny/responses/review_views.py).
    ("GET", f"/groups/{GROUP}/reviews", "member"),
    ("GET", f"/groups/{GROUP}/reviews/new", OFFICER),
    ("GET", f"/groups/{GROUP}/reviews/{{review}}", "member"),
    ("POST", f"/groups/{GROUP}/reviews/{{review}}", OFFICER),
    ("GET", f"/groups/{GROUP}/reviews/{{review}}/date", OFFICER),
    ("POST", f"/groups/{GROUP}/reviews/{{review}}/remove", OFFICER),
    ("GET", f"/groups/{GROUP}/judgements", OFFICER),
    ("POST", f"/groups/{GROUP}/judgements", OFFICER),
    ("GET", f"/groups/{GROUP}/close", OFFICER),
    ("POST", f"/groups/{GROUP}/close", OFFICER),
    # The draft and its agreement: who may answer, sign off or reopen is the service's rule.
    ("GET", f"/groups/{GROUP}/draft", "member"),
    ("POST", f"/groups/{GROUP}/draft/comments/finding/1", "member"),
    ("POST", f"/groups/{GROUP}/draft/circulate", OFFICER),
    ("POST", f"/groups/{GROUP}/draft/answer", "member"),
    ("POST", f"/groups/{GROUP}/draft/sign-off", "member"),
    ("POST", f"/groups/{GROUP}/draft/reopen", "member"),
    ("GET", f"/groups/{GROUP}/draft/versions", "member"),
    ("GET", f"/groups/{GROUP}/draft/versions/1", "member"),
    ("GET", f"/groups/{GROUP}/draft/compare", "member"),
    # The group's conclusions, edited by officers (scrutiny/findings/views.py).
    ("GET", f"/groups/{GROUP}/findings", "member"),
    ("GET", f"/groups/{GROUP}/findings/new", OFFICER),
    ("GET", f"/groups/{GROUP}/findings/{{finding}}/edit", OFFICER),
    ("GET", f"/groups/{GROUP}/findings/{{finding}}/delete", OFFICER),
    ("POST", f"/groups/{GROUP}/findings/{{finding}}/move", OFFICER),
    ("POST", f"/groups/{GROUP}/findings/{{finding}}/evidence", OFFICER),
    ("GET", f"/groups/{GROUP}/findings/{{finding}}/evidence/{{link}}", OFFICER),
    ("POST", f"/groups/{GROUP}/findings/{{finding}}/evidence/{{link}}/remove", OFFICER),
    ("GET", f"/groups/{GROUP}/recommendations", "member"),
    ("GET", f"/groups/{GROUP}/recommendations/new", OFFICER),
    ("GET", f"/groups/{GROUP}/recommendations/{{rec}}/edit", OFFICER),
    ("GET", f"/groups/{GROUP}/recommendations/{{rec}}/delete", OFFICER),
    ("POST", f"/groups/{GROUP}/recommendations/{{rec}}/move", OFFICER),
    ("POST", f"/groups/{GROUP}/recommendations/{{rec}}/quality/measure", OFFICER),
    ("POST", f"/groups/{GROUP}/recommendations/{{rec}}/quality/measure/withdraw", OFFICER),
    ("GET", f"/groups/{GROUP}/report-text", "member"),
    ("GET", f"/groups/{GROUP}/report-text/new/custom", OFFICER),
    ("GET", f"/groups/{GROUP}/report-text/{{section}}/edit", OFFICER),
    ("GET", f"/groups/{GROUP}/report-text/{{section}}/delete", OFFICER),
    ("POST", f"/groups/{GROUP}/report-text/{{section}}/move", OFFICER),
    ("GET", f"/groups/{GROUP}/report-text/settings", OFFICER),
    ("GET", f"/groups/{GROUP}/evidence-map", "member"),
    # Clearing evidence for publication (scrutiny/publication/clearance_views.py): officers only.
    ("GET", f"/groups/{GROUP}/publication/evidence", OFFICER),
    ("GET", f"/groups/{GROUP}/publication/evidence/{{public_item}}", OFFICER),
    ("POST", f"/groups/{GROUP}/publication/evidence/{{public_item}}", OFFICER),
    ("GET", f"/groups/{GROUP}/publication/evidence/{{public_item}}/files/{{public_file}}", OFFICER),
    ("POST", f"/groups/{GROUP}/publication/evidence/{{public_item}}/files/{{public_file}}", OFFICER),
    ("GET", f"/groups/{GROUP}/publication/evidence/replacements/{{public_file}}", OFFICER),
    # The portal: open doors, and pages only the invited witness's session opens.
    ("GET", "/portal/start/not-a-token", "public"),
    ("POST", "/portal/start/not-a-token", "public"),
    ("GET", "/portal/new-link", "public"),
    ("GET", "/portal/privacy-notice", "public"),
    ("GET", "/portal/", "public"),
    ("POST", "/portal/sign-out", "public"),
    ("GET", "/portal/invitations/{invitation}", "witness"),
    ("POST", "/portal/invitations/{invitation}/respond", "witness"),
    ("POST", "/portal/invitations/{invitation}/evidence", "witness"),
    ("GET", "/portal/invitations/{invitation}/sessions/{session}/calendar.ics", "witness"),
    ("GET", "/portal/evidence/{submission}", "witness"),
    ("GET", "/portal/evidence/{submission}/submit", "witness"),
    ("GET", "/portal/evidence/{submission}/files/{file}", "witness"),
    ("POST", "/portal/evidence/{submission}/files/{file}/remove", "witness"),
    ("POST", "/portal/evidence/{submission}/files/{file}/confidential", "witness"),
    # Responding organisations: the same rules as witnesses.
    ("GET", "/portal/respond/not-a-token", "public"),
    ("POST", "/portal/respond/not-a-token", "public"),
    ("GET", "/portal/responses/{request}", "witness"),
    ("POST", "/portal/responses/{request}", "witness"),
    ("GET", "/portal/responses/{request}/check", "witness"),
    ("GET", "/portal/responses/{request}/letter", "witness"),
    ("GET", "/portal/responses/{request}/more-time", "witness"),  # portal/extension_views.py
    ("POST", "/portal/responses/{request}/more-time", "witness"),
    ("GET", "/portal/responses/{request}/actions/{action}", "witness"),
    ("POST", "/portal/responses/{request}/actions/{action}/progress", "witness"),
    ("POST", "/portal/responses/{request}/actions/{action}/target-date", "witness"),
    # Published reviews: the index and feeds (scrutiny/publication/index_views.py), following by
    # e-mail (scrutiny/publication/follow_views.py). Open to everyone; the links' buttons by token.
    ("GET", "/reviews", "public"),
    ("GET", "/reviews/feed.atom", "public"),
    ("GET", "/reviews/{published}/feed.atom", "public"),
    ("GET", "/reviews/{published}/follow", "public"),
    ("POST", "/reviews/{published}/follow", "public"),
    ("GET", "/reviews/follow/confirm/not-a-token", "public"),
    ("POST", "/reviews/follow/confirm/not-a-token", "public"),
    ("GET", "/reviews/follow/unsubscribe/not-a-token", "public"),
    ("POST", "/reviews/follow/unsubscribe/not-a-token", "public"),
    # Publication: officers publish the group (scrutiny/publication/views.py) ...
    ("GET", f"/groups/{GROUP}/publication", OFFICER),
    ("POST", f"/groups/{GROUP}/publication/publish", OFFICER),
    ("POST", f"/groups/{GROUP}/publication/publish-responses", OFFICER),
    ("POST", f"/groups/{GROUP}/publication/withdraw", OFFICER),
    # ... and its public pages, open to everyone (scrutiny/publication/public_views.py).
    ("GET", f"/reviews/{GROUP}", "public"),
    ("GET", f"/reviews/{GROUP}/report", "public"),
    ("GET", f"/reviews/{GROUP}/report.pdf", "public"),
    ("GET", f"/reviews/{GROUP}/files/{{published_file}}", "public"),
    # Surveys (scrutiny/surveys/views.py, entry_views.py): the group's councillors read, officers build.
    ("GET", f"/groups/{GROUP}/surveys", "member"),
    ("GET", f"/groups/{GROUP}/surveys/new", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}", "member"),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/edit", OFFICER),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/open", OFFICER),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/close", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/reopen", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/questions/new", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/questions/{{question}}/edit", OFFICER),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/questions/{{question}}/move", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/questions/{{question}}/delete", OFFICER),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/ethnic-group", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/translations/{{lang}}", OFFICER),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/languages/{{lang}}/publish", OFFICER),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/languages/{{lang}}/withdraw", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/responses/new", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/responses/{{reference}}", OFFICER),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/withdraw", OFFICER),
    # Hearing from residents (scrutiny/community/views.py): councillors read the discussions; residents'
    # details, changes and one-to-one requests are for officers.
    ("GET", f"/groups/{GROUP}/community", "member"),
    ("GET", f"/groups/{GROUP}/community/events/new", OFFICER),
    ("GET", f"/groups/{GROUP}/community/events/{{event}}", "member"),
    ("GET", f"/groups/{GROUP}/community/events/{{event}}/edit", OFFICER),
    ("POST", f"/groups/{GROUP}/community/events/{{event}}/publish", OFFICER),
    ("GET", f"/groups/{GROUP}/community/events/{{event}}/cancel", OFFICER),
    ("GET", f"/groups/{GROUP}/community/events/{{event}}/book", OFFICER),
    ("POST", f"/groups/{GROUP}/community/events/{{event}}/sign-ups/{{signup}}/cancel", OFFICER),
    ("GET", f"/groups/{GROUP}/community/events/{{event}}/close", OFFICER),
    ("GET", f"/groups/{GROUP}/community/events/{{event}}/notes", OFFICER),
    ("GET", f"/groups/{GROUP}/community/conversations", OFFICER),
    ("GET", f"/groups/{GROUP}/community/conversations/{{conversation}}", OFFICER),
    ("GET", f"/groups/{GROUP}/community/conversations/{{closed_conversation}}/notes", OFFICER),
    # ... and residents' pages, open to everyone (scrutiny/community/public_views.py); the manage link by token.
    ("GET", f"/take-part/{GROUP}/discussions", "public"),
    ("GET", f"/take-part/{GROUP}/discussions/{{event}}", "public"),
    ("GET", f"/take-part/{GROUP}/discussions/{{event}}/sign-up", "public"),
    ("POST", f"/take-part/{GROUP}/discussions/{{event}}/sign-up", "public"),
    ("GET", f"/take-part/{GROUP}/one-to-one", "public"),
    ("POST", f"/take-part/{GROUP}/one-to-one", "public"),
    ("GET", "/take-part/discussions/manage/not-a-token", "public"),
    ("POST", "/take-part/discussions/manage/not-a-token", "public"),
    # The public survey (scrutiny/surveys/public_views.py): start, questions, confirmation, withdrawal.
    ("GET", f"/take-part/{GROUP}/surveys/{{survey}}", "public"),
    ("GET", f"/take-part/{GROUP}/surveys/{{survey}}/questions", "public"),
    ("POST", f"/take-part/{GROUP}/surveys/{{survey}}/questions", "public"),
    ("GET", f"/take-part/{GROUP}/surveys/{{survey}}/sent", "public"),
    ("GET", f"/take-part/{GROUP}/surveys/{{survey}}/withdraw", "public"),
    ("POST", f"/take-part/{GROUP}/surveys/{{survey}}/withdraw", "public"),
    # A survey's results (scrutiny/surveys/results_views.py): the group reads them, officers add them to evidence.
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/results", "member"),
    ("GET", f"/groups/{GROUP}/surveys/{{survey}}/results.csv", "member"),
    ("POST", f"/groups/{GROUP}/surveys/{{survey}}/results/evidence", OFFICER),
    # The same public pages in another language (scrutiny/i18n/urls.py: the same endpoints under /<lang>).
    ("GET", "/ar/reviews", "public"),
    ("GET", f"/ar/reviews/{GROUP}", "public"),
    ("GET", f"/ar/reviews/{GROUP}/report", "public"),
    ("GET", "/ur/reviews/{published}/follow", "public"),
    ("POST", "/ur/reviews/{published}/follow", "public"),
    ("GET", f"/ar/take-part/{GROUP}/surveys/{{survey}}", "public"),
    ("POST", f"/ar/take-part/{GROUP}/surveys/{{survey}}/questions", "public"),
    ("GET", f"/ar/take-part/{GROUP}/discussions", "public"),
    ("GET", f"/ar/take-part/{GROUP}/discussions/{{event}}", "public"),
    ("GET", f"/ar/take-part/{GROUP}/discussions/{{event}}/sign-up", "public"),
    ("POST", f"/ar/take-part/{GROUP}/discussions/{{event}}/sign-up", "public"),
    ("GET", f"/pl/take-part/{GROUP}/one-to-one", "public"),
    ("POST", f"/pl/take-part/{GROUP}/one-to-one", "public"),
    ("GET", "/ar/take-part/discussions/manage/not-a-token", "public"),
    ("POST", "/ar/take-part/discussions/manage/not-a-token", "public"),
    # The audit log (scrutiny/audit/views.py): officers read it, administrators export it.
    ("GET", "/audit", OFFICER),
    ("GET", "/audit.csv", {"admin"}),
]
IDS = {"org": 1, "user": 1, "invitation": "x", "session": "x", "submission": "x", "file": "x", "document": "x",
       "addressee": 1, "finding": 1, "link": 1, "rec": 1, "section": 1, "response": "x", "answered": "x",
       "request": "x", "review": "x", "action": "x",
       "council_document": "x", "published": "x", "public_item": "x", "public_file": "x", "published_file": "x",
       "survey": "x", "question": 1, "lang": "ar", "reference": "x",
       "event": "x", "signup": "x", "conversation": "x", "closed_conversation": "x"}


def test_every_route_declares_who_may_use_it(app):
    unchecked = [
        rule.rule for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not getattr(app.view_functions[rule.endpoint], "required_roles", None)
    ]
    assert unchecked == []


def test_every_route_is_in_this_table(app):
    """A new route must be added to ROUTES, so the role tests below cover it."""
    adapter = app.url_map.bind("localhost")
    tabled = {adapter.match(url.format(**IDS), method=method)[0] for method, url, _ in ROUTES}
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routed - tabled == set()


@pytest.fixture
def people(app, second_case, make_user):
    with app.app_context():
        org_id = find_by_name("Carers in Northshire").id
        addressee_id = find_by_name("Northshire Adult Social Care").id  # a recommendation's addressee
    admin = make_user("admin")
    with app.app_context():
        from scrutiny.auth.services import find_user

        user_id = find_user("member@second.example").id
    from tests.factories import make_invitation, make_submission
    from tests.test_evidence_library import _add_file

    invitation = make_invitation(app, GROUP, "Carers in Northshire")
    submission = make_submission(app, invitation, confidential=True)
    file = _add_file(app, submission)
    session = _make_session(app, invitation)
    document = _make_document(app)
    council_document = _make_document(app, council_wide=True)
    _circulate_draft(app)
    _make_logo(app)
    # Published (with its own cleared evidence): the public pages, feeds and follow form answer.
    published_file = _publish(app)
    return {
        "admin": admin,
        "officer": make_user("officer"),
        "councillor": "member@second.example",
        "outsider": "outsider@second.example",
        "ids": {"org": org_id, "user": user_id, "invitation": invitation, "submission": submission,
                "file": file, "session": session, "document": document, "addressee": addressee_id,
                "council_document": council_document, "published_file": published_file,
                "request": "not-a-request", "published": GROUP,
                **_conclusions(app, submission), **(responses := _responses(app)),
                **_answered_action(app, responses["answered"]), **_cleared_evidence(app), **_survey(app),
                **_community(app)},
    }


def _community(app):
    """A published discussion with a resident's place, and one-to-one requests open and closed."""
    from scrutiny.auth.services import find_user
    from scrutiny.community import conversations, signups
    from scrutiny.community.models import DiscussionEvent
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from tests.community import make_event

    event_id = make_event(app)
    with app.app_context():
        from sqlalchemy import select

        event = db.session.scalar(select(DiscussionEvent).where(DiscussionEvent.public_id == event_id))
        signup = signups.sign_up(event, signups.Resident(name="Amina Begum", email="amina@home.example"))
        group = get_group_by_slug(GROUP)
        asked = dict(name="Bilal Khan", preferred_language="Urdu", contact_method="phone", contact="07700 900123")
        waiting = conversations.ask(group, conversations.Asked(**asked))
        closed = conversations.ask(group, conversations.Asked(**asked))
        conversations.close(closed, "Talked about waits.", by=find_user("lead@second.example"))
        db.session.commit()
        return {"event": event_id, "signup": signup.public_id, "conversation": waiting.public_id,
                "closed_conversation": closed.public_id}


def _conclusions(app, submission_public_id):
    """The case's finding (linked to evidence), recommendation and foreword."""
    from sqlalchemy import select

    from scrutiny.evidence.models import Submission
    from scrutiny.extensions import db
    from scrutiny.findings.models import FindingEvidence, ReportSection
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        group = get_group_by_slug(GROUP)
        finding, rec = group.findings[0], group.recommendations[0]
        submission = db.session.scalar(select(Submission).where(Submission.public_id == submission_public_id))
        link = FindingEvidence(submission=submission)
        finding.evidence_links.append(link)
        db.session.commit()
        section = db.session.scalar(select(ReportSection.id).where(ReportSection.topic_group_id == group.id))
        return {"finding": finding.id, "rec": rec.id, "link": link.id, "section": section}


def _cleared_evidence(app):
    """Evidence accepted for the report with a PDF, cleared to publish as a redacted replacement."""
    import io

    from sqlalchemy import select
    from werkzeug.datastructures import FileStorage

    from scrutiny.auth.services import find_user
    from scrutiny.evidence.models import EvidenceFile
    from scrutiny.extensions import db
    from scrutiny.publication import clearance
    from tests.factories import make_submission
    from tests.files import make_pdf
    from tests.test_evidence_library import _add_file

    item = make_submission(app, None, group_slug=GROUP, title="Figures", body="Waits doubled.", status="accepted")
    file = _add_file(app, item, name="figures.pdf", data=make_pdf(), content_type="application/pdf")
    with app.app_context():
        found = db.session.scalar(select(EvidenceFile).where(EvidenceFile.public_id == file))
        clearance.clear_item(found.submission, "publish", find_user("lead@second.example"))
        clearance.replace_file(found, FileStorage(io.BytesIO(make_pdf()), filename="figures-redacted.pdf"),
                               find_user("lead@second.example"))
    return {"public_item": item, "public_file": file}


def _responses(app):
    """A response awaited, and one entered from a letter with its original kept."""
    import io
    from datetime import date, datetime

    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.responses.models import ResponseRequest, ReviewPoint
    from scrutiny.storage import storage
    from tests.files import make_pdf

    with app.app_context():
        group = get_group_by_slug(GROUP)
        awaited = ResponseRequest(topic_group=group, organisation=find_by_name("Northshire Adult Social Care"),
                                  sent_at=datetime(2026, 11, 1), due_on=date(2027, 1, 1))
        blob = storage().put_stream(io.BytesIO(make_pdf()), max_bytes=10_000)
        answered = ResponseRequest(topic_group=group, organisation=find_by_name("Carers in Northshire"),
                                   sent_at=datetime(2026, 11, 1), due_on=date(2027, 1, 1),
                                   submitted_at=datetime(2026, 11, 20), submitted_by_name="Ann Responder",
                                   original_storage_key=storage().commit(blob), original_name="letter.pdf",
                                   original_content_type="application/pdf", original_size=blob.size,
                                   original_sha256=blob.sha256)
        review = ReviewPoint(topic_group=group, label="6-month review", due_on=date(2027, 5, 1))
        db.session.add_all([awaited, answered, review])
        db.session.commit()
        return {"response": awaited.public_id, "answered": answered.public_id, "review": review.public_id}


def _answered_action(app, answered_public_id):
    """The answered response's one action, with a progress update and a moved date
    (its organisation made an addressee of the recommendation, so its page lists it)."""
    from datetime import date

    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.responses import progress
    from scrutiny.responses.links import by_public_id
    from scrutiny.responses.models import RecommendationResponse, ResponseAction

    with app.app_context():
        answered = by_public_id(answered_public_id)
        recommendation = get_group_by_slug(GROUP).recommendations[0]
        if answered.organisation not in recommendation.addressees:
            recommendation.addressees.append(answered.organisation)
        action = ResponseAction(description="Publish carers' waiting times monthly", owner_role="Head of Service",
                                target_date=date(2027, 6, 30), original_target_date=date(2027, 6, 30))
        answered.answers.append(RecommendationResponse(recommendation=recommendation, decision="accepted",
                                                       actions=[action]))
        db.session.flush()
        progress.record_progress(action, "on_track", date(2026, 11, 25), "Data agreed.", name="Ann Responder",
                                 today=date(2026, 11, 25))
        progress.move_date(action, date(2027, 9, 30), "Waiting for the new case system.", name="Ann Responder",
                           today=date(2026, 11, 25))
        db.session.commit()
        return {"action": action.public_id}


def _make_document(app, council_wide: bool = False):
    """A finished report version with a stored PDF, to download; or the
    council's tracker of every group, which belongs to no group."""
    import io

    from scrutiny.documents.models import Document
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.storage import storage
    from tests.files import make_pdf

    with app.app_context():
        blob = storage().put_stream(io.BytesIO(make_pdf()), max_bytes=10_000)
        document = Document(topic_group=None if council_wide else get_group_by_slug(GROUP),
                            kind="tracker_all" if council_wide else "report", version=1, input_hash="x" * 64,
                            status="done", storage_key=storage().commit(blob), size=blob.size, sha256=blob.sha256,
                            page_count=1)
        db.session.add(document)
        db.session.commit()
        return document.public_id


def _circulate_draft(app):
    """Draft 1 of the group's text, with the members."""
    from scrutiny.auth.services import find_user
    from scrutiny.extensions import db
    from scrutiny.findings.agreement import circulate
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        circulate(get_group_by_slug(GROUP), find_user("lead@second.example"))
        db.session.commit()
def _publish(app, slug=GROUP):
    """The group published, with a piece of evidence and its file cleared for
    the public; returns the file's public id."""
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.publication.models import Clearance, Publication
    from tests.factories import make_submission
    from tests.test_evidence_library import _add_file, _submission

    submission = make_submission(app, None, group_slug=slug, title="Published figures", body="Waits by area.",
                                 status="accepted")
    file = _add_file(app, submission, name="published-figures.csv")
    with app.app_context():
        group, item = get_group_by_slug(slug), _submission(submission)
        db.session.add_all([Clearance(topic_group=group, submission=item, decision="publish"),
                            Clearance(topic_group=group, evidence_file=item.files[0], decision="publish"),
                            Publication(topic_group=group, published_at=datetime(2027, 3, 20, 10))])
        db.session.commit()
    return file


def _make_logo(app):
    """The council's logo, so its preview image is there to fetch."""
    import io

    from scrutiny.branding.services import upload_logo
    from tests.files import make_png

    with app.app_context():
        upload_logo(io.BytesIO(make_png()), "logo.png", by=None)


def _make_session(app, invitation_public_id):
    from datetime import datetime

    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.invitations.services import by_public_id
    from scrutiny.sessions.models import EvidenceSession, SessionSlot

    with app.app_context():
        invitation = by_public_id(invitation_public_id)
        session = EvidenceSession(topic_group=get_group_by_slug(GROUP), title="Hearing",
                                  starts_at=datetime(2026, 12, 1, 10), ends_at=datetime(2026, 12, 1, 12))
        db.session.add(session)
        session.slots = [SessionSlot(invitation=invitation)]
        db.session.commit()
        return session.public_id


def _survey(app):
    """An open survey of the group with a question and a paper response entered by its lead officer."""
    from scrutiny.auth.services import find_user
    from scrutiny.extensions import db
    from scrutiny.surveys import recording
    from tests.survey_factories import SINGLE, load, make_survey

    made = make_survey(app, questions=[SINGLE], status="open")
    with app.app_context():
        survey = load(made["survey"])
        question = survey.questions[0]
        response = recording.record(survey, {question.id: recording.Answer(option_ids=[question.options[0].id])},
                                    "paper", "en", entered_by=find_user("lead@second.example"), consented=True)
        db.session.commit()
        return {"survey": made["survey"], "question": question.id, "lang": "ar", "reference": response.reference}


def _open(browser, method, url):
    if method == "GET":
        return browser.client.get(url)
    return browser.client.post(url)


# One test per kind of visitor walks every route with one set-up, rather than
# a test per route: set-up is most of the cost, and a GET changes nothing, so
# the routes can share it. Every mismatch is listed, not only the first.

def _anonymous_mismatch(browser, method, url, allowed) -> str | None:
    response = _open(browser, method, url)
    status, location = response.status_code, response.headers.get("Location", "")
    if allowed == "public":
        ok = status in ((200, 302) if method == "GET" else (302, 400))
        ok = ok and (status != 302 or location.startswith(("/sign-in", "/portal/")))
    elif allowed == "witness":
        ok = status in (404, 400)  # no portal session: nothing is there (POSTs: no token)
    elif method == "GET":
        ok = status == 302 and location.startswith("/sign-in?next=")
    else:
        ok = status in (302, 400)  # no session: redirect, or the CSRF refusal first
    return None if ok else f"{method} {url}: {status} {location}"


def test_anonymous_visitors_are_sent_to_sign_in(browser, people):
    mismatches = [_anonymous_mismatch(browser, method, url.format(**people["ids"]), allowed)
                  for method, url, allowed in ROUTES]
    assert [m for m in mismatches if m] == []


def _expected_for(who: str, allowed) -> int:
    role = "councillor" if who == "outsider" else who
    if allowed == "witness":
        return 404  # a staff account is not a witness's portal session
    if allowed == "member":
        return 200 if who != "outsider" else 403
    return 200 if role in allowed else 403


@pytest.mark.parametrize("who", ["admin", "officer", "councillor", "outsider"])
def test_each_role_gets_the_page_or_a_403(browser, people, who):
    browser.sign_in(people[who])
    mismatches = []
    for method, url, allowed in ROUTES:
        if method != "GET" or allowed == "public":
            continue
        url = url.format(**people["ids"])
        response = browser.client.get(url)
        expected = _expected_for(who, allowed)
        if response.status_code != expected:
            mismatches.append(f"GET {url}: {response.status_code}, expected {expected}")
        elif expected == 403 and "You do not have permission to see this page" not in response.text:
            mismatches.append(f"GET {url}: a 403 without its page")
    assert mismatches == []


def test_unknown_topic_group_is_a_404_page(browser, people):
    browser.sign_in(people["officer"])
    for url in ("/groups/no-such-group", "/groups/no-such-group/edit", "/groups/no-such-group/status"):
        response = browser.client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.text


def test_unknown_organisation_and_user_are_404(browser, people):
    browser.sign_in(people["admin"])
    assert browser.client.get("/organisations/999999/edit").status_code == 404
    assert browser.client.get("/admin/users/999999/edit").status_code == 404


def test_councillor_cannot_change_a_group_even_by_posting(app, browser, people):
    browser.sign_in(people["councillor"])
    page = browser.get("/my-groups")
    from tests.conftest import csrf_token

    token = csrf_token(page.text)
    response = browser.client.post(f"/groups/{GROUP}/status", data={"csrf_token": token, "status": "deliberating"})
    assert response.status_code == 403
    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        assert get_group_by_slug(GROUP).status == "gathering_evidence"
