"""The results as CSV: the suppressed tables (what the page shows), never the
responses; streamed; every cell guarded against spreadsheet formulas."""
from __future__ import annotations

import csv
import io

import pytest

from tests.survey_factory import make_survey, respond

GROUP = "adult-social-care-waiting-times"


@pytest.fixture
def officer(browser, second_case, make_user):
    browser.sign_in(make_user("officer"))
    return browser


@pytest.fixture
def survey(app, second_case):
    made = make_survey(app, GROUP, census=False)
    respond(app, made, {"ease": "easy", "services": ["gp", "pharmacy"], "rating": 5, "home": "english",
                        "comments": "Secret words"}, n=12)
    respond(app, made, {"ease": "hard", "services": ["gp"], "rating": 1, "home": "arabic"}, n=8, language="ar")
    respond(app, made, {"ease": "neither", "home": "urdu"}, n=2, channel="paper", language="ur")
    respond(app, made, {"ease": "neither", "home": "english"}, n=9, withdrawn=True)
    return made


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_holds_the_suppressed_counts_not_the_responses(app, officer, survey):
    response = officer.client.get(f"/groups/{GROUP}/surveys/{survey.public_id}/results.csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert 'filename="getting-health-care-results.csv"' in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == ["Question number", "Question", "Answer", "Responses", "Note"]
    table = {(r[0], r[2]): r[3] for r in rows[1:]}
    assert table[("", "Total")] == "22"  # the 9 withdrawn count nowhere
    # 20 online, 2 paper, 0 interview: the two small ones make 2, so online is hidden too.
    assert {table[("", f"By {c}")] for c in ("online", "paper", "interview")} == {"fewer than 5"}
    # 12 easy, 2 neither, 8 hard: neither is hidden, and hard with it.
    assert (table[("1", "Easy")], table[("1", "Neither easy nor hard")], table[("1", "Hard")]) == \
        ("12", "fewer than 5", "fewer than 5")
    assert table[("2", "GP surgery")] == "20"
    assert "respondents may choose several" in next(r[4] for r in rows if r[0] == "2" and r[2] == "Answered")
    # Ratings 5 (12) and 1 (8), none of 2-4: the three zeros make 0, so the 8 goes too; no average then.
    assert (table[("3", "5 (Very good)")], table[("3", "1 (Very poor)")]) == ("12", "fewer than 5")
    assert ("3", "Average rating") not in table
    body = response.get_data(as_text=True)
    assert "Secret words" not in body and "T0" not in body  # no free text, no response reference


def test_csv_follows_the_filter_and_refuses_a_small_one(app, officer, survey):
    base = f"/groups/{GROUP}/surveys/{survey.public_id}/results.csv"
    rows = _rows(officer.client.get(f"{base}?language=ar"))
    assert ["", "Filter", "Answered in Arabic", "", ""] in rows
    assert ["", "All responses", "Total", "8", "Withdrawn responses are not counted"] in rows
    small = _rows(officer.client.get(f"{base}?language=ur"))
    assert small[-1][4].startswith("Fewer than 5 responses match these filters")
    assert not any(r[0] == "1" for r in small)


def test_csv_cells_that_look_like_formulas_stay_text(app, officer, second_case):
    from scrutiny.extensions import db
    from scrutiny.surveys.models import SurveyOption

    made = make_survey(app, GROUP, census=False)
    with app.app_context():
        db.session.get(SurveyOption, made.ids["easy"]).label = {"en": "=HYPERLINK(\"http://x\",\"Easy\")"}
        db.session.commit()
    respond(app, made, {"ease": "easy"}, n=6)
    rows = _rows(officer.client.get(f"/groups/{GROUP}/surveys/{made.public_id}/results.csv"))
    assert any(r[2] == "'=HYPERLINK(\"http://x\",\"Easy\")" for r in rows)


def test_csv_memory_does_not_grow_with_responses(app, survey):
    """The export reads aggregates only: the same lines at 22 or 220 responses."""
    from scrutiny.extensions import db
    from scrutiny.surveys import results_export
    from scrutiny.surveys.models import Survey
    from scrutiny.surveys.results import results

    with app.app_context():
        small = len(list(results_export.lines(results(db.session.get(Survey, survey.id)))))
    respond(app, survey, {"ease": "hard", "services": ["hospital"], "rating": 3, "home": "urdu"}, n=198)
    with app.app_context():
        large = len(list(results_export.lines(results(db.session.get(Survey, survey.id)))))
    assert small == large
