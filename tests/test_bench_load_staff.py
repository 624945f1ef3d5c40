"""The signed-in load run's harness (bench/load_staff.py): gunicorn on
loopback, officers who sign in through the form and read a group's page and
its evidence library, witnesses who spend their links and upload at once,
and every stored file checked against what was sent. A few seconds at a
few users: it proves the machinery, not the speed (speed is measured by
`python -m bench --only load-staff`, never asserted here)."""
from __future__ import annotations

import re

import pytest

from bench import load_staff
from tests.test_bench_load import assert_nothing_left

pytestmark = pytest.mark.own_database  # its own SQLite and Redis: once in CI, not again on PostgreSQL


@pytest.fixture(autouse=True)
def private_services(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)


def test_signed_in_readers_and_uploading_witnesses_run_through_gunicorn_and_files_arrive_whole():
    result = load_staff.run(readers=(3,), seconds=3, think=(0, 0.1), submissions=12, witnesses=3, upload_mb=5,
                            search=0, workers=1, threads=2)

    [level] = result["levels"]
    for path in result["settings"]["paths"]:
        figures = level["paths"][path]
        assert figures["requests"] > 0 and figures["errors"] == 0, (path, figures, level["failures"])
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
        assert figures["bytes"] > 5000  # the page itself, not the sign-in form it would redirect to
    assert result["settings"]["library_items"] == 13  # 12 accepted, 1 confidential or set aside
    uploads = result["uploads"]
    assert uploads["failures"] == []
    assert uploads["sent"] == uploads["submitted"] == uploads["sha256_matched"] == 3
    # Every step of every witness's journey is counted, the last (submitting) too.
    assert len(uploads["steps"]) == 8
    assert all(f["requests"] == 3 and f["errors"] == 0 for f in uploads["steps"].values()), uploads["steps"]

    printed = load_staff.table(result)
    assert re.search(r"\n\s+3  /groups/[a-z0-9-]+/evidence\s+\d+\s+[\d.]+\s+\d", printed), printed
    assert "SHA-256 of the stored file matches what was sent: 3 of 3" in printed
    assert "Readers served with p95 under 500 ms" in printed
    assert_nothing_left(result)


def level(readers: int, p95: float, errors: int = 0) -> dict:
    paths = {"/a": {"p95_ms": p95, "errors": errors}, "/b": {"p95_ms": p95 / 2, "errors": 0}}
    return {"readers": readers, "paths": paths}


def test_the_readers_one_machine_serves_is_narrowed_between_the_levels_either_side_of_the_target():
    paths = ["/a", "/b"]
    levels = [level(10, 80), level(50, 300), level(200, 2000)]
    assert load_staff._next_probe(levels, paths, 500) == 125
    levels.append(level(125, 900))
    assert load_staff._next_probe(levels, paths, 500) == 87
    levels += [level(87, 450), level(106, 510)]
    found = load_staff.capacity(levels, paths, 500)
    assert (found["served"], found["served_p95_ms"], found["crossed"]) == (87, 450, 106)
    assert load_staff._next_probe(levels, paths, 500) == 96
    # An error at a level means it was not served, whatever its p95.
    assert load_staff.capacity([level(10, 80), level(50, 100, errors=1)], paths, 500)["crossed"] == 50
    # No level crossed: the next tries twice the most.
    assert load_staff._next_probe([level(10, 80), level(50, 100)], paths, 500) == 100
