"""A survey's results: counted by option id whatever the language, withdrawn
responses left out everywhere, small numbers suppressed (with the secondary
suppression that stops a hidden count being worked out), filters, free text,
the charts' tables, and who may see them."""
from __future__ import annotations

import pytest

from scrutiny.surveys.results import hidden_cells
from tests.survey_factory import make_survey, respond

GROUP = "adult-social-care-waiting-times"


@pytest.fixture
def officer(browser, second_case, make_user):
    browser.sign_in(make_user("officer"))
    return browser


@pytest.fixture
def survey(app, second_case):
    """30 responses: 12 easy (6 in Arabic), 9 hard, 3 neither (too few to show,
    and 9 would be 30 - 12 - 9 away from it), by three channels; and 4
    withdrawn that must count nowhere."""
    made = make_survey(app, GROUP)
    respond(app, made, {"ease": "easy", "services": ["gp", "pharmacy"], "rating": 5, "home": "english",
                        "ethnic": "white_british", "comments": "The receptionist was kind."}, n=6)
    respond(app, made, {"ease": "easy", "services": ["gp"], "rating": 4, "home": "arabic", "ethnic": "other_arab",
                        "comments": "كان الانتظار طويلا"}, n=6, language="ar")
    respond(app, made, {"ease": "hard", "services": ["hospital"], "rating": 1, "home": "bengali",
                        "ethnic": "asian_bangladeshi"}, n=6, channel="paper", language="bn")
    respond(app, made, {"ease": "hard", "rating": 2, "home": "urdu", "ethnic": "asian_pakistani"}, n=3,
            channel="interview", language="ur")
    respond(app, made, {"ease": "neither", "rating": 3, "home": "english", "ethnic": "white_british"}, n=3)
    respond(app, made, {"ease": "hard", "home": "english", "ethnic": "white_british"}, n=6)
    respond(app, made, {"ease": "neither", "ethnic": "white_roma", "comments": "Withdrawn words"}, n=4, withdrawn=True)
    return made


def _results(app, made, **filters):
    from scrutiny.extensions import db
    from scrutiny.surveys.models import Survey
    from scrutiny.surveys.results import Filters, results

    with app.app_context():
        found = results(db.session.get(Survey, made.id), Filters(**filters))
        by_question = {r.question.id: r for r in found.questions}
        summary = {
            "total": found.respondents.shown, "refused": found.refused,
            "channels": {str(c.label): c.shown for c in found.channels},
            "questions": {name: {"answered": by_question[qid].answered.shown,
                                 "cells": {str(c.label): c.shown for c in by_question[qid].cells},
                                 "mean": by_question[qid].mean, "texts": by_question[qid].free_texts}
                          for name, qid in made.ids.items() if name.startswith("q_") and qid in by_question},
        }
        return summary


# ---- the rule, on its own ---------------------------------------------------------------------------

@pytest.mark.parametrize("counts, hidden", [
    ([10, 7, 6], [False, False, False]),  # nothing small
    # A naive rule hides only the 3, which is then 30 - 12 - 15.
    ([12, 15, 3], [True, False, True]),
    # Two small cells make 3 together: the total would say so, and that both are small;
    # the next smallest goes too, so the hidden cells make 10.
    ([20, 2, 1, 7], [False, True, True, True]),
    # Two hidden cells that make at least 5 are enough.
    ([20, 4, 4, 9], [False, True, True, False]),
    # A zero is a small count too (it says "nobody"), and a lone one takes the next.
    ([10, 0, 8], [False, True, True]),
    ([3], [True]),  # all hidden: nothing left to hide
    ([2, 2], [True, True]),
])
def test_suppression_hides_small_cells_and_enough_others(counts, hidden):
    assert hidden_cells(counts, 5) == hidden


@pytest.mark.parametrize("counts", [[12, 15, 3], [20, 2, 1, 7], [9, 1, 30, 4], [0, 6, 6, 6], [5, 4, 100]])
def test_no_hidden_cell_can_be_worked_out_from_the_total(counts):
    """With the total and the shown cells known, the hidden cells add up to
    a known sum: it must be shared by two cells at least and be 5 or more,
    so that no hidden cell is pinned down (nor known to be small)."""
    hide = hidden_cells(counts, 5)
    kept_back = [c for c, h in zip(counts, hide) if h]
    assert all(c >= 5 for c, h in zip(counts, hide) if not h)
    assert len(kept_back) >= 2 and sum(kept_back) >= 5


# ---- counts on the results ------------------------------------------------------------------------------

def test_counts_by_option_whatever_the_language_and_without_withdrawn(app, survey):
    found = _results(app, survey)
    assert found["total"] == "30"
    ease = found["questions"]["q_ease"]
    assert ease["answered"] == "30"
    # 12 easy (6 answered in Arabic, counted with the English ones), 15 hard, 3 neither:
    # "neither" is small, so the next smallest (easy, 12) is hidden too.
    assert ease["cells"] == {"Easy": "fewer than 5", "Neither easy nor hard": "fewer than 5", "Hard": "15"}


def test_channels_agree_with_the_total_and_hide_what_the_total_would_give_away(app, survey):
    channels = _results(app, survey)["channels"]
    # 21 online, 6 paper, 3 interview: interview is small, paper goes with it (21 + hidden = 30).
    assert channels == {"Online": "21", "Paper": "fewer than 5", "Interview": "fewer than 5"}


def test_a_rating_shows_no_average_when_a_cell_is_hidden(app, survey):
    rating = _results(app, survey)["questions"]["q_rating"]
    assert rating["answered"] == "24"
    assert rating["cells"]["1 (Very poor)"] == "6"
    assert rating["cells"]["3"] == "fewer than 5"
    assert rating["mean"] is None  # with the total, it would solve two hidden cells


def test_a_rating_with_no_hidden_cell_shows_its_average(app, second_case):
    made = make_survey(app, GROUP, census=False)
    for value in range(1, 6):
        respond(app, made, {"rating": value}, n=5)
    rating = _results(app, made)["questions"]["q_rating"]
    assert rating["mean"] == 3.0 and set(rating["cells"].values()) == {"5"}


def test_multiple_choice_counts_each_option(app, survey):
    services = _results(app, survey)["questions"]["q_services"]
    assert services["answered"] == "18"
    assert services["cells"] == {"GP surgery": "12", "Hospital": "6", "Pharmacy": "6"}


def test_too_few_responses_show_nothing(app, second_case):
    made = make_survey(app, GROUP, census=False)
    respond(app, made, {"ease": "easy"}, n=4)
    respond(app, made, {"ease": "easy"}, n=3, withdrawn=True)  # 7 with these: still only 4 count
    found = _results(app, made)
    assert found["total"] == "fewer than 5"
    assert "fewer than 5 responses so far" in found["refused"]


# ---- filters -----------------------------------------------------------------------------------------------

def test_filter_by_language_counts_only_those_answered_in_it(app, survey):
    found = _results(app, survey, language="ar")
    assert found["refused"] == "" and found["total"] == "6"
    # All 6 chose "Easy": shown, it would say what each of them answered.
    assert set(found["questions"]["q_ease"]["cells"].values()) == {"fewer than 5"}
    assert found["questions"]["q_home"]["cells"]["Arabic – العربية"] == "fewer than 5"


def test_filter_by_a_demographic_answer(app, survey):
    found = _results(app, survey, options={survey.ids["q_ethnic"]: survey.ids["white_british"]})
    assert found["total"] == "15"
    # 6 easy, 3 neither, 6 hard: the 3 and one of the 6s (the earlier option) are hidden.
    assert found["questions"]["q_ease"]["cells"] == {"Easy": "fewer than 5", "Neither easy nor hard": "fewer than 5",
                                                     "Hard": "6"}


def test_a_filter_leaving_fewer_than_the_threshold_shows_only_a_message(app, survey):
    found = _results(app, survey, options={survey.ids["q_ethnic"]: survey.ids["asian_pakistani"]})  # 3 people
    assert "Fewer than 5 responses match these filters" in found["refused"]
    assert found["total"] == "fewer than 5"


def test_a_filter_leaving_out_fewer_than_the_threshold_shows_nothing(app, survey):
    """10 of 13 would give the other 3 by subtraction from the unfiltered page."""
    found = _results(app, survey, options={survey.ids["q_home"]: survey.ids["english"]})  # 15 of 30: fine
    assert found["refused"] == ""
    big = make_survey(app, GROUP, census=False)
    respond(app, big, {"ease": "easy", "home": "english"}, n=10)
    respond(app, big, {"ease": "hard", "home": "urdu"}, n=3)
    found = _results(app, big, options={big.ids["q_home"]: big.ids["english"]})
    assert "leave out fewer than 5" in found["refused"]


# ---- free text -----------------------------------------------------------------------------------------------

def test_free_text_shown_only_past_the_threshold(app, survey):
    comments = _results(app, survey)["questions"]["q_comments"]
    assert comments["answered"] == "12"
    assert "The receptionist was kind." in comments["texts"] and "كان الانتظار طويلا" in comments["texts"]
    assert "Withdrawn words" not in comments["texts"]
    # Under a filter, only the filtered respondents' answers count towards it.
    filtered = _results(app, survey, options={survey.ids["q_home"]: survey.ids["bengali"]})
    assert filtered["questions"]["q_comments"]["answered"] == "fewer than 5"
    assert filtered["questions"]["q_comments"]["texts"] is None


def test_free_text_of_fewer_than_the_threshold_is_not_listed(app, second_case):
    made = make_survey(app, GROUP, census=False)
    respond(app, made, {"ease": "easy", "comments": "Only me"}, n=1)
    respond(app, made, {"ease": "easy"}, n=9)
    assert _results(app, made)["questions"]["q_comments"]["texts"] is None


# ---- the page ------------------------------------------------------------------------------------------------

def test_results_page_shows_tables_charts_and_suppressed_cells(app, officer, survey):
    page = officer.get(f"/groups/{GROUP}/surveys/{survey.public_id}/results")
    assert page.status_code == 200
    text = page.text
    assert "All responses: 30" in text
    assert "fewer than 5" in text
    assert "Respondents could choose more than one answer, so the counts need not add up" in text
    assert text.count('src="data:image/svg+xml;base64,') == 5  # ease, services, rating, home, ethnic group
    assert 'alt=""' in text  # the chart is drawn; its table says it
    assert "Withdrawn words" not in text
    assert 'lang="en" dir="auto">Arabic – العربية</span>' in text


def test_the_chart_has_no_bar_for_a_hidden_cell(app, survey):
    from scrutiny.extensions import db
    from scrutiny.surveys import charts
    from scrutiny.surveys.models import Survey
    from scrutiny.surveys.results import results

    with app.app_context():
        found = results(db.session.get(Survey, survey.id))
        ease = found.questions[0]
        svg = charts.bar_chart(ease.caption, ease.cells)
    assert svg.count('class="rect reactive') == 1  # "Hard", the one shown; the hidden two have no bar
    assert "Easy: fewer than 5" in svg and "Hard: 15" in svg
    assert "<script" not in svg and "<title>Question 1: How easy was it to get an appointment?</title>" in svg


def test_a_filter_leaving_few_shows_a_message_and_no_figures(app, officer, survey):
    page = officer.get(f"/groups/{GROUP}/surveys/{survey.public_id}/results"
                       f"?q{survey.ids['q_ethnic']}={survey.ids['asian_pakistani']}")
    assert "Fewer than 5 responses match these filters" in page.text
    assert "data:image/svg" not in page.text and "Answered by" not in page.text


def test_another_groups_survey_is_not_found(app, officer, survey, demo_case):
    page = officer.get(f"/groups/{demo_case}/surveys/{survey.public_id}/results")
    assert page.status_code == 404
