"""The responses to a group's recommendations as a tagged PDF, published
beside the report: built from the responses page or the Documents page by the
same job as the report, holding every submitted decision, reason and action
(with moved dates), each round of a response the group found inadequate,
"No response received" for those who have not answered, never a draft and
never an e-mail address; an unchanged input is not built again."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select

from scrutiny.auth.services import find_user
from scrutiny.clock import utcnow
from scrutiny.documents.models import Document
from scrutiny.extensions import db
from scrutiny.findings.models import ReportSettings
from scrutiny.groups.services import get_group_by_slug
from scrutiny.responses import inadequate, replies
from scrutiny.responses.models import ResponseRequest
from scrutiny.responses.references import reference
from tests.conftest import csrf_token
from tests.test_letters import SECOND, SOCIAL_CARE, TRUST, second, signed_in  # noqa: F401
from tests.test_pages_accessibility import check_page
from tests.test_responses_sending import sent  # noqa: F401
from tests.workers import app_env, flask_command, worker_process

RESPONSES = f"/groups/{SECOND}/responses"
DOCUMENTS = f"/groups/{SECOND}/documents"
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
ON = date.today()
FIRST_TARGET = ON + timedelta(days=90)
MOVED_TO = ON + timedelta(days=150)
IN_PLACE_SINCE = ON + timedelta(days=30)


def fmt(day) -> str:
    return day.strftime("%-d %B %Y")


def normalise(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return normalise(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _request(name: str, round: int = 1) -> ResponseRequest:
    return next(r for r in db.session.scalars(select(ResponseRequest).where(ResponseRequest.round == round))
                if r.organisation.name == name)


def _answer(request, **fields) -> list[replies.AnswerInput]:
    [recommendation] = replies.recommendations_for(request)
    return [replies.AnswerInput(recommendation_id=recommendation.id, **fields)]


def respond(app):
    """The trust accepts with two actions (then moves one's date); the
    council's executive, by letter entered by an officer, does not accept;
    social care saves a draft and never submits it."""
    with app.app_context():
        trust = _request(TRUST)
        replies.save_draft(trust, _answer(trust, decision="accepted", actions=[
            replies.ActionInput(description="Agree a shared discharge plan with the council",
                                owner_role="Chief Operating Officer", owner_name="Jo Flow",
                                target_date=FIRST_TARGET),
            replies.ActionInput(description="Daily discharge huddle on every ward", state="in_place",
                                owner_role="Head of Patient Flow", target_date=IN_PLACE_SINCE)]))
        replies.submit(trust, name="Dr Ada Obi", email="ada.obi@trust.example", today=ON)
        trust = _request(TRUST)
        trust.answers[0].actions[0].target_date = MOVED_TO  # the monitoring's date move: the first date stays
        db.session.commit()

        council = _request(app.config["COUNCIL_NAME"])
        replies.save_draft(council, _answer(council, decision="not_accepted",
                                            reason="The council has no budget for a shared plan this year.",
                                            cabinet_member="Cllr Jo Cabinet", lead_officer="Sam Lead"))
        replies.submit(council, name="Leader of the Council", email="", today=ON,
                       entered_by=find_user("lead@second.example"))

        care = _request(SOCIAL_CARE)
        replies.save_draft(care, _answer(care, decision="partially_accepted", reason="A DRAFT NOBODY SUBMITTED"))


def build(browser, follow=True):
    """Press the button on the responses page."""
    return browser.submit(f"{DOCUMENTS}/responses/build", {}, form_page=RESPONSES, follow=follow)


def download(browser, app) -> bytes:
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.kind == "responses")
                                     .order_by(Document.version.desc()))
        public_id = document.public_id
    response = browser.get(f"{DOCUMENTS}/{public_id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(f"attachment; filename={SECOND}-responses-v")
    return response.data


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document).where(Document.kind == "responses"))


@pytest.fixture
def officer(app, sent):  # noqa: F811 - the fixture imported above
    return signed_in(app)


def test_no_button_until_a_response_is_submitted(app, sent, officer):  # noqa: F811
    page = officer.get(RESPONSES)
    assert "Build responses PDF" not in page.text
    page = officer.get(DOCUMENTS)
    assert "Build responses PDF" not in page.text
    assert "It can be built once an organisation has submitted its response" in normalise(page.text)
    refused = officer.submit(f"{DOCUMENTS}/responses/build", {}, form_page=DOCUMENTS, follow=True)
    assert "No organisation has submitted a response yet" in normalise(refused.text)
    assert count(app) == 0


def test_the_pdf_holds_every_submitted_answer_and_who_has_not_responded(app, sent, officer, run_jobs):  # noqa: F811
    respond(app)
    with app.app_context():
        group = get_group_by_slug(SECOND)
        group.report_settings = ReportSettings(reference="ASC/2026/07")
        db.session.commit()
        refs = {r.number: reference(group, r) for r in group.recommendations}
        texts = {r.number: normalise(r.text) for r in group.recommendations}
    assert all("/R" in ref and "/" in ref.removesuffix(f"/R{n}") for n, ref in refs.items())  # fixed when sent

    for url in (RESPONSES, DOCUMENTS):  # the button, once a response is submitted
        page = officer.get(url)
        check_page(page.text, url)
        form = BeautifulSoup(page.text, "html.parser").find("button", string="Build responses PDF").find_parent("form")
        assert (form["method"], form["action"]) == ("post", f"{DOCUMENTS}/responses/build")

    page = build(officer)
    # The build's own page follows it while it runs.
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("[data-status-url]") is not None and soup.select_one("progress") is not None
    assert "Responses to recommendations, version 1" in normalise(soup.h1.get_text())
    run_jobs()
    documents = normalise(officer.get(DOCUMENTS).text)
    assert "Versions of the responses PDF" in documents and "Ready" in documents

    data = download(officer, app)
    text = pdf_text(data)
    assert f"Responses to the recommendations of {get_title(app)}" in text
    assert app.config["COUNCIL_NAME"] in text
    assert fmt(ON) in text and "Reference: ASC/2026/07" in text

    # Each recommendation in number order, with its stable reference and text.
    positions = [text.index(f"Recommendation {n} Reference {refs[n]} {texts[n]}") for n in sorted(refs)]
    assert positions == sorted(positions)
    one, two = text[positions[0]:positions[1]], text[positions[1]:]

    # Recommendation 1: social care saved a draft only.
    assert SOCIAL_CARE in one and "No response received" in one
    with app.app_context():
        due = _request(SOCIAL_CARE).due_on
    assert f"The response is due by {fmt(due)}" in one
    assert "A DRAFT NOBODY SUBMITTED" not in text and "Partially accepted" not in text

    # Recommendation 2: the trust accepts, with actions, one of them moved...
    trust = two[two.index(TRUST):]
    assert "Decision: Accepted" in trust
    assert "Agree a shared discharge plan with the council" in trust
    assert "Chief Operating Officer Jo Flow" in trust
    assert f"{fmt(MOVED_TO)} Date moved originally {fmt(FIRST_TARGET)}" in trust
    assert "Daily discharge huddle on every ward Already in place Head of Patient Flow" in trust
    assert fmt(IN_PLACE_SINCE) in trust
    assert f"Submitted by Dr Ada Obi on {fmt(ON)}" in trust
    # ... and the council's executive does not, saying why, by letter.
    council = two[two.index(app.config["COUNCIL_NAME"]):two.index(TRUST)]
    assert "Decision: Not accepted" in council
    assert "The council has no budget for a shared plan this year." in council
    assert "Cabinet member Cllr Jo Cabinet" in council and "Lead officer Sam Lead" in council
    assert f"Received by letter or e-mail, signed by Leader of the Council; entered by an officer on {fmt(ON)}" \
        in council
    assert "Priya" not in council  # the officer who typed it in is not named

    # Who was asked, at the front.
    assert "2 of the 3 organisations have responded" in text

    # Published beside the report: nobody's e-mail address.
    assert EMAIL.search(text) is None
    assert "ada.obi" not in text and "trust.example" not in text

    # Tagged as the report is (PDF/UA): structure, language, marked, a title.
    reader = PdfReader(io.BytesIO(data))
    assert all("/StructParents" in p for p in reader.pages)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "Responses to the recommendations of" in (reader.metadata.title or "")
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.kind == "responses"))
        assert document.variant == app.config["PDF_VARIANT"] and document.page_count == len(reader.pages)


def get_title(app) -> str:
    with app.app_context():
        return get_group_by_slug(SECOND).title


def test_an_unchanged_input_is_not_built_again_and_a_new_response_is(app, sent, officer, run_jobs):  # noqa: F811
    from scrutiny.jobs import queue

    respond(app)
    build(officer)
    run_jobs()
    again = build(officer)
    assert "Nothing has changed since version 1" in again.text
    with app.app_context():
        assert len(queue()) == 0
    assert count(app) == 1

    # Social care submits at last: the input changed, so version 2.
    with app.app_context():
        care = _request(SOCIAL_CARE)
        replies.save_draft(care, _answer(care, decision="partially_accepted",
                                         reason="Assessments are funded until March only.",
                                         actions=[replies.ActionInput(description="Extra assessors until March",
                                                                      owner_role="Head of Assessments",
                                                                      target_date=FIRST_TARGET)]))
        replies.submit(care, name="Mel Director", email="mel@asc.example", today=ON)
    assert "The responses have changed since version 1 was built" in normalise(officer.get(DOCUMENTS).text)
    build(officer)
    run_jobs()
    assert count(app) == 2
    text = pdf_text(download(officer, app))
    assert "Partially accepted" in text and "Assessments are funded until March only." in text
    assert "No response received" not in text and "3 of the 3 organisations have responded" in text


def test_both_rounds_of_a_response_found_inadequate_stay_in_order(app, sent, officer, run_jobs):  # noqa: F811
    respond(app)
    later = ON + timedelta(days=28)
    with app.app_context():
        further = inadequate.find_inadequate(_request(TRUST), reason="The plan names no date for social care.",
                                             due_on=later, by=find_user("lead@second.example"), today=ON)
        further.sent_at = utcnow()  # its letter went
        db.session.commit()
    build(officer)
    run_jobs()
    text = pdf_text(download(officer, app))
    trust = text[text.index(TRUST, text.index("Recommendation 2 Reference")):]
    first = trust.index("First response")
    reason = trust.index("The group’s reason: The plan names no date for social care.")
    second_round = trust.index("Further response (round 2)")
    assert first < trust.index("Decision: Accepted") < reason < second_round
    assert f"No response received The response is due by {fmt(later)}" in trust[second_round:]
    assert "a further response is awaited" in text

    # The trust's further response: both stay, the first still first.
    with app.app_context():
        round_two = _request(TRUST, round=2)
        replies.save_draft(round_two, _answer(round_two, decision="accepted", actions=[
            replies.ActionInput(description="Joint discharge plan dated for social care",
                                owner_role="Chief Operating Officer", target_date=FIRST_TARGET)]))
        replies.submit(round_two, name="Dr Ada Obi", email="ada.obi@trust.example", today=ON)
    build(officer)
    run_jobs()
    text = pdf_text(download(officer, app))
    trust = text[text.index(TRUST, text.index("Recommendation 2 Reference")):]
    assert trust.index("Agree a shared discharge plan with the council") < trust.index("The group’s reason") \
        < trust.index("Further response (round 2)") < trust.index("Joint discharge plan dated for social care")


def test_councillors_see_and_download_but_cannot_build(app, sent, officer, run_jobs):  # noqa: F811
    respond(app)
    build(officer)
    run_jobs()
    councillor = signed_in(app, "member@second.example")
    assert "Build responses PDF" not in councillor.get(RESPONSES).text
    documents = councillor.get(DOCUMENTS)
    assert "Build responses PDF" not in documents.text and "Versions of the responses PDF" in documents.text
    assert "Decision: Not accepted" in pdf_text(download(councillor, app))
    token_page = councillor.get(DOCUMENTS)
    refused = councillor.client.post(f"{DOCUMENTS}/responses/build", data={"csrf_token": csrf_token(token_page.text)})
    assert refused.status_code == 403
    assert count(app) == 1


def test_the_cli_builds_the_responses(app, sent, database_url, redis_url, tmp_path):  # noqa: F811
    respond(app)
    env = app_env(app, database_url, redis_url, tmp_path)
    out = tmp_path / "out"
    with worker_process(env):
        result = flask_command("documents", "build", SECOND, "--kind", "responses", "--out", str(out), "--wait",
                               "--timeout", "120", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Responses to recommendations version 1: queued." in result.stdout
    [pdf] = out.glob("*.pdf")
    assert pdf.name == f"{SECOND}-responses-v1.pdf"
    assert "Decision: Not accepted" in pdf_text(pdf.read_bytes())
