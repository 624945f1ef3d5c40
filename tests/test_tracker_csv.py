"""The tracker as CSV: exported with the page's columns, changed in a
spreadsheet and imported back (only judgements and their reasons), every row
checked first and nothing recorded while any row is wrong."""
from __future__ import annotations

import csv
import io

import pytest

from scrutiny.responses import judgements
from tests.conftest import csrf_token
from tests.test_pages_accessibility import check_page
from tests.test_tracker import CODE, GROUP, NEXT_REVIEW, TODAY, monitored, ref, references_on, text_of

HEADER = ["Reference", "Topic group", "Recommendation", "Addressees and decisions", "Actions", "Progress",
          "Judgement", "Judgement reason", "Last update", "Next review"]


@pytest.fixture
def officer(browser, second_case):
    browser.sign_in("lead@second.example")
    return browser


def exported(browser, url) -> tuple[object, list[list[str]]]:
    response = browser.get(url)
    assert response.status_code == 200, response.text
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:])))


def upload(browser, url, rows: list[list[str]], *, name="tracker.csv", encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    page = browser.get(url)
    return browser.client.post(url, data={"csrf_token": csrf_token(page.text),
                                          "csv_file": (io.BytesIO(out.getvalue().encode(encoding)), name)},
                               content_type="multipart/form-data")


def latest(app, ids) -> dict:
    with app.app_context():
        return {k: (v.value, v.reason) for k, v in judgements.latest(list(ids.values())).items()}


def test_the_export_has_the_pages_columns_and_cells(app, officer):
    monitored(app)
    response, rows = exported(officer, f"/groups/{GROUP}/tracker.csv")
    assert response.mimetype == "text/csv"
    assert (f'filename="{GROUP}-recommendations-tracker-{TODAY.isoformat()}.csv"'
            in response.headers["Content-Disposition"])
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == [ref(1), ref(2), ref(3)]
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first == {
        "Reference": ref(1), "Topic group": "Adult Social Care Waiting Times",
        "Recommendation": "Publish waiting times for assessments every month.",
        "Addressees and decisions": "Carers in Northshire: Overdue; Northshire Adult Social Care: Accepted",
        "Actions": "2", "Progress": "1 on track, 1 at risk, 1 date moved", "Judgement": "Amber",
        "Judgement reason": "Slow start", "Last update": TODAY.isoformat(), "Next review": NEXT_REVIEW.isoformat()}
    assert dict(zip(HEADER, rows[3], strict=True))["Judgement"] == "Awaiting judgement"
    # Filters apply to the export as to the page; every group's export names the group.
    _, rows = exported(officer, "/tracker.csv?decision=not_accepted")
    assert [r[0] for r in rows[1:]] == [ref(2)]


def test_a_cell_a_spreadsheet_would_run_is_quoted_and_read_back(app, officer):
    ids = monitored(app)["ids"]
    with app.app_context():
        from scrutiny.extensions import db
        from scrutiny.findings.models import Recommendation

        db.session.get(Recommendation, ids[3]).text = "=HYPERLINK(\"http://evil.example\")"
        db.session.commit()
    _, rows = exported(officer, f"/groups/{GROUP}/tracker.csv")
    assert rows[3][2] == "'=HYPERLINK(\"http://evil.example\")"
    rows[3][6], rows[3][7] = "Red", "- nothing done"
    response = upload(officer, f"/groups/{GROUP}/tracker/import", rows)
    assert response.status_code == 302, text_of(response.text)
    assert latest(app, ids)[ids[3]] == ("red", "- nothing done")


def test_round_trip_export_change_a_judgement_import_and_the_tracker_shows_it(app, officer):
    ids = monitored(app)["ids"]
    _, rows = exported(officer, "/tracker.csv")
    rows[2][6], rows[2][7] = "red", "Not accepted, and nothing is happening"  # R2, by the scale's key
    rows[3][6] = "Paused"
    rows[3][7] = "Waiting for the new IT system"
    response = upload(officer, "/tracker/import", rows)
    assert response.status_code == 302, text_of(response.text)
    page = officer.get(response.headers["Location"])
    assert "Imported the file: 2 judgements recorded, 1 row unchanged." in text_of(page.text)
    assert latest(app, ids) == {ids[1]: ("amber", "Slow start"),
                                ids[2]: ("red", "Not accepted, and nothing is happening"),
                                ids[3]: ("paused", "Waiting for the new IT system")}
    page = officer.get(f"/groups/{GROUP}/tracker?judgement=paused")
    assert references_on(page.text) == [ref(3)]
    assert "Reason: Waiting for the new IT system" in text_of(page.text)


def test_an_excel_file_with_its_dates_rewritten_imports(app, officer):
    """Excel saves dates its own way and, in older versions, in Windows-1252."""
    ids = monitored(app)["ids"]
    _, rows = exported(officer, f"/groups/{GROUP}/tracker.csv")
    for row in rows[1:]:
        for column in (8, 9):
            if row[column]:
                y, m, d = row[column].split("-")
                row[column] = f"{d}/{m}/{y}"
    rows[2][6], rows[2][7] = "Red", "No budget – none at all"
    response = upload(officer, f"/groups/{GROUP}/tracker/import", rows, encoding="cp1252")
    assert response.status_code == 302, text_of(response.text)
    assert latest(app, ids)[ids[2]] == ("red", "No budget – none at all")


def test_bad_rows_change_nothing_and_each_is_named(app, officer):
    ids = monitored(app)["ids"]
    _, rows = exported(officer, f"/groups/{GROUP}/tracker.csv")
    rows[1][6] = "Purple"  # unknown judgement
    rows[2][6] = "Green"  # a good change, not recorded because of the others
    rows[3][2] = "A different recommendation"  # a read-only cell changed
    rows[3][6] = "Red"
    rows.append([f"{CODE}/R99"] + rows[3][1:])  # unknown reference
    rows.append(rows[2][:6] + ["Paused", ""] + rows[2][8:])  # the same reference again
    response = upload(officer, f"/groups/{GROUP}/tracker/import", rows)
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Nothing was imported: 4 rows have problems" in text
    assert f"2 {ref(1)} “Purple” is not a judgement: use one of Green, Amber, Red, Paused" in text
    assert (f"4 {ref(3)} Recommendation was changed (the tracker has “Recommendation number 3 of the review.”)"
            in text)
    assert f"5 {CODE}/R99 There is no recommendation with this reference in the tracker" in text
    assert f"6 {ref(2)} This reference is also on row 3" in text
    assert latest(app, ids) == {ids[1]: ("amber", "Slow start")}


def test_the_judgement_services_rules_apply_to_an_import(app, officer):
    ids = monitored(app)["ids"]
    _, rows = exported(officer, f"/groups/{GROUP}/tracker.csv")
    rows[3][6], rows[3][7] = "Paused", ""
    response = upload(officer, f"/groups/{GROUP}/tracker/import", rows)
    assert f"4 {ref(3)} Say why it is paused" in text_of(response.text)
    assert latest(app, ids) == {ids[1]: ("amber", "Slow start")}


def test_a_file_that_is_not_the_tracker_is_refused(app, officer):
    monitored(app)
    url = f"/groups/{GROUP}/tracker/import"
    response = upload(officer, url, [["Name", "Email"], ["Ann", "ann@example.org"]])
    assert "The file’s first row must be the tracker’s column names" in text_of(response.text)
    check_page(response.text, "import")
    assert "There is a problem" in response.text
    page = officer.get(url)
    response = officer.client.post(url, data={"csrf_token": csrf_token(page.text),
                                              "csv_file": (io.BytesIO(b"%PDF-1.4\n%\xe2\xe3"), "tracker.csv")},
                                   content_type="multipart/form-data")
    assert "“tracker.csv” is really a PDF" in text_of(response.text)
    response = officer.client.post(url, data={"csrf_token": csrf_token(page.text)},
                                   content_type="multipart/form-data")
    assert "Choose the CSV file to import" in text_of(response.text)


def test_a_group_import_only_knows_that_groups_references(app, officer):
    ids = monitored(app)["ids"]
    _, rows = exported(officer, f"/groups/{GROUP}/tracker.csv")
    rows[1][0] = "2025-26/OTHER/R1"
    response = upload(officer, f"/groups/{GROUP}/tracker/import", rows)
    assert "2025-26/OTHER/R1 There is no recommendation with this reference" in text_of(response.text)
    assert latest(app, ids) == {ids[1]: ("amber", "Slow start")}
