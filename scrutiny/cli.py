"""Commands: `flask --app wsgi demo load`, `user create`, `worker`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from scrutiny.auth.models import Role

demo = AppGroup("demo", help="The demo case.")
user = AppGroup("user", help="Staff accounts.")


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
    from rq import Worker

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

    # Uploads cut short by a crash leave temp files; a starting worker clears old ones.
    storage().clean_tmp()
    queues = [queue(name) for name in current_app.config["RQ_QUEUES"]]
    Worker(queues, connection=redis_connection()).work(with_scheduler=True, burst=burst)


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(user)
    app.cli.add_command(worker)
