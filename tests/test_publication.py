"""Officers publish a review: refused naming each thing still missing (the
sign-off, the report PDF, each item and file not yet cleared), nothing saved
when refused; the report published, then the responses once the letters
have gone and one has come back; withdrawn with a reason; every step a
public update, and the version of the publication moving with each."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.auth.services import find_user
from scrutiny.evidence.models import EvidenceFile, Submission
from scrutiny.extensions import db
from scrutiny.findings.models import FindingEvidence
from scrutiny.groups.services import get_group_by_slug
from scrutiny.publication import services
from scrutiny.publication.models import Clearance, Publication, PublicationEvent
from scrutiny.responses import review_sheet
from scrutiny.responses.models import ReviewPoint
from tests.factories import make_invitation, make_submission, submit_response
from tests.test_evidence_library import _add_file
from tests.test_letters import SECOND, SOCIAL_CARE, second, signed_in  # noqa: F401
from tests.test_responses_sending import ready, send, sent, text  # noqa: F401

PAGE = f"/groups/{SECOND}/publication"


def add_evidence(app) -> dict[str, str]:
    """Accepted evidence with a file, more accepted evidence the officers
    withhold, and accepted evidence given in confidence."""
    invitation = make_invitation(app, SECOND, "Carers in Northshire")
    shown = make_submission(app, invitation, title="What carers told us", body="Carers wait **months**.",
                            summary="Carers wait months for an assessment.", status="accepted")
    withheld = make_submission(app, invitation, title="A family's story", body="Told in the family's words.",
                               status="accepted")
    secret = make_submission(app, invitation, title="Case reviews in confidence", body="Names of people.",
                             status="accepted", confidential=True)
    file = _add_file(app, shown, name="carers-survey.csv", data=b"area,weeks\nNorth,14\n")
    with app.app_context():  # the finding rests on it, so the report can be built
        item = db.session.scalar(select(Submission).where(Submission.public_id == shown))
        group = get_group_by_slug(SECOND)
        group.findings[0].evidence_links.append(FindingEvidence(submission=item))
        db.session.commit()
    return {"shown": shown, "withheld": withheld, "secret": secret, "file": file}


def clear(app, submission_public_id: str, decision: str = "publish") -> None:
    """An officer's decision on the item and each of its files, as the clearing pages record it."""
    with app.app_context():
        item = db.session.scalar(select(Submission).where(Submission.public_id == submission_public_id))
        db.session.add(Clearance(topic_group=item.topic_group, submission=item, decision=decision))
        for f in item.files:
            db.session.add(Clearance(topic_group=item.topic_group, evidence_file=f, decision=decision))
        db.session.commit()


def build_report(app, run_jobs) -> None:
    browser = signed_in(app)
    page = browser.submit(f"/groups/{SECOND}/documents/report/build", {}, form_page=f"/groups/{SECOND}/documents")
    assert page.status_code == 302
    run_jobs()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def publication(app) -> Publication | None:
    with app.app_context():
        found = db.session.get(Publication, get_group_by_slug(SECOND).id)
        if found is not None:
            db.session.expunge(found)
        return found


def event_titles(app) -> list[str]:
    with app.app_context():
        return [e.title for e in services.events(get_group_by_slug(SECOND))]


@pytest.fixture
def evidence(app, second):  # noqa: F811 - the fixture imported above
    return add_evidence(app)


@pytest.fixture
def publishable(app, evidence, run_jobs):
    """Signed off, letters and report built, evidence cleared (one item withheld)."""
    ready(app, run_jobs)
    build_report(app, run_jobs)
    clear(app, evidence["shown"])
    clear(app, evidence["withheld"], "withhold")
    return evidence


def publish(browser):
    return browser.submit(f"{PAGE}/publish", {}, form_page=PAGE)


def test_publishing_is_refused_naming_each_missing_thing_and_nothing_is_saved(app, evidence):
    browser = signed_in(app)
    page = publish(browser)
    assert page.status_code == 400
    summary = " ".join(BeautifulSoup(page.text, "html.parser").select_one(".govuk-error-summary").get_text(" ").split())
    assert "The group has not signed off its draft" in summary
    assert "The final report PDF has not been built" in summary
    assert "The evidence “What carers told us” has not been cleared for publication" in summary
    assert "The file “carers-survey.csv” of “What carers told us” has not been cleared" in summary
    assert "The evidence “A family's story” has not been cleared" in summary
    assert "Case reviews in confidence" not in page.text  # confidential: never public, nothing to clear
    # Each problem links to where it is put right.
    assert f'href="/groups/{SECOND}/draft"' in page.text
    assert f'href="/groups/{SECOND}/documents"' in page.text
    assert f'href="/groups/{SECOND}/evidence/{evidence["shown"]}"' in page.text
    assert count(app, Publication) == 0 and count(app, PublicationEvent) == 0
    # The page itself says the same before anyone presses anything.
    listed = text(browser.get(PAGE))
    assert "The report cannot be published yet" in listed and "Publish the review" not in listed


def test_an_out_of_date_report_stops_publishing(app, publishable, run_jobs):
    with app.app_context():
        get_group_by_slug(SECOND).scope += "\n\nA late change."
        db.session.commit()
    with app.app_context(), pytest.raises(services.PublicationError) as refused:
        services.publish(get_group_by_slug(SECOND), find_user("lead@second.example"))
    assert "is out of date" in str(refused.value)
    assert count(app, Publication) == 0


def test_publishing_records_who_when_and_a_public_update(app, publishable):
    browser = signed_in(app)
    page = publish(browser)
    assert page.status_code == 302
    shown = text(browser.get(PAGE))
    assert "Published on" in shown and "Priya Lead-Officer" in shown
    assert f"/reviews/{SECOND}" in shown
    assert event_titles(app) == ["Final report published"]
    first = publication(app)
    assert first.published_at is not None and first.withdrawn_at is None
    # A second press changes nothing.
    again = publish(browser)
    assert again.status_code == 400 and "already published" in text(again)
    assert publication(app).version_id == first.version_id
    assert event_titles(app) == ["Final report published"]


def test_responses_wait_for_the_letters_and_a_submitted_response(app, publishable, smtp, run_jobs):
    browser = signed_in(app)
    publish(browser)
    page = browser.submit(f"{PAGE}/publish-responses", {}, form_page=PAGE)
    assert page.status_code == 400
    assert "The recommendation letters have not been sent" in text(page)
    send(signed_in(app))
    run_jobs()
    page = browser.submit(f"{PAGE}/publish-responses", {}, form_page=PAGE)
    assert "No organisation has submitted a response yet" in text(page)
    assert publication(app).responses_published_at is None
    before = publication(app).version_id
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("accepted", "", [("Publish waits monthly", "Head of Service",
                                                                      date.today() + timedelta(days=90))])})
    page = browser.submit(f"{PAGE}/publish-responses", {}, form_page=PAGE)
    assert page.status_code == 302
    assert publication(app).responses_published_at is not None
    assert publication(app).version_id > before
    assert event_titles(app) == ["Responses from 1 organisation published", "Final report published"]


def test_withdrawing_keeps_the_reason_and_a_bad_one_is_refused_keeping_what_was_typed(app, publishable):
    browser = signed_in(app)
    publish(browser)
    long = "x" * (services.MAX_REASON + 1)
    page = browser.submit(f"{PAGE}/withdraw", {"reason": long}, form_page=PAGE)
    assert page.status_code == 400
    assert "The reason must be 2000 characters or fewer" in text(page)
    assert long in page.text
    assert publication(app).withdrawn_at is None
    page = browser.submit(f"{PAGE}/withdraw", {"reason": "A witness asked us to correct their evidence."},
                          form_page=PAGE)
    assert page.status_code == 302
    withdrawn = publication(app)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_reason == "A witness asked us to correct their evidence."
    assert event_titles(app)[0] == "Review withdrawn"
    # Published again: the notice goes, the history stays.
    assert publish(browser).status_code == 302
    assert publication(app).withdrawn_at is None
    assert event_titles(app) == ["Final report published", "Review withdrawn", "Final report published"]


def test_a_refused_step_changes_nothing(app, publishable, monkeypatch):
    """All or nothing: an error after the row is changed rolls it back with its event."""
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record_event", broken)
    with app.app_context(), pytest.raises(RuntimeError):
        services.publish(get_group_by_slug(SECOND), find_user("lead@second.example"))
    assert count(app, Publication) == 0 and count(app, PublicationEvent) == 0


def test_a_review_held_is_a_public_update_of_a_published_review(app, publishable, smtp, run_jobs):
    publish(signed_in(app))
    send(signed_in(app))
    run_jobs()
    submit_response(app, SECOND, SOCIAL_CARE, {1: ("accepted", "", [("Publish waits monthly", "Head of Service",
                                                                      date.today() + timedelta(days=90))])})
    before = publication(app).version_id
    with app.app_context():
        group = get_group_by_slug(SECOND)
        point = ReviewPoint(topic_group=group, label="6-month review", due_on=date.today())
        db.session.add(point)
        db.session.commit()
        sheet = review_sheet.rows(group, point)
        for row in sheet:
            row.typed = review_sheet.Typed("amber", "Started, not finished.")
        review_sheet.save(group, sheet, find_user("lead@second.example"), point)
    assert event_titles(app)[0] == "6-month review: judgements recorded"
    assert publication(app).version_id > before


def test_the_group_page_and_its_navigation_lead_officers_to_the_publication(app, evidence):
    browser = signed_in(app)
    page = browser.get(f"/groups/{SECOND}")
    assert f'href="{PAGE}"' in page.text and "Not published yet" in text(page)
    councillor = signed_in(app, "member@second.example")
    page = councillor.get(f"/groups/{SECOND}")
    assert PAGE not in page.text
    assert councillor.get(PAGE).status_code == 403


def test_an_unpublished_files_rows_never_count_as_cleared(app, evidence):
    """A file is waiting until it has a decision of its own, even if its item has one."""
    with app.app_context():
        item = db.session.scalar(select(Submission).where(Submission.public_id == evidence["shown"]))
        db.session.add(Clearance(topic_group=item.topic_group, submission=item, decision="publish"))
        db.session.commit()
        names = [p.message for p in services.problems(get_group_by_slug(SECOND))]
    assert any("carers-survey.csv" in n for n in names)
    assert not any(n.startswith("The evidence “What carers told us”") for n in names)
    assert count(app, EvidenceFile) == 1


def test_publishing_tells_confirmed_followers_and_the_witnesses_by_email(app, publishable, smtp, run_jobs):
    from scrutiny import links
    from scrutiny.publication.following import unsubscribe_token
    from scrutiny.publication.models import Follower

    with app.app_context():
        group = get_group_by_slug(SECOND)
        confirmed = Follower(topic_group=group, email="resident@home.example", confirmed_at=services.utcnow(),
                             unsubscribe_token_hash=links.hash_token(unsubscribe_token(group.id,
                                                                                       "resident@home.example")))
        waiting = Follower(topic_group=group, email="unconfirmed@home.example",
                           confirm_token_hash=links.new_token()[1],
                           unsubscribe_token_hash=links.hash_token(unsubscribe_token(group.id,
                                                                                     "unconfirmed@home.example")))
        db.session.add_all([confirmed, waiting])
        db.session.commit()
    assert publish(signed_in(app)).status_code == 302
    run_jobs()
    [news] = smtp.to("resident@home.example")
    assert "Final report published" in news["Subject"]
    body = news.get_body(("plain",)).get_content()
    assert f"/reviews/{SECOND}" in body and "/reviews/follow/unsubscribe/" in body
    assert smtp.to("witness@org.example"), "the review's witness is told too"
    assert not smtp.to("unconfirmed@home.example")
