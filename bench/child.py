"""One build in a process of its own, so its peak memory is its own.

`python -m bench.child worker ...` runs what is queued (one report build)
with an RQ SimpleWorker inside a freshly made app, as a worker process does;
`python -m bench.child raw ...` lays out and writes an HTML file with
WeasyPrint and nothing else: the app's fetcher and base URL, loaded from
scrutiny/documents/render.py on its own, so neither Flask nor SQLAlchemy nor
the app is in that process's memory.

Each prints one line of JSON on stdout: its peak resident set size (KiB;
see peak_kib) when ready to build and at the end, wall and CPU seconds, and
what it built. This module imports nothing heavy at the top:
the raw child's baseline must be WeasyPrint's alone.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDER_PY = ROOT / "scrutiny" / "documents" / "render.py"


def peak_kib() -> int:
    """Peak resident set size of this process, KiB.

    VmHWM from /proc/self/status on Linux, not ru_maxrss alone: Linux carries
    ru_maxrss over fork and exec, so a child started by a big parent reports
    at least the parent's size (a 13 MiB `python -c` started by a 500 MiB
    parent says 513 MiB). VmHWM belongs to the process's own address space.
    Elsewhere, ru_maxrss (KiB on Linux, bytes on macOS)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return maxrss_kib()


def maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_app(database_url: str, redis_url: str, storage: Path | str, *, web: bool = True):
    """The app as the benchmarks make it (the same settings as bench.pages.build_app);
    web=False: the worker's app, without its pages (worker_app.py)."""
    from config import TestingConfig
    from scrutiny import create_app

    return create_app(
        TestingConfig,
        web=web,
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=redis_url,
        STORAGE_DIR=str(storage),
        PASSWORD_HASH_METHOD="scrypt:1024:8:1",
    )


class Watch:
    """Watches the builds a worker runs, without changing them.

    - wraps scrutiny.documents.render.layout to note the HTML each build lays
      out (its SHA-256 and length; the string itself is not kept), so a
      benchmark can prove its reference rendered the very same HTML;
    - wraps scrutiny.documents.jobs.build (RQ imports it by name when the job
      runs) to time the job function as a whole, status commits included;
    - wraps the worker's execute_job to time RQ's handling of each job
      (dequeued job to result saved), which a long-running worker pays per
      build, unlike its own start and its burst-mode teardown.
    """

    def __init__(self, worker=None):
        self.html: list[dict] = []
        self.build_s: list[float] = []
        self.execute_s: list[float] = []
        self._restore = []
        if worker is not None:
            execute = worker.execute_job

            def execute_job(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return execute(*args, **kwargs)
                finally:
                    self.execute_s.append(time.perf_counter() - started)

            worker.execute_job = execute_job

    def _wrap(self, module, name: str, wrapper) -> None:
        original = getattr(module, name)
        self._restore.append((module, name, original))
        setattr(module, name, wrapper(original))

    def __enter__(self):
        from scrutiny.documents import jobs, render

        def layout(original):
            def wrapped(html, *args, **kwargs):
                self.html.append({"sha256": hashlib.sha256(html.encode()).hexdigest(), "chars": len(html)})
                return original(html, *args, **kwargs)
            return wrapped

        def build(original):
            def wrapped(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self.build_s.append(time.perf_counter() - started)
            return wrapped

        self._wrap(render, "layout", layout)
        self._wrap(jobs, "build", build)
        return self

    def __exit__(self, *exc):
        for module, name, original in reversed(self._restore):
            setattr(module, name, original)
        self._restore.clear()


def run_worker(database_url: str, redis_url: str, storage: str, web: bool = False) -> dict:
    """Build whatever is queued, as a worker process would, and report."""
    from rq import SimpleWorker
    from sqlalchemy import select

    from scrutiny.documents.models import Document
    from scrutiny.extensions import db
    from scrutiny.jobs import queue, redis_connection

    app = build_app(database_url, redis_url, storage, web=web)
    with app.app_context():
        db.engine  # noqa: B018 - connect now, as a worker does before its first job
        ready_kib, ready_cpu = peak_kib(), cpu_seconds()
        jobs = [job_id for job_id in queue().job_ids]
        worker = SimpleWorker([queue()], connection=redis_connection())
        started = time.perf_counter()
        with Watch(worker) as watch:
            worker.work(burst=True, logging_level="WARNING")
        wall = time.perf_counter() - started
        db.session.remove()
        built = [db.session.scalar(select(Document).where(Document.rq_job_id == job_id)) for job_id in jobs]
        return {
            "ready_kib": ready_kib, "peak_kib": peak_kib(), "ru_maxrss_kib": maxrss_kib(),
            "wall_s": round(wall, 3), "cpu_s": round(cpu_seconds() - ready_cpu, 3),
            "execute_job_s": [round(x, 3) for x in watch.execute_s],
            "build_s": [round(x, 3) for x in watch.build_s],
            "documents": [{"id": d.id, "status": d.status, "error": d.error, "pages": d.page_count,
                           "bytes": d.size, "timings": d.timings} for d in built if d is not None],
            "html": watch.html,
        }


def load_render():
    """scrutiny/documents/render.py as a module of its own, without the scrutiny package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_raw_render", RENDER_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_raw(html_path: str, out: str, variant: str) -> dict:
    """Raw WeasyPrint on the app's HTML: HTML(...).render(), then write_pdf with the variant."""
    import weasyprint

    render = load_render()
    ready_kib, ready_cpu = peak_kib(), cpu_seconds()
    html = Path(html_path).read_text(encoding="utf-8")
    started = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=render.BASE_URL, url_fetcher=render.AssetOnlyFetcher()).render()
    laid_out = time.perf_counter()
    document.write_pdf(out, **({"pdf_variant": variant} if variant else {}))
    written = time.perf_counter()
    return {
        "ready_kib": ready_kib, "peak_kib": peak_kib(), "ru_maxrss_kib": maxrss_kib(),
        "layout_s": round(laid_out - started, 3), "write_s": round(written - laid_out, 3),
        "wall_s": round(written - started, 3), "cpu_s": round(cpu_seconds() - ready_cpu, 3),
        "pages": len(document.pages), "bytes": Path(out).stat().st_size,
        "html": {"sha256": hashlib.sha256(html.encode()).hexdigest(), "chars": len(html)},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.child", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    worker = sub.add_parser("worker", help="run the queued build(s) with an RQ SimpleWorker")
    worker.add_argument("--database-url", required=True)
    worker.add_argument("--redis-url", required=True)
    worker.add_argument("--storage", required=True)
    worker.add_argument("--web-app", action="store_true",
                        help="the whole web app, pages and all, as workers were made before worker_app.py")
    raw = sub.add_parser("raw", help="lay out and write an HTML file with WeasyPrint alone")
    raw.add_argument("--html", required=True)
    raw.add_argument("--out", required=True)
    raw.add_argument("--variant", default="pdf/ua-1")
    args = parser.parse_args(argv)
    if args.mode == "worker":
        result = run_worker(args.database_url, args.redis_url, args.storage, web=args.web_app)
    else:
        result = run_raw(args.html, args.out, args.variant)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
