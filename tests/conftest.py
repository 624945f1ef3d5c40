from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import redis as redis_lib
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestingConfig
from scrutiny import create_app
from scrutiny.extensions import db
from tests import services

HERE = Path(__file__).resolve().parent
SECOND_CASE = HERE / "data" / "second_case.toml"
PASSWORD = "correct horse battery"


def _xdist_worker() -> int | None:
    """0, 1, ... under pytest-xdist (`make test` runs one process per core), else None."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") else None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        # Each process flushes its database after every test: one database each.
        yield services.redis_database(url, _xdist_worker())
        return
    with services.private_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = services.worker_database(url, _xdist_worker())
        services.reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


S3_REGION = "eu-west-2"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "scrutiny-test", "AWS_SECRET_ACCESS_KEY": "scrutiny-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3-compatible endpoint (moto's server on loopback), started once;
    the storage finds its credentials where it would in production, in the
    AWS environment variables (set for the session, then put back)."""
    saved = {name: os.environ.get(name) for name in S3_CREDENTIALS}
    os.environ.update(S3_CREDENTIALS)
    try:
        with services.moto_s3() as url:
            yield url
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def s3_settings(endpoint: str, bucket: str, prefix: str = "scrutiny/files") -> dict:
    return {"STORAGE_URL": f"s3://{bucket}/{prefix}", "STORAGE_S3_ENDPOINT_URL": endpoint,
            "STORAGE_S3_REGION": S3_REGION}


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A new, empty bucket for one test."""
    import uuid

    import boto3

    from scrutiny.storage import s3_client_options

    name = f"test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", **s3_client_options(s3_settings(s3_endpoint, name)))
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return name


@pytest.fixture
def s3_app(app, s3_endpoint, s3_bucket):
    """The test app with STORAGE_URL=s3://..., its files in the bucket; the
    disk again afterwards."""
    saved = {name: app.config.get(name) for name in ("STORAGE_URL", "STORAGE_S3_ENDPOINT_URL", "STORAGE_S3_REGION")}
    app.config.update(s3_settings(s3_endpoint, s3_bucket))
    app.extensions.pop("storage", None)
    try:
        yield app
    finally:
        app.config.update(saved)
        app.extensions.pop("storage", None)


@pytest.fixture(params=["disk", "s3"])
def either_store(request, app):
    """Runs a test twice: the app's files on disk, then (STORAGE_URL=s3://...)
    in an S3-compatible store; what users see must not differ. Ask for it
    before fixtures that store files (demo_case)."""
    if request.param == "s3":
        request.getfixturevalue("s3_app")
    return request.param


def make_app(database_url: str, redis_url: str, **overrides):
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    settings.update(overrides)
    return create_app(TestingConfig, **settings)


def limiter_back_to(app) -> None:
    """Flask-Limiter keeps one storage for the process, the last app's: after a
    test's own app, the session app's Redis again, and no memory of counts
    made while a Redis was down."""
    from scrutiny.extensions import limiter

    limiter.init_app(app)
    limiter._storage_dead = False  # noqa: SLF001 - no public way to say the storage is back


@pytest.fixture
def app_without_redis(app, database_url, tmp_path):
    """The same database, Redis on a port nothing listens on."""
    dead = f"redis://127.0.0.1:{services.free_port()}/0"
    try:
        yield make_app(database_url, dead, STORAGE_DIR=app.config["STORAGE_DIR"])
    finally:
        limiter_back_to(app)


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    app = make_app(database_url, redis_url, STORAGE_DIR=str(tmp_path_factory.mktemp("storage")))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_state(request, app, redis_url):
    """Each test starts with empty tables and an empty Redis database."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # the audit log is append-only, except on purpose
                conn.execute(text("SET LOCAL scrutiny.audit_purge = 'on'"))
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    redis_lib.Redis.from_url(redis_url).flushdb()
    storage_dir = Path(app.config["STORAGE_DIR"])
    if storage_dir.exists():
        shutil.rmtree(storage_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Browser:
    """A user's steps over the test client: open a page, fill its form, send it."""

    def __init__(self, client):
        self.client = client
        self.page = None

    def get(self, url, **kwargs):
        self.page = self.client.get(url, **kwargs)
        return self.page

    def submit(self, url, data, follow=False, form_page=None):
        """Post `data` to `url` with the CSRF token of the form page (url itself by default)."""
        token_page = self.client.get(form_page or url)
        payload = {"csrf_token": csrf_token(token_page.text), **data}
        self.page = self.client.post(url, data=payload, follow_redirects=follow)
        return self.page

    def sign_in(self, email, password=PASSWORD):
        response = self.submit("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, f"sign-in failed for {email}: {response.status_code}"
        return response

    def sign_out(self):
        return self.submit("/sign-out", {}, form_page="/my-groups")


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def make_user(app):
    """Creates a staff user; returns its e-mail. Password is PASSWORD."""
    from scrutiny.auth.services import create_user

    counter = iter(range(1, 10_000))

    def make(role="officer", name=None, email=None, password=PASSWORD):
        n = next(counter)
        with app.app_context():
            user = create_user(email or f"{role}{n}@second.example", name or f"{role.title()} Person {n}", role, password)
            return user.email

    return make


@pytest.fixture
def demo_case(app):
    """The built-in demo case, loaded as `make run` loads it."""
    from scrutiny.demo.loader import load_case

    with app.app_context():
        load_case()
    return "bame-health-inequalities"


@pytest.fixture
def second_case(app):
    """A second review of our own (another council's kind of topic), beside the demo."""
    from scrutiny.demo.loader import load_case

    with app.app_context():
        load_case(SECOND_CASE, password=PASSWORD)
    return "adult-social-care-waiting-times"


class Mailbox:
    """What the loopback SMTP server received, as parsed messages."""

    def __init__(self):
        self.envelopes = []
        self.refuse = 0  # answer this many DATA commands with a temporary failure

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Mailbox temporarily unavailable"
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback (aiosmtpd); the app sends to it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = services.free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", port
    try:
        yield mailbox
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
        controller.stop()


@pytest.fixture
def flaky_redis(app, tmp_path):
    """The test app's jobs go to a Redis of this test's own, which the test
    may stop, start and restart empty (tests/faults.py)."""
    from tests.faults import redis_for_jobs

    with redis_for_jobs(app, tmp_path) as server:
        yield server


@pytest.fixture
def run_jobs(app):
    """Runs every queued job with a real RQ worker (in-process, burst mode)."""
    from rq import SimpleWorker

    from scrutiny.jobs import queue, redis_connection

    def run():
        with app.app_context():
            worker = SimpleWorker([queue()], connection=redis_connection())
            worker.work(burst=True)
            db.session.remove()

    return run
