"""Time the main pages over Flask's test client, against a reference in the same run.

The reference is the app's own stylesheet, /static/build/app.css: a request
that goes through Flask and werkzeug (routing, session, security headers,
sending a file) but not the database or templates. A page's p50 divided by
the reference's p50 is a figure that means the same on a fast or a slow
machine; the milliseconds alone do not.

Each page also reports how many SQL statements one request runs (counted with
a `before_cursor_execute` listener on the engine) and the statement it repeats
most, which is how an N+1 query shows itself as the data grows.

Requests are interleaved (one of each page per round) so that a slow patch of
the machine falls on every page alike and the ratios stay steady.
"""
from __future__ import annotations

import gc
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from bench import places, synthetic
from config import TestingConfig
from scrutiny import create_app
from scrutiny.auth.services import find_user
from scrutiny.demo.loader import load_case
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.groups.services import groups_for

REFERENCE = "/static/build/app.css"
SMALL_GROUPS = 20  # the /groups list is also timed at this size, to see how it scales
SMALL_LIST = "/groups (small data set)"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


_STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - _STARTED:5.1f}s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- counting SQL

class QueryCounter:
    """Counts statements sent to the database, and keeps their text while asked to."""

    def __init__(self, *engines):
        self.count = 0
        self.statements: list[str] | None = None
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        if self.statements is not None:
            self.statements.append(statement)


def _shape(statement: str) -> str:
    """A statement's text with its select list folded, short enough for a table."""
    text = " ".join(statement.split())
    text = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", text)
    return text if len(text) <= 110 else text[:107] + "..."


# ---------------------------------------------------------------- pages

@dataclass
class Target:
    name: str
    path: str
    client: FlaskClient
    who: str


@dataclass
class Result:
    name: str
    path: str
    who: str
    samples_ms: list[float]
    queries: list[int]
    bytes: int
    repeated: tuple[int, str] | None = None  # the statement one request runs most often, and how often
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    ratio: float = 0.0
    notes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.p50_ms = statistics.median(self.samples_ms)
        self.p95_ms = statistics.quantiles(self.samples_ms, n=20)[18] if len(self.samples_ms) > 1 else self.p50_ms

    def as_dict(self) -> dict:
        return {
            "page": self.name, "path": self.path, "user": self.who,
            "p50_ms": round(self.p50_ms, 3), "p95_ms": round(self.p95_ms, 3),
            "ratio_p50_to_reference": round(self.ratio, 2),
            "queries_per_request": _plain(statistics.median(self.queries)),
            "queries_min": min(self.queries), "queries_max": max(self.queries),
            "response_bytes": self.bytes,
            "most_repeated_statement": (
                {"times": self.repeated[0], "sql": self.repeated[1]} if self.repeated else None),
            **self.notes,
        }


def _plain(number: float) -> float | int:
    return int(number) if number == int(number) else number


def _fetch(target: Target):
    response = target.client.get(target.path)
    body = response.get_data()
    response.close()
    if response.status_code != 200:
        raise RuntimeError(f"GET {target.path} as {target.who} gave {response.status_code}, not 200")
    return body


def measure(targets: list[Target], counter: QueryCounter, requests: int, warmup: int) -> dict[str, Result]:
    """Warm up, look at one request's SQL, then time `requests` interleaved rounds."""
    repeated, sizes = {}, {}
    for target in targets:
        for _ in range(warmup):
            _fetch(target)
        counter.statements = []
        sizes[target.name] = len(_fetch(target))
        shapes = Counter(_shape(s) for s in counter.statements)
        counter.statements = None
        if shapes:
            sql, times = shapes.most_common(1)[0]
            repeated[target.name] = (times, sql)
    samples = {t.name: [] for t in targets}
    queries = {t.name: [] for t in targets}
    gc.collect()
    clock = time.perf_counter
    for _ in range(requests):
        for target in targets:
            before = counter.count
            started = clock()
            _fetch(target)
            samples[target.name].append((clock() - started) * 1000)
            queries[target.name].append(counter.count - before)
    return {
        t.name: Result(t.name, t.path, t.who, samples[t.name], queries[t.name], sizes[t.name],
                       repeated.get(t.name))
        for t in targets
    }


def _with_ratios(results: dict[str, Result]) -> dict[str, Result]:
    reference = results[REFERENCE].p50_ms
    for result in results.values():
        result.ratio = result.p50_ms / reference
    return results


# ---------------------------------------------------------------- the app

def build_app(database_url: str, redis_url: str, storage: Path) -> Flask:
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=redis_url,
        STORAGE_DIR=str(storage),
        PASSWORD_HASH_METHOD="scrypt:1024:8:1",  # quick accounts; sign-in is not what is timed
    )


def sign_in(client: FlaskClient, email: str, password: str) -> None:
    """Post the sign-in form as a person would, with the token from the page."""
    page = client.get("/sign-in").get_data(as_text=True)
    match = CSRF_RE.search(page)
    if not match:
        raise RuntimeError("the sign-in page has no CSRF token")
    response = client.post("/sign-in", data={
        "csrf_token": match.group(1) or match.group(2), "email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed: {response.status_code}")


def _largest_synthetic_group(slugs: list[str]) -> TopicGroup:
    found = db.session.scalars(select(TopicGroup).where(TopicGroup.slug.in_(slugs))).all()
    return max(found, key=lambda g: (len(g.recommendations) + len(g.findings), -g.id))


@dataclass
class DataSet:
    app: Flask
    engine: object
    made: synthetic.SyntheticSet
    groups_listed: int


def _data_set(stack: ExitStack, directory: Path, redis_url: str, groups: int, members: int, seed: int) -> DataSet:
    """An app on a database of its own: migrated, the demo case, `groups` synthetic groups."""
    database_url = places.database_url(stack, directory)
    app = build_app(database_url, redis_url, directory / "storage")
    with app.app_context():
        upgrade()
        engine = db.engine
        stack.callback(engine.dispose)
        load_case()
        made = synthetic.make_groups(groups, members, seed)
        listed = db.session.scalar(select(func.count(TopicGroup.id)))
        db.session.remove()
    log(f"{database_url.split(':', 1)[0]} database with the demo case and {groups} synthetic groups ready")
    return DataSet(app, engine, made, listed)


def run(groups: int, requests: int, warmup: int, seed: int, members: int) -> dict:
    """Set up private apps and data, time the pages; return the results as plain data.

    Two data sets, each in its own database: the full one (`groups` synthetic
    groups) for every page, and a small one (the same seed's first
    SMALL_GROUPS groups) whose /groups list is timed in the same rounds, so
    the scaling figures compare like with like.
    """
    small_groups = min(SMALL_GROUPS, groups)
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-")
        redis_url = places.redis_url(stack, tmp)
        log(f"Redis at {redis_url}")
        small = _data_set(stack, tmp / "small", redis_url, small_groups, members, seed)
        large = _data_set(stack, tmp / "large", redis_url, groups, members, seed)
        counter = QueryCounter(large.engine, small.engine)

        made = large.made
        councillor_email = made.councillor_emails[0]
        with large.app.app_context():
            group = _largest_synthetic_group(made.group_slugs)
            slug, group_notes = group.slug, {
                "findings": len(group.findings), "recommendations": len(group.recommendations),
                "members": len(group.members), "status_changes": len(group.status_changes)}
            councillor_groups = len(groups_for(find_user(councillor_email)))
            db.session.remove()

        # Requests run with no app context pushed, so each gets its own
        # session, as in production (a shared context shares one identity map).
        anonymous = large.app.test_client()
        officer = large.app.test_client()
        councillor = large.app.test_client()
        small_officer = small.app.test_client()
        sign_in(officer, made.officer_email, made.password)
        sign_in(councillor, councillor_email, made.password)
        sign_in(small_officer, small.made.officer_email, small.made.password)

        targets = [
            Target(REFERENCE, "/static/build/app.css", anonymous, "anonymous"),
            Target("/groups", "/groups", officer, "officer"),
            Target("/groups/<slug>", f"/groups/{slug}", officer, "officer"),
            Target("/my-groups", "/my-groups", councillor, "councillor"),
            Target("/sign-in", "/sign-in", anonymous, "anonymous"),
            Target(SMALL_LIST, "/groups", small_officer, "officer"),
        ]
        log(f"timing {len(targets)} pages: {requests} interleaved requests each after {warmup} warm-up")
        results = _with_ratios(measure(targets, counter, requests, warmup))
        results["/groups"].notes = {"groups_listed": large.groups_listed}
        results[SMALL_LIST].notes = {"groups_listed": small.groups_listed}
        results["/groups/<slug>"].notes = {"slug": slug, **group_notes}
        results["/my-groups"].notes = {"groups_listed": councillor_groups, "councillor": councillor_email}
        reference = results[REFERENCE]
        log("done")

    small_list = results.pop(SMALL_LIST)
    return {
        "settings": {
            "synthetic_groups": groups, "small_synthetic_groups": small_groups, "members_per_group": members,
            "councillors": synthetic.COUNCILLORS, "requests": requests, "warmup": warmup, "seed": seed,
            "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
            "python": platform.python_version(), "cpus": os.cpu_count(),
        },
        "reference": {"page": REFERENCE, "path": reference.path, "p50_ms": round(reference.p50_ms, 3)},
        "pages": [r.as_dict() for r in results.values()],
        "scaling": _scaling(small_list, results["/groups"]),
    }


def _scaling(a: Result, b: Result) -> dict:
    listed_a, listed_b = a.notes["groups_listed"], b.notes["groups_listed"]
    qa, qb = _plain(statistics.median(a.queries)), _plain(statistics.median(b.queries))
    more = listed_b - listed_a
    return {
        "page": "/groups",
        "small": a.as_dict(),
        "large": b.as_dict(),
        "groups_ratio": round(listed_b / listed_a, 2),
        "p50_ratio": round(b.p50_ms / a.p50_ms, 2),
        "queries_ratio": round(qb / qa, 2) if qa else None,
        "extra_queries_per_extra_group": round((qb - qa) / more, 3) if more else None,
        "extra_ms_per_extra_group": round((b.p50_ms - a.p50_ms) / more, 4) if more else None,
    }
