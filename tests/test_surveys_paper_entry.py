"""Officers enter paper and interview responses through a form showing every
question; the recording service applies the conditions, and the confirmation
gives the reference to write on the form."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from scrutiny.audit.models import AuditEvent
from scrutiny.extensions import db
from scrutiny.surveys.models import SurveyResponse
from tests.survey_factories import GROUP, RATING, SINGLE, TEXT, load, make_survey

BASE_URL = f"/groups/{GROUP}/surveys"
QUESTIONS = [SINGLE, {**TEXT, "condition_question_id": 0, "condition_operator": "equals", "condition_option": 1},
             {**RATING, "required": True}]


@pytest.fixture
def officer(browser, second_case):
    browser.sign_in("lead@second.example")
    return browser


def _ids(app, public_id):
    with app.app_context():
        q = load(public_id).questions
        return {"q1": q[0].id, "yes": q[0].options[0].id, "no": q[0].options[1].id, "q2": q[1].id, "q3": q[2].id}


def test_a_paper_response_is_recorded_as_entered_by_the_officer_with_its_reference(app, officer):
    made = make_survey(app, questions=QUESTIONS, status="open")
    i = _ids(app, made["survey"])
    url = f"{BASE_URL}/{made['survey']}/responses/new"
    form = officer.get(url).text
    assert "Did you get the care you asked for?" in form and "What would have helped?" in form  # every question
    assert "Shown only when question 1 is “No”" in html.unescape(form)

    # Question 2 answered although question 1 said "Yes": not recorded, and the officer is told.
    page = officer.submit(url, {"channel": "paper", "language": "pl", "consented": "y",
                                f"q{i['q1']}": str(i["yes"]), f"q{i['q2']}": "More visits", f"q{i['q3']}": "4"},
                          follow=True)
    text = html.unescape(page.text)
    assert "Response recorded" in text
    assert "The answers to question 2 were not recorded" in text
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.reference in text
        assert (response.channel, response.language, response.entered_by.email) == ("paper", "pl",
                                                                                     "lead@second.example")
        assert {a.question_id for a in response.answers} == {i["q1"], i["q3"]}
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey_response_entered")).one()
        assert event.details == {"reference": response.reference, "channel": "paper", "language": "pl"}


def test_a_missing_required_answer_or_consent_keeps_what_was_typed(app, officer):
    made = make_survey(app, questions=QUESTIONS, status="open")
    i = _ids(app, made["survey"])
    url = f"{BASE_URL}/{made['survey']}/responses/new"
    page = officer.submit(url, {"channel": "interview", "language": "en", "consented": "y",
                                f"q{i['q1']}": str(i["no"]), f"q{i['q2']}": "Someone to call"})
    text = html.unescape(page.text)
    assert "Question 3: Choose an answer" in text
    assert "Someone to call" in text and f'value="{i["no"]}" checked' in text
    page = officer.submit(url, {"channel": "interview", "language": "en", f"q{i['q3']}": "2"})
    assert "The respondent’s consent is needed" in html.unescape(page.text)
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse)).all() == []


def test_paper_forms_may_be_entered_after_closing_but_not_before_opening(app, officer):
    closed = make_survey(app, questions=[SINGLE], status="closed")
    with app.app_context():
        q = load(closed["survey"]).questions[0]
        field, option = f"q{q.id}", str(q.options[0].id)
    page = officer.submit(f"{BASE_URL}/{closed['survey']}/responses/new",
                          {"channel": "paper", "language": "en", "consented": "y", field: option}, follow=True)
    assert "Response recorded" in page.text

    draft = make_survey(app, questions=[SINGLE], title="Another")
    with app.app_context():
        q = load(draft["survey"]).questions[0]
        field, option = f"q{q.id}", str(q.options[0].id)
    page = officer.submit(f"{BASE_URL}/{draft['survey']}/responses/new",
                          {"channel": "paper", "language": "en", "consented": "y", field: option})
    assert "The survey has not opened yet" in page.text


def test_an_officer_withdraws_a_response_for_a_respondent(app, officer):
    made = make_survey(app, questions=[SINGLE], status="open")
    with app.app_context():
        q = load(made["survey"]).questions[0]
        field, option = f"q{q.id}", str(q.options[0].id)
    officer.submit(f"{BASE_URL}/{made['survey']}/responses/new",
                   {"channel": "paper", "language": "en", "consented": "y", field: option})
    with app.app_context():
        reference = db.session.scalars(select(SurveyResponse.reference)).one()
    url = f"{BASE_URL}/{made['survey']}/withdraw"
    page = officer.submit(url, {"reference": "NOTAREF234"})
    assert "No response to this survey with that reference is waiting to be withdrawn" in page.text
    page = officer.submit(url, {"reference": reference.lower()}, follow=True)
    assert f"Withdrew response {reference}" in page.text
    assert "1 withdrawn" in page.text
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey_response_withdrawn")).one()
        assert event.actor_name.startswith("Priya Lead-Officer")


def test_an_online_responses_reference_opens_nothing_for_officers(app, officer):
    from scrutiny.surveys import recording

    made = make_survey(app, questions=[SINGLE], status="open")
    with app.app_context():
        survey = load(made["survey"])
        q = survey.questions[0]
        response = recording.record(survey, {q.id: recording.Answer(option_ids=[q.options[0].id])}, "online", "en",
                                    consented=True)
        db.session.commit()
        reference = response.reference
    assert officer.client.get(f"{BASE_URL}/{made['survey']}/responses/{reference}").status_code == 404
