"""The council's logo, once an administrator uploads it, is on the report's
cover and every letter's letterhead (real builds by a real worker); until
then there is none, and replacing it rebuilds what carries it."""
from __future__ import annotations

import io

from pypdf import PdfReader

from scrutiny.branding.services import upload_logo
from scrutiny.extensions import db
from tests.files import make_png
from tests.test_documents import DEMO, _build, _officer
from tests.test_letters import build as build_letters
from tests.test_letters import download, letter_documents


def _first_page_images(data: bytes) -> list:
    return list(PdfReader(io.BytesIO(data)).pages[0].images)


def _latest_report(app):
    from sqlalchemy import select

    from scrutiny.documents.models import Document

    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.kind == "report")
                                     .order_by(Document.version.desc()).limit(1))
        db.session.expunge(document)
        return document


def test_the_logo_is_on_the_report_cover_and_every_letter(app, demo_case, run_jobs):
    officer = _officer(app)
    _build(officer)
    run_jobs()
    without = _latest_report(app)
    assert _first_page_images(download(officer, DEMO, without)) == []

    with app.app_context():
        upload_logo(io.BytesIO(make_png()), "crest.png", by=None)
    _build(officer)  # the logo is an input: a new version, not the old one again
    run_jobs()
    report = _latest_report(app)
    assert report.version == without.version + 1 and report.status == "done", report.error
    assert len(_first_page_images(download(officer, DEMO, report))) == 1

    build_letters(officer, DEMO)
    run_jobs()
    letters = letter_documents(app)
    assert letters
    for name, document in letters.items():
        assert document.status == "done", (name, document.error)
        assert len(_first_page_images(download(officer, DEMO, document))) == 1, name
