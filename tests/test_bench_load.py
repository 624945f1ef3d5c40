"""The load run's harness (bench/load.py): it starts gunicorn on loopback with
the app, runs locust against it, reads locust's figures, stops on a path that
does not answer, and leaves nothing running. A 2-second run at 2 readers
against the stylesheet: it proves the machinery, not the speed (speed is
measured by `python -m bench --only load`, never asserted here)."""
from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

from bench import load

pytestmark = pytest.mark.own_database  # its own SQLite and Redis: once in CI, not again on PostgreSQL

STYLESHEET = "/static/build/app.css"


@pytest.fixture(autouse=True)
def private_services(monkeypatch):
    # Its own database and Redis, never the machine's.
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)


def assert_nothing_left(result: dict) -> None:
    assert result["processes"], "the run recorded no process it started"
    for group in result["processes"]:
        with pytest.raises(ProcessLookupError):
            os.killpg(group, 0)
    address = urlsplit(result["settings"]["url"])
    with pytest.raises(ConnectionRefusedError), socket.create_connection((address.hostname, address.port), 2):
        pass


def test_a_short_run_times_the_stylesheet_through_gunicorn_and_stops_everything():
    result = load.run(paths=[STYLESHEET], readers=(2,), seconds=2, think=(0, 0.1), workers=1, threads=2, ramp=0)

    assert result["settings"]["url"].startswith("http://127.0.0.1:")
    figures = result["levels"][0]["paths"][STYLESHEET]
    assert figures["requests"] > 0 and figures["errors"] == 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert figures["bytes"] > 1000  # the stylesheet itself, not an error page
    assert result["reference"]["requests"] > 0 and result["reference"]["readers"] == 2
    assert figures["ratio_p95_to_fewest"] == 1.0
    printed = load.table(result)
    assert f"2  {STYLESHEET}" in printed
    assert "p95 at 2 readers within 3x p95 at 2, no errors" in printed
    assert_nothing_left(result)


def test_a_path_that_does_not_answer_stops_the_run_before_any_timing():
    result = load.run(paths=["/reviews/no-such-review", STYLESHEET], readers=(2,), seconds=2, workers=1, threads=1, ramp=0)

    assert "GET /reviews/no-such-review answers 404" in result["skipped"]
    assert "levels" not in result
    assert len(result["processes"]) == 1  # gunicorn, and no locust
    assert "Nothing was timed" in load.table(result)
    assert_nothing_left(result)
