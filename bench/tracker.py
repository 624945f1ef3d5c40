"""The recommendations tracker (`/tracker`, every group's, as an officer) on
synthetic monitoring data: groups whose letters have gone, each with
recommendations, a submitted response with actions and progress, and an
overdue one.

Printed, each beside the app's stylesheet in the same rounds (bench.pages'
reference) so the figures mean the same on another machine:

- SQL statements per request of the first page, at a tenth of the data and
  at all of it (they must be the same: a tracker whose queries grow with its
  rows has an N+1);
- p50 and p95 of the first page at full size;
- the CSV export's peak Python memory (tracemalloc) at both sizes: it is
  written a batch at a time, so the peak should not grow with the rows;
- the time to import a file changing the judgement of IMPORT_ROWS rows.
"""
from __future__ import annotations

import os
import platform
import time
import tracemalloc
from contextlib import ExitStack
from datetime import date, datetime, timedelta

from flask_migrate import upgrade

from bench import places
from bench.pages import REFERENCE, QueryCounter, Target, _fetch, _with_ratios, build_app, log, measure, sign_in
from scrutiny.extensions import db

RECOMMENDATIONS = 2000
ACTIONS_PER_ACCEPTED = 3  # 2,000 recommendations, 6,000 actions
PER_GROUP = 50
IMPORT_ROWS = 1000
EMAIL, PASSWORD = "tracker.officer@example.org", "bench-password-not-secret"


def _make(groups: int, start: int, today: date) -> None:
    """`groups` tracked groups of PER_GROUP recommendations each."""
    from scrutiny.auth.services import create_user, find_user
    from scrutiny.findings.models import Recommendation
    from scrutiny.groups.models import TopicGroup
    from scrutiny.organisations.models import Organisation
    from scrutiny.responses.models import RecommendationResponse, ResponseAction, ResponseRequest, ReviewPoint

    if find_user(EMAIL) is None:
        create_user(EMAIL, "Tracker Officer", "officer", PASSWORD)
        db.session.add_all([Organisation(name="Bench Council Department", kind="council_department"),
                            Organisation(name="Bench Health Trust", kind="nhs_body")])
        db.session.commit()
    department, trust = db.session.scalars(db.select(Organisation).where(
        Organisation.name.in_(["Bench Council Department", "Bench Health Trust"])).order_by(Organisation.name))
    for index in range(start, start + groups):
        group = TopicGroup(title=f"Bench tracked group {index:04d}", slug=f"bench-tracked-{index:04d}",
                           tracker_code=f"2026-27/BTG{index:04d}")
        db.session.add(group)
        recs = [Recommendation(topic_group=group, number=n, text=f"Recommendation {n} of group {index}: do better.",
                               addressees=[department, trust] if n % 3 == 0 else [department])
                for n in range(1, PER_GROUP + 1)]
        db.session.add_all(recs)
        sent = datetime(2026, 6, 1, 10)
        answered = ResponseRequest(topic_group=group, organisation=department, sent_at=sent,
                                   due_on=date(2026, 8, 1), submitted_at=datetime(2026, 7, 20, 12),
                                   submitted_by_name="Bench Director")
        overdue = ResponseRequest(topic_group=group, organisation=trust, sent_at=sent, due_on=today - timedelta(days=1))
        db.session.add_all([answered, overdue, ReviewPoint(topic_group=group, label="6-month review",
                                                            due_on=today + timedelta(days=index % 90))])
        for rec in recs:
            db.session.add(RecommendationResponse(request=answered, recommendation=rec, decision="accepted", actions=[
                ResponseAction(description="An action", owner_role="Lead", position=k, target_date=date(2027, 3, 1),
                               original_target_date=date(2027, 1, 1) if k == 2 else date(2027, 3, 1),
                               progress_status=("on_track", "at_risk", "")[k],
                               progress_on=date(2026, 10, 1) if k < 2 else None)
                for k in range(ACTIONS_PER_ACCEPTED)]))
        db.session.commit()


def _csv_peak_kib(app, group_slugs: list[str] | None) -> tuple[int, int]:
    """(rows written, peak KiB while writing them) for the CSV of these groups (all when None)."""
    from scrutiny.clock import today
    from scrutiny.responses import tracker, tracker_csv

    with app.app_context():
        groups = [g for g in tracker.tracked_groups() if group_slugs is None or g.slug in group_slugs]
        tracemalloc.start()
        rows = -1
        for chunk in tracker_csv.export_lines(groups, today(), tracker.Filters()):
            rows += chunk.count("\r\n")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.session.remove()
    return rows, peak // 1024


def _import_seconds(app) -> tuple[int, float]:
    """Export, change IMPORT_ROWS judgements, import: (changed, seconds)."""
    from scrutiny.auth.services import find_user
    from scrutiny.clock import today
    from scrutiny.responses import tracker, tracker_csv

    with app.app_context():
        groups = tracker.tracked_groups()
        records = [tracker_csv.COLUMNS]
        for batch in tracker.batches(groups, today(), tracker.Filters()):
            records += [tracker_csv.cells(row) for row in batch]
        for record in records[1:IMPORT_ROWS + 1]:
            record[6], record[7] = "Amber", "Bench import"
        started = time.perf_counter()
        done = tracker_csv.import_rows(records, groups, today(), find_user(EMAIL))
        seconds = time.perf_counter() - started
        db.session.remove()
    return done.changed, seconds


def run(requests: int, warmup: int, seed: int) -> dict:
    groups = RECOMMENDATIONS // PER_GROUP
    small = max(1, groups // 10)
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-tracker-")
        redis_url = places.redis_url(stack, tmp)
        database_url = places.database_url(stack, tmp / "db")
        app = build_app(database_url, redis_url, tmp / "storage")
        with app.app_context():
            from scrutiny.clock import today

            upgrade()
            engine = db.engine
            stack.callback(engine.dispose)
            _make(small, 0, today())
            db.session.remove()
        counter = QueryCounter(engine)
        anonymous, officer = app.test_client(), app.test_client()
        sign_in(officer, EMAIL, PASSWORD)
        page = Target("/tracker, first page", "/tracker", officer, "officer")
        _fetch(page)
        before = counter.count
        _fetch(page)
        small_queries = counter.count - before
        small_csv = _csv_peak_kib(app, None)
        with app.app_context():
            _make(groups - small, small, today())
            db.session.remove()
        log(f"tracker: {groups} groups, {groups * PER_GROUP} recommendations, "
            f"{groups * PER_GROUP * ACTIONS_PER_ACCEPTED} actions ready")
        results = _with_ratios(measure([Target(REFERENCE, "/static/build/app.css", anonymous, "anonymous"), page],
                                       counter, requests, warmup))
        large_csv = _csv_peak_kib(app, None)
        changed, seconds = _import_seconds(app)
    reference = results[REFERENCE].p50_ms
    large = results[page.name]
    return {
        "settings": {"requests": requests, "warmup": warmup, "seed": seed, "groups": groups,
                     "recommendations": groups * PER_GROUP,
                     "actions": groups * PER_GROUP * ACTIONS_PER_ACCEPTED,
                     "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
                     "python": platform.python_version(), "cpus": os.cpu_count()},
        "reference_p50_ms": round(reference, 3),
        "page": large.as_dict(),
        "queries": {"small": small_queries, "large": max(large.queries)},
        "queries_constant": small_queries == min(large.queries) == max(large.queries),
        "csv": {"small": {"rows": small_csv[0], "peak_kib": small_csv[1]},
                "large": {"rows": large_csv[0], "peak_kib": large_csv[1]},
                "peak_ratio": round(large_csv[1] / max(small_csv[1], 1), 2)},
        "import": {"rows_changed": changed, "seconds": round(seconds, 3),
                   "ratio_to_reference": round(seconds * 1000 / reference, 1)},
    }


def table(result: dict) -> str:
    s, page = result["settings"], result["page"]
    return "\n".join([
        f"Recommendations tracker ({s['recommendations']} recommendations in {s['groups']} groups, {s['actions']} "
        f"actions), {s['database']}, {s['cpus']} CPUs; reference {REFERENCE} p50 {result['reference_p50_ms']:.2f} ms",
        f"  GET /tracker: {page['queries_per_request']} queries (a tenth of the data: {result['queries']['small']}; "
        f"constant: {'yes' if result['queries_constant'] else 'NO'}), p50 {page['p50_ms']:.1f} ms, "
        f"p95 {page['p95_ms']:.1f} ms, p50 {page['ratio_p50_to_reference']:.1f}x the reference",
        f"  CSV export peak memory: {result['csv']['small']['peak_kib']} KiB for {result['csv']['small']['rows']} rows, "
        f"{result['csv']['large']['peak_kib']} KiB for {result['csv']['large']['rows']} rows "
        f"({result['csv']['peak_ratio']}x)",
        f"  Import of {result['import']['rows_changed']} changed judgements: {result['import']['seconds']:.2f} s "
        f"({result['import']['ratio_to_reference']:.0f}x the reference p50)",
    ])
