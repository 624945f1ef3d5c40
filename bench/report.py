"""The results of `bench.pages.run` as a table for people and as JSON."""
from __future__ import annotations

import json


def _row(cells, widths) -> str:
    first, *rest = cells
    return f"{first:<{widths[0]}}" + "".join(f"{c:>{w}}" for c, w in zip(rest, widths[1:]))


def _queries(page: dict) -> str:
    low, high = page["queries_min"], page["queries_max"]
    return str(low) if low == high else f"{low}-{high}"


def table(results: dict) -> str:
    s = results["settings"]
    pages = results["pages"]
    lines = [
        f"Scrutiny page benchmark: {s['synthetic_groups']} synthetic topic groups (+ the demo case), "
        f"{s['members_per_group']} members each from {s['councillors']} councillors, seed {s['seed']}",
        f"{s['requests']} timed requests per page after {s['warmup']} warm-up, interleaved; "
        f"{s['database']}, Python {s['python']}, {s['cpus']} CPUs",
        f"Reference: GET {results['reference']['path']} (Flask/werkzeug routing and response, no database "
        f"or templates), p50 {results['reference']['p50_ms']:.3f} ms",
        "",
    ]
    widths = [40, 9, 9, 11, 13]
    lines.append(_row(["page (signed in as)", "p50 ms", "p95 ms", "p50 / ref", "queries/req"], widths))
    lines.append("-" * sum(widths))
    for p in pages:
        who = "reference" if p["page"] == results["reference"]["page"] else p["user"]
        extra = f", {p['groups_listed']} groups" if "groups_listed" in p else ""
        lines.append(_row([f"{p['page']} ({who}{extra})", f"{p['p50_ms']:.2f}", f"{p['p95_ms']:.2f}",
                           f"{p['ratio_p50_to_reference']:.1f}x", _queries(p)], widths))
    group = next((p for p in pages if "slug" in p), None)
    if group:
        lines.append(f"  /groups/<slug> is /groups/{group['slug']}: {group['findings']} findings, "
                     f"{group['recommendations']} recommendations, {group['members']} members, "
                     f"{group['status_changes']} stage changes")

    sc = results["scaling"]
    a, b = sc["small"], sc["large"]
    lines += [
        "",
        f"Scaling of /groups (officer): {s['small_synthetic_groups']} and {s['synthetic_groups']} synthetic "
        "groups, each in its own database, timed in the same rounds:",
        _row(["", "groups", "p50 ms", "p50 / ref", "queries/req"], widths),
        _row([f"  {s['small_synthetic_groups']} synthetic groups", str(a["groups_listed"]), f"{a['p50_ms']:.2f}",
              f"{a['ratio_p50_to_reference']:.1f}x", _queries(a)], widths),
        _row([f"  {s['synthetic_groups']} synthetic groups", str(b["groups_listed"]), f"{b['p50_ms']:.2f}",
              f"{b['ratio_p50_to_reference']:.1f}x", _queries(b)], widths),
        _row(["  large / small", f"{sc['groups_ratio']:.2f}x", f"{sc['p50_ratio']:.2f}x", "",
              f"{sc['queries_ratio']:.2f}x" if sc["queries_ratio"] else "-"], widths),
    ]
    if sc["extra_queries_per_extra_group"] is not None:
        lines.append(f"  each extra group listed adds {sc['extra_queries_per_extra_group']:.2f} queries "
                     f"and {sc['extra_ms_per_extra_group'] * 1000:.0f} µs at p50")

    lines += ["", "Statement each page repeats most in one request (an N+1 shows here as data grows):"]
    for p in pages:
        rep = p["most_repeated_statement"]
        if rep:
            lines.append(f"  {p['page']:<16} {rep['times']:>4}x  {rep['sql']}")
    lines.append("  (a users lookup by id also loads the signed-in user once on every signed-in page)")
    return "\n".join(lines)


def as_json(results: dict) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False)
