"""Nothing personal or confidential on anything the public can fetch: every
public page, feed and file of the published demo and of a second review of
our own (published with its responses, a follower, confidential and
withheld evidence, a redacted passage) is searched, as a visitor with no
cookies gets it, for every e-mail address the database holds, every
officer's note, every name of a resident or a responder, every confidential
or withheld item, every confidential file's name and every redacted passage."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from urllib.parse import urljoin, urlparse

from pypdf import PdfReader
from sqlalchemy import select

from scrutiny.evidence.recorded import COMMUNITY_GIVEN_BY  # "residents": notes that name no one
from scrutiny.auth.models import User
from scrutiny.auth.services import find_user
from scrutiny.evidence.models import EvidenceFile, Submission
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.invitations.models import Invitation
from scrutiny.organisations.models import Organisation
from scrutiny.publication import clearance, services
from scrutiny.publication.models import Clearance, Follower, Redaction
from scrutiny.responses.models import ResponseAction, ResponseRequest
from tests.factories import make_submission, submit_response
from tests.test_letters import SECOND, SOCIAL_CARE, second, signed_in  # noqa: F401
from tests.test_publication import build_report, clear, evidence, publishable  # noqa: F401
from tests.test_responses_sending import ready, send  # noqa: F401

PASSAGE = "Mrs Adaeze Okonkwo of 14 Mill Lane waited nine months"
RESIDENT = "Jonah Resident-Witness"
FOLLOWER = "follower.private@home.example"


def _publish_second(app, run_jobs):
    """The second review published with its responses, a follower, a resident's
    oral evidence withheld, and an item whose passage naming a resident is redacted."""
    redacted = make_submission(app, None, group_slug=SECOND, title="What a carer said",
                               body=f"{PASSAGE} for an assessment. Waits are long everywhere.", status="accepted")
    oral = make_submission(app, None, group_slug=SECOND, title="Told at the session", body="Spoken evidence.",
                           status="accepted")
    with app.app_context():
        officer = find_user("lead@second.example")
        item = db.session.scalar(select(Submission).where(Submission.public_id == oral))
        item.given_by, item.received_via = RESIDENT, "session"
        db.session.commit()
        carer = db.session.scalar(select(Submission).where(Submission.public_id == redacted))
        clearance.clear_item(carer, "publish", officer, redactions=[(PASSAGE, "12a_2", "Names a resident")])
    clear(app, oral, "withhold")
    build_report(app, run_jobs)  # the evidence changed since the fixture built it
    with app.app_context():
        group = get_group_by_slug(SECOND)
        services.publish(group, find_user("lead@second.example"))
    send(signed_in(app))
    run_jobs()
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("accepted", "", [("Publish waits monthly", "Head of Service",
                                                                      date.today() + timedelta(days=90))])},
                    name="Dana Private-Signatory", email="dana.private@asc.example")
    with app.app_context():
        group = get_group_by_slug(SECOND)
        for action in db.session.scalars(select(ResponseAction)):
            action.owner_name = "Olu Private-Owner"
        db.session.add(Follower(topic_group=group, email=FOLLOWER, confirmed_at=services.utcnow(),
                                unsubscribe_token_hash="f" * 64))
        db.session.commit()
        services.publish_responses(group, find_user("lead@second.example"))


def _secrets(app) -> set[str]:
    """Every value that must never be public, from the database as it stands."""
    team = {app.config["SCRUTINY_TEAM_EMAIL"].lower()}
    found: set[str] = set()
    with app.app_context():
        found |= {u.email for u in db.session.scalars(select(User))}
        found |= {o.email for o in db.session.scalars(select(Organisation)) if o.email}
        found |= {o.notes for o in db.session.scalars(select(Organisation)) if o.notes and len(o.notes) > 12}
        found |= {i.contact_email for i in db.session.scalars(select(Invitation))}
        for r in db.session.scalars(select(ResponseRequest)):
            found |= {r.to_address, r.submitted_by_email, r.submitted_by_name}
        found |= {a.owner_name for a in db.session.scalars(select(ResponseAction))}
        found |= {f.email for f in db.session.scalars(select(Follower))}
        found |= {r.passage for r in db.session.scalars(select(Redaction))}
        for s in db.session.scalars(select(Submission)):
            if s.received_via and s.given_by and s.given_by != COMMUNITY_GIVEN_BY:
                found.add(s.given_by)  # a resident, or whoever spoke: never named in public
            if s.confidential:
                found |= {s.title, s.body[:60]}
                found |= {f.original_name for f in s.files}
        found |= {f.original_name for f in db.session.scalars(select(EvidenceFile).where(EvidenceFile.confidential))}
        withheld = db.session.scalars(select(Clearance).where(Clearance.decision == "withhold"))
        for c in withheld:
            if c.submission is not None:
                # Its text stays with the group; its title may stand in the agreed report's
                # list of evidence received, as the report was signed off.
                found.add(c.submission.body[:60])
            if c.evidence_file is not None:
                found.add(c.evidence_file.original_name)
    return {v.strip() for v in found if v and len(v.strip()) > 3 and v.strip().lower() not in team}


def _text_of(response) -> str:
    kind = response.headers.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(response.data)).pages).split())
    try:
        return response.data.decode("utf-8")
    except UnicodeDecodeError:
        return ""  # an image: no text to leak (its metadata is stripped when cleared)


def _crawl(client, starts: list[str]) -> dict[str, str]:
    """Every public URL reachable from the starts, under /reviews, as text."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code in (200, 410), f"{url} answered {response.status_code}"
        if not url.endswith("/follow"):  # the follow form needs its CSRF token in a session
            assert "Set-Cookie" not in response.headers, f"{url} set a cookie"
        seen[url] = _text_of(response)
        if response.headers.get("Content-Type", "").startswith(("text/html", "application/atom+xml")):
            for href in re.findall(r'href="([^"]+)"', response.data.decode()):
                path = urlparse(urljoin(url, href.replace("&amp;", "&")))
                if path.path.startswith("/reviews") and "/follow/" not in path.path:
                    queue.append(path.path + (f"?{path.query}" if path.query else ""))
    return seen


def test_nothing_personal_or_confidential_is_on_any_public_response(app, second, publishable, smtp,  # noqa: F811
                                                                      run_jobs, demo_case):
    _publish_second(app, run_jobs)
    pages = _crawl(app.test_client(), ["/reviews", "/reviews/feed.atom", f"/reviews/{demo_case}",
                                       f"/reviews/{SECOND}", f"/reviews/{SECOND}/feed.atom",
                                       f"/reviews/{demo_case}/feed.atom"])
    # What was crawled is the public site: both reviews' pages, reports, files and feeds.
    assert any(u.endswith(f"/reviews/{SECOND}/report.pdf") for u in pages)
    assert any(f"/reviews/{SECOND}/files/" in u for u in pages) and any(f"/reviews/{demo_case}/files/" in u
                                                                          for u in pages)
    assert "[redacted: Schedule 12A, paragraph 2" in pages[f"/reviews/{SECOND}"]
    assert "Publish waits monthly" in pages[f"/reviews/{SECOND}"]  # the responses are there
    secrets = _secrets(app)
    assert {PASSAGE, RESIDENT, FOLLOWER, "Dana Private-Signatory", "Olu Private-Owner"} <= secrets
    leaks = [(url, value) for url, body in pages.items() for value in secrets if value.lower() in body.lower()]
    assert leaks == [], leaks
    email = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
    team = app.config["SCRUTINY_TEAM_EMAIL"].lower()
    stray = {(url, m) for url, body in pages.items() for m in email.findall(body) if m.lower() != team}
    assert stray == set(), stray
