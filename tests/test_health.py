import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import PASSWORD, Browser, make_app

ROOT = Path(__file__).resolve().parent.parent
DOWN_DATABASE = "sqlite:////nonexistent-directory/for/scrutiny/tests.sqlite3"


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (Linux's SigCgt mask)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def test_healthz_reports_database_and_redis_and_no_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == {"ok": True}
    assert body["redis"] == {"ok": True}
    assert body["workers"] == {"ok": False, "count": 0}
    assert body["status"] == "degraded"


def test_healthz_sees_a_live_rq_worker_and_notices_when_it_stops(app, client, database_url, redis_url, tmp_path):
    env = {**os.environ, "SCRUTINY_ENV": "testing", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "SCRUTINY_INSTANCE_DIR": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--wait-for-redis", "10"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(worker.stdout), daemon=True).start()
    try:
        # RQ says "Listening on" before it installs its SIGTERM handler; a
        # SIGTERM in between kills it before it can sign off.
        deadline = time.monotonic() + 30
        while not _catches_sigterm(worker.pid) and time.monotonic() < deadline:
            assert worker.poll() is None, "".join(output)
            time.sleep(0.1)
        body = client.get("/healthz").get_json()
        assert body["workers"] == {"ok": True, "count": 1}, "".join(output)
        assert body["status"] == "ok"
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()  # left running, it would take the next tests' jobs
            worker.wait(10)
            raise AssertionError("the worker did not stop on SIGTERM:\n" + "".join(output)) from None
    assert client.get("/healthz").get_json()["workers"] == {"ok": False, "count": 0}


def test_with_redis_down_pages_still_work_and_health_says_so(app_without_redis):
    other = app_without_redis
    with other.app_context():
        from scrutiny.auth.services import create_user

        create_user("noredis@second.example", "No Redis", "officer", PASSWORD)
    body = other.test_client().get("/healthz")
    assert body.status_code == 200
    assert body.get_json()["redis"]["ok"] is False
    # Sign-in limits live in Redis; their outage must not lock staff out.
    browser = Browser(other.test_client())
    browser.sign_in("noredis@second.example")
    assert browser.get("/groups").status_code == 200


def test_with_the_database_down_health_is_503_and_pages_say_so_plainly(redis_url):
    down = make_app(DOWN_DATABASE, redis_url)
    client = down.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"]["ok"] is False
    sign_in = Browser(client).submit("/sign-in", {"email": "a@second.example", "password": "whatever it is"})
    assert sign_in.status_code == 503
    assert "Sorry, the service is unavailable" in sign_in.text
    assert "Traceback" not in sign_in.text and "OperationalError" not in sign_in.text
