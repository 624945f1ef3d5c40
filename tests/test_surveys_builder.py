"""Officers build a survey: details and privacy notice, questions of four
kinds, options that keep their ids, conditions on earlier questions only,
the census's ethnic group question, and opening and closing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scrutiny.audit.models import AuditEvent
from scrutiny.extensions import db
from scrutiny.surveys import census, services
from scrutiny.surveys.models import SurveyOption
from tests.survey_factories import GROUP, MULTIPLE, RATING, SINGLE, TEXT, load, make_survey

BASE_URL = f"/groups/{GROUP}/surveys"


@pytest.fixture
def officer(browser, second_case):
    browser.sign_in("lead@second.example")
    return browser


def _day(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _survey_form(**changes):
    soon, later = date.today() + timedelta(days=20), date.today() + timedelta(days=50)
    data = {"title": "Care at home", "introduction": "Why we ask.", "lawful_basis": "consent",
            "closes_on": _day(soon), "withdraw_until": _day(later),
            "privacy_controller": "Northshire County Council", "privacy_contact": "dpo@northshire.example",
            "privacy_purposes": "For the report.", "privacy_recipients": "The scrutiny team.",
            "privacy_retention": "Two years."}
    data.update(changes)
    return data


def test_officer_creates_a_survey_and_equality_monitoring_needs_its_policy_document(app, officer):
    page = officer.submit(f"{BASE_URL}/new", _survey_form(lawful_basis="equality", title="Equal care"))
    assert page.status_code == 200
    assert "Enter the address of the appropriate policy document" in page.text
    assert 'value="Equal care"' in page.text  # what was typed is kept

    page = officer.submit(f"{BASE_URL}/new", _survey_form(lawful_basis="equality", title="Equal care",
                                                          policy_document_url="https://northshire.example/apd"),
                          follow=True)
    assert "Created the survey. Now add its questions." in page.text
    assert "Equality monitoring" in page.text
    assert "Add at least one question" in page.text  # not openable yet, and says why
    listing = officer.get(BASE_URL)
    assert "Equal care" in listing.text and "Draft" in listing.text


def test_withdrawal_must_last_at_least_until_the_survey_closes(officer):
    soon = date.today() + timedelta(days=3)
    page = officer.submit(f"{BASE_URL}/new", _survey_form(withdraw_until=_day(soon)))
    assert "The last day to withdraw must be on or after the closing date" in page.text


def test_questions_of_every_kind_are_added_and_shown_in_order(app, officer):
    made = make_survey(app)
    url = f"{BASE_URL}/{made['survey']}/questions/new"
    officer.submit(url, {"kind": "single", "text": "Did you get care?", "new_options": "Yes\nNo\nyes"})
    officer.submit(url, {"kind": "multiple", "text": "Who helped?", "new_options": "Family\nFriends"})
    officer.submit(url, {"kind": "text", "text": "What would have helped?", "required": "y"})
    page = officer.submit(url, {"kind": "rating", "text": "How was the wait?", "rating_scale": "7",
                                "rating_low": "Very poor", "rating_high": "Very good"}, follow=True)
    assert "Saved question 4." in page.text
    text = page.text
    assert text.index("1. Did you get care?") < text.index("2. Who helped?") < text.index("3. What would have helped?")
    assert "Rating from 1 (Very poor) to 7 (Very good)" in text
    with app.app_context():
        survey = load(made["survey"])
        assert [english.label["en"] for english in survey.questions[0].options] == ["Yes", "No"]  # duplicate dropped
        assert survey.questions[2].required and not survey.questions[0].required


def test_a_choice_question_needs_two_options_and_a_rating_its_end_labels(app, officer):
    made = make_survey(app)
    url = f"{BASE_URL}/{made['survey']}/questions/new"
    page = officer.submit(url, {"kind": "single", "text": "Pick one", "new_options": "Only"})
    assert "A choice question needs at least two options" in page.text
    assert 'value="Pick one"' in page.text
    page = officer.submit(url, {"kind": "rating", "text": "Rate it", "rating_scale": "5", "rating_high": "Good"})
    assert "Say what the lowest and the highest rating mean" in page.text


def test_editing_options_keeps_their_ids_so_answers_stay_attached(app, officer):
    made = make_survey(app, questions=[SINGLE])
    question_id = made["questions"][0]
    with app.app_context():
        yes, no = load(made["survey"]).questions[0].options
        yes_id, no_id = yes.id, no.id
    url = f"{BASE_URL}/{made['survey']}/questions/{question_id}/edit"
    page = officer.submit(url, {"kind": "single", "text": "Did you get the care you needed?",
                                f"option-{yes_id}": "Yes, all of it", f"option-{no_id}": "No",
                                f"remove-{no_id}": "1", "new_options": "Some of it\nNone of it"}, follow=True)
    assert "Saved question 1." in page.text
    with app.app_context():
        options = load(made["survey"]).questions[0].options
        assert [(o.id == yes_id, o.label["en"]) for o in options] == [
            (True, "Yes, all of it"), (False, "Some of it"), (False, "None of it")]
        assert db.session.get(SurveyOption, no_id) is None


def test_a_condition_may_look_only_at_an_earlier_question(app, officer):
    made = make_survey(app, questions=[SINGLE, TEXT, RATING])
    first, second, third = made["questions"]
    edit_second = f"{BASE_URL}/{made['survey']}/questions/{second}/edit"
    form = officer.get(edit_second).text
    assert "Only when question 1" in form and "Only when question 3" not in form  # only earlier ones offered

    page = officer.submit(edit_second, {"kind": "text", "text": "What would have helped?",
                                        "condition_question_id": str(third), "condition_operator": "answered"})
    assert "A question can depend only on an earlier one: question 3 comes after question 2" in page.text

    with app.app_context():
        no_id = load(made["survey"]).questions[0].options[1].id
    page = officer.submit(edit_second, {"kind": "text", "text": "What would have helped?",
                                        "condition_question_id": str(first), "condition_operator": "equals",
                                        "condition_option_id": str(no_id)}, follow=True)
    assert "Shown only when question 1 is “No”" in page.text

    # "is" needs an option of that very question, and a rating has none to compare.
    edit_third = f"{BASE_URL}/{made['survey']}/questions/{third}/edit"
    page = officer.submit(edit_third, {**{k: str(v) for k, v in RATING.items()},
                                       "condition_question_id": str(first), "condition_operator": "equals"})
    assert "Choose the option of question 1 the condition looks for" in page.text


def test_moving_works_without_javascript_but_never_above_the_question_it_depends_on(app, officer):
    made = make_survey(app, questions=[SINGLE, TEXT, {**TEXT, "text": "Anything else?", "condition_question_id": 0,
                                                     "condition_operator": "answered"}])
    first, second, third = made["questions"]
    survey_url = f"{BASE_URL}/{made['survey']}"
    officer.submit(f"{survey_url}/questions/{third}/move", {"direction": "up"}, form_page=survey_url)
    page = officer.submit(f"{survey_url}/questions/{third}/move", {"direction": "up"}, form_page=survey_url,
                          follow=True)
    assert "Question 2 shows depending on question 1’s answer, so it must stay after it" in page.text
    with app.app_context():
        assert [q.id for q in load(made["survey"]).questions] == [first, third, second]


def test_deleting_asks_first_and_refuses_a_question_another_depends_on(app, officer):
    made = make_survey(app, questions=[SINGLE, {**TEXT, "condition_question_id": 0, "condition_operator": "equals",
                                                "condition_option": 1}, MULTIPLE])
    first, second, third = made["questions"]
    survey_url = f"{BASE_URL}/{made['survey']}"
    assert "You cannot delete question 1" in officer.get(f"{survey_url}/questions/{first}/delete").text
    page = officer.submit(f"{survey_url}/questions/{first}/delete", {}, follow=True)
    assert "Question 2 shows depending on question 1’s answer: change that condition first" in page.text

    # Removing the option a condition uses is refused too.
    with app.app_context():
        yes, no = load(made["survey"]).questions[0].options
        yes_id, no_id = yes.id, no.id
    page = officer.submit(f"{survey_url}/questions/{first}/edit", {
        "kind": "single", "text": "Did you get care?", f"option-{yes_id}": "Yes", f"option-{no_id}": "No",
        f"remove-{no_id}": "1"})
    assert "Question 2 shows only depending on the option “No”" in page.text

    assert "Are you sure you want to delete question 3?" in officer.get(f"{survey_url}/questions/{third}/delete").text
    page = officer.submit(f"{survey_url}/questions/{third}/delete", {}, follow=True)
    assert "Deleted question 3." in page.text
    with app.app_context():
        assert [q.id for q in load(made["survey"]).questions] == [first, second]


def test_the_ethnic_group_question_has_the_census_options_in_their_five_groups(app, officer):
    made = make_survey(app, questions=[SINGLE])
    survey_url = f"{BASE_URL}/{made['survey']}"
    page = officer.submit(f"{survey_url}/ethnic-group", {}, form_page=survey_url, follow=True)
    assert "Added the ethnic group question as question 2. It is optional." in page.text
    assert "Add the ethnic group question" not in page.text.split("Languages")[0].split("Questions")[-1]
    with app.app_context():
        question = load(made["survey"]).questions[1]
        assert (question.code, question.demographic, question.required) == ("ethnic_group", True, False)
        options = question.options
        assert len(options) == 20
        grouped = [o for o in options if o.group_label]
        assert len(grouped) == 19
        assert list(dict.fromkeys(o.group_label["en"] for o in grouped)) == [
            "Asian, Asian British or Asian Welsh", "Black, Black British, Black Welsh, Caribbean or African",
            "Mixed or Multiple ethnic groups", "White", "Other ethnic group"]
        assert [o.label["en"] for o in options if o.write_in] == [
            "Any other Asian background", "Any other Black, Black British or Caribbean background",
            "Any other Mixed or multiple ethnic background", "Any other White background", "Any other ethnic group"]
        assert options[-1].label["en"] == "Prefer not to say" and not options[-1].group_label
        assert len({o.code for o in options}) == 20 and all(o.code for o in options)
    assert len(census.options()) == 20

    page = officer.submit(f"{survey_url}/ethnic-group", {}, form_page=survey_url, follow=True)
    assert "The survey already has the ethnic group question" in page.text
    question_id = page.text and made["questions"][0] + 1
    with app.app_context():
        question_id = load(made["survey"]).questions[1].id
    form = officer.get(f"{survey_url}/questions/{question_id}/edit").text
    assert "always optional" in form and 'name="required"' not in form


def test_opening_needs_questions_and_a_complete_privacy_notice(app, officer):
    made = make_survey(app, privacy_retention="")
    survey_url = f"{BASE_URL}/{made['survey']}"
    page = officer.get(survey_url)
    assert "Add at least one question" in page.text
    assert "Complete the privacy notice: how long the answers are kept" in page.text
    page = officer.submit(f"{survey_url}/open", {}, form_page=survey_url, follow=True)
    assert "The survey cannot open yet." in page.text
    with app.app_context():
        assert load(made["survey"]).status == "draft"


def test_open_close_and_reopen_with_a_reason_are_audited(app, officer):
    made = make_survey(app, questions=[SINGLE])
    survey_url = f"{BASE_URL}/{made['survey']}"
    page = officer.submit(f"{survey_url}/open", {}, form_page=survey_url, follow=True)
    assert "The survey is open" in page.text
    assert f"/take-part/adult-social-care-waiting-times/surveys/{made['survey']}</a>" in page.text  # its public address
    page = officer.submit(f"{survey_url}/close", {}, form_page=survey_url, follow=True)
    assert "The survey is closed" in page.text
    page = officer.submit(f"{survey_url}/reopen", {"reason": ""})
    assert "Say why the survey is reopening" in page.text
    page = officer.submit(f"{survey_url}/reopen", {"reason": "Closed a week early by mistake"}, follow=True)
    assert "The survey is open again." in page.text
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.object_label) for e in events if e.action.startswith("survey")] == [
            ("survey_opened", "Waiting for care at home"), ("survey_closed", "Waiting for care at home"),
            ("survey_reopened", "Waiting for care at home")]
        assert events[-1].details == {"reason": "Closed a week early by mistake"}
        assert events[-1].actor_name.startswith("Priya Lead-Officer")


def test_an_open_surveys_wording_may_change_but_an_answered_question_is_not_deleted(app, officer):
    from scrutiny.surveys import recording

    made = make_survey(app, questions=[SINGLE, TEXT], status="open")
    first = made["questions"][0]
    with app.app_context():
        survey = load(made["survey"])
        yes_id = survey.questions[0].options[0].id
        recording.record(survey, {first: recording.Answer(option_ids=[yes_id])}, "online", "en", consented=True)
        db.session.commit()
    survey_url = f"{BASE_URL}/{made['survey']}"
    edit = officer.get(f"{survey_url}/questions/{first}/edit").text
    assert "This question has 1 answer" in edit
    page = officer.submit(f"{survey_url}/questions/{first}/edit", {
        "kind": "single", "text": "Did you receive the care you asked for?", f"option-{yes_id}": "Yes, I did",
        f"remove-{yes_id}": "1"})
    assert "The option “Yes” has 1 answer, so it cannot be removed: change its wording instead" in page.text
    page = officer.submit(f"{survey_url}/questions/{first}/edit", {"kind": "text", "text": "Free now?"})
    assert "Question 1 has answers, so its kind cannot change" in page.text
    page = officer.submit(f"{survey_url}/questions/{first}/edit", {
        "kind": "single", "text": "Did you receive the care you asked for?", f"option-{yes_id}": "Yes, I did"},
        follow=True)
    assert "Did you receive the care you asked for?" in page.text and "Yes, I did" in page.text
    assert "You cannot delete question 1" in officer.get(f"{survey_url}/questions/{first}/delete").text
    page = officer.submit(f"{survey_url}/questions/{first}/delete", {}, follow=True)
    assert "Question 1 has 1 answer, so it cannot be deleted" in page.text


def test_councillors_of_the_group_read_the_survey_but_cannot_change_it(app, browser, second_case):
    made = make_survey(app, questions=[SINGLE])
    browser.sign_in("member@second.example")
    page = browser.get(f"{BASE_URL}/{made['survey']}")
    assert page.status_code == 200 and "Did you get the care you asked for?" in page.text
    assert "Add a question" not in page.text and "Edit details" not in page.text
    assert browser.client.get(f"{BASE_URL}/{made['survey']}/questions/new").status_code == 403


def test_services_refuse_a_condition_on_the_question_itself(app, second_case):
    made = make_survey(app, questions=[SINGLE])
    with app.app_context():
        survey = load(made["survey"])
        question = survey.questions[0]
        with pytest.raises(services.SurveyError, match="depend only on an earlier one"):
            services.save_question(survey, question, services.QuestionDetails(
                kind="single", text="x", option_labels={o.id: o.label["en"] for o in question.options},
                condition_question_id=question.id, condition_operator="answered"), None)
