"""Commands: `flask --app wsgi demo load`, `user create`, `worker`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from scrutiny.auth.models import Role
from scrutiny.plurals import counted

demo = AppGroup("demo", help="The demo case.")
user = AppGroup("user", help="Staff accounts.")
documents = AppGroup("documents", help="Compiled documents (PDF).")
evidence = AppGroup("evidence", help="Evidence files.")


@demo.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A case file (TOML) instead of the built-in demo case.")
def demo_load(path: Path | None) -> None:
    """Load the demo case and its accounts (safe to run again)."""
    from scrutiny.demo.loader import DEMO_CASE, DEMO_PASSWORD, load_case

    if current_app.config["SCRUTINY_ENV"] == "production":
        raise click.ClickException("The demo case is never loaded when SCRUTINY_ENV=production.")
    report = load_case(path or DEMO_CASE)
    click.echo(f"Demo case: {len(report.created)} records created, {len(report.kept)} already there.")
    if report.sign_in:
        click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for account in report.sign_in:
            click.echo(f"  {account.email:<28} {account.role_label}")


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.password_option(prompt="Password", confirmation_prompt=True)
def user_create(email: str, name: str, role: str, password: str) -> None:
    """Add a staff user; asks for the password."""
    from scrutiny.auth.services import AccountError, create_user

    try:
        created = create_user(email, name, role, password)
    except AccountError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Created {created.role_label.lower()} {created.email}.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--wait-for-redis", default=0, metavar="SECONDS",
              help="Wait this long for Redis to answer before giving up (it may start alongside).")
def worker(burst: bool, wait_for_redis: int) -> None:
    """Run an RQ worker (with the scheduler) inside this app's context."""
    import time

    from redis.exceptions import RedisError

    from scrutiny.jobs import queue, redis_connection

    deadline = time.monotonic() + wait_for_redis
    while True:
        try:
            redis_connection().ping()
            break
        except RedisError as err:
            if time.monotonic() >= deadline:
                raise click.ClickException(f"Redis at {current_app.config['REDIS_URL']} does not answer: {err}")
            time.sleep(0.2)
    import os

    from scrutiny.extensions import db

    # A forked work horse must not share the parent's database connections.
    engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    from scrutiny.storage import storage

    # Uploads or builds cut short by a crash leave temp files and records; a
    # starting worker clears old temp files and marks orphaned builds failed.
    try:
        storage().clean_tmp()
    except Exception as exc:  # an object store unreachable, or its credentials wrong: say so at once
        raise click.ClickException(f"Storage {storage()!r} cannot be used: {exc}") from exc
    # Redis may have lost jobs (down, or restarted without persistence): the
    # database says which e-mails are unsent, which builds queued, which
    # comments wait for a digest and which reminders are owed. The worker
    # sweeps as it starts (RQ's first maintenance) and every
    # WORKER_SWEEP_SECONDS after, so no restart is needed.
    from scrutiny import upkeep

    # RQ forks a work horse per job: what the parent has loaded, each job
    # inherits. Without this, every letter imported WeasyPrint afresh
    # (about 0.3 s of a 1 s letter; bench/documents.py, letters).
    from scrutiny.documents import jobs as document_jobs, render  # noqa: F401

    render.warm_up()
    # And what it has loaded is never garbage: kept out of the collector's
    # way, a build's own gc.collect() looks at the build's objects only
    # (about 65 ms less per letter), and forks share those pages untouched.
    import gc

    gc.freeze()
    queues = [queue(name) for name in current_app.config["RQ_QUEUES"]]
    upkeep.sweeping_worker(queues, redis_connection(), current_app.config["WORKER_SWEEP_SECONDS"],
                           job_monitoring_interval=current_app.config["WORKER_MONITORING_INTERVAL"]
                           ).work(with_scheduler=True, burst=burst)


@documents.command("build")
@click.argument("group_slug")
@click.option("--kind", type=click.Choice(["report", "letters", "agenda", "responses", "tracker"]), required=True)
@click.option("--session", "session_id", help="For an agenda pack: the evidence session's id "
              "(as in its web address).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Copy the finished PDFs into this folder (with --wait).")
@click.option("--wait", is_flag=True, help="Block until the builds finish, then say how they went.")
@click.option("--timeout", default=3600, show_default=True, help="Seconds to wait at most.")
@click.option("--worker-grace", default=None, type=int,
              help="With --wait: seconds with no worker on the queue before giving up (20).")
def documents_build(group_slug, kind, session_id, out_dir, wait, timeout, worker_grace):
    """Enqueue the same build job the web page enqueues."""
    import shutil
    import time

    from scrutiny.documents import services
    from scrutiny.documents.models import Document, DocumentStatus
    from scrutiny.extensions import db
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.storage import storage

    group = get_group_by_slug(group_slug)
    if group is None:
        raise click.ClickException(f"No topic group with the address “{group_slug}”.")
    grace = NO_WORKER_GRACE if worker_grace is None else worker_grace
    if wait:
        _await_a_worker(since=time.monotonic(), grace=grace)
    try:
        if kind == "letters":
            built, _ = services.request_letters(group, by=None)
        elif kind == "agenda":
            from scrutiny.sessions.services import get_session

            session = get_session(group, session_id or "")
            if session is None:
                choices = ", ".join(f"{s.public_id} ({s.title})" for s in group.evidence_sessions) or "none"
                raise click.ClickException(f"Give the evidence session with --session; this group's: {choices}")
            built = [document for document, _ in services.request_agenda(group, session, by=None)]
        else:
            built = [services.request_build(group, kind, by=None)[0]]
    except services.DocumentError as err:
        raise click.ClickException("Cannot build yet:\n  " + "\n  ".join(err.problems)) from None
    ids = [d.id for d in built]
    for document in built:
        click.echo(f"{_document_name(document)} version {document.version}: "
                   f"{'unchanged since the last build' if document.status == DocumentStatus.DONE else 'queued'}.")
    if not wait:
        return
    deadline = time.monotonic() + timeout
    worker_seen = time.monotonic()
    while True:
        db.session.expire_all()
        documents = [services.reconcile(db.session.get(Document, i)) for i in ids]
        if all(d.is_finished for d in documents):
            break
        if time.monotonic() > deadline:
            raise click.ClickException("Still building; gave up waiting (the builds go on).")
        worker_seen = _await_a_worker(since=worker_seen, block=False, grace=grace)
        time.sleep(1)
    failed = [d for d in documents if d.status != DocumentStatus.DONE]
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    for document in documents:
        if document.status != DocumentStatus.DONE:
            continue
        where = f"stored as {document.storage_key} (--out copies it into a folder)"
        if out_dir:
            target = out_dir / services.kind_of(document.kind).filename(group, document.subject, document.version)
            with storage().open(document.storage_key) as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            where = str(target)
        click.echo(f"{counted(document.page_count, 'page')}, {document.size} bytes: {where}")
    if failed:
        raise click.ClickException("\n".join(f"{_document_name(d)} version {d.version}: the build failed: {d.error}"
                                             for d in failed))


# Seconds without a worker on the queue before --wait gives up: long enough
# for a worker started alongside (`make run` in another terminal) to sign on.
NO_WORKER_GRACE = 20


def _await_a_worker(since: float, block: bool = True, grace: int = NO_WORKER_GRACE) -> float:
    """When a worker last listened on the queue; waiting makes sense only while
    some worker takes its jobs. Gives up `grace` seconds after `since`."""
    import time

    from scrutiny.jobs import live_workers, queue

    name = queue().name
    while True:
        if any(name in worker.queue_names() for worker in live_workers()):
            return time.monotonic()
        if time.monotonic() - since > grace:
            raise click.ClickException(
                f"No worker is listening on the queue “{name}” at {current_app.config['REDIS_URL']}; "
                "start one with `make worker` or `make run`.")
        if not block:
            return since
        time.sleep(0.5)


def _document_name(document) -> str:
    """"Final report", "Recommendation letter to NHS Trust"."""
    if document.organisation is not None:
        return f"{document.kind_label} to {document.organisation.name}"
    return document.kind_label


@documents.command("sweep")
def documents_sweep():
    """Mark builds whose worker died as failed."""
    from scrutiny.documents.services import sweep

    click.echo(f"{sweep()} abandoned builds marked failed.")


@evidence.command("clean-pdfs")
def evidence_clean_pdfs():
    """Take active content out of PDFs stored before uploads were cleaned."""
    from scrutiny.evidence.cleaning import clean_stored_pdfs

    outcome = clean_stored_pdfs()
    click.echo(f"{counted(outcome.checked, 'PDF')} checked, {len(outcome.cleaned)} stored again without "
               "active content.")
    if outcome.unreadable:
        click.echo("Could not be opened, left as they are: " + ", ".join(outcome.unreadable))


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(user)
    app.cli.add_command(documents)
    app.cli.add_command(evidence)
    app.cli.add_command(worker)
