"""Building compiled documents: the job pipeline, versions, rebuild rules,
the fetcher's refusals, retries and killed workers."""
import hashlib
import io
import os
import re
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select

from scrutiny.documents.models import Document
from scrutiny.extensions import db
from tests.conftest import Browser
from tests.workers import app_env, flask_command, worker_process

DEMO = "bame-health-inequalities"


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _officer(app):
    officer = Browser(app.test_client())
    officer.sign_in("officer@example.org", "scrutiny-demo")
    return officer


def _build(officer, slug=DEMO, kind="report", follow=False):
    return officer.submit(f"/groups/{slug}/documents/{kind}/build", {}, form_page=f"/groups/{slug}/documents",
                          follow=follow)


def _documents(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


def test_officer_builds_the_report_watches_it_and_downloads_a_tagged_pdf(app, demo_case, run_jobs):
    officer = _officer(app)
    response = _build(officer)
    page = officer.get(response.headers["Location"])
    soup = BeautifulSoup(page.text, "html.parser")
    status_url = soup.select_one("[data-status-url]")["data-status-url"]
    assert soup.select_one("progress")["value"] == "0"
    assert officer.get(status_url).get_json()["status"] == "queued"

    run_jobs()
    state = officer.get(status_url).get_json()
    assert (state["status"], state["progress"]) == ("done", 100)
    pdf = officer.get(state["download"])
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment; filename=bame-health-inequalities-report-v1")
    text = _text(pdf.data)
    assert "Councillor Judi Billing MBE" in text
    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        for recommendation in get_group_by_slug(DEMO).recommendations:
            assert re.sub(r"\s+", " ", recommendation.text) in text
        document = db.session.scalar(select(Document))
        assert document.sha256 == hashlib.sha256(pdf.data).hexdigest()
        assert document.size == len(pdf.data)
        assert set(document.timings) >= {"gather", "template", "layout", "write", "store", "total"}
    reader = PdfReader(io.BytesIO(pdf.data))
    assert document.page_count == len(reader.pages)
    assert all("/StructParents" in page for page in reader.pages)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "BAME Health Inequalities" in (reader.metadata.title or "")


def test_an_unchanged_group_gets_its_latest_version_at_once_and_a_change_builds_a_new_one(app, demo_case, run_jobs):
    from scrutiny.jobs import queue

    officer = _officer(app)
    _build(officer)
    run_jobs()
    again = _build(officer, follow=True)
    assert "Nothing has changed since version 1" in again.text
    with app.app_context():
        assert len(queue()) == 0
    assert _documents(app) == 1

    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        get_group_by_slug(DEMO).recommendations[0].text += " Report back within a year."
        db.session.commit()
    _build(officer)
    run_jobs()
    page = officer.get(f"/groups/{DEMO}/documents").text
    assert "Version 2" in page and "Version 1" in page
    with app.app_context():
        first, second = db.session.scalars(select(Document).order_by(Document.version)).all()
        assert first.input_hash != second.input_hash
    old = officer.get(f"/groups/{DEMO}/documents/{first.public_id}/download")
    assert "Report back within a year." not in _text(old.data)
    assert "Report back within a year." in _text(officer.get(
        f"/groups/{DEMO}/documents/{second.public_id}/download").data)


def test_a_report_missing_what_the_regulations_require_is_refused_with_reasons(app, demo_case, run_jobs):
    officer = _officer(app)
    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        get_group_by_slug(DEMO).recommendations[2].explanation = ""
        db.session.commit()
    page = _build(officer, follow=True)
    assert "Recommendation 3 has no explanation" in page.text
    assert _documents(app) == 0


def test_councillors_download_but_cannot_build(app, demo_case, run_jobs):
    _build(_officer(app))
    run_jobs()
    councillor = Browser(app.test_client())
    councillor.sign_in("councillor@example.org", "scrutiny-demo")
    page = councillor.get(f"/groups/{DEMO}/documents").text
    assert "Download PDF" in page and "Build the report" not in page
    link = BeautifulSoup(page, "html.parser").select_one("a[href$='/download']")["href"]
    assert councillor.get(link).status_code == 200
    assert councillor.client.post(f"/groups/{DEMO}/documents/report/build").status_code in (400, 403)


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], _Recorder.requests
    server.shutdown()


def test_the_renderer_fetches_nothing_but_its_own_assets(recorder):
    from scrutiny.documents import render

    port, requests = recorder
    html = f"""<html lang="en"><head><title>T</title>
      <style>@import url("http://127.0.0.1:{port}/imported.css"); body {{ font-family: serif }}</style>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/linked.css">
      </head><body><h1>Evidence</h1><img src="file:///etc/passwd" alt="a picture">
      <img src="http://127.0.0.1:{port}/pixel.png" alt="b"><img src="data:image/png;base64,iVBORw0KGgo=" alt="c">
      <a href="scrutiny-asset:../../../../etc/passwd">x</a></body></html>"""
    fetcher = render.AssetOnlyFetcher()
    document = render.layout(html, fetcher)
    out = io.BytesIO()
    document.write_pdf(out)
    assert requests == []
    assert any("etc/passwd" in url for url in fetcher.refused)
    assert "root:" not in _text(out.getvalue())
    with pytest.raises(render.RefusedURL):
        fetcher.fetch("scrutiny-asset:../../../../etc/passwd")


def test_witness_text_with_urls_fetches_nothing_and_leaks_nothing(app, demo_case, run_jobs, recorder):
    port, requests = recorder
    with app.app_context():
        from scrutiny.evidence.models import Submission

        submission = db.session.scalar(select(Submission).where(Submission.status == "accepted"))
        submission.summary = (f'<img src="file:///etc/passwd"> <link rel=stylesheet href="http://127.0.0.1:{port}/x.css">'
                              f' <style>@import url(http://127.0.0.1:{port}/y.css);</style>')
        submission.body = f'![p](http://127.0.0.1:{port}/p.png) <img src="file:///etc/passwd">'
        db.session.commit()
    officer = _officer(app)
    _build(officer)
    run_jobs()
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.status == "done", document.error
    pdf = officer.get(f"/groups/{DEMO}/documents/{document.public_id}/download")
    assert requests == []
    text = _text(pdf.data)
    assert "root:x:0:0" not in text


def test_a_transient_failure_is_retried_and_the_build_completes(app, demo_case, run_jobs, monkeypatch):
    """The storage's temp folder is briefly a file (as a full or broken disk
    would refuse writes): the first attempt fails, the retry succeeds."""
    import shutil

    from scrutiny.storage import storage

    monkeypatch.setitem(app.config, "DOCUMENT_RETRY_INTERVALS", [1])
    with app.app_context():
        tmp = storage().root / "tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text("in the way")
    officer = _officer(app)
    _build(officer)
    run_jobs()
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert (document.status, document.attempts) == ("queued", 1)
        assert "NotADirectoryError" in document.error or "FileExistsError" in document.error
    tmp.unlink()
    time.sleep(1.2)
    from rq import SimpleWorker

    from scrutiny.jobs import queue, redis_connection

    with app.app_context():
        SimpleWorker([queue()], connection=redis_connection()).work(burst=True, with_scheduler=True)
        db.session.remove()
        document = db.session.scalar(select(Document))
        assert (document.status, document.attempts, document.error) == ("done", 2, "")


def test_a_worker_killed_mid_build_leaves_no_running_record_and_no_partial_file(
        app, demo_case, database_url, redis_url, tmp_path):
    from scrutiny.documents.services import ABANDONED, sweep
    from scrutiny.storage import storage

    _more_evidence(app, 150)  # a build of a few seconds, long enough to kill it in the middle
    officer = _officer(app)
    _build(officer)
    with worker_process(app_env(app, database_url, redis_url, tmp_path)) as worker:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.app_context():
                document = db.session.scalar(select(Document))
                status = document.status
                db.session.remove()
            if status == "running":
                break
            time.sleep(0.02)
        assert status == "running", status
        # The work horse runs in a session of its own: kill it, then the worker.
        subprocess.run(["pkill", "-KILL", "-P", str(worker.pid)], check=False)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    time.sleep(app.config["DOCUMENT_HEARTBEAT_GRACE"] + 1)
    with app.app_context():
        assert sweep() == 1
        document = db.session.scalar(select(Document))
        assert (document.status, document.error, document.storage_key) == ("failed", ABANDONED, None)
        leftovers = [p for p in (storage().root / "tmp").glob("*")] if (storage().root / "tmp").exists() else []
        assert leftovers == []
    page = officer.get(f"/groups/{DEMO}/documents/{document.public_id}").text
    assert "The build stopped before it finished" in page


def _more_evidence(app, count):
    from tests.factories import make_submission

    for n in range(count):
        make_submission(app, None, group_slug=DEMO, title=f"Survey response {n}", status="accepted",
                        summary="A resident described waiting for an appointment. " * 8,
                        themes=("Diabetes",) if n % 2 else ("Maternity",))


def test_the_cli_builds_and_waits_and_copies_the_pdf_out(app, demo_case, database_url, redis_url, tmp_path):
    env = app_env(app, database_url, redis_url, tmp_path)
    out = tmp_path / "out"
    with worker_process(env):
        result = flask_command("documents", "build", DEMO, "--kind", "report", "--out", str(out), "--wait",
                               "--timeout", "120", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Final report version 1: queued." in result.stdout
    [pdf] = out.glob("*.pdf")
    assert pdf.name == "bame-health-inequalities-report-v1.pdf"
    assert str(pdf) in result.stdout
    assert "Councillor Judi Billing MBE" in _text(pdf.read_bytes())


def test_councillors_download_the_latest_report_from_their_dashboard(app, demo_case, run_jobs):
    councillor = Browser(app.test_client())
    councillor.sign_in("councillor@example.org", "scrutiny-demo")
    assert "Not built yet" in councillor.get("/my-groups").text
    officer = _officer(app)
    _build(officer)
    run_jobs()
    with app.app_context():
        from scrutiny.groups.services import get_group_by_slug

        get_group_by_slug(DEMO).recommendations[0].text += " Also publish the data."
        db.session.commit()
    _build(officer)
    run_jobs()
    soup = BeautifulSoup(councillor.get("/my-groups").text, "html.parser")
    link = soup.select_one("a[href$='/download']")
    assert "version 2" in link.parent.text
    assert "Also publish the data." in _text(councillor.get(link["href"]).data)


def test_an_agenda_and_its_pack_are_built_for_a_session(app, either_store, demo_case, run_jobs):
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        session = get_group_by_slug(DEMO).evidence_sessions[0]
        session_id, title = session.public_id, session.title
    officer = _officer(app)
    page = officer.submit(f"/groups/{DEMO}/sessions/{session_id}/agenda-pack", {},
                          form_page=f"/groups/{DEMO}/documents", follow=True)
    assert f"The agenda and the agenda pack for “{title}” are being built" in page.text
    run_jobs()
    soup = BeautifulSoup(officer.get(f"/groups/{DEMO}/documents").text, "html.parser")
    row = next(th.parent for th in soup.select("#agenda-packs ~ div th[scope=row]") if title in th.text)
    agenda_link, pack_link = [a["href"] for a in row.select("a[href$='/download']")]
    agenda = officer.get(agenda_link)
    pack = officer.get(pack_link)
    agenda_reader, pack_reader = PdfReader(io.BytesIO(agenda.data)), PdfReader(io.BytesIO(pack.data))
    assert all("/StructParents" in p for p in agenda_reader.pages)  # the agenda alone is tagged
    assert b"pdfuaid" in agenda_reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    pack_root = pack_reader.trailer["/Root"]
    assert "/Metadata" not in pack_root and "/StructTreeRoot" not in pack_root  # claims no PDF/UA
    assert len(pack_reader.pages) > len(agenda_reader.pages)
    text = _text(pack.data)
    assert "Mental health services and BAME communities" in text  # the presentation, appended
    assert "Dr Samuel Adeyemi" in _text(agenda.data)
    with app.app_context():
        pack_document = db.session.scalar(select(Document).where(Document.kind == "agenda_pack"))
        assert (pack_document.variant, pack_document.page_count) == ("", len(pack_reader.pages))
    again = officer.submit(f"/groups/{DEMO}/sessions/{session_id}/agenda-pack", {},
                           form_page=f"/groups/{DEMO}/documents", follow=True)
    assert "unchanged: the latest versions are ready" in again.text


def test_a_build_hashes_only_the_templates_it_uses(app):
    from scrutiny.documents.services import template_closure

    with app.app_context():
        report, letter = template_closure("pdf/report.html"), template_closure("pdf/letter.html")
    assert "pdf/letter.html" not in report and "pdf/report.html" not in letter
    assert {"pdf/_base.html", "pdf/pdf.css"} <= set(report) & set(letter)  # a shared change rebuilds both
