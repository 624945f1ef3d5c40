"""The demo case's community engagement (scrutiny/demo/community.py): a
closed survey in five languages with 60 responses through every channel,
drawn into the evidence; a discussion held and closed with its record and
another open for sign-up; two one-to-one requests, the closed one's notes in
the evidence naming no one. The features themselves are tested on a review
of the tests' own making (tests/test_community_*.py, tests/test_survey*.py)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from scrutiny.clock import utcnow
from scrutiny.community.models import ConversationRequest, DiscussionEvent
from scrutiny.evidence.models import Submission
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.surveys.models import Survey, SurveyResponse
from tests.conftest import Browser


def test_the_demo_survey_is_closed_in_five_languages_with_its_responses_in_the_evidence(app, demo_case):
    with app.app_context():
        group = get_group_by_slug(demo_case)
        [survey] = db.session.scalars(select(Survey).where(Survey.topic_group_id == group.id))
        assert (survey.status, survey.languages) == ("closed", ["en", "ar", "bn", "ur", "pl"])
        assert survey.title["bn"] == "স্বাস্থ্যসেবা নিয়ে আপনার অভিজ্ঞতা"
        census = next(q for q in survey.questions if q.code == "ethnic_group")
        assert len(census.options) == 20 and census.options[0].label["ur"] == "بنگلہ دیشی"
        responses = list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)))
        assert len(responses) == 60
        assert Counter(r.channel for r in responses) == {"online": 46, "paper": 9, "interview": 5}
        assert set(Counter(r.language for r in responses)) == {"en", "ar", "bn", "ur", "pl"}
        assert all(r.submitted_at.year == 2021 for r in responses)
        [item] = db.session.scalars(select(Submission).where(Submission.survey_id == survey.id))
        assert item.kind == "survey" and item.summary.startswith("60 responses (online 46, paper 9, interview 5)")
    officer = Browser(app.test_client())
    officer.sign_in("officer@example.org", "scrutiny-demo")
    page = officer.get(f"/groups/{demo_case}/surveys/{survey.public_id}/results")
    assert page.status_code == 200 and "What is your ethnic group?" in page.text


def test_the_demo_has_a_discussion_held_and_one_open_for_sign_up(app, demo_case, client):
    with app.app_context():
        group = get_group_by_slug(demo_case)
        held, upcoming = db.session.scalars(select(DiscussionEvent).where(DiscussionEvent.topic_group_id == group.id)
                                            .order_by(DiscussionEvent.starts_at))
        assert (held.status, held.attendees, held.languages_used) == ("closed", 14, ["bn", "en"])
        assert upcoming.status == "published" and upcoming.starts_at > utcnow()
        assert sorted(s.language for s in upcoming.signups) == ["ar", "pa", "ur"]
        upcoming_id = upcoming.public_id
    page = client.get(f"/ur/take-part/{demo_case}/discussions/{upcoming_id}")
    assert page.status_code == 200 and "Has anything changed?" in page.text


def test_the_demo_one_to_one_requests_and_their_notes_name_no_one(app, demo_case):
    with app.app_context():
        group = get_group_by_slug(demo_case)
        waiting, closed = db.session.scalars(select(ConversationRequest).where(
            ConversationRequest.topic_group_id == group.id).order_by(ConversationRequest.status.desc()))
        assert (waiting.status, waiting.name, waiting.language) == ("open", "Nasreen Akhtar", "ur")
        assert (closed.status, closed.name, closed.contact) == ("closed", "", "") and closed.erased_at is not None
        community = list(db.session.scalars(select(Submission).where(Submission.topic_group_id == group.id,
                                                                     Submission.kind == "community")))
        assert sorted(s.received_via for s in community) == ["conversation", "discussion"]
        for item in community:
            assert "Nasreen" not in item.body and "Farah" not in item.body and item.themes
