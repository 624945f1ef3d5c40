"""Found on a bad day: PostgreSQL restarted while the app runs. The next
requests must simply work (the pool checks a connection before using it),
not fail once per dead pooled connection."""
from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade

from scrutiny.extensions import db
from tests.conftest import Browser, make_app
from tests.faults import PostgresProcess, postgres_bin


@pytest.fixture
def private_postgres():
    """A PostgreSQL server of this test's own. Skipped where the machine has
    no PostgreSQL server programs, except in CI (CI=true), where that fails:
    a missing server must not pass quietly."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        message = "no PostgreSQL server programs (initdb, pg_ctl) on this machine"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    server = PostgresProcess(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.remove()


def test_requests_after_postgresql_restarts_succeed(private_postgres, redis_url, tmp_path):
    from scrutiny.auth.services import create_user

    app = make_app(private_postgres.url, redis_url, STORAGE_DIR=str(tmp_path / "storage"))
    with app.app_context():
        upgrade()
        create_user("officer@faults.example", "Olu Officer", "officer", "correct horse battery")
    officer = Browser(app.test_client())
    officer.sign_in("officer@faults.example")
    assert officer.get("/my-groups").status_code == 200  # the pool now holds a connection

    private_postgres.stop()
    private_postgres.start()

    for _ in range(3):  # every pooled connection died with the server
        page = officer.get("/my-groups")
        assert page.status_code == 200, page.text[:300]
    with app.app_context():
        db.engine.dispose()
