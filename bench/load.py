"""The public pages under load: a published review's page and its report PDF
read by 10, 50 and 200 readers at once, through gunicorn as production runs
it, on loopback.

The app is served by gunicorn with the project's gunicorn.conf.py (bound to
127.0.0.1 on a free port instead of 0.0.0.0) and production settings, on a
scratch instance folder, database (SQLite, or a scratch one beside
BENCH_DATABASE_URL) and private Redis, loaded with the demo case, its review
published and its evidence cleared, and its report PDF built when a path asks
for a PDF. The readers are locust's (bench/locustfile.py), run headless in a
process of its own: locust patches the standard library with gevent on
import, which must not reach this process. Each level runs a fixed time and
its figures are read from locust's CSV.

Readers pause between reads (1 to 3 s by default), as people do: with no
pause every level asks as fast as the server answers, so by Little's law p95
grows with the readers whatever the server does and the target says nothing.

Readers arrive over RAMP seconds, not in one instant, and the figures count
from when the last has arrived (locust's --reset-stats): 200 readers opening
their connections and asking in the same millisecond queue behind each other
once, and that one burst was a tenth of a 20-second level's requests, most
of its p95. A level measures readers reading, not a thundering herd.

Printed, per level and path: requests, p50/p95/p99, errors (anything but a
200, a redirect included), p95 against p95 at the fewest readers, and p95
against the reference (the app's stylesheet through the same gunicorn, at
the fewest readers, in the same run). The target: p95 at the most readers
within TARGET_RATIO times p95 at the fewest, with no errors.

Before any timing, each path is asked for once: one that does not answer 200
(a 404 while the public pages are not in the app) stops the run, saying so,
rather than timing a fast 404.
"""
from __future__ import annotations

import csv
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from flask_migrate import upgrade

from bench import places
from bench.pages import REFERENCE, build_app, log
from config import Config
from scrutiny.demo.loader import DEMO_CASE, load_case
from scrutiny.extensions import db
from tests import services

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
READERS = (10, 50, 200)
TARGET_RATIO = 3.0
FIRM_SAMPLES = 100  # fewer requests than this at the fewest readers: their p95 is a handful of samples
SECONDS = 20
RAMP = 5  # seconds over which a level's readers arrive, before its SECONDS are counted
THINK = (1.0, 3.0)
# 2 cores: gunicorn's sync workers block on each request; 3 processes (the
# conf's own WEB_CONCURRENCY default) of 2 threads each keep both cores busy
# while one thread waits on SQLite, storage or Redis, without the memory of
# 2 x cores + 1 whole apps.
WORKERS, THREADS = 3, 2
HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy sends; gunicorn trusts it from 127.0.0.1


def demo_slug() -> str:
    """The demo case's review, from its case file (not named in code)."""
    return tomllib.loads(DEMO_CASE.read_text(encoding="utf-8"))["group"]["slug"]


def default_paths() -> list[str]:
    slug = demo_slug()
    return [f"/reviews/{slug}", f"/reviews/{slug}/report.pdf"]


# ---------------------------------------------------------------- data

def _publish_demo(app, build_pdf: bool) -> None:
    """The demo case, which the loader publishes (report and responses, its
    public evidence cleared), so the public page carries its full weight;
    its report built when a PDF is to be read."""
    from scrutiny.groups.services import get_group_by_slug

    with app.app_context():
        upgrade()
        loaded = load_case()
        officer = next((u for u in loaded.sign_in if u.is_staff_officer), None)
        group = get_group_by_slug(demo_slug())
        if group.publication is None or not group.publication.is_live:
            raise SystemExit("load: the demo case did not load published; the public page would answer 404")
        if build_pdf:
            _build_report(app, group, officer)
        db.session.remove()
        db.engine.dispose()


def _build_report(app, group, officer) -> None:
    from bench.documents import _burst
    from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
    from scrutiny.documents.services import DocumentError, request_build

    try:
        document, _ = request_build(group, DocumentKind.REPORT, by=officer)
    except DocumentError as error:
        log(f"load: the report cannot be built ({error}); a PDF path will not answer")
        return
    document_id = document.id
    db.session.commit()
    seconds = _burst(app)
    document = db.session.get(Document, document_id)
    log(f"load: report PDF {document.status} in {seconds:.1f} s ({document.page_count} pages)"
        if document.status == DocumentStatus.DONE else f"load: the report build failed: {document.error}")


# ---------------------------------------------------------------- gunicorn

def production_env(instance: Path, database_url: str, redis_url: str, storage: Path, **more: str) -> dict:
    """The environment gunicorn serves the app with: production settings on
    the run's scratch instance folder, database, Redis and storage."""
    return {**os.environ, "SCRUTINY_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "SCRUTINY_INSTANCE_DIR": str(instance), "DATABASE_URL": database_url,
            "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url, "STORAGE_DIR": str(storage),
            "SCRUTINY_TEAM_EMAIL": Config.SCRUTINY_TEAM_EMAIL, "SCRUTINY_TEAM_PHONE": Config.SCRUTINY_TEAM_PHONE,
            "FORWARDED_ALLOW_IPS": "127.0.0.1", **more}


class Gunicorn:
    """gunicorn -c gunicorn.conf.py wsgi:app on 127.0.0.1, in a session of its own."""

    def __init__(self, env: dict, logfile: Path, workers: int, threads: int):
        self.port = services.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = logfile
        self._out = logfile.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads), "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True)
        self.pgid = self.proc.pid

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; its log:\n{self.log_tail()}")
            try:
                if status_of(self.url + REFERENCE)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)

    def log_tail(self) -> str:
        self._out.flush()
        return self.logfile.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful stop) to the master, then whatever is left of its group is killed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        _kill_group(self.pgid)
        self._out.close()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def status_of(url: str) -> tuple[int, int]:
    """(HTTP status, body bytes) of one GET, redirects not followed."""
    request = urllib.request.Request(url, headers=HEADERS)
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def warm_up(base: str, paths: list[str], concurrent: int) -> None:
    """Untimed: each path `concurrent` times at once, twice, so every worker
    thread has answered it (templates compiled, connections opened) before
    the first level, whose p95 is the yardstick of the others."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(concurrent) as pool:
        for _ in range(2):
            list(pool.map(status_of, [base + path for path in paths for _ in range(concurrent)]))


def _unanswered(base: str, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        status, _ = status_of(base + path)
        if status == 404:
            problems.append(f"GET {path} answers 404: the public pages are not in this app (or the review "
                            "is not published there)")
        elif status != 200:
            problems.append(f"GET {path} answers {status}, not 200")
    return problems


# ---------------------------------------------------------------- locust

def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # "N/A": no request finished


def read_stats(prefix: Path) -> tuple[dict[str, dict], list[dict]]:
    """locust's CSV: {path: figures} (ms) and its failures (path, error, times)."""
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]), "p95_ms": _number(row["95%"]), "p99_ms": _number(row["99%"]),
                "per_second": round(float(row["Requests/s"]), 1),
                "bytes": round(float(row["Average Content Size"])),
            }
    with open(f"{prefix}_failures.csv", newline="") as f:
        failures = [{"path": r["Name"], "error": r["Error"], "times": int(r["Occurrences"])} for r in csv.DictReader(f)]
    return stats, failures


def run_locust(host: str, paths: list[str], readers: int, seconds: int, think: tuple[float, float],
               directory: Path, started: list[int], ramp: float = RAMP, locustfile: Path = LOCUSTFILE,
               env: dict | None = None) -> tuple[dict[str, dict], list[dict]]:
    """One level: `readers` readers arriving over `ramp` s (at least one a
    second), then `seconds` s counted (statistics reset once all have
    arrived); pgid recorded in `started`. Another `locustfile` may be given,
    and `env`, more settings for it."""
    rate = max(readers / ramp, 1) if ramp > 0 else readers
    ramp = readers / rate
    prefix = directory / f"locust-{readers}-{len(started)}"
    env = {**os.environ, "SCRUTINY_LOAD_PATHS": " ".join(paths), "SCRUTINY_LOAD_THINK": f"{think[0]},{think[1]}",
           **(env or {})}
    with open(f"{prefix}.log", "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(readers),
             "-r", f"{rate:g}", "-t", f"{seconds + ramp:g}s", "--host", host, "--csv", str(prefix), "--reset-stats",
             "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0", "--stop-timeout", "10"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc.pid)
        try:
            proc.wait(seconds + ramp + 60)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"locust ran past {seconds + ramp + 60:g} s; stopped") from None
        finally:
            _kill_group(proc.pid)
            proc.wait(10)
    if proc.returncode != 0:
        raise RuntimeError(f"locust failed ({proc.returncode}):\n{Path(f'{prefix}.log').read_text()[-3000:]}")
    return read_stats(prefix)


# ---------------------------------------------------------------- the run

def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def run(paths: list[str] | None = None, readers: tuple[int, ...] = READERS, seconds: int = SECONDS,
        think: tuple[float, float] = THINK, workers: int = WORKERS, threads: int = THREADS,
        ramp: float = RAMP) -> dict:
    paths = list(paths or default_paths())
    readers = tuple(sorted(set(readers)))
    clock = time.monotonic()
    started: list[int] = []  # process groups this run started: gunicorn's, then each locust's
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-load-")
        redis_url = places.redis_url(stack, tmp)
        database_url = places.database_url(stack, tmp / "db")
        (tmp / "instance").mkdir()
        storage = tmp / "instance" / "storage"
        _publish_demo(build_app(database_url, redis_url, storage), any(p.endswith(".pdf") for p in paths))
        server = Gunicorn(production_env(tmp / "instance", database_url, redis_url, storage), tmp / "gunicorn.log",
                          workers, threads)
        started.append(server.pgid)
        stack.callback(server.stop)
        server.wait_ready()
        log(f"load: gunicorn ({workers} workers x {threads} threads) at {server.url}")
        settings = {"url": server.url, "paths": paths, "readers": list(readers), "seconds": seconds, "ramp_s": ramp,
                    "think_s": list(think),
                    "gunicorn": {"workers": workers, "threads": threads},
                    "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
                    "python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": round(os.getloadavg()[0], 2), "target_ratio": TARGET_RATIO}
        problems = _unanswered(server.url, paths)
        if problems:
            for problem in problems:
                log(f"load: {problem}")
            return {"skipped": "; ".join(problems) + ". Nothing was timed.", "settings": settings,
                    "processes": started}
        warm_up(server.url, [REFERENCE, *paths], 2 * workers * threads)
        reference_stats, reference_failures = run_locust(server.url, [REFERENCE], readers[0], seconds, think,
                                                         tmp, started, ramp)
        reference = {"path": REFERENCE, "readers": readers[0], **reference_stats[REFERENCE],
                     "failures": reference_failures}
        log(f"load: reference {REFERENCE} at {readers[0]} readers: p95 {reference['p95_ms']} ms")
        levels = []
        for count in readers:
            stats, failures = run_locust(server.url, paths, count, seconds, think, tmp, started, ramp)
            levels.append({"readers": count, "paths": stats, "failures": failures})
            log(f"load: {count} readers: " + ", ".join(f"{p} p95 {stats.get(p, {}).get('p95_ms')} ms"
                                                       for p in paths))
    empty = {"requests": 0, "errors": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "per_second": 0, "bytes": 0}
    for level in levels:
        for path in paths:
            figures = level["paths"].setdefault(path, dict(empty))
            figures["ratio_p95_to_fewest"] = _ratio(figures["p95_ms"], levels[0]["paths"][path]["p95_ms"])
            figures["ratio_p95_to_reference"] = _ratio(figures["p95_ms"], reference["p95_ms"])
    verdicts = {}
    for path in paths:
        most, fewest = levels[-1]["paths"][path], levels[0]["paths"][path]
        ratio = most["ratio_p95_to_fewest"]
        errors = sum(level["paths"][path]["errors"] for level in levels)
        verdicts[path] = {"ratio": ratio, "errors": errors, "requests_at_most": most["requests"],
                          "met": ratio is not None and ratio <= TARGET_RATIO and errors == 0
                          and most["requests"] > 0 and fewest["requests"] > 0}
    settings["load_average_end"] = round(os.getloadavg()[0], 2)
    return {"settings": settings, "reference": reference, "levels": levels, "verdicts": verdicts,
            "met": all(v["met"] for v in verdicts.values()), "seconds_total": round(time.monotonic() - clock, 1),
            "processes": started}


# ---------------------------------------------------------------- printing

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def table(result: dict) -> str:
    s = result["settings"]
    if result.get("skipped"):
        return f"Public pages under load: stopped before timing anything: {result['skipped']}"
    ref = result["reference"]
    lines = [
        f"Public pages under load: gunicorn ({s['gunicorn']['workers']} workers x {s['gunicorn']['threads']} "
        f"threads, gunicorn.conf.py, production settings) on 127.0.0.1, {s['database']}, {s['cpus']} CPUs "
        f"(load average {s['load_average']} at the start, {s['load_average_end']} at the end), Python {s['python']}",
        f"locust readers pausing {s['think_s'][0]:g}-{s['think_s'][1]:g} s between reads, {s['seconds']} s per "
        f"level counted after the readers arrived over {s['ramp_s']:g} s; whole run {result['seconds_total']:g} s",
        f"Reference GET {ref['path']} at {ref['readers']} readers: {ref['requests']} requests, p50 "
        f"{_ms(ref['p50_ms'])} ms, p95 {_ms(ref['p95_ms'])} ms, p99 {_ms(ref['p99_ms'])} ms, {ref['errors']} errors",
        "",
    ]
    width = max(len(p) for p in s["paths"]) + 2
    first = result["levels"][0]["readers"]
    lines.append(f"{'readers':>7}  {'path':<{width}}{'requests':>8} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} "
                 f"{'p99 ms':>7} {'errors':>6} {f'p95/p95@{first}':>11} {'p95/ref':>8}")
    for level in result["levels"]:
        for path in s["paths"]:
            f = level["paths"][path]
            lines.append(f"{level['readers']:>7}  {path:<{width}}{f['requests']:>8} {f['per_second']:>6g} "
                         f"{_ms(f['p50_ms']):>7} {_ms(f['p95_ms']):>7} {_ms(f['p99_ms']):>7} {f['errors']:>6} "
                         f"{_x(f['ratio_p95_to_fewest']):>11} {_x(f['ratio_p95_to_reference']):>8}")
        for failure in level["failures"][:3]:
            lines.append(f"{'':>9}{failure['times']} x {failure['path']}: {failure['error'][:100]}")
    most = result["levels"][-1]["readers"]
    lines.append("")
    few = min(result["levels"][0]["paths"][p]["requests"] for p in s["paths"])
    if few < FIRM_SAMPLES:
        lines.append(f"Note: at {first} readers a path had {few} requests, so its p95 rests on its few slowest; "
                     f"a longer --seconds or a quiet machine gives a firmer verdict.")
    for path, v in result["verdicts"].items():
        lines.append(f"Target for {path}: p95 at {most} readers within {s['target_ratio']:g}x p95 at {first}, no "
                     f"errors: {_x(v['ratio'])}, {v['errors']} errors: {'MET' if v['met'] else 'MISSED'}")
    return "\n".join(lines)
