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


def _verdict(value: float | None, target: float, *, at_most: bool = True, unit: str = "x") -> str:
    if value is None:
        return "-"
    ok = value <= target if at_most else value >= target
    return f"target {'<=' if at_most else '>='} {target:g}{unit}  {'MET' if ok else 'MISSED'}"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def _cores(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def documents_table(results: dict) -> str:
    s, t, data = results["settings"], results["targets"], results["data"]
    g = data["group"]
    cold, same, web = results.get("cold_build"), results.get("unchanged"), results.get("web")
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
        f"this benchmark took {s['seconds']:.0f} s; parts: {', '.join(s.get('parts', []))}",
    ]
    if cold:
        lines += _cold_lines(cold, t)
    if results.get("memory"):
        lines += _memory_lines(results, t)
    if same:
        lines += _unchanged_lines(same, cold, t)
    if web:
        lines += _web_lines(web, results, t)
    letters = results.get("letters") or {}
    lines += _letters_lines(letters, g, t)

    lines += ["", "Against the targets:"]
    if cold:
        lines.append(f"  cold build, app / raw WeasyPrint          {_x(cold['ratio_total'])}  "
                     f"{_verdict(cold['ratio_total'], t['cold_build_ratio'])}")
    for m in results.get("memory") or []:
        lines.append(f"  peak memory, {m['label'] + ',':<12} app / raw  {_x(m['ratio_peak'])}  "
                     f"{_verdict(m['ratio_peak'], t['peak_memory_ratio'])}")
    if same:
        lines.append(f"  unchanged group: latest at once, nothing enqueued     {_unchanged_verdict(same)}")
        lines.append(f"  unchanged request_build, median           {same['median_s'] * 1000:.1f} ms  "
                     f"{_verdict(same['median_s'] * 1000, t['unchanged_request_ms'], unit=' ms')}")
    if web:
        lines.append(f"  web p95 during a build / idle            {_x(web['ratio_p95'])}  "
                     f"{_verdict(web['ratio_p95'], t['web_p95_ratio'])}")
    changed, workers = letters.get("rebuild_only_changed"), letters.get("two_workers")
    if changed:
        after = changed["after_one_change"]
        lines.append(f"  letters: only the changed rebuilt ({after['started']} of {changed['addressees']})   "
                     f"{'MET' if after['only_those'] and changed['unchanged']['started'] == 0 else 'MISSED'}")
    if workers:
        lines.append(f"  letters: two workers / one                {_x(workers['ratio'])}  "
                     f"{_verdict(workers['ratio'], t['letters_two_workers_ratio'])}")
    return "\n".join(lines)


def _unchanged_verdict(same: dict) -> str:
    return "MET" if same["returned_latest"] and same["jobs_queued_after"] == 0 and \
        same["documents_after"] == same["documents_before"] else "MISSED"


def _cold_lines(cold: dict, t: dict) -> list[str]:
    app, raw, timings = cold["app"], cold["raw"], cold["app"]["timings"]
    lines = [
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
    return lines


def _memory_lines(results: dict, t: dict) -> list[str]:
    lines = ["", "b. Peak memory (VmHWM), each build in a fresh process: `python -m bench.child worker` "
                  "(an RQ SimpleWorker in the worker's app, as worker_app.py makes it) and "
                  "`python -m bench.child raw` (WeasyPrint alone)"]
    widths_m = [16, 7, 9, 9, 9, 18, 12, 9, 9, 10]
    lines.append(_row(["report", "pages", "app MiB", "raw MiB", "app/raw", "", "growth a/r", "app s",
                       "raw s", "time a/r"], widths_m))
    lines.append("-" * sum(widths_m))
    reference = results.get("memory_web_app")
    for m in results["memory"] + ([reference] if reference else []):
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
    if reference:
        first = results["memory"][0]
        lines.append(f"  the worker's app (no pages) against the whole web app on the same report: ready "
                     f"{_mib(first['app']['ready_kib'])} vs {_mib(reference['app']['ready_kib'])} MiB, peak "
                     f"{_mib(first['app']['peak_kib'])} vs {_mib(reference['app']['peak_kib'])} MiB "
                     f"({_x(first['ratio_peak'])} vs {_x(reference['ratio_peak'])} of raw WeasyPrint)")
    return lines


def _unchanged_lines(same: dict, cold: dict | None, t: dict) -> list[str]:
    lines = ["", "c. Nothing rebuilt that has not changed"]
    verdict = _unchanged_verdict(same)
    share = f" ({100 * same['request_s'] / cold['app']['total_s']:.1f}% of the cold build)" if cold else ""
    lines.append(f"  a second request_build on the unchanged group took {same['request_s'] * 1000:.0f} ms"
                 f"{share}, returned the latest "
                 f"version: {'yes' if same['returned_latest'] else 'NO'}; jobs queued "
                 f"{same['jobs_queued_before']} -> {same['jobs_queued_after']}; documents "
                 f"{same['documents_before']} -> {same['documents_after']}   {verdict}")
    parts = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in same["parts_s"].items())
    lines.append(f"  where such a request's time goes: {parts}")
    lines.append(f"  median of {same['samples']} such requests: {same['median_s'] * 1000:.1f} ms "
                 f"(target <= {t['unchanged_request_ms']} ms); just after an unrelated change moved the "
                 f"council's data counter, so the group's data is read, checked and hashed, as every such "
                 f"request was before the stamps: {same['median_reading_the_data_s'] * 1000:.1f} ms "
                 f"({_x(same['ratio_to_reading_the_data'])})")
    return lines


def _web_lines(web: dict, results: dict, t: dict) -> list[str]:
    lines = ["", f"d. The web while a build runs: GET {web['path']} as an officer over HTTP",
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
        first = results["memory"][0] if results.get("memory") else None
        versus = (f"; raw WeasyPrint on the {first['label']} report peaked at {_mib(first['raw']['peak_kib'])} MiB"
                  if first and first["pages"] == web["build"]["pages"] else "")
        lines.append(f"  the real worker's work horse (forked per job) peaked at {_mib(horse['peak_kib'])} MiB "
                     f"(VmHWM sampled every 0.1 s; shared pages of its parent, the worker at "
                     f"{_mib(horse['worker_rss_kib'] or 0)} MiB, included){versus}")
    if web["worker_log_errors"]:
        lines.append(f"  the worker logged errors: {web['worker_log_errors']}")

    return lines


def _letters_lines(letters: dict, g: dict, t: dict) -> list[str]:
    lines = []
    changed, workers = letters.get("rebuild_only_changed"), letters.get("two_workers")
    if changed:
        first, same, after = changed["first"], changed["unchanged"], changed["after_one_change"]
        lines += ["", f"Letters to {changed['addressees']} addressees"]
        lines.append(f"  first request: {first['started']} letters started in {first['request_s'] * 1000:.0f} ms; "
                     f"built by one in-process worker in {first['build_s_one_in_process_worker']:.1f} s")
        lines.append(f"  unchanged request: {same['started']} started, {same['request_s'] * 1000:.0f} ms")
        lines.append(f"  one recommendation (to {after['recommendation_addressees']} addressees) changed: "
                     f"{after['started']} letters started, exactly its addressees': "
                     f"{'yes' if after['only_those'] else 'NO'}; request {after['request_s'] * 1000:.0f} ms, "
                     f"rebuild {after['rebuild_s']:.1f} s")
    if workers:
        lines += ["", f"Letters for {workers['addressees']} addressees, rebuilt by `flask --app worker_app worker` "
                      f"processes ({workers['cpus']} CPUs)"]
        for name in ("one", "two"):
            w = workers[name]
            lines.append(f"  {name} worker{'s' if name == 'two' else ''}: {w['letters']} letters in {w['wall_s']:.1f} s "
                         f"(median letter {w['median_letter_s']} s; other processes kept {_cores(w['other_cores'])} "
                         "cores busy)")
        lines.append(f"  two / one: {_x(workers['ratio'])}   {_verdict(workers['ratio'], t['letters_two_workers_ratio'])}")
    if not letters:
        lines += ["", "Letters: not measured in this run (--parts letters,letters-workers)"]
    return lines

