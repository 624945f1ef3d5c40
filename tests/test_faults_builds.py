"""Found on a bad day: a build taken for lost stays failed, whatever RQ
still holds of its old job, and the officer's new request is the one built."""
from __future__ import annotations

from datetime import timedelta

from rq.job import Job
from sqlalchemy import select, update

from scrutiny import jobs
from scrutiny.clock import utcnow
from scrutiny.documents.models import Document
from scrutiny.documents.services import ABANDONED, sweep
from scrutiny.extensions import db
from tests.conftest import Browser


def _officer(app):
    officer = Browser(app.test_client())
    officer.sign_in("officer@example.org", "scrutiny-demo")
    return officer


def _build(officer, slug):
    return officer.submit(f"/groups/{slug}/documents/report/build", {}, form_page=f"/groups/{slug}/documents")


def _versions(app) -> dict[int, tuple[str, str]]:
    with app.app_context():
        return {d.version: (d.status, d.error) for d in db.session.scalars(select(Document))}


def test_a_build_marked_failed_never_comes_back_when_rq_runs_its_old_job(app, demo_case, second_case, run_jobs):
    officer = _officer(app)
    assert _build(officer, demo_case).status_code == 302
    # Its worker took the job and was killed mid-build: running, silent for
    # longer than the grace, and its job gone from the queue.
    with app.app_context():
        silent = utcnow() - timedelta(seconds=app.config["DOCUMENT_HEARTBEAT_GRACE"] + 5)
        db.session.execute(update(Document).values(status="running", started_at=silent, created_at=silent))
        db.session.commit()
        old_job = db.session.scalar(select(Document.rq_job_id))
        Job.fetch(old_job, connection=jobs.redis_connection()).delete()
        assert sweep() == 1
    assert _versions(app) == {1: ("failed", ABANDONED)}

    # The officer asks again (the page said so) ...
    assert _build(officer, demo_case).status_code == 302
    # ... and RQ still had the old job (a retry it had planned): it runs too.
    with app.app_context():
        jobs.enqueue("scrutiny.documents.jobs.build", 1, job_id=old_job)
    run_jobs()
    assert _versions(app) == {1: ("failed", ABANDONED), 2: ("done", "")}
    with app.app_context():
        first = db.session.scalar(select(Document).where(Document.version == 1))
        assert first.storage_key is None and first.attempts == 0
    page = officer.get(f"/groups/{demo_case}/documents/{first.public_id}").text
    assert "The build stopped before it finished" in page


def test_marking_a_build_failed_cancels_its_job(app, demo_case, run_jobs):
    officer = _officer(app)
    _build(officer, demo_case)
    with app.app_context():
        silent = utcnow() - timedelta(seconds=app.config["DOCUMENT_HEARTBEAT_GRACE"] + 5)
        db.session.execute(update(Document).values(status="running", started_at=silent))
        db.session.commit()
        job_id = db.session.scalar(select(Document.rq_job_id))
        sweep()
        assert Job.fetch(job_id, connection=jobs.redis_connection()).get_status() == "canceled"
    run_jobs()
    assert _versions(app) == {1: ("failed", ABANDONED)}
