"""A resident fills the second case's survey in a real browser: in English on
a desktop (a conditional question hidden and shown by the page's script, the
census question's write-in revealed, the reference then withdrawing the
answers), and in Arabic on a phone (a right-to-left page whose rating starts
at the right, Arabic typed, sent, shown back and stored exactly as typed)."""
from __future__ import annotations

from sqlalchemy import select

from scrutiny.extensions import db
from scrutiny.surveys.models import SurveyResponse
from tests.test_survey_public import survey  # noqa: F401 - the fixture

TYPED_ARABIC = "انتظرت ثلاثة أشهر، ولم يتصل بي أحد.\nأحتاج إلى مترجم."


def _stored(app) -> list[SurveyResponse]:
    with app.app_context():
        found = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        for response in found:
            response.answers  # noqa: B018 - loaded while the session is open
        return found


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_in_english_on_a_desktop_with_a_question_shown_by_an_answer(app, page, survey,  # noqa: F811
                                                                   screenshot_dir):
    i = survey["ids"]
    page.goto(survey["start"])
    page.screenshot(path=str(screenshot_dir / "survey-start-en-1280.png"), full_page=True)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(f"**{survey['questions']}")

    follow_up = page.locator(f"#q{i['q2']}-field")
    assert follow_up.is_hidden()  # shown only when question 1 is "No"
    page.check(f"#q{i['q1']}-{i['no']}")
    assert follow_up.is_visible()
    page.check(f"#q{i['q1']}-{i['yes']}")
    assert follow_up.is_hidden()
    page.check(f"#q{i['q1']}-{i['no']}")
    page.fill(f"#q{i['q2']}", "Someone to call at the weekend")
    page.press(f"#q{i['q2']}", "End")  # GOV.UK's count follows key presses
    assert "You have 4,970 characters remaining" in page.locator(f"#q{i['q2']}-field").inner_text()
    page.check(f"#q{i['q3']}-4")
    page.check(f"#q{i['q4']}-{i['family']}")
    write_in = page.locator(f"#q{i['q5']}-o{i['asian_other']}")
    assert write_in.is_hidden()
    page.check(f"#q{i['q5']}-{i['asian_other']}")
    write_in.fill("Sri Lankan Tamil")
    page.check("#consented")
    page.screenshot(path=str(screenshot_dir / "survey-questions-en-1280.png"), full_page=True)
    page.get_by_role("button", name="Send my answers").click()

    page.wait_for_url(f"**{survey['sent']}")
    reference = page.locator(".app-reference").inner_text()
    answers = page.locator(".govuk-summary-list").inner_text()
    assert "Someone to call at the weekend" in answers and "Sri Lankan Tamil" in answers
    page.screenshot(path=str(screenshot_dir / "survey-sent-en-1280.png"), full_page=True)
    [response] = _stored(app)
    assert response.reference == reference and response.language == "en" and len(response.answers) == 5

    page.get_by_role("link", name="Withdraw your answers").click()
    page.get_by_label("Reference").fill(reference.lower())
    page.get_by_role("button", name="Withdraw my answers").click()
    assert page.get_by_role("heading", name="Your answers have been withdrawn").is_visible()
    [response] = _stored(app)
    assert response.withdrawn_at is not None and response.answers == []


RATING_PLACES = """(name) => [...document.querySelectorAll(`input[name="${name}"]`)]
  .map((input) => input.closest('.govuk-radios__item').getBoundingClientRect().left)"""


def test_in_arabic_on_a_phone_right_to_left_with_arabic_kept_as_typed(app, phone, survey,  # noqa: F811
                                                                      screenshot_dir):
    i = survey["ids"]
    phone.goto("/ar" + survey["start"])
    assert phone.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    phone.evaluate("document.fonts.ready")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / "survey-start-ar-375.png"), full_page=True)
    phone.get_by_role("button", name="ابدأ الآن").click()
    phone.wait_for_url(f"**/ar{survey['questions']}")

    lefts = phone.evaluate(RATING_PLACES, f"q{i['q3']}")
    assert len(lefts) == 5 and lefts[0] > lefts[-1], "the scale runs from the right: 1 right of 5"
    assert lefts == sorted(lefts, reverse=True)
    assert phone.locator(f"#q{i['q2']}-field").is_hidden()
    phone.check(f"#q{i['q1']}-{i['no']}")
    phone.fill(f"#q{i['q2']}", TYPED_ARABIC)
    phone.check(f"#q{i['q3']}-1")
    phone.check("#consented")
    phone.evaluate("document.fonts.ready")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / "survey-questions-ar-375.png"), full_page=True)
    phone.get_by_role("button", name="أرسل إجاباتي").click()

    phone.wait_for_url(f"**/ar{survey['sent']}")
    assert phone.locator(".app-typed").first.inner_text() == TYPED_ARABIC
    assert phone.get_by_role("heading", name="تم إرسال إجاباتك").is_visible()
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshot_dir / "survey-sent-ar-375.png"), full_page=True)
    [response] = _stored(app)
    assert response.language == "ar"
    assert [a.text for a in response.answers if a.question_id == i["q2"]] == [TYPED_ARABIC]
    assert [a.rating for a in response.answers if a.question_id == i["q3"]] == [1]
