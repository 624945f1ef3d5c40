"""Time and weigh the compiled documents' builds against raw WeasyPrint, in one run.

The reference is WeasyPrint 70 itself laying out and writing the very HTML
the app produced (checked: the SHA-256 of the HTML the app's build laid out
equals that of the HTML the reference renders), with the same PDF variant.
What the app adds on top (gathering data, templating, storing, RQ and
bookkeeping) is the figure that matters, and a ratio to the reference means
the same on a fast or a slow machine.

Measured, for one synthetic topic group of N submissions (bench.evidence):

a. a cold report build through the app's real path: `request_build(...,
   force=True)`, then the RQ job run by an `rq.SimpleWorker` in this process,
   beside raw WeasyPrint on the same HTML in this process (both after one
   small untimed render, so neither pays WeasyPrint's first-use costs);
b. peak memory (VmHWM, see bench.child.peak_kib: ru_maxrss carries the
   parent's size over fork and exec) of a worker building the report and of
   raw WeasyPrint on its HTML, each in a fresh process (`python -m bench.child`),
   for the group and for one with twice the submissions (about twice the
   pages). Those four processes' times are a second, cold-process sample;
c. a second request on the unchanged group: it must return the latest
   version at once and enqueue nothing;
d. p95 of the group page over HTTP (a threaded werkzeug server in this
   process, urllib as the client) while idle and while a report build runs
   in a real `flask --app worker_app worker` process.

Other work on the machine shows as noise, so each phase records how many
cores other processes kept busy meanwhile (/proc/stat, see Others) and the
load average, and CPU seconds beside wall seconds.

Letters: every addressee's letter built, an unchanged request (nothing
started), one recommendation changed (only its addressees' letters rebuilt;
counts and times), and all the letters rebuilt by one worker process, then
by two (wall time, ratio).

`--parts` runs some of these only (see bench/__main__.py).
"""
from __future__ import annotations

import gc
import hashlib
import http.cookiejar
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from bench import child, evidence, places
from bench.pages import CSRF_RE, log
from scrutiny.clock import today
from scrutiny.documents import render
from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
from scrutiny.documents.services import hashable, inputs_hash, kind_of, request_build
from scrutiny.extensions import db
from scrutiny.groups.services import get_group_by_slug
from scrutiny.jobs import queue, redis_connection
from tests import services

ROOT = Path(__file__).resolve().parent.parent
REPORT = DocumentKind.REPORT
STAGES = ("gather", "template", "layout", "write", "store")

TARGETS = {
    "cold_build_ratio": 1.15,     # app total / raw WeasyPrint total, same HTML
    "peak_memory_ratio": 1.2,     # worker peak RSS / raw WeasyPrint peak RSS
    "web_p95_ratio": 1.5,         # group page p95 during a build / idle
    "letters_two_workers_ratio": 0.6,
    "unchanged_request_ms": 20,   # request_build on the unchanged group
}

DEFAULTS = {"submissions": 100, "presentations": 12, "addressees": 30, "pages_target": 400, "web_requests": 300}
QUICK = {"submissions": 10, "presentations": 3, "addressees": 6, "pages_target": 40, "web_requests": 100}

# ---------------------------------------------------------------- small helpers

def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _machine_busy_s() -> float | None:
    """CPU seconds every process on the machine has used since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Others:
    """How many cores other processes kept busy while a phase ran: the
    machine's busy CPU time (/proc/stat, steal included) less this process's
    and its waited-for children's, over the wall time. Another developer's
    test run shows here, and explains a ratio that moves between runs."""

    def __enter__(self):
        self._busy, self._own, self._wall = _machine_busy_s(), self._own_s(), time.perf_counter()
        self.cores = None
        return self

    @staticmethod
    def _own_s() -> float:
        me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime

    def __exit__(self, *exc):
        busy, wall = _machine_busy_s(), time.perf_counter() - self._wall
        if busy is not None and self._busy is not None and wall > 0:
            self.cores = round(max(0.0, (busy - self._busy) - (self._own_s() - self._own)) / wall, 2)


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _report_html(app: Flask, document: Document, built_on: date) -> str:
    """The report's HTML exactly as scrutiny/documents/jobs.py renders it."""
    from scrutiny.documents.jobs import document_html

    spec = kind_of(document.kind)
    return document_html(spec, spec.context(document.topic_group, document.subject, document.version, built_on))


def _queued(app: Flask) -> int:
    with app.app_context():
        return len(queue())


def _request(app: Flask, slug: str, *, force: bool) -> tuple[int, bool, float]:
    """request_build in a fresh session, as a web request makes it: (document id, started, seconds)."""
    with app.app_context():
        group = get_group_by_slug(slug)
        started = time.perf_counter()
        document, enqueued = request_build(group, REPORT, by=None, force=force)
        seconds = time.perf_counter() - started
        document_id = document.id
        db.session.remove()
    return document_id, enqueued, seconds


def _finished(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.status != DocumentStatus.DONE:
        raise RuntimeError(f"build {document_id} did not finish: "
                           f"{document.status if document else 'no record'} {document.error if document else ''}")
    return document


def _warm_up() -> None:
    """One small untimed render, so WeasyPrint's first-use costs (fontconfig,
    Pango, the fonts) fall on neither side of the in-process comparison."""
    import weasyprint

    html = '<html lang="en"><title>warm</title><body><h1>Warm up</h1><p>Text.</p></body></html>'
    doc = weasyprint.HTML(string=html, base_url=render.BASE_URL, url_fetcher=render.AssetOnlyFetcher()).render()
    doc.write_pdf(os.devnull, pdf_variant="pdf/ua-1")


# ---------------------------------------------------------------- a. cold build

def cold_build(app: Flask, slug: str, scratch: Path, repeat: int = 1) -> dict:
    """`repeat` pairs of (the app's build, raw WeasyPrint on its HTML); with
    more than one, every figure is the median over the pairs (and ratios are
    of medians), which steadies them on a machine that is doing other work."""
    runs = []
    for n in range(repeat):
        runs.append(_cold_once(app, slug, scratch))
        if repeat > 1:
            log(f"cold build pair {n + 1} of {repeat}: app / raw {runs[-1]['ratio_total']:.2f}x")
    result = _median_dict(runs) if repeat > 1 else dict(runs[0])
    app_total, raw_total = result["app"]["total_s"], result["raw"]["total_s"]
    result.update(
        document_id=runs[-1]["document_id"], repeat=repeat,
        ratio_total=_ratio(app_total, raw_total),
        ratio_total_with_worker_start_stop=_ratio(result["app"]["total_with_worker_start_stop_s"], raw_total),
        ratio_layout=_ratio(result["app"]["timings"].get("layout", 0), result["raw"]["layout_s"]),
        ratio_write=_ratio(result["app"]["timings"].get("write", 0), result["raw"]["write_s"]),
        ratio_cpu=_ratio(result["app"]["worker_cpu_s"], result["raw"]["cpu_s"]),
        runs=[{"app_total_s": r["app"]["total_s"], "raw_total_s": r["raw"]["total_s"], "ratio": r["ratio_total"],
               "other_cores": r["other_cores"], "load_before": r["load_before"], "load_after": r["load_after"]}
              for r in runs],
    )
    return result


def _median_dict(items: list[dict]) -> dict:
    """Field by field: the median of numbers, nested dicts alike, else the first value."""
    merged = {}
    for key, first in items[0].items():
        values = [item.get(key) for item in items]
        if isinstance(first, bool) or not all(isinstance(v, (int, float, dict)) for v in values):
            merged[key] = first
        elif isinstance(first, dict):
            merged[key] = _median_dict(values)
        else:
            median = statistics.median(values)
            merged[key] = int(median) if all(isinstance(v, int) for v in values) and median == int(median) \
                else round(median, 3)
    return merged


def _cold_once(app: Flask, slug: str, scratch: Path) -> dict:
    """The app's build through request_build and an in-process SimpleWorker,
    then raw WeasyPrint on the very same HTML, in this process."""
    from rq import SimpleWorker

    if _queued(app):
        raise RuntimeError("the RQ queue is not empty; the benchmark needs a queue of its own")
    load_before = _load()
    document_id, enqueued, request_s = _request(app, slug, force=True)
    if not enqueued:
        raise RuntimeError("request_build(force=True) enqueued nothing")
    gc.collect()
    with app.app_context():
        worker = SimpleWorker([queue()], connection=redis_connection())
        cpu, started = _cpu(), time.perf_counter()
        with child.Watch(worker) as watch, Others() as others_app:
            worker.work(burst=True, logging_level="WARNING")
        wall, worker_cpu = time.perf_counter() - started, _cpu() - cpu
        built_on = today()
        db.session.remove()
        document = _finished(document_id)
        timings, pages, size, variant = document.timings, document.page_count, document.size, document.variant
        html = _report_html(app, document, built_on)
        db.session.remove()
    if [s["sha256"] for s in watch.html] != [_sha(html)]:
        raise RuntimeError("the reference's HTML is not the HTML the app's build laid out "
                           f"({len(watch.html)} layouts seen); was the build made on another day?")
    if len(watch.execute_s) != 1 or len(watch.build_s) != 1:
        raise RuntimeError(f"the worker ran {len(watch.execute_s)} jobs, not the one build")
    execute_s, build_s = watch.execute_s[0], watch.build_s[0]
    stages = sum(timings.get(s, 0.0) for s in STAGES)
    log(f"cold build: app {request_s + execute_s:.1f} s for {pages} pages; now raw WeasyPrint on the same HTML")

    gc.collect()
    with Others() as others_raw:
        raw = _raw_in_process(html, scratch / "raw-reference.pdf", variant)
    if raw["pages"] != pages:
        raise RuntimeError(f"raw WeasyPrint made {raw['pages']} pages, the app {pages}")
    per_build = request_s + execute_s
    return {
        "document_id": document_id, "pages": pages, "pdf_bytes": size, "variant": variant,
        "html_chars": len(html), "html_sha256": _sha(html), "same_html": True,
        "app": {
            "request_s": round(request_s, 3), "timings": timings, "stages_sum_s": round(stages, 3),
            # The job function beyond its five stages: loading the Document, status and progress commits.
            "job_bookkeeping_s": round(build_s - stages, 3),
            # RQ's handling of the job around the function: status, heartbeats, result.
            "rq_per_job_s": round(execute_s - build_s, 3),
            # SimpleWorker burst mode's own start and teardown (registration, the pub/sub
            # thread's join): paid once per worker process, not per build.
            "worker_start_stop_s": round(wall - execute_s, 3),
            "job_function_s": round(build_s, 3), "execute_job_s": round(execute_s, 3),
            "worker_wall_s": round(wall, 3), "worker_cpu_s": round(worker_cpu, 3),
            "bookkeeping_s": round(wall - stages, 3),  # everything in the worker's wall but the five stages
            "total_s": round(per_build, 3), "total_with_worker_start_stop_s": round(request_s + wall, 3),
        },
        "raw": raw,
        "ratio_total": _ratio(per_build, raw["total_s"]),
        "ratio_total_with_worker_start_stop": _ratio(request_s + wall, raw["total_s"]),
        "ratio_layout": _ratio(timings.get("layout", 0), raw["layout_s"]),
        "ratio_write": _ratio(timings.get("write", 0), raw["write_s"]),
        "ratio_cpu": _ratio(worker_cpu, raw["cpu_s"]),
        "other_cores": {"app": others_app.cores, "raw": others_raw.cores},
        "load_before": load_before, "load_after": _load(),
    }


def _raw_in_process(html: str, target: Path, variant: str) -> dict:
    import weasyprint

    cpu, started = _cpu(), time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=render.BASE_URL, url_fetcher=render.AssetOnlyFetcher()).render()
    laid_out = time.perf_counter()
    document.write_pdf(target, **({"pdf_variant": variant} if variant else {}))
    written = time.perf_counter()
    result = {
        "layout_s": round(laid_out - started, 3), "write_s": round(written - laid_out, 3),
        "total_s": round(written - started, 3), "cpu_s": round(_cpu() - cpu, 3),
        "pages": len(document.pages), "pdf_bytes": target.stat().st_size,
    }
    target.unlink()
    return result


# ---------------------------------------------------------------- c. nothing rebuilt

def unchanged(app: Flask, slug: str, latest_id: int, samples: int = 21) -> dict:
    """A second request on the unchanged group: the latest version, at once, nothing enqueued.

    Timed `samples` times (median, each in a fresh session as a web request
    is), and as many times, interleaved, just after an unrelated change
    elsewhere in the council has moved its data counter (scrutiny.data_versions):
    such a request reads the group's data, checks it and hashes it, finds
    the latest version current and stamps it again, which is what every
    unchanged request cost before the stamps: the same-run reference.
    Also times the parts of reading the data: the reg. 22(6) check, the
    context and the input hash."""

    with app.app_context():
        documents_before = db.session.scalar(select(func.count(Document.id)))
        db.session.remove()
    queued_before = _queued(app)
    document_id, enqueued, seconds = _request(app, slug, force=False)
    cached, uncached = [], []
    for _ in range(samples):  # interleaved, so a busy patch of the machine falls on both alike
        cached.append(_request(app, slug, force=False)[2])
        _move_council_counter(app)
        uncached.append(_request(app, slug, force=False)[2])
    with app.app_context():
        documents_after = db.session.scalar(select(func.count(Document.id)))
        db.session.remove()
        # Where the time of such a request goes.
        group = get_group_by_slug(slug)
        spec = kind_of(REPORT)
        t0 = time.perf_counter()
        spec.problems(group, "")
        t1 = time.perf_counter()
        context = spec.context(group, "", 0, today())
        t2 = time.perf_counter()
        inputs_hash(REPORT, hashable(context), app.config["PDF_VARIANT"])
        t3 = time.perf_counter()
        db.session.remove()
    return {
        "request_s": round(seconds, 4), "returned_latest": document_id == latest_id and not enqueued,
        "samples": samples, "median_s": round(statistics.median(cached), 4),
        "median_reading_the_data_s": round(statistics.median(uncached), 4),
        "ratio_to_reading_the_data": _ratio(statistics.median(cached), statistics.median(uncached)),
        "enqueued": enqueued, "jobs_queued_before": queued_before, "jobs_queued_after": _queued(app),
        "documents_before": documents_before, "documents_after": documents_after,
        "parts_s": {"problems (reg. 22(6) check)": round(t1 - t0, 4), "context": round(t2 - t1, 4),
                    "input hash": round(t3 - t2, 4)},
    }


def _move_council_counter(app: Flask) -> None:
    """As a change to an organisation, a user or the logo would (its own data is not the group's)."""
    from scrutiny.data_versions import COUNCIL, DataVersion

    with app.app_context():
        counter = db.session.get(DataVersion, COUNCIL) or DataVersion(scope=COUNCIL, version=0)
        counter.version += 1
        db.session.add(counter)
        db.session.commit()
        db.session.remove()


def _letters_ready(app: Flask, slug: str) -> int:
    """Give every addressee a named contact and a due date (those with no
    statutory period get one set by the lead officer), as an officer would
    before the letters can be built; returns how many addressees there are."""
    from scrutiny.responses import services as responses

    with app.app_context():
        group = get_group_by_slug(slug)
        rules, dues = app.config["RESPONSE_DUE_RULES"], responses.dues(group)
        addressees = responses.addressees(group)
        for n, organisation in enumerate(addressees, start=1):
            if not organisation.contact_name:
                organisation.contact_name, organisation.contact_role = f"Contact Person {n}", "Chief Executive"
                organisation.postal_address = f"{n} Bench Street\nBenchtown\nBT{n} 1AA"
            due = dues.get(organisation.id)
            if organisation.kind not in rules and (due is None or due.due_on is None):
                responses.set_due_date(group, organisation, today() + timedelta(days=60),
                                       "Agreed with the organisation (benchmark)", group.lead_officer)
        db.session.commit()
        count = len(addressees)
        db.session.remove()
    return count


def _request_letters(app: Flask, slug: str, *, force: bool = False) -> tuple[list[int], int, float]:
    """request_letters in a fresh session: (document ids, how many started, seconds)."""
    from scrutiny.documents.services import request_letters

    with app.app_context():
        group = get_group_by_slug(slug)
        started = time.perf_counter()
        documents, new = request_letters(group, by=None, force=force)
        seconds = time.perf_counter() - started
        ids = [d.id for d in documents]
        db.session.remove()
    return ids, new, seconds


def _burst(app: Flask) -> float:
    """Run what is queued with an in-process SimpleWorker; seconds."""
    from rq import SimpleWorker

    with app.app_context():
        worker = SimpleWorker([queue()], connection=redis_connection())
        started = time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        seconds = time.perf_counter() - started
        db.session.remove()
    return seconds


def letters_rebuild_only_changed(app: Flask, slug: str) -> dict:
    """Every letter built once; an unchanged request starts nothing; after one
    recommendation's text changes, exactly its addressees' letters rebuild."""
    from scrutiny.documents import letters

    if _queued(app):
        raise RuntimeError("the RQ queue is not empty; the benchmark needs a queue of its own")
    addressees = _letters_ready(app, slug)
    ids, first_started, first_request_s = _request_letters(app, slug)
    first_build_s = _burst(app)
    with app.app_context():
        failed = [d.error for d in (db.session.get(Document, i) for i in ids) if d.status != DocumentStatus.DONE]
        db.session.remove()
    if failed:
        raise RuntimeError(f"{len(failed)} letters did not build: {failed[:3]}")
    _, again_started, again_s = _request_letters(app, slug)

    with app.app_context():
        group = get_group_by_slug(slug)
        # The recommendation with the fewest addressees: the clearest case of "only those".
        changed = min(group.recommendations, key=lambda r: (len(r.addressees), r.id))
        changed.text += " The group asks for a progress report within six months."
        expected = {letters.subject_for(o) for o in changed.addressees}
        db.session.commit()
        db.session.remove()
    ids, changed_started, changed_request_s = _request_letters(app, slug)
    with app.app_context():
        queued = {d.subject for d in (db.session.get(Document, i) for i in ids) if d.status == DocumentStatus.QUEUED}
        db.session.remove()
    rebuild_s = _burst(app)
    return {
        "measured": True, "addressees": addressees,
        "first": {"started": first_started, "request_s": round(first_request_s, 3),
                  "build_s_one_in_process_worker": round(first_build_s, 2)},
        "unchanged": {"started": again_started, "request_s": round(again_s, 3)},
        "after_one_change": {"recommendation_addressees": len(expected), "started": changed_started,
                             "only_those": queued == expected, "request_s": round(changed_request_s, 3),
                             "rebuild_s": round(rebuild_s, 2)},
    }


def letters_two_workers(app: Flask, slug: str, database_url: str, redis_url: str, scratch: Path) -> dict:
    """Every letter rebuilt (force) by one worker process, then by two: wall
    time from the request until all are done, and the ratio."""
    if _queued(app):
        raise RuntimeError("the RQ queue is not empty; the benchmark needs a queue of its own")
    addressees = _letters_ready(app, slug)
    env = {**os.environ, "SCRUTINY_ENV": "testing", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "RATELIMIT_STORAGE_URI": redis_url, "STORAGE_DIR": app.config["STORAGE_DIR"]}
    results = {}
    for workers in (1, 2):
        with ExitStack() as stack:
            for n in range(workers):
                _start_worker(stack, env, scratch / f"letters-worker-{workers}-{n}.log", redis_url, count=n + 1)
            log(f"letters: {addressees} letters on {workers} worker process{'es' if workers > 1 else ''}")
            with Others() as others:
                started = time.perf_counter()
                ids, new, _ = _request_letters(app, slug, force=True)
                while True:
                    with app.app_context():
                        documents = [db.session.get(Document, i) for i in ids]
                        finished = all(d.is_finished for d in documents)
                        timings = [d.timings.get("total", 0) for d in documents if d.status == DocumentStatus.DONE]
                        failed = [d.error for d in documents if d.status == DocumentStatus.FAILED]
                        db.session.remove()
                    if finished:
                        break
                    if time.perf_counter() - started > 1800:
                        raise RuntimeError("the letters did not finish within half an hour")
                    time.sleep(0.05)
                wall = time.perf_counter() - started
        if failed:
            raise RuntimeError(f"{len(failed)} letters failed: {failed[:3]}")
        results[workers] = {"letters": new, "wall_s": round(wall, 2),
                            "median_letter_s": round(statistics.median(timings), 3) if timings else None,
                            "other_cores": others.cores}
    return {"measured": True, "addressees": addressees, "one": results[1], "two": results[2],
            "ratio": _ratio(results[2]["wall_s"], results[1]["wall_s"]), "cpus": os.cpu_count()}


# ---------------------------------------------------------------- b. memory, fresh processes

def _child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.child", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.child {args[0]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"bench.child {args[0]} printed no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def memory(app: Flask, slug: str, label: str, database_url: str, redis_url: str, scratch: Path,
           web_app: bool = False) -> dict:
    """A worker process building the report, then a raw WeasyPrint process on its HTML.

    The worker makes the app as worker_app.py does (no pages); web_app=True
    makes the whole web app instead, as workers did before: the same-run
    reference for what leaving the pages out saves."""
    if _queued(app):
        raise RuntimeError("the RQ queue is not empty; the benchmark needs a queue of its own")
    load_before = _load()
    document_id, enqueued, _ = _request(app, slug, force=True)
    if not enqueued:
        raise RuntimeError("request_build(force=True) enqueued nothing")
    with Others() as others_app:
        worker = _child(["worker", "--database-url", database_url, "--redis-url", redis_url,
                         "--storage", app.config["STORAGE_DIR"], *(["--web-app"] if web_app else [])])
    with app.app_context():
        document = _finished(document_id)
        html = _report_html(app, document, today())
        pages, variant = document.page_count, document.variant
        db.session.remove()
    if [s["sha256"] for s in worker["html"]] != [_sha(html)]:
        raise RuntimeError("the worker process laid out other HTML than the reference will")
    html_path, pdf_path = scratch / f"{label}.html", scratch / f"{label}-raw.pdf"
    html_path.write_text(html, encoding="utf-8")
    del html
    log(f"{label}: worker process peak {worker['peak_kib'] / 1024:.0f} MiB; now a raw WeasyPrint process")
    with Others() as others_raw:
        raw = _child(["raw", "--html", str(html_path), "--out", str(pdf_path), "--variant", variant or ""])
    html_path.unlink()
    pdf_path.unlink()
    if raw["pages"] != pages:
        raise RuntimeError(f"raw WeasyPrint made {raw['pages']} pages, the app {pages}")
    app_built = worker["documents"][0]
    job_s = worker["execute_job_s"][0]
    return {
        "label": label, "pages": pages, "worker_app": "web app (pages and all)" if web_app else "worker_app",
        "app": {"ready_kib": worker["ready_kib"], "peak_kib": worker["peak_kib"],
                "ru_maxrss_kib": worker["ru_maxrss_kib"], "job_s": job_s, "wall_s": worker["wall_s"],
                "cpu_s": worker["cpu_s"], "timings": app_built["timings"]},
        "raw": {k: raw[k] for k in ("ready_kib", "peak_kib", "ru_maxrss_kib", "layout_s", "write_s", "wall_s",
                                    "cpu_s")},
        "ratio_peak": _ratio(worker["peak_kib"], raw["peak_kib"]),
        "ratio_growth": _ratio(worker["peak_kib"] - worker["ready_kib"], raw["peak_kib"] - raw["ready_kib"]),
        "ratio_time": _ratio(job_s, raw["wall_s"]),
        "other_cores": {"app": others_app.cores, "raw": others_raw.cores},
        "load_before": load_before, "load_after": _load(),
    }


# ---------------------------------------------------------------- d. the web during a build

class _Client:
    """A signed-in officer over real HTTP (urllib, cookies kept)."""

    def __init__(self, base: str, email: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(base + "/sign-in", timeout=30).read().decode()
        match = CSRF_RE.search(page)
        if not match:
            raise RuntimeError("the sign-in page has no CSRF token")
        form = urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2), "email": email,
                                       "password": password}).encode()
        with self.opener.open(base + "/sign-in", data=form, timeout=30) as response:
            if "/sign-in" in response.geturl():
                raise RuntimeError(f"sign-in as {email} failed over HTTP")

    def get_ms(self, path: str) -> float:
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} gave {response.status}")
        return (time.perf_counter() - started) * 1000


def _serve(app: Flask, stack: ExitStack) -> str:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # no access log on stderr for every timed request
            pass

    port = services.free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, name="bench-web", daemon=True)
    thread.start()
    stack.callback(thread.join, 10)
    stack.callback(server.shutdown)
    return f"http://127.0.0.1:{port}"


def _start_worker(stack: ExitStack, env: dict, logfile: Path, redis_url: str, count: int = 1) -> subprocess.Popen:
    """A `flask --app worker_app worker` process, as the Procfile starts; returns
    once `count` workers (this one included) have registered in Redis."""
    from redis import Redis
    from rq import Worker

    flask = Path(sys.executable).with_name("flask")
    command = [str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]
    out = stack.enter_context(logfile.open("wb"))
    proc = subprocess.Popen([*command, "--app", "worker_app", "worker"], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # RQ's warm shutdown
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    stack.callback(stop)
    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + 60
    while len(Worker.all(connection=connection)) < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start; its log:\n{logfile.read_text()[-3000:]}")
        time.sleep(0.1)
    return proc


def web_during_build(app: Flask, slug: str, made: evidence.EvidenceGroup, database_url: str, redis_url: str,
                     scratch: Path, requests: int, warmup: int) -> dict:
    """p95 of the group page while idle and while a worker process builds the report."""
    from rq.job import Job

    if _queued(app):
        raise RuntimeError("the RQ queue is not empty; the benchmark needs a queue of its own")
    path = f"/groups/{slug}"
    with ExitStack() as stack:
        env = {**os.environ, "SCRUTINY_ENV": "testing", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
               "RATELIMIT_STORAGE_URI": redis_url, "STORAGE_DIR": app.config["STORAGE_DIR"]}
        worker = _start_worker(stack, env, scratch / "worker.log", redis_url)
        base = _serve(app, stack)
        client = _Client(base, made.officer_email, made.password)
        for _ in range(warmup):
            client.get_ms(path)
        load_before = _load()
        with Others() as others_idle:
            idle = [client.get_ms(path) for _ in range(requests)]

        document_id, enqueued, _ = _request(app, slug, force=True)
        if not enqueued:
            raise RuntimeError("request_build(force=True) enqueued nothing")
        with app.app_context():
            job_id = db.session.get(Document, document_id).rq_job_id
            db.session.remove()
        connection = redis_connection_for(redis_url)
        running, done = threading.Event(), threading.Event()
        before = _children(worker.pid)  # the worker's scheduler process, if it has one
        horse = {"pid": None, "peak_kib": None, "worker_rss_kib": _status_kib(worker.pid, "VmRSS")}

        def watch():  # the job's state, from Redis, and the work horse's peak memory, ten times a second
            while not done.is_set():
                if horse["pid"] is None:
                    new = _children(worker.pid) - before
                    horse["pid"] = min(new) if new else None
                if horse["pid"] is not None:
                    peak = _status_kib(horse["pid"], "VmHWM")
                    if peak is not None:
                        horse["peak_kib"] = max(peak, horse["peak_kib"] or 0)
                status = Job.fetch(job_id, connection=connection).get_status(refresh=True)
                if status == "started":
                    running.set()
                elif status in ("finished", "failed", "stopped", "canceled"):
                    done.set()
                    running.set()
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=watch, name="bench-watch", daemon=True)
        watcher.start()
        if not running.wait(120):
            raise RuntimeError("the worker did not start the build within two minutes")
        during, started = [], time.perf_counter()
        with Others() as others_during:  # the worker's build counts as "other" here
            while not done.is_set():
                ms = client.get_ms(path)
                if not done.is_set():  # only requests that ended while the build still ran
                    during.append(ms)
        build_wall = time.perf_counter() - started
        watcher.join(5)
        idle_after = [client.get_ms(path) for _ in range(requests)]
        load_after = _load()
        with app.app_context():
            document = _finished(document_id)
            timings, pages = document.timings, document.page_count
            db.session.remove()
        log_text = (scratch / "worker.log").read_text(errors="replace")
        worker_pid = worker.pid
    if len(during) < 20:
        raise RuntimeError(f"only {len(during)} requests fell within the build; not enough for a p95")
    idle_all = idle + idle_after
    return {
        "path": path, "server": "werkzeug make_server(threaded=True) in the benchmark process; urllib client",
        "worker": f"flask --app worker_app worker (pid {worker_pid}, forks a work horse per job)",
        "idle": {"requests": len(idle_all), "p50_ms": round(statistics.median(idle_all), 2),
                 "p95_ms": round(_p95(idle_all), 2)},
        "during": {"requests": len(during), "p50_ms": round(statistics.median(during), 2),
                   "p95_ms": round(_p95(during), 2)},
        "ratio_p95": _ratio(_p95(during), _p95(idle_all)),
        "ratio_p50": _ratio(statistics.median(during), statistics.median(idle_all)),
        "build": {"pages": pages, "seen_running_s": round(build_wall, 2), "timings": timings},
        # VmHWM of the work horse RQ forked for the build, sampled every 0.1 s (/proc, Linux); it
        # counts the pages it shares with the worker that forked it (worker_rss_kib before the build).
        "horse": horse,
        "other_cores": {"idle": others_idle.cores, "during (the build included)": others_during.cores},
        "worker_log_errors": [line for line in log_text.splitlines() if "Traceback" in line or "ERROR" in line][:5],
        "load_before": load_before, "load_after": load_after,
    }


def _children(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return {int(x) for x in f.read().split()}
    except OSError:
        return set()


def _status_kib(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def redis_connection_for(url: str):
    from redis import Redis

    return Redis.from_url(url)


# ---------------------------------------------------------------- the run

PARTS = ("cold", "unchanged", "memory", "web", "letters", "letters-workers")


def run(*, submissions: int, presentations: int, addressees: int, pages_target: int, seed: int,
        web_requests: int, warmup: int = 20, repeat: int = 1, quick: bool = False,
        parts: set[str] | None = None) -> dict:
    """Set up a private app, database, Redis and storage; measure a to d and
    the letters (`parts`: some of PARTS, all by default); return plain data."""
    parts = set(PARTS if not parts else parts)
    run_started = time.perf_counter()
    results: dict = {}
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-docs-")
        redis_url = places.redis_url(stack, tmp)
        log(f"documents: Redis at {redis_url}")
        database_url = places.database_url(stack, tmp / "db")
        scratch = tmp / "scratch"
        scratch.mkdir()
        app = child.build_app(database_url, redis_url, tmp / "storage")
        text_chars = evidence.text_chars_for(pages_target, submissions)
        with app.app_context():
            upgrade()
            stack.callback(db.engine.dispose)
            made = evidence.make_evidence_group(submissions, presentations, addressees, seed, text_chars=text_chars)
            double = evidence.make_evidence_group(2 * submissions, 2 * presentations, addressees, seed,
                                                  text_chars=text_chars, label="double") if "memory" in parts else None
            db.session.remove()
        log(f"documents: groups of {submissions}{f' and {2 * submissions}' if double else ''} submissions ready "
            f"(about {text_chars} characters of summaries each)")

        _warm_up()
        if "cold" in parts:
            log(f"a. cold build of {made.slug}: request_build, then an in-process SimpleWorker")
            results["cold_build"] = cold_build(app, made.slug, scratch, repeat)
        if "unchanged" in parts:
            if "cold_build" in results:
                latest_id = results["cold_build"]["document_id"]
            else:  # a build to be unchanged from, without the reference beside it
                log(f"c. a first build of {made.slug}")
                latest_id, _, _ = _request(app, made.slug, force=True)
                _burst(app)
            log("c. requests on the unchanged group")
            results["unchanged"] = unchanged(app, made.slug, latest_id)
        if "memory" in parts:
            log("b. peak memory, each build in a fresh process")
            mem = [memory(app, made.slug, "", database_url, redis_url, scratch)]
            mem[0]["label"] = f"{mem[0]['pages']}-page"
            reference = memory(app, made.slug, "", database_url, redis_url, scratch, web_app=True)
            reference["label"] = f"{reference['pages']}-page, web app"
            mem.append(memory(app, double.slug, "double", database_url, redis_url, scratch))
            mem[-1]["label"] = f"{mem[-1]['pages']}-page"
            results["memory"] = mem
            results["memory_web_app"] = reference
        if "web" in parts:
            log("d. the group page over HTTP while idle and while a worker process builds the report")
            results["web"] = web_during_build(app, made.slug, made, database_url, redis_url, scratch, web_requests,
                                              warmup)
        letters = {}
        if "letters" in parts:
            log("letters: build all, request unchanged, change one recommendation")
            letters["rebuild_only_changed"] = letters_rebuild_only_changed(app, made.slug)
        if "letters-workers" in parts:
            letters["two_workers"] = letters_two_workers(app, made.slug, database_url, redis_url, scratch)
        if letters:
            results["letters"] = letters
        log(f"documents: done in {time.perf_counter() - run_started:.0f} s")

    return {
        "settings": {
            "submissions": submissions, "presentations": presentations, "addressees": addressees,
            "pages_target": pages_target, "text_chars_per_submission": text_chars, "seed": seed,
            "web_requests": web_requests, "warmup": warmup, "repeat": repeat, "quick": quick,
            "parts": sorted(parts),
            "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
            "python": platform.python_version(), "weasyprint": _weasyprint_version(), "cpus": os.cpu_count(),
            "seconds": round(time.perf_counter() - run_started, 1),
        },
        "targets": TARGETS,
        "data": {"group": made.as_dict(), "double": double.as_dict() if double else None},
        **results,
    }


def _weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__
