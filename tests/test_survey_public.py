"""Residents answer a survey on its public pages, with no sign-in: a start
page with the privacy notice, one page of questions (conditions said in
words, judged again on submit), a confirmation with the reference shown only
to the browser that sent it, and withdrawal by that reference. In English
and in Arabic; a text not yet translated is shown in English, marked so."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.surveys import services
from scrutiny.surveys.models import SurveyAnswer, SurveyResponse
from tests.conftest import csrf_token
from tests.survey_factories import GROUP, MULTIPLE, RATING, SINGLE, TEXT, load, make_survey
from tests.test_pages_accessibility import check_page

# 1: yes/no, required; 2: only when 1 is "No", required; 3: rating; 4: multiple; 5: the census ethnic group.
QUESTIONS = [{**SINGLE, "required": True},
             {**TEXT, "required": True, "condition_question_id": 0, "condition_operator": "equals",
              "condition_option": 1},
             RATING, MULTIPLE]

ARABIC = {"title": "الانتظار للحصول على الرعاية في المنزل", "introduction": "أخبرنا كم انتظرت.",
          "privacy_purposes": "لإعداد تقرير المجموعة.", "privacy_recipients": "فريق التدقيق.",
          "privacy_retention": "سنتان."}
ARABIC_QUESTIONS = [("هل حصلت على الرعاية التي طلبتها؟", ["نعم", "لا"]), ("ما الذي كان سيساعدك؟", []),
                    ("كيف كان الانتظار؟", []), ("من ساعدك؟", ["العائلة", "الأصدقاء", "مقدم رعاية"])]


@pytest.fixture(autouse=True)
def _roomy_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_FORM_LIMITS", "1000 per hour")


def translate_to_arabic(app, survey_public_id: str) -> None:
    """Every text of the survey in Arabic (the census question's too, by
    marking the English), then Arabic offered to respondents."""
    with app.app_context():
        survey = load(survey_public_id)
        for name, value in ARABIC.items():
            setattr(survey, name, {**getattr(survey, name), "ar": value})
        for number, question in enumerate(survey.questions):
            words, options = ARABIC_QUESTIONS[number] if number < len(ARABIC_QUESTIONS) else ("", [])
            question.text = {**question.text, "ar": words or "[ar] " + question.text["en"]}
            if question.hint.get("en"):
                question.hint = {**question.hint, "ar": "[ar] " + question.hint["en"]}
            if question.kind == "rating":
                question.rating_low = {**question.rating_low, "ar": "سيئ جدا"}
                question.rating_high = {**question.rating_high, "ar": "جيد جدا"}
            for index, option in enumerate(question.options):
                label = options[index] if index < len(options) else "[ar] " + option.label["en"]
                option.label = {**option.label, "ar": label}
                if option.group_label.get("en"):
                    option.group_label = {**option.group_label, "ar": "[ar] " + option.group_label["en"]}
        services.publish_language(survey, "ar", None)
        db.session.commit()


@pytest.fixture
def survey(app, second_case):
    """The second case's survey, open, in English and Arabic; returns its ids and addresses."""
    made = make_survey(app, questions=QUESTIONS)
    with app.app_context():
        found = load(made["survey"])
        services.add_ethnic_group_question(found, None)
        db.session.commit()
    translate_to_arabic(app, made["survey"])
    with app.app_context():
        found = load(made["survey"])
        services.open_survey(found, None)
        db.session.commit()
        q = found.questions
        ids = {"q1": q[0].id, "yes": q[0].options[0].id, "no": q[0].options[1].id, "q2": q[1].id,
               "q3": q[2].id, "q4": q[3].id, "family": q[3].options[0].id, "carer": q[3].options[2].id,
               "q5": q[4].id, **{o.code: o.id for o in q[4].options}}
    base = f"/take-part/{GROUP}/surveys/{made['survey']}"
    return {"id": made["survey"], "ids": ids, "start": base, "questions": base + "/questions",
            "sent": base + "/sent", "withdraw": base + "/withdraw"}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _main(response) -> str:
    return _soup(response).main.get_text(" ", strip=True)


def _send(client, url: str, answers: dict, consented: bool = True, **extra):
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.text), **answers, **extra}
    if consented:
        data["consented"] = "y"
    return client.post(url, data=data)


def _responses(app) -> list[SurveyResponse]:
    with app.app_context():
        found = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        for response in found:
            response.answers  # noqa: B018 - loaded while the session is open
        return found


def test_the_start_page_has_the_privacy_notice_and_the_survey_s_languages(app, client, survey):
    page = client.get(survey["start"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    check_page(page.text, survey["start"])
    text = _main(page)
    for words in ("Waiting for care at home", "Tell us how long you waited.", "Northshire County Council",
                  "dpo@northshire.example", "To inform the group's report.", "The scrutiny team.", "Two years.",
                  "explicit consent", "You have the right to see the information we hold about you",
                  "Information Commissioner's Office", "You do not need to sign in"):
        assert words in text, words
    soup = _soup(page)
    assert soup.select_one('a[href="https://ico.org.uk/make-a-complaint/"]')
    start = soup.select_one("a.govuk-button--start")
    assert start["href"] == survey["questions"]
    arabic = soup.select_one(f'.app-survey-languages a[href="/ar{survey["start"]}"]')
    assert arabic.text == "العربية" and arabic["lang"] == arabic["hreflang"] == "ar"
    assert not soup.select_one(".app-survey-languages a[hreflang='bn']")  # not translated: not offered


def test_the_equality_basis_links_its_policy_document(app, client, second_case):
    made = make_survey(app, questions=[SINGLE], status="open", lawful_basis="equality")
    page = client.get(f"/take-part/{GROUP}/surveys/{made['survey']}")
    assert "equality" in _main(page).lower() or "treated equally" in _main(page)
    assert _soup(page).select_one('a[href="https://northshire.example/policy"]')
    questions = client.get(f"/take-part/{GROUP}/surveys/{made['survey']}/questions")
    assert not _soup(questions).select_one("#consented")  # no consent box under this basis


def test_the_questions_page_has_every_question_and_says_when_to_answer_one(app, client, survey):
    page = client.get(survey["questions"])
    check_page(page.text, survey["questions"])
    soup, i = _soup(page), survey["ids"]
    assert len(soup.select("[data-question]")) == 5  # every question; the script hides what does not apply
    q2 = soup.select_one(f"#q{i['q2']}-field")
    assert "Answer this if you chose ‘No’ in question 1." in q2.get_text(" ", strip=True)
    assert (q2["data-condition-question"], q2["data-condition-operator"], q2["data-condition-option"]) == (
        f"q{i['q1']}", "equals", str(i["no"]))
    text_box = soup.select_one(f"#q{i['q2']}-field .govuk-character-count")
    assert text_box["data-module"] == "govuk-character-count" and text_box["data-maxlength"] == "5000"
    assert "You can enter up to 5,000 characters" in text_box.get_text()
    assert [r["value"] for r in soup.select(f"input[name=q{i['q3']}]")] == ["1", "2", "3", "4", "5"]
    assert "Very poor" in soup.select_one(f"#q{i['q3']}-field .app-rating__ends").text
    census = soup.select_one(f"#q{i['q5']}-field")
    headings = [p.text for p in census.select("p.govuk-\\!-font-weight-bold")]
    assert len(headings) == 5 and headings[0] == "Asian, Asian British or Asian Welsh"
    other_asian = census.select_one(f"#q{i['q5']}-{i['asian_other']}")
    reveal = census.select_one("#" + other_asian["data-aria-controls"])
    assert "govuk-radios__conditional--hidden" in reveal["class"]
    assert reveal.select_one(f"input[name=q{i['q5']}-o{i['asian_other']}]")
    assert len(census.select("input[type=text]")) == 5  # a write-in for each "Any other..."
    assert "(optional)" in census.legend.text
    assert soup.select_one("#consented")
    assert soup.select_one(".app-honeypot #website")["tabindex"] == "-1"
    assert soup.select_one('script[src$="/build/survey.js"]')["type"] == "module"


def test_sending_answers_records_them_once_and_shows_them_back(app, client, survey):
    i = survey["ids"]
    sent = _send(client, survey["questions"], {
        f"q{i['q1']}": str(i["no"]), f"q{i['q2']}": "Someone to call\nat the weekend", f"q{i['q3']}": "2",
        f"q{i['q4']}": [str(i["family"]), str(i["carer"])], f"q{i['q5']}": str(i["asian_other"]),
        f"q{i['q5']}-o{i['asian_other']}": "Sri Lankan Tamil"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(survey["sent"])
    [response] = _responses(app)
    assert (response.channel, response.language) == ("online", "en") and response.consented_at is not None
    assert response.entered_by_id is None
    assert {(a.question_id, a.option_id, a.rating, a.text) for a in response.answers} == {
        (i["q1"], i["no"], None, ""), (i["q2"], None, None, "Someone to call\nat the weekend"),
        (i["q3"], None, 2, ""), (i["q4"], i["family"], None, ""), (i["q4"], i["carer"], None, ""),
        (i["q5"], i["asian_other"], None, "Sri Lankan Tamil")}

    page = client.get(survey["sent"])
    assert page.headers["Cache-Control"] == "no-store"
    check_page(page.text, survey["sent"])
    text = _main(page)
    assert response.reference in text
    for words in ("No", "Someone to call", "Family", "A carer", "Any other Asian background: Sri Lankan Tamil"):
        assert words in text, words
    assert (date.today() + timedelta(days=60)).strftime("%-d %B %Y") in text  # withdraw until
    assert _soup(page).select_one(f'a[href="{survey["withdraw"]}"]')
    assert len(_responses(app)) == 1  # reading the confirmation again records nothing

    # Another browser (or this one's session gone) sees no one's answers: the start page.
    other = app.test_client().get(survey["sent"])
    assert response.reference not in other.text and "Start now" in _main(other)


def test_a_required_answer_missing_is_named_and_everything_typed_is_kept(app, client, survey):
    i = survey["ids"]
    page = _send(client, survey["questions"], {f"q{i['q1']}": str(i["no"]), f"q{i['q3']}": "4",
                                               f"q{i['q5']}-o{i['asian_other']}": "Tamil"}, consented=False)
    assert page.status_code == 200 and _soup(page).title.text.startswith("Error:")
    check_page(page.text, "errors")
    summary = _soup(page).select_one(".govuk-error-summary")
    links = {a["href"]: a.text for a in summary.select("a")}
    assert links == {f"#q{i['q2']}": "Question 2: Enter an answer",
                     "#consented": "Tick the box to say you agree to your answers being used as described"}
    assert f'value="{i["no"]}" checked' in page.text and 'value="4" checked' in page.text
    assert 'value="Tamil"' in page.text
    assert _responses(app) == []


def test_an_answer_to_a_question_hidden_by_an_earlier_answer_is_not_kept(app, client, survey):
    i = survey["ids"]
    _send(client, survey["questions"], {f"q{i['q1']}": str(i["yes"]), f"q{i['q2']}": "Typed before choosing Yes"})
    [response] = _responses(app)
    assert [(a.question_id, a.option_id) for a in response.answers] == [(i["q1"], i["yes"])]


def test_a_filled_honeypot_is_thanked_and_nothing_is_kept(app, client, survey):
    i = survey["ids"]
    page = _send(client, survey["questions"], {f"q{i['q1']}": str(i["yes"])}, website="http://spam.example")
    assert page.status_code == 200 and "Your answers have been sent" in _main(page)
    assert _responses(app) == []


def test_too_many_responses_from_one_client_are_refused(app, client, survey, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_FORM_LIMITS", "2 per hour")
    i = survey["ids"]
    _send(client, survey["questions"], {}, consented=False)  # a mistake is not counted
    for _ in range(2):
        assert _send(client, survey["questions"], {f"q{i['q1']}": str(i["yes"])}).status_code == 303
    refused = _send(client, survey["questions"], {f"q{i['q1']}": str(i["yes"])})
    assert refused.status_code == 429
    assert len(_responses(app)) == 2


def test_a_draft_is_not_public_and_a_closed_survey_says_so(app, client, second_case):
    draft = make_survey(app, questions=[SINGLE])
    for path in ("", "/questions", "/sent", "/withdraw"):
        assert client.get(f"/take-part/{GROUP}/surveys/{draft['survey']}{path}").status_code == 404
    assert client.get(f"/take-part/no-such-group/surveys/{draft['survey']}").status_code == 404

    closed = make_survey(app, questions=[SINGLE], status="closed")
    base = f"/take-part/{GROUP}/surveys/{closed['survey']}"
    for path in ("", "/questions"):
        page = client.get(base + path)
        assert page.status_code == 200 and "This survey is closed" in _main(page)
        assert not _soup(page).select_one("form") and not _soup(page).select_one(".govuk-button--start")
        assert "result" not in _main(page).lower().replace("not part of the results", "")
    with app.app_context():
        question = load(closed["survey"]).questions[0]
        data = {"csrf_token": csrf_token(client.get(base + "/withdraw").text), f"q{question.id}": question.options[0].id,
                "consented": "y"}
    assert "This survey is closed" in _main(client.post(base + "/questions", data=data))
    assert _responses(app) == []


def test_the_reference_withdraws_the_answers_and_gives_nothing_away(app, client, survey):
    i = survey["ids"]
    _send(client, survey["questions"], {f"q{i['q1']}": str(i["yes"])})
    [response] = _responses(app)
    page = client.get(survey["withdraw"])
    check_page(page.text, survey["withdraw"])
    assert "You can withdraw your answers until" in _main(page)
    typed = response.reference.lower()[:5] + " " + response.reference.lower()[5:]  # as someone might type it
    done = client.post(survey["withdraw"], data={"csrf_token": csrf_token(page.text), "reference": typed})
    assert "Your answers have been withdrawn" in _main(done)
    [withdrawn] = _responses(app)
    assert withdrawn.withdrawn_at is not None and withdrawn.answers == []

    again = client.post(survey["withdraw"], data={"csrf_token": csrf_token(page.text), "reference": response.reference})
    unknown = client.post(survey["withdraw"], data={"csrf_token": csrf_token(page.text), "reference": "ZZZZZZZZZZ"})
    message = "No response to this survey with that reference is waiting to be withdrawn"
    assert message in _main(again) and message in _main(unknown)
    assert _soup(again).select_one(".govuk-error-summary a")["href"] == "#reference"


def test_withdrawing_after_the_last_day_is_refused(app, client, survey):
    with app.app_context():
        found = load(survey["id"])
        found.withdraw_until = date.today() - timedelta(days=1)
        db.session.commit()
    page = client.get(survey["withdraw"])
    assert "That date has passed" in _main(page) and not _soup(page).select_one("input[name=reference]")


def test_withdrawal_attempts_are_rate_limited(app, client, survey, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_FORM_LIMITS", "2 per hour")
    token = csrf_token(client.get(survey["withdraw"]).text)
    for _ in range(2):
        assert client.post(survey["withdraw"], data={"csrf_token": token, "reference": "ABCDEFGHJK"}).status_code == 200
    assert client.post(survey["withdraw"], data={"csrf_token": token, "reference": "ABCDEFGHJK"}).status_code == 429


def test_a_get_changes_nothing(app, client, survey):
    i = survey["ids"]
    query = f"?q{i['q1']}={i['yes']}&consented=y&reference=ABCDEFGHJK"
    for url in (survey["start"], survey["questions"], survey["sent"], survey["withdraw"]):
        assert client.get(url + query).status_code == 200
        assert client.get("/ar" + url + query).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0
        assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 0


def test_in_arabic_the_page_is_right_to_left_and_answers_are_kept_as_typed(app, client, survey):
    i = survey["ids"]
    start = client.get("/ar" + survey["start"])
    soup = _soup(start)
    assert (soup.html["lang"], soup.html["dir"]) == ("ar", "rtl")
    assert soup.h1.text == ARABIC["title"] and not soup.h1.get("lang")
    assert "لديك الحق" in _main(start)  # the rights: interface text, translated
    assert soup.select_one("a.govuk-button--start")["href"] == "/ar" + survey["questions"]

    page = client.get("/ar" + survey["questions"])
    q2 = _soup(page).select_one(f"#q{i['q2']}-hint").get_text(" ", strip=True)
    assert "لا" in q2 and "1" in q2 and "Answer this" not in q2  # the condition, and its option, in Arabic

    refused = _send(client, "/ar" + survey["questions"], {f"q{i['q1']}": str(i["no"])})
    assert "Enter an answer" not in _main(refused) and "أدخل إجابة" in _main(refused)

    typed = "كان الانتظار طويلاً جداً، ٣ أشهر.\nلم يتصل بي أحد."
    as_sent = typed.replace("\n", "\r\n")  # a browser sends a typed line break as CRLF
    sent = _send(client, "/ar" + survey["questions"], {f"q{i['q1']}": str(i["no"]), f"q{i['q2']}": as_sent,
                                                        f"q{i['q3']}": "1"})
    assert sent.headers["Location"].endswith("/ar" + survey["sent"])
    [response] = _responses(app)
    assert response.language == "ar"
    assert [a.text for a in response.answers if a.question_id == i["q2"]] == [typed]
    shown = client.get("/ar" + survey["sent"])
    assert typed in _soup(shown).select_one(".app-typed").text
    assert "لا" in _main(shown) and "سيئ" not in _main(shown)


def test_an_untranslated_text_is_shown_in_english_marked_as_english(app, client, survey):
    i = survey["ids"]
    with app.app_context():
        question = load(survey["id"]).questions[2]
        question.text = {"en": question.text["en"]}  # an officer's change since Arabic was published
        db.session.commit()
    soup = _soup(client.get("/ar" + survey["questions"]))
    legend = soup.select_one(f"#q{i['q3']}-field legend span[lang]")
    assert legend.text == "How was the wait?" and (legend["lang"], legend["dir"]) == ("en", "ltr")
    translated = soup.select_one(f"#q{i['q1']}-field legend")
    assert not translated.select("[lang]")


def test_a_language_the_survey_is_not_offered_in_points_to_those_it_is(app, client, survey):
    page = client.get("/bn" + survey["start"])
    assert page.status_code == 200
    soup = _soup(page)
    links = {a["hreflang"]: a["href"] for a in soup.main.select("a[hreflang]")}
    assert links == {"en": survey["start"], "ar": "/ar" + survey["start"]}
    assert not soup.select_one(".govuk-button--start")
    questions = client.get("/bn" + survey["questions"])
    assert not _soup(questions).select_one("form[data-survey-form]")
