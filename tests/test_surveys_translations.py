"""Officers translate a survey one language at a time; a language is offered
only once every text has it, and the refusal names each text missing."""
from __future__ import annotations

import html

import pytest

from scrutiny.surveys import translations
from scrutiny.surveys.texts import missing, survey_texts
from tests.survey_factories import GROUP, RATING, SINGLE, load, make_survey

BASE_URL = f"/groups/{GROUP}/surveys"


@pytest.fixture
def officer(browser, second_case):
    browser.sign_in("lead@second.example")
    return browser


ARABIC = {"title": "الانتظار للحصول على الرعاية في المنزل", "introduction": "أخبرنا كم انتظرت.",
          "privacy_purposes": "لإعداد تقرير المجموعة.", "privacy_recipients": "فريق التدقيق.",
          "privacy_retention": "سنتان."}


def _every_box(app, survey_public_id, language, fill):
    with app.app_context():
        return {entry.key: fill(entry) for entry in translations.entries(load(survey_public_id), language)}


def test_the_arabic_page_lists_every_text_with_the_english_and_right_to_left_boxes(app, officer):
    made = make_survey(app, questions=[SINGLE, RATING])
    page = officer.get(f"{BASE_URL}/{made['survey']}/translations/ar")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Translate into Arabic" in text and 'lang="ar" dir="rtl">العربية' in text
    for what in ("The survey's title", "Question 1", "Question 2's lowest rating", "Question 1, option “Yes”"):
        assert what in text
    assert "Did you get the care you asked for?" in text and "Very poor" in text
    # Every box for Arabic is right to left and says its language; Markdown texts get a textarea.
    assert text.count('lang="ar" dir="rtl"') == 1 + 11  # the heading's name, then 11 boxes
    assert '<textarea class="govuk-textarea" id="introduction" name="introduction" rows="6" lang="ar" dir="rtl"' in text
    assert '<input class="govuk-input" id="title" name="title" type="text" value="" lang="ar" dir="rtl"' in text

    polish = officer.get(f"{BASE_URL}/{made['survey']}/translations/pl").text
    assert 'lang="pl" dir="ltr"' in polish and 'dir="rtl"' not in polish
    assert officer.client.get(f"{BASE_URL}/{made['survey']}/translations/xx").status_code == 404
    assert officer.client.get(f"{BASE_URL}/{made['survey']}/translations/en").status_code == 404


def test_the_page_holds_the_same_texts_as_those_a_language_must_have(app, second_case):
    made = make_survey(app, questions=[SINGLE, RATING, {**SINGLE, "hint": "Choose one"}])
    with app.app_context():
        survey = load(made["survey"])
        listed = [entry.what for entry in translations.entries(survey, "ar")]
        needed = [what for what, texts in survey_texts(survey) if (texts or {}).get("en")]
        assert listed == needed


def test_publishing_a_language_is_refused_naming_each_missing_text_until_all_are_there(app, officer):
    made = make_survey(app, questions=[SINGLE])
    survey_url = f"{BASE_URL}/{made['survey']}"
    url = f"{survey_url}/translations/ar"
    page = officer.submit(url, ARABIC, follow=True)
    assert "Saved 5 texts in Arabic." in page.text
    assert "3 texts still need a translation before Arabic can be offered" in page.text

    page = officer.submit(f"{survey_url}/languages/ar/publish", {}, form_page=survey_url, follow=True)
    refusal = html.unescape(page.text)
    assert ("Arabic cannot be offered yet: 3 texts still need a translation: Question 1; Question 1, option “Yes”; "
            "Question 1, option “No”.") in refusal
    with app.app_context():
        assert load(made["survey"]).languages == ["en"]

    boxes = _every_box(app, made["survey"], "ar", lambda entry: ARABIC.get(entry.key, "نعم"))
    officer.submit(url, boxes)
    page = officer.get(url)
    assert "الانتظار للحصول على الرعاية في المنزل" in page.text  # shown back as stored
    page = officer.submit(f"{survey_url}/languages/ar/publish", {}, form_page=survey_url, follow=True)
    assert "Arabic is offered to respondents." in page.text
    with app.app_context():
        survey = load(made["survey"])
        assert survey.languages == ["en", "ar"]
        assert survey.title["ar"] == ARABIC["title"] and survey.title["en"] == "Waiting for care at home"


def test_a_census_heading_is_one_box_written_to_every_option_under_it(app, officer):
    made = make_survey(app)
    survey_url = f"{BASE_URL}/{made['survey']}"
    officer.submit(f"{survey_url}/ethnic-group", {}, form_page=survey_url)
    with app.app_context():
        entries = translations.entries(load(made["survey"]), "pl")
        headings = [e for e in entries if "heading" in e.what]
        assert len(headings) == 5
        white = next(e for e in headings if e.english == "White")
    officer.submit(f"{survey_url}/translations/pl", {white.key: "Biała"})
    with app.app_context():
        question = load(made["survey"]).questions[0]
        assert [o.group_label.get("pl") for o in question.options if o.group_label.get("en") == "White"] == ["Biała"] * 5
        assert not any('heading “White”' in what for what in missing(load(made["survey"]), "pl"))


def test_too_long_a_translation_refuses_the_lot_and_keeps_what_was_typed(app, officer):
    made = make_survey(app, questions=[SINGLE])
    url = f"{BASE_URL}/{made['survey']}/translations/ur"
    page = officer.submit(url, {"title": "ا" * 2001, "introduction": "ہمیں بتائیں"})
    assert page.status_code == 200
    assert "The survey&#39;s title must be 2,000 characters or fewer (it has 2,001)" in page.text
    assert "ہمیں بتائیں" in page.text
    with app.app_context():
        assert "ur" not in load(made["survey"]).introduction
