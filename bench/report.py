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


# ---------------------------------------------------------------- documents


def _verdict(value: float | None, target: float, *, at_most: bool = True) -> str:
    if value is None:
        return "-"
    ok = value <= target if at_most else value >= target
    return f"target {'<=' if at_most else '>='} {target:g}x  {'MET' if ok else 'MISSED'}"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def _cores(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def documents_table(results: dict) -> str:
    s, t, data = results["settings"], results["targets"], results["data"]
    g, cold, same, web = data["group"], results["cold_build"], results["unchanged"], results["web"]
    app, raw, timings = cold["app"], cold["raw"], cold["app"]["timings"]
    lines = [
        f"Scrutiny document benchmark{' (--quick)' if s['quick'] else ''}: the final report of one synthetic "
        f"topic group, seed {s['seed']}",
        f"Group: {g['submissions']} accepted, non-confidential submissions (+{g['left_out']} left out), "
        f"{g['presentations']} presentations ({g['presentation_pages']} PDF pages), {g['sessions']} sessions held, "
        f"{g['witnesses']} witnesses, {g['themes']} themes, {g['findings']} findings, "
        f"{g['recommendations']} recommendations to {g['addressees']} addressees",
        f"Summaries: about {g['summary_chars']:,} characters per submission, set for about {s['pages_target']} "
        f"pages; {g['over_form_limits']} of {g['submissions']} are longer than the forms take "
        "(3,000 + officer 2,000)",
        f"Bodies: about {g['body_chars']:,} characters of Markdown each (stored, not printed in the report)",
        f"{s['database']}, Python {s['python']}, WeasyPrint {s['weasyprint']}, {s['cpus']} CPUs; "
        f"this benchmark took {s['seconds']:.0f} s",
        f"Reference: raw WeasyPrint laying out and writing the very HTML the app built (same SHA-256), "
        f"{cold['variant'] or 'untagged'}",
        "",
        f"a. Cold report build: {cold['pages']} pages, {cold['html_chars'] / 1e6:.2f} M characters of HTML, "
        f"{cold['pdf_bytes'] / 1e6:.1f} MB PDF; "
        + (f"medians of {cold['repeat']} pairs" if cold["repeat"] > 1 else "one pair")
        + " (load average " + ", ".join(f"{r['load_before']} -> {r['load_after']}" for r in cold["runs"]) + ")",
    ]
    widths = [40, 10, 10, 11]
    lines.append(_row(["", "app s", "raw s", "app / raw"], widths))
    lines.append("-" * sum(widths))
    lines.append(_row(["request_build (the web request)", f"{app['request_s']:.3f}", "-", ""], widths))
    for stage in ("gather", "template", "layout", "write", "store"):
        raw_s = raw.get(f"{stage}_s")
        lines.append(_row([f"{stage}", f"{timings.get(stage, 0):.3f}",
                           f"{raw_s:.3f}" if raw_s is not None else "-",
                           _x(cold.get(f"ratio_{stage}"))], widths))
    lines.append(_row(["job bookkeeping (Document, commits)", f"{app['job_bookkeeping_s']:.3f}", "-", ""], widths))
    lines.append(_row(["RQ handling of the job", f"{app['rq_per_job_s']:.3f}", "-", ""], widths))
    lines.append("-" * sum(widths))
    lines.append(_row(["total per build (request + RQ job)", f"{app['total_s']:.3f}", f"{raw['total_s']:.3f}",
                       _x(cold["ratio_total"])], widths) + f"   {_verdict(cold['ratio_total'], t['cold_build_ratio'])}")
    lines.append(_row(["  + SimpleWorker start and stop", f"{app['total_with_worker_start_stop_s']:.3f}",
                       f"{raw['total_s']:.3f}", _x(cold["ratio_total_with_worker_start_stop"])], widths))
    lines.append(_row(["  CPU seconds (worker vs raw)", f"{app['worker_cpu_s']:.3f}", f"{raw['cpu_s']:.3f}",
                       _x(cold["ratio_cpu"])], widths))
    lines.append(f"  bookkeeping = worker wall {app['worker_wall_s']:.3f} s - the five stages "
                 f"{app['stages_sum_s']:.3f} s = {app['bookkeeping_s']:.3f} s: the job's own "
                 f"{app['job_bookkeeping_s']:.3f} s, RQ per job {app['rq_per_job_s']:.3f} s, and SimpleWorker's "
                 f"start and burst-mode stop {app['worker_start_stop_s']:.3f} s (once per worker process, not per "
                 "build; mostly joining its pub/sub thread)")
    lines.append("  other processes kept busy (cores): " + "; ".join(
        f"app {_cores(r['other_cores']['app'])}, raw {_cores(r['other_cores']['raw'])}"
        + (f" -> app / raw {r['ratio']:.2f}x" if cold["repeat"] > 1 else "") for r in cold["runs"]))
    other = app["total_s"] - timings.get("layout", 0) - timings.get("write", 0)
    lines.append(f"  Per build, outside WeasyPrint's layout and write the app spends {other:.3f} s "
                 f"({100 * other / app['total_s']:.1f}% of its total).")

    lines += ["", "b. Peak memory (VmHWM), each build in a fresh process: `python -m bench.child worker` "
                  "(an RQ SimpleWorker in a new app) and `python -m bench.child raw` (WeasyPrint alone)"]
    widths_m = [16, 7, 9, 9, 9, 18, 12, 9, 9, 10]
    lines.append(_row(["report", "pages", "app MiB", "raw MiB", "app/raw", "", "growth a/r", "app s",
                       "raw s", "time a/r"], widths_m))
    lines.append("-" * sum(widths_m))
    for m in results["memory"]:
        lines.append(_row([m["label"], str(m["pages"]), _mib(m["app"]["peak_kib"]), _mib(m["raw"]["peak_kib"]),
                           _x(m["ratio_peak"]), _verdict(m["ratio_peak"], t["peak_memory_ratio"]).replace("target ", ""),
                           _x(m["ratio_growth"]), f"{m['app']['job_s']:.1f}", f"{m['raw']['wall_s']:.1f}",
                           _x(m["ratio_time"])], widths_m))
    for m in results["memory"]:
        lines.append(f"  {m['label']}: ready to build, app {_mib(m['app']['ready_kib'])} MiB, raw "
                     f"{_mib(m['raw']['ready_kib'])} MiB (growth = peak - ready); app layout "
                     f"{m['app']['timings'].get('layout', 0):.1f} s, write {m['app']['timings'].get('write', 0):.1f} s; "
                     f"raw layout {m['raw']['layout_s']:.1f} s, write {m['raw']['write_s']:.1f} s; "
                     f"other processes kept {_cores(m['other_cores']['app'])} / {_cores(m['other_cores']['raw'])} "
                     f"cores busy")
    lines.append("  (ru_maxrss in these processes reads "
                 + ", ".join(f"{_mib(m['app']['ru_maxrss_kib'])}/{_mib(m['raw']['ru_maxrss_kib'])}"
                             for m in results["memory"])
                 + " MiB app/raw: Linux carries the benchmark's own size over fork and exec, so it is not used)")

    lines += ["", "c. Nothing rebuilt that has not changed"]
    verdict = "MET" if same["returned_latest"] and same["jobs_queued_after"] == 0 and \
        same["documents_after"] == same["documents_before"] else "MISSED"
    lines.append(f"  a second request_build on the unchanged group took {same['request_s'] * 1000:.0f} ms "
                 f"({100 * same['request_s'] / app['total_s']:.1f}% of the cold build), returned the latest "
                 f"version: {'yes' if same['returned_latest'] else 'NO'}; jobs queued "
                 f"{same['jobs_queued_before']} -> {same['jobs_queued_after']}; documents "
                 f"{same['documents_before']} -> {same['documents_after']}   {verdict}")
    parts = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in same["parts_s"].items())
    lines.append(f"  where such a request's time goes: {parts}")
    lines.append("  letters after one recommendation changes: not measured yet (TODO(letters) in "
                 "bench/documents.py, letters_rebuild_only_changed)")

    lines += ["", f"d. The web while a build runs: GET {web['path']} as an officer over HTTP",
              f"  {web['server']}; build in {web['worker']}"]
    widths_w = [40, 10, 10, 10]
    lines.append(_row(["", "requests", "p50 ms", "p95 ms"], widths_w))
    lines.append("-" * sum(widths_w))
    lines.append(_row(["idle (before and after the build)", str(web["idle"]["requests"]),
                       f"{web['idle']['p50_ms']:.2f}", f"{web['idle']['p95_ms']:.2f}"], widths_w))
    lines.append(_row([f"during a {web['build']['pages']}-page report build", str(web["during"]["requests"]),
                       f"{web['during']['p50_ms']:.2f}", f"{web['during']['p95_ms']:.2f}"], widths_w))
    lines.append(_row(["during / idle", "", _x(web["ratio_p50"]), _x(web["ratio_p95"])], widths_w)
                 + f"   {_verdict(web['ratio_p95'], t['web_p95_ratio'])}")
    lines.append(f"  the build ran {web['build']['seen_running_s']:.1f} s in the worker "
                 f"(its layout {web['build']['timings'].get('layout', 0):.1f} s, write "
                 f"{web['build']['timings'].get('write', 0):.1f} s); other processes kept "
                 f"{_cores(web['other_cores']['idle'])} cores busy while idle, "
                 f"{_cores(web['other_cores']['during (the build included)'])} during (the build included)")
    horse = web.get("horse") or {}
    if horse.get("peak_kib"):
        first = results["memory"][0] if results["memory"] else None
        versus = (f"; raw WeasyPrint on the {first['label']} report peaked at {_mib(first['raw']['peak_kib'])} MiB"
                  if first and first["pages"] == web["build"]["pages"] else "")
        lines.append(f"  the real worker's work horse (forked per job) peaked at {_mib(horse['peak_kib'])} MiB "
                     f"(VmHWM sampled every 0.1 s; shared pages of its parent, the worker at "
                     f"{_mib(horse['worker_rss_kib'] or 0)} MiB, included){versus}")
    if web["worker_log_errors"]:
        lines.append(f"  the worker logged errors: {web['worker_log_errors']}")

    lines += ["", f"Letters for {g['addressees']} addressees, two workers vs one (target <= "
                  f"{t['letters_two_workers_ratio']:g}x): not measured yet (TODO(letters) in bench/documents.py, "
                  "letters_two_workers)"]

    lines += ["", "Against the targets:"]
    lines.append(f"  cold build, app / raw WeasyPrint          {_x(cold['ratio_total'])}  "
                 f"{_verdict(cold['ratio_total'], t['cold_build_ratio'])}")
    for m in results["memory"]:
        lines.append(f"  peak memory, {m['label'] + ',':<12} app / raw  {_x(m['ratio_peak'])}  "
                     f"{_verdict(m['ratio_peak'], t['peak_memory_ratio'])}")
    lines.append(f"  unchanged group: latest at once, nothing enqueued     {verdict}")
    lines.append(f"  web p95 during a build / idle            {_x(web['ratio_p95'])}  "
                 f"{_verdict(web['ratio_p95'], t['web_p95_ratio'])}")
    lines.append("  letters: only the changed rebuilt; two workers <= 0.6x one   not measured yet")
    return "\n".join(lines)
