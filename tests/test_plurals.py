"""Counts agree with their nouns: a one-page letter or report is "1 page",
never "1 pages", wherever a page, list or command counts things."""
from __future__ import annotations

import re

from sqlalchemy import update

from scrutiny.documents.models import Document
from scrutiny.extensions import db
from scrutiny.plurals import counted
from tests.test_documents import DEMO, _build, _officer


def test_counted_agrees_with_the_number():
    assert counted(1, "page") == "1 page"
    assert counted(0, "page") == "0 pages"
    assert counted(2, "page") == "2 pages"
    assert counted(None, "file") == "0 files"
    assert counted(1, "witness", "witnesses") == "1 witness"
    assert counted(3, "witness", "witnesses") == "3 witnesses"


def test_a_one_page_report_is_one_page_on_every_list(app, demo_case, run_jobs):
    officer = _officer(app)
    _build(officer)
    run_jobs()
    with app.app_context():  # as short as a letter: one page
        db.session.execute(update(Document).values(page_count=1))
        db.session.commit()

    for url in (f"/groups/{DEMO}/documents", "/my-groups"):
        text = " ".join(officer.get(url).text.split())
        assert not re.search(r"\b1 pages\b", text), f"{url} says '1 pages'"
        assert re.search(r"\b1 page\b", text), f"{url} does not say '1 page' for the one-page report"
