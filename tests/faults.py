"""Real services that a fault test stops and starts: a Redis of the test's
own on a fixed port (its data kept nowhere, as `make run`'s used to be), and
the worker's environment pointing at it."""
from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import redis

from scrutiny.jobs import live_workers
from tests.services import free_port, redis_binary
from tests.workers import app_env


class RedisProcess:
    """A redis-server that keeps no data: `restart()` brings it back empty."""

    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [redis_binary(), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.025)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def redis_for_jobs(app, directory: Path):
    """The app's jobs go to a Redis of the caller's own, which it may stop."""
    server = RedisProcess(directory)
    server.start()
    saved = app.extensions["redis"], app.config["REDIS_URL"]
    app.extensions["redis"] = redis.Redis.from_url(server.url, socket_connect_timeout=2, socket_timeout=5)
    app.config["REDIS_URL"] = server.url
    try:
        yield server
    finally:
        app.extensions["redis"], app.config["REDIS_URL"] = saved
        server.stop()


def worker_env(app, database_url, server: RedisProcess, smtp_port: int, instance: Path) -> dict:
    """A worker on the flaky Redis that sweeps every second."""
    return {**app_env(app, database_url, server.url, instance), "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port), "WORKER_SWEEP_SECONDS": "1", "OUTBOX_LOST_GRACE_SECONDS": "1"}


def wait_until(check, timeout: float = 30, every: float = 0.1, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"waited {timeout} s for {what}")


def a_worker_is_seen(app) -> bool:
    with app.app_context():
        try:
            return bool(live_workers())
        except redis.ConnectionError:
            return False


def postgres_bin() -> Path | None:
    """The folder of the newest PostgreSQL server programs on this machine, if any."""
    import glob
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PostgresProcess:
    """A PostgreSQL server of the test's own (initdb, pg_ctl) on a free port,
    which the test stops and starts. PostgreSQL refuses to run as root: as
    root, its programs run as the `postgres` user, in a folder it owns."""

    def __init__(self, bin_dir: Path):
        import os
        import tempfile

        self.bin_dir, self.port = bin_dir, free_port()
        self.data = Path(tempfile.mkdtemp(prefix="scrutiny-faults-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            owner = pwd.getpwnam("postgres")
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data / "db"), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin_dir / program), *args], check=True, capture_output=True,
                       timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data / "db"), "-l", str(self.data / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data / "db"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        import shutil

        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # stopped already
        shutil.rmtree(self.data, ignore_errors=True)
