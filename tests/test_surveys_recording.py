"""The recording service the public form and paper entry share: conditions,
required answers, options of the question asked, write-ins, unique
references, all or nothing; and withdrawal by reference."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from scrutiny.extensions import db
from scrutiny.surveys import recording, services
from scrutiny.surveys.models import SurveyAnswer, SurveyResponse
from tests.survey_factories import MULTIPLE, RATING, SINGLE, TEXT, load, make_survey

# 1: yes/no; 2: only when 1 is "No", required; 3: rating; 4: multiple, only when 3 is answered.
QUESTIONS = [SINGLE, {**TEXT, "required": True, "condition_question_id": 0, "condition_operator": "equals",
                      "condition_option": 1},
             RATING, {**MULTIPLE, "condition_question_id": 2, "condition_operator": "answered"}]


@pytest.fixture
def survey(app, second_case):
    made = make_survey(app, questions=QUESTIONS, status="open")
    with app.app_context():
        yield load(made["survey"])


def _ids(survey):
    q = survey.questions
    return {"q1": q[0].id, "yes": q[0].options[0].id, "no": q[0].options[1].id, "q2": q[1].id, "q3": q[2].id,
            "q4": q[3].id, "family": q[3].options[0].id}


def test_a_question_shows_only_when_its_condition_on_an_earlier_answer_holds(survey):
    i = _ids(survey)
    shown = recording.visible_questions(survey, {})
    assert [q.id for q in shown] == [i["q1"], i["q3"]]
    answers = {i["q1"]: recording.Answer(option_ids=[i["no"]]), i["q3"]: recording.Answer(rating=2)}
    assert [q.id for q in recording.visible_questions(survey, answers)] == [i["q1"], i["q2"], i["q3"], i["q4"]]


def test_required_only_when_shown_and_hidden_answers_are_dropped(survey):
    i = _ids(survey)
    checked = recording.validate(survey, MultiDict({f"q{i['q1']}": str(i["no"])}))
    assert checked.errors == {i["q2"]: "Enter an answer"}

    posted = MultiDict([(f"q{i['q1']}", str(i["yes"])), (f"q{i['q2']}", "Nothing, it was fine"),
                        (f"q{i['q4']}", str(i["family"]))])
    checked = recording.validate(survey, posted, "en")
    assert checked.errors == {}
    assert list(checked.answers) == [i["q1"]]  # question 2 hidden by "Yes", question 4 by no rating
    assert [q.id for q in checked.dropped] == [i["q2"], i["q4"]]


def test_an_option_of_another_question_or_a_rating_out_of_range_is_refused(survey):
    i = _ids(survey)
    checked = recording.validate(survey, MultiDict([(f"q{i['q1']}", str(i["family"])), (f"q{i['q3']}", "6")]))
    assert checked.errors == {i["q1"]: "Choose from the answers given for this question",
                              i["q3"]: "Choose a rating from 1 to 5"}
    checked = recording.validate(survey, MultiDict([(f"q{i['q1']}", str(i["yes"])), (f"q{i['q1']}", str(i["no"]))]))
    assert checked.errors == {i["q1"]: "Choose only one answer"}


def test_free_text_has_a_length_limit(survey):
    i = _ids(survey)
    posted = MultiDict([(f"q{i['q1']}", str(i["no"])), (f"q{i['q2']}", "x" * (recording.TEXT_LIMIT + 1))])
    assert recording.validate(survey, posted).errors == {i["q2"]: "The answer must be 5,000 characters or fewer "
                                                                  "(it has 5,001)"}


def test_write_in_words_are_kept_with_their_option_only(app, second_case):
    made = make_survey(app, questions=[SINGLE], status="open")
    with app.app_context():
        survey = load(made["survey"])
        question = services.add_ethnic_group_question(survey, None)
        db.session.commit()
        other = next(o for o in question.options if o.code == "asian_other")
        indian = next(o for o in question.options if o.code == "asian_indian")
        name = f"q{question.id}"
        checked = recording.validate(survey, MultiDict({name: str(other.id), f"{name}-o{other.id}": "Sri Lankan Tamil"}))
        assert checked.answers[question.id].write_ins == {other.id: "Sri Lankan Tamil"}
        response = recording.record(survey, checked.answers, "online", "en", consented=True)
        db.session.commit()
        assert [(a.option_id, a.text) for a in response.answers] == [(other.id, "Sri Lankan Tamil")]

        # Words typed beside an option not chosen are not kept.
        checked = recording.validate(survey, MultiDict({name: str(indian.id), f"{name}-o{other.id}": "Tamil"}))
        assert checked.answers[question.id].write_ins == {}


def test_a_recorded_response_has_a_reference_without_lookalikes_and_its_answers(survey):
    i = _ids(survey)
    posted = MultiDict([(f"q{i['q1']}", str(i["no"])), (f"q{i['q2']}", "A visit sooner"), (f"q{i['q3']}", "2"),
                        (f"q{i['q4']}", str(i["family"]))])
    checked = recording.validate(survey, posted, "en")
    response = recording.record(survey, checked.answers, "online", "en", consented=True)
    db.session.commit()
    assert len(response.reference) == 10 and not set(response.reference) & set("01ILOU")
    stored = {(a.question_id, a.option_id, a.rating, a.text) for a in response.answers}
    assert stored == {(i["q1"], i["no"], None, ""), (i["q2"], None, None, "A visit sooner"),
                      (i["q3"], None, 2, ""), (i["q4"], i["family"], None, "")}
    assert response.channel == "online" and response.consented_at is not None and response.entered_by is None


def test_a_reference_already_used_is_drawn_again(survey, monkeypatch):
    i = _ids(survey)
    answers = {i["q1"]: recording.Answer(option_ids=[i["yes"]])}
    draws = iter(["AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB"])
    monkeypatch.setattr(recording, "new_reference", lambda: next(draws))
    first = recording.record(survey, answers, "online", "en", consented=True)
    db.session.commit()
    second = recording.record(survey, answers, "online", "en", consented=True)
    db.session.commit()
    assert (first.reference, second.reference) == ("AAAAAAAAAA", "BBBBBBBBBB")


def _stored() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(SurveyResponse)),
            db.session.scalar(select(func.count()).select_from(SurveyAnswer)))


def test_all_or_nothing_an_answer_to_another_surveys_question_stores_nothing(app, survey):
    i = _ids(survey)
    other = make_survey(app, questions=[TEXT], status="open")
    answers = {i["q1"]: recording.Answer(option_ids=[i["yes"]]),
               other["questions"][0]: recording.Answer(text="Not this survey's")}
    with pytest.raises(recording.RecordingError, match="another survey"):
        recording.record(survey, answers, "online", "en", consented=True)
    db.session.rollback()
    assert _stored() == (0, 0)
    bad_option = {i["q3"]: recording.Answer(option_ids=[i["yes"]])}
    with pytest.raises(recording.RecordingError, match="not one of its options"):
        recording.record(survey, {i["q1"]: recording.Answer(option_ids=[i["yes"]]), **bad_option}, "online", "en",
                         consented=True)
    db.session.rollback()
    assert _stored() == (0, 0)


def test_online_responses_need_an_open_survey_consent_and_an_offered_language(app, survey):
    i = _ids(survey)
    answers = {i["q1"]: recording.Answer(option_ids=[i["yes"]])}
    with pytest.raises(recording.RecordingError, match="Tick the box to say you agree"):
        recording.record(survey, answers, "online", "en")
    with pytest.raises(recording.RecordingError, match="not offered in that language"):
        recording.record(survey, answers, "online", "ar", consented=True)
    with pytest.raises(recording.RecordingError, match="closed"):
        recording.record(survey, answers, "online", "en", consented=True,
                         today=survey.closes_on + timedelta(days=1))
    with pytest.raises(recording.RecordingError, match="nothing to record"):
        recording.record(survey, {}, "online", "en", consented=True)
    services.close_survey(survey, None)
    with pytest.raises(recording.RecordingError, match="closed"):
        recording.record(survey, answers, "online", "en", consented=True)
    db.session.rollback()
    assert _stored() == (0, 0)


def test_withdrawal_deletes_the_answers_until_the_cut_off(app, survey):
    i = _ids(survey)
    response = recording.record(survey, {i["q1"]: recording.Answer(option_ids=[i["yes"]])}, "online", "en",
                                consented=True)
    db.session.commit()
    reference = response.reference
    typed = f" {reference[:5].lower()}-{reference[5:]} "  # as a respondent might copy it

    with pytest.raises(recording.WithdrawalError, match="could be withdrawn until"):
        recording.withdraw(survey, typed, today=survey.withdraw_until + timedelta(days=1))
    withdrawn = recording.withdraw(survey, typed, today=survey.withdraw_until)
    db.session.commit()
    assert withdrawn.withdrawn_at is not None and withdrawn.answers == []
    assert _stored() == (1, 0)  # the row stays, so the reference says "withdrawn"

    with pytest.raises(recording.WithdrawalError) as again:
        recording.withdraw(survey, reference)
    with pytest.raises(recording.WithdrawalError) as unknown:
        recording.withdraw(survey, "ZZZZZZZZZZ")
    assert str(again.value) == str(unknown.value)  # nobody learns which references exist

    from scrutiny.audit.models import AuditEvent

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey_response_withdrawn")).one()
    assert event.actor_name == "A survey respondent" and event.details["reference"] == reference


def test_the_cut_off_is_the_surveys_own(app, second_case):
    made = make_survey(app, questions=[SINGLE], status="open", withdraw_until=date.today() + timedelta(days=90))
    with app.app_context():
        survey = load(made["survey"])
        question = survey.questions[0]
        response = recording.record(survey, {question.id: recording.Answer(option_ids=[question.options[0].id])},
                                    "online", "en", consented=True)
        db.session.commit()
        recording.withdraw(survey, response.reference, today=date.today() + timedelta(days=90))
