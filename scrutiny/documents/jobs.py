"""The build job: data → HTML → layout → tagged PDF → storage, in one pass
so tags, links, bookmarks and page numbers are whole."""
from __future__ import annotations

import gc
import json
import os
import threading
import uuid
from contextlib import contextmanager
from time import perf_counter

from flask import current_app, render_template
from rq import get_current_job
from sqlalchemy import update

from scrutiny.clock import today, utcnow
from scrutiny.documents import render
from scrutiny.documents.models import HEARTBEAT, Document, DocumentStatus
from scrutiny.documents.services import kind_of, temp_prefix
from scrutiny.extensions import db
from scrutiny.i18n import pdf_fonts
from scrutiny.plurals import counted
from scrutiny.storage import storage


def _progress(document: Document, percent: int) -> None:
    document.progress = percent
    db.session.commit()


def _claim(document_id: int) -> bool:
    """Mark the build running if it is still queued for this very job, in one
    statement, so no two jobs ever run one build. A build marked failed (its
    worker was taken for dead) stays failed even if RQ retries its old job,
    and a job enqueued twice (a sweep racing the request) runs once."""
    job = get_current_job()
    claimed = update(Document).where(Document.id == document_id, Document.status == DocumentStatus.QUEUED)
    if job is not None:
        claimed = claimed.where(Document.rq_job_id == job.id)
    done = db.session.execute(claimed.values(
        status=DocumentStatus.RUNNING, started_at=utcnow(), error="", attempts=Document.attempts + 1,
        timings_json="{}"))
    db.session.commit()
    return done.rowcount == 1


@contextmanager
def _heartbeat(document_id: int):
    """While the build runs, a thread records every DOCUMENT_HEARTBEAT_SECONDS
    that it is alive, on its own connection: a sweep judges a build lost by
    this, not by what Redis remembers (a Redis restarted empty forgets the
    job and its worker while the build goes on)."""
    engine, every = db.engine, current_app.config["DOCUMENT_HEARTBEAT_SECONDS"]
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as conn:
                    conn.execute(update(Document).where(
                        Document.id == document_id, Document.status == DocumentStatus.RUNNING).values(
                        timings_json=json.dumps({HEARTBEAT: utcnow().isoformat()})))
            except Exception:  # noqa: BLE001 - a missed beat only ages the build; the next one tries again
                pass

    thread = threading.Thread(target=beat, name=f"build-{document_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def document_html(spec, context: dict) -> str:
    """The HTML WeasyPrint lays out: the kind's template with its context,
    declaring the fonts of only the scripts its text is in."""
    html = render_template(spec.template, **{spec.variable: context}, council_name=current_app.config["COUNCIL_NAME"],
                           brand_colour=current_app.config["BRAND_COLOUR"])
    return pdf_fonts.with_faces_for_its_text(html)


def build(document_id: int) -> str:
    if not _claim(document_id):
        return "nothing to build: not queued for this job"
    with _heartbeat(document_id):
        return _build(db.session.get(Document, document_id))


def _build(document: Document) -> str:
    document_id = document.id
    _progress(document, 5)
    timings: dict[str, float] = {}
    started = clock = perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    temp = storage().scratch(f"{temp_prefix(document_id)}{uuid.uuid4().hex}.pdf")
    stored_key = None
    try:
        spec = kind_of(document.kind)
        context = spec.context(document.topic_group, document.subject, document.version, today())
        lap("gather")
        html = document_html(spec, context)
        lap("template")
        _progress(document, 15)
        laid_out = render.layout(html)
        # Layout leaves cyclic garbage that the collector, busy with a whole
        # app's long-lived objects, would keep through the write: freeing it
        # now cuts a 400-page build's peak by about 50 MiB (bench/).
        del html, context
        gc.collect()
        lap("layout")
        _progress(document, 70)
        temp.parent.mkdir(parents=True, exist_ok=True)
        pages = len(laid_out.pages)
        if spec.finish is None:
            render.write(laid_out, temp, variant=document.variant or None)
            lap("write")
        else:  # a pack: the tagged part first, then what is appended to it
            written = temp.with_name(temp.stem + "-part.pdf")
            try:
                render.write(laid_out, written, variant=current_app.config["PDF_VARIANT"])
                lap("write")
                pages = spec.finish(document, written, temp)
                lap("merge")
            finally:
                written.unlink(missing_ok=True)
        _progress(document, 90)
        with temp.open("rb") as pdf:
            blob = storage().put_stream(pdf, max_bytes=temp.stat().st_size)
        document.storage_key = stored_key = storage().commit(blob)
        document.size, document.sha256, document.page_count = blob.size, blob.sha256, pages
        lap("store")
    except Exception as exc:
        db.session.rollback()
        if stored_key:  # no file without its finished record
            storage().delete(stored_key)
        document = db.session.get(Document, document_id)
        if document.status == DocumentStatus.RUNNING:  # not if a sweep has given up on it meanwhile
            job = get_current_job()
            retrying = bool(job and job.retries_left)
            document.status = DocumentStatus.QUEUED if retrying else DocumentStatus.FAILED
            document.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            document.finished_at = None if retrying else utcnow()
            db.session.commit()
        raise
    finally:
        if temp.exists():
            os.unlink(temp)
    timings["total"] = round(perf_counter() - started, 3)
    document.timings_json = json.dumps(timings)
    # An error left by a sweep that took this build for lost is no longer true.
    document.status, document.progress, document.finished_at, document.error = (
        DocumentStatus.DONE, 100, utcnow(), "")
    db.session.commit()
    return counted(document.page_count, "page")
