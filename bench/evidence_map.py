"""The evidence map (`/groups/<slug>/evidence-map`, endpoint
findings.evidence_map) at two sizes: a group of 100 evidence items and 10
findings, and one of 1,000 items and 50 findings, every finding resting on
evidence through its links, and recommendations resting on findings.

Printed: SQL statements per request at each size (they must be the same: a
page whose queries grow with the data has an N+1), p50 and p95 of each, and
each p50 against the app's stylesheet in the same rounds (bench.pages'
reference), so the figures mean the same on another machine.

Skipped, saying so, in an app that has no evidence map yet.
"""
from __future__ import annotations

import os
import platform
import random
from contextlib import ExitStack

from flask_migrate import upgrade
from sqlalchemy import select

from bench import evidence, places
from bench.pages import REFERENCE, QueryCounter, Target, _with_ratios, build_app, log, measure, sign_in
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug

ENDPOINT = "findings.evidence_map"
SIZES = ((100, 10), (1000, 50))  # (evidence items, findings)
SKIPPED = ("the app has no evidence map yet (endpoint findings.evidence_map): run this after the "
           "findings pages are merged")


def _group(evidence_items: int, findings: int, seed: int) -> evidence.EvidenceGroup:
    """A group of `evidence_items` accepted submissions with short texts and
    exactly `findings` findings, each linked to evidence."""
    from scrutiny.evidence.models import Submission, SubmissionStatus
    from scrutiny.findings.models import Finding

    made = evidence.make_evidence_group(evidence_items, 0, 10, seed, text_chars=300, label=f"map-{evidence_items}")
    group = get_group_by_slug(made.slug)
    rng = random.Random(f"scrutiny-bench:{seed}:map:{evidence_items}:{findings}")
    published = list(db.session.scalars(select(Submission).where(
        Submission.topic_group_id == group.id, Submission.status == SubmissionStatus.ACCEPTED,
        Submission.confidential.is_(False))))
    existing = sorted(group.findings, key=lambda f: f.number)
    for extra in existing[findings:]:
        db.session.delete(extra)
    for number in range(len(existing) + 1, findings + 1):
        finding = Finding(number=number, title=f"Finding {number}", text=evidence._prose(rng, 300),
                          themes=[rng.choice(group.themes)])
        group.findings.append(finding)
        db.session.flush()
        evidence.link_findings_one(finding, published, rng)
    db.session.commit()
    made.findings = findings
    return made


def run(requests: int, warmup: int, seed: int) -> dict:
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-map-")
        redis_url = places.redis_url(stack, tmp)
        database_url = places.database_url(stack, tmp / "db")
        app = build_app(database_url, redis_url, tmp / "storage")
        if ENDPOINT not in app.view_functions:
            log(f"evidence map: skipped: {SKIPPED}")
            return {"skipped": SKIPPED}
        with app.app_context():
            upgrade()
            engine = db.engine
            stack.callback(engine.dispose)
            groups = [_group(items, findings, seed) for items, findings in SIZES]
            links = {}
            for made in groups:
                group = get_group_by_slug(made.slug)
                links[made.slug] = sum(len(f.evidence_links) for f in group.findings)
            db.session.remove()
        log("evidence map: groups of " + " and ".join(f"{i} items, {f} findings" for i, f in SIZES) + " ready")
        counter = QueryCounter(engine)
        anonymous, officer = app.test_client(), app.test_client()
        sign_in(officer, groups[0].officer_email, groups[0].password)
        targets = [Target(REFERENCE, "/static/build/app.css", anonymous, "anonymous")]
        names = []
        for (items, findings), made in zip(SIZES, groups):
            name = f"evidence map, {items} items, {findings} findings"
            names.append(name)
            targets.append(Target(name, f"/groups/{made.slug}/evidence-map", officer, "officer"))
        results = _with_ratios(measure(targets, counter, requests, warmup))
    small, large = (results[n] for n in names)
    return {
        "settings": {"requests": requests, "warmup": warmup, "seed": seed, "sizes": SIZES,
                     "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
                     "python": platform.python_version(), "cpus": os.cpu_count()},
        "reference_p50_ms": round(results[REFERENCE].p50_ms, 3),
        "pages": [{**results[n].as_dict(), "evidence_links": links[m.slug]} for n, m in zip(names, groups)],
        "queries_constant": max(small.queries) == max(large.queries) and min(small.queries) == min(large.queries),
    }


def table(result: dict) -> str:
    if result.get("skipped"):
        return f"Evidence map: skipped: {result['skipped']}"
    lines = [f"Evidence map (GET /groups/<slug>/evidence-map as the lead officer), {result['settings']['database']}, "
             f"{result['settings']['cpus']} CPUs; reference {REFERENCE} p50 {result['reference_p50_ms']:.2f} ms"]
    for page in result["pages"]:
        lines.append(f"  {page['page']} ({page['evidence_links']} links): {page['queries_per_request']} queries, "
                     f"p50 {page['p50_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms, p50 {page['ratio_p50_to_reference']:.1f}x "
                     f"the reference, {page['response_bytes'] / 1000:.0f} kB")
        if page["most_repeated_statement"]:
            lines.append(f"    most repeated: {page['most_repeated_statement']['times']}x "
                         f"{page['most_repeated_statement']['sql']}")
    lines.append(f"  queries per page the same at both sizes: {'yes' if result['queries_constant'] else 'NO'}")
    return "\n".join(lines)
