"""The documents and letters lists tell the truth about what they list: a
finished version whose inputs have changed since is marked out of date,
and builds still running are followed (JSON for the page's script; a
refresh link without it)."""
from __future__ import annotations

from bs4 import BeautifulSoup

from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from tests.test_documents import DEMO, _build, _officer
from tests.test_letters import MENTAL_HEALTH, built, receives, team  # noqa: F401 (fixtures)

DOCUMENTS = f"/groups/{DEMO}/documents"


def _change_a_recommendation(app, index=0, words=" Report back within a year."):
    with app.app_context():
        get_group_by_slug(DEMO).recommendations[index].text += words
        db.session.commit()


def _report_table(page) -> list[str]:
    soup = BeautifulSoup(page.text, "html.parser")
    table = soup.find("caption", string="Versions of the report").find_parent("table")
    return [" ".join(row.get_text(" ").split()) for row in table.select("tbody tr")]


def test_the_documents_page_marks_a_changed_report_and_follows_a_running_build(app, demo_case, run_jobs):
    officer = _officer(app)
    _build(officer)
    run_jobs()
    page = officer.get(DOCUMENTS)
    assert "Out of date" not in page.text and "data-progress-url" not in page.text
    assert _report_table(page)[0].startswith("Version 1") and "Ready" in _report_table(page)[0]

    _change_a_recommendation(app)
    page = officer.get(DOCUMENTS)
    assert "Ready Out of date" in _report_table(page)[0]
    assert "The report has changed since version 1 was built" in page.text

    _build(officer)  # queued: no worker has run it yet
    page = officer.get(DOCUMENTS)
    soup = BeautifulSoup(page.text, "html.parser")
    note = soup.select_one("[data-progress-url]")
    assert "1 document is being built." in note.get_text(" ")
    refresh = note.find("a")  # for a browser without JavaScript
    assert refresh.get_text(" ").startswith("Refresh the page") and refresh["href"] == DOCUMENTS
    running = [tag["data-document"] for tag in soup.select("[data-document]")]
    assert len(running) == 1 and "Building" in _report_table(page)[0]
    progress = officer.get(f"{note['data-progress-url']}?id={running[0]}&id=not-ours").get_json()["documents"]
    assert progress == {running[0]: {"status": "queued", "progress": 0, "finished": False}}

    run_jobs()
    progress = officer.get(f"{note['data-progress-url']}?id={running[0]}").get_json()["documents"]
    assert progress[running[0]]["status"] == "done" and progress[running[0]]["finished"]
    page = officer.get(DOCUMENTS)
    assert "Out of date" not in page.text and "data-progress-url" not in page.text
    assert _report_table(page)[0].startswith("Version 2")


def test_the_letters_page_marks_only_the_letters_whose_recommendations_changed(app, built):  # noqa: F811
    officer = built
    assert "Out of date" not in officer.get(f"/groups/{DEMO}/letters").text

    _change_a_recommendation(app, index=1, words=" Report progress within six months.")  # the trust's alone
    page = officer.get(f"/groups/{DEMO}/letters")
    soup = BeautifulSoup(page.text, "html.parser")
    marked = {" ".join(row.th.get_text(" ").split()) for row in soup.select("tbody tr") if "Out of date" in row.get_text()}
    assert len(marked) == 1 and next(iter(marked)).startswith(MENTAL_HEALTH)
    assert len(soup.select("tbody tr")) == len(receives(app.config["COUNCIL_NAME"]))
    assert "of which 1 is out of date" in officer.get(DOCUMENTS).text
