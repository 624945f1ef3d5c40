"""A real `flask worker` process beside the test app, on the same database,
Redis and storage."""
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def app_env(app, database_url, redis_url, instance_dir) -> dict:
    return {**os.environ, "SCRUTINY_ENV": "testing", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "SCRUTINY_INSTANCE_DIR": str(instance_dir), "STORAGE_DIR": app.config["STORAGE_DIR"]}


def flask_command(*args: str, env: dict, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@contextmanager
def worker_process(env: dict, log: Path | None = None):
    """Yields the worker's Popen; stops it (and anything it started) afterwards.
    `log`: a file for what it prints (to see why a test waited in vain)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                              stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                              start_new_session=True)
    try:
        yield worker
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass  # a test killed it already
        worker.wait(30)
        if log:
            out.close()
