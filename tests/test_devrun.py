"""`make run` (scrutiny.devrun) as a developer runs it: a real web process,
worker, private Redis and mail catcher, stopped with Ctrl-C."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scrutiny import devrun
from tests.services import free_port
from tests.workers import app_env, flask_command

# `make run` with its own SQLite: the same on any machine's PostgreSQL.
pytestmark = pytest.mark.own_database

ROOT = Path(__file__).resolve().parent.parent
# What a developer's shell would not have set: devrun chooses each itself.
CHOSEN_BY_DEVRUN = ("REDIS_URL", "MAIL_SERVER", "MAIL_PORT", "BASE_URL", "DATABASE_URL", "SCRUTINY_ENV",
                    "SECRET_KEY", "STORAGE_DIR", "PORT", "SCRUTINY_INSTANCE_DIR")


def _process_env(pid: int) -> dict:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


def _send_through(app, port: int, link: str) -> None:
    """A real message, as the worker sends one: a long link in both parts."""
    from scrutiny import mail

    text = f"Dear Jo,\n\nOpen your evidence page (the link works once): {link}.\n\nFrom this page you can accept."
    html = f'<p>Dear Jo,</p><p><a href="{link}">Open your evidence page</a> (the link works once).</p>' * 3
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", port
    try:
        with app.app_context():
            mail.send(mail.build("jo@carers.example", "Invitation to give evidence", text, html, to_name="Jo Carer"))
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved


def test_make_run_serves_links_on_its_own_port_and_stops_cleanly_on_ctrl_c(app, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CHOSEN_BY_DEVRUN}
    env.update(PORT=str(port), SCRUTINY_INSTANCE_DIR=str(tmp_path))
    run = subprocess.Popen([sys.executable, "-m", "scrutiny.devrun"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:
            output = "".join(lines)
            if "Listening on" in output and f"127.0.0.1:{port}" in output:
                break
            time.sleep(0.2)
        output = "".join(lines)
        assert "Listening on" in output, output
        time.sleep(2)  # RQ installs its signal handlers just after it says it listens
        pids = dict(re.findall(r"(web|worker) started \(pid=(\d+)\)", output))
        for name in ("web", "worker"):
            assert _process_env(int(pids[name]))["BASE_URL"] == f"http://127.0.0.1:{port}", name
        redis_url = _process_env(int(pids["worker"]))["REDIS_URL"]
        # A second terminal's `flask documents build --wait` finds this Redis.
        assert (tmp_path / "dev-redis-url").read_text().strip() == redis_url

        link = f"http://127.0.0.1:{port}/portal/start/" + "Ab-9_" * 12
        _send_through(app, int(_process_env(int(pids["worker"]))["MAIL_PORT"]), link)
        deadline = time.monotonic() + 10
        while "From this page" not in "".join(lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        printed = [line.split("| ", 1)[-1].rstrip("\n") for line in lines if " mail" in line.split("|")[0]]
        assert "To:      Jo Carer <jo@carers.example>" in printed
        assert "Subject: Invitation to give evidence" in printed
        assert link in printed  # whole, on a line of its own: a terminal opens it with one click
        assert "From this page you can accept." in printed
        assert not [line for line in printed if "<a href" in line or "=3D" in line]

        run.send_signal(signal.SIGINT)  # Ctrl-C
        assert run.wait(60) is not None
    finally:
        if run.poll() is None:  # a failed check: stop it as a developer would, so nothing outlives the test
            run.terminate()
            try:
                run.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait(10)
    reader.join(10)
    output = "".join(lines)
    assert "Traceback" not in output, output
    assert "worker stopped" in output
    assert not (tmp_path / "dev-redis-url").exists()


def test_an_explicit_base_url_wins_over_the_port():
    assert devrun.base_url({"PORT": "5055"}) == "http://127.0.0.1:5055"
    assert devrun.base_url({}) == "http://127.0.0.1:5000"
    assert devrun.base_url({"PORT": "5055", "BASE_URL": "https://scrutiny.example"}) == "https://scrutiny.example"


# `flask --app wsgi documents build … --wait` in a second terminal.
DEMO = "bame-health-inequalities"
NO_WORKER = "No worker is listening on the queue “default”"


def test_waiting_for_a_build_with_no_worker_says_how_to_start_one(app, demo_case, database_url, redis_url, tmp_path):
    started = time.monotonic()
    result = flask_command("documents", "build", DEMO, "--kind", "report", "--wait", "--timeout", "120",
                           "--worker-grace", "3", env=app_env(app, database_url, redis_url, tmp_path))
    assert result.returncode != 0
    assert NO_WORKER in result.stderr and "start one with `make worker` or `make run`" in result.stderr
    assert time.monotonic() - started < 60  # not the whole --timeout
    assert "queued" not in result.stdout  # nothing left waiting for a worker that is not there


def test_waiting_stops_when_the_last_worker_leaves(app, demo_case, database_url, redis_url, tmp_path):
    from rq import Worker

    with app.app_context():
        from scrutiny.jobs import queue, redis_connection

        # A worker that signed on but takes nothing; it signs off while we wait.
        idle = Worker([queue()], connection=redis_connection())
        idle.register_birth()
    env = {**app_env(app, database_url, redis_url, tmp_path), "PYTHONUNBUFFERED": "1"}
    build = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "documents", "build", DEMO, "--kind",
                              "report", "--wait", "--timeout", "120", "--worker-grace", "3"], cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert "Final report version 1: queued." in build.stdout.readline()
        with app.app_context():
            idle.register_death()
        assert build.wait(60) != 0
    finally:
        if build.poll() is None:
            build.kill()
            build.wait(10)
    assert NO_WORKER in build.stderr.read()
