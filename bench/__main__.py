"""`python -m bench`: time Scrutiny's main pages, then its document builds, on synthetic data.

Needs nothing running: each benchmark makes a temporary SQLite database and
starts a private redis-server, unless given BENCH_DATABASE_URL (a scratch
database is created beside it and dropped afterwards) or REDIS_URL (its
queue must be the benchmark's alone: the document benchmark runs what is
queued there).

`--only pages`, `--only documents`, `--only load`, `--only evidence-map`,
`--only tracker`, `--only survey` or `--only load-staff` runs one of them (the evidence map is
not in the default run: it needs the findings pages, and says so when they
are not there; nor is the tracker's, which makes its own 2,000
recommendations; nor the survey's, 10,000 responses to 30 questions
(bench/survey.py); nor load-staff's: signed-in officers reading a group of
1,000 pieces of evidence at 10, 50 and 200 at once, how many one machine
serves with p95 under 500 ms, and 50 witnesses uploading 5 MB at once,
through gunicorn; bench/load_staff.py). The load run (the
public review page and its report PDF through gunicorn at 10, 50 and 200
readers; bench/load.py) ends the default run; a path of it that does not
answer 200 stops it, and the command then exits with status 1. With `--json`
the results follow the tables as one JSON object: the benchmark's own results
when one ran, {"pages": ..., "documents": ..., "load": ...} when more did.
"""
from __future__ import annotations

import argparse
import sys

from bench import documents, evidence_map, load, load_staff, pages, report, survey, tracker


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def think_range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be two numbers of seconds, LOW,HIGH, not {text!r}") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError(f"must be 0 <= LOW <= HIGH, not {text!r}")
    return low, high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["pages", "documents", "load", "evidence-map", "tracker", "load-staff", "survey"],
                        help="run one benchmark (default: pages, documents, then load)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data (default 1)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")

    page_args = parser.add_argument_group("pages")
    page_args.add_argument("--groups", type=positive, default=200,
                           help="synthetic topic groups in the large data set (default 200; "
                                f"/groups is also timed at {pages.SMALL_GROUPS})")
    page_args.add_argument("--requests", type=positive, default=300, help="timed requests per page (default 300)")
    page_args.add_argument("--warmup", type=not_negative, default=20,
                           help="untimed requests per page first (default 20; also before the "
                                "documents benchmark's web timing)")
    page_args.add_argument("--members", type=positive, default=6, help="members per group besides the chair (default 6)")

    d, q = documents.DEFAULTS, documents.QUICK
    doc_args = parser.add_argument_group("documents")
    doc_args.add_argument("--submissions", type=positive,
                          help=f"accepted evidence in the report's group (default {d['submissions']}; the "
                               "memory figures also build a group of twice as many)")
    doc_args.add_argument("--presentations", type=not_negative,
                          help=f"of those, presentations with a PDF of a few pages (default {d['presentations']})")
    doc_args.add_argument("--addressees", type=positive,
                          help=f"organisations the recommendations are addressed to (default {d['addressees']})")
    doc_args.add_argument("--pages-target", type=positive,
                          help=f"about how many pages the report should have; sets the length of each "
                               f"submission's summaries (default {d['pages_target']})")
    doc_args.add_argument("--web-requests", type=positive,
                          help=f"group page requests timed idle, before and after the build (default "
                               f"{d['web_requests']} each)")
    doc_args.add_argument("--repeat", type=positive, default=1,
                          help="cold builds, each beside its raw WeasyPrint reference; figures are medians "
                               "(default 1: the fresh-process memory builds are a second sample)")
    doc_args.add_argument("--parts", type=lambda text: set(text.split(",")),
                          help="only these parts of the documents benchmark, comma-separated, of: "
                               + ", ".join(documents.PARTS) + " (default all)")
    doc_args.add_argument("--quick", action="store_true",
                          help=f"a smoke run of the documents benchmark in under a minute: "
                               f"{q['submissions']} submissions, {q['presentations']} presentations, "
                               f"{q['addressees']} addressees, about {q['pages_target']} pages")
    load_args = parser.add_argument_group("load")
    load_args.add_argument("--paths", nargs="+", metavar="PATH",
                           help="paths the readers read in turn (default: the demo review's public page and "
                                "its report PDF, " + " ".join(load.default_paths()) + ")")
    load_args.add_argument("--readers", type=lambda text: [positive(x) for x in text.split(",")],
                           default=list(load.READERS),
                           help="readers at each level, comma-separated (default "
                                + ",".join(map(str, load.READERS)) + "; the reference runs at the fewest)")
    load_args.add_argument("--seconds", type=positive, default=load.SECONDS,
                           help=f"seconds each level runs (default {load.SECONDS})")
    load_args.add_argument("--ramp", type=not_negative, default=load.RAMP,
                           help=f"seconds over which a level's readers arrive, before its seconds are counted "
                                f"(default {load.RAMP}; 0 starts them all at once)")
    load_args.add_argument("--think", type=think_range, default=load.THINK, metavar="LOW,HIGH",
                           help="seconds a reader pauses between reads, uniform in LOW,HIGH (default "
                                f"{load.THINK[0]:g},{load.THINK[1]:g}; 0,0 asks as fast as answers come)")
    load_args.add_argument("--gunicorn-workers", type=positive, default=load.WORKERS,
                           help=f"gunicorn worker processes (default {load.WORKERS})")
    load_args.add_argument("--gunicorn-threads", type=positive, default=load.THREADS,
                           help=f"threads per gunicorn worker (default {load.THREADS})")
    staff_args = parser.add_argument_group("load-staff (also takes --seconds, --think and --gunicorn-*)")
    staff_args.add_argument("--staff-readers", type=lambda text: [positive(x) for x in text.split(",")],
                            default=list(load_staff.READERS),
                            help="signed-in readers at each level, comma-separated (default "
                                 + ",".join(map(str, load_staff.READERS)) + ")")
    staff_args.add_argument("--search", type=not_negative, default=load_staff.SEARCH_PROBES,
                            help="levels more, at most, to find how many readers get p95 under "
                                 f"{load_staff.TARGET_P95_MS} ms (default {load_staff.SEARCH_PROBES}; 0: none)")
    staff_args.add_argument("--evidence", type=positive, default=load_staff.SUBMISSIONS,
                            help=f"accepted evidence in the group read (default {load_staff.SUBMISSIONS}; a tenth as "
                                 "many again are confidential or set aside)")
    staff_args.add_argument("--witnesses", type=positive, default=load_staff.WITNESSES,
                            help=f"witnesses uploading at once (default {load_staff.WITNESSES})")
    staff_args.add_argument("--upload-mb", type=float, default=load_staff.UPLOAD_MB,
                            help=f"size of each witness's PDF in MB (default {load_staff.UPLOAD_MB})")
    args = parser.parse_args(argv)

    results = {}
    if args.only in (None, "pages"):
        results["pages"] = pages.run(groups=args.groups, requests=args.requests, warmup=args.warmup,
                                     seed=args.seed, members=args.members)
        print(report.table(results["pages"]))
    if args.only in (None, "documents"):
        sizes = dict(documents.QUICK if args.quick else documents.DEFAULTS)
        for name in sizes:
            if getattr(args, name) is not None:
                sizes[name] = getattr(args, name)
        if sizes["presentations"] > sizes["submissions"]:
            parser.error("--presentations must not be more than --submissions")
        if args.parts and not args.parts <= set(documents.PARTS):
            parser.error(f"--parts: no such part: {', '.join(sorted(args.parts - set(documents.PARTS)))}")
        results["documents"] = documents.run(**sizes, seed=args.seed, warmup=args.warmup, repeat=args.repeat,
                                             quick=args.quick, parts=args.parts)
        if "pages" in results:
            print()
        print(report.documents_table(results["documents"]))
    if args.only in (None, "load"):
        results["load"] = load.run(paths=args.paths, readers=tuple(args.readers), seconds=args.seconds,
                                   think=args.think, workers=args.gunicorn_workers, threads=args.gunicorn_threads,
                                   ramp=args.ramp)
        if len(results) > 1:
            print()
        print(load.table(results["load"]))
    if args.only == "evidence-map":
        results["evidence_map"] = evidence_map.run(requests=min(args.requests, 100), warmup=args.warmup,
                                                   seed=args.seed)
        print(evidence_map.table(results["evidence_map"]))
    if args.only == "tracker":
        results["tracker"] = tracker.run(requests=min(args.requests, 50), warmup=min(args.warmup, 3),
                                         seed=args.seed)
        print(tracker.table(results["tracker"]))
    if args.only == "survey":
        results["survey"] = survey.run(requests=min(args.requests, 50), warmup=min(args.warmup, 3), seed=args.seed)
        print(survey.table(results["survey"]))
    if args.only == "load-staff":
        results["load_staff"] = load_staff.run(
            readers=tuple(args.staff_readers), seconds=args.seconds, think=args.think, submissions=args.evidence,
            witnesses=args.witnesses, upload_mb=args.upload_mb, search=args.search,
            workers=args.gunicorn_workers, threads=args.gunicorn_threads, seed=args.seed)
        print(load_staff.table(results["load_staff"]))
    if args.json:
        print()
        print(report.as_json(results if len(results) > 1 else next(iter(results.values()))))
    return 1 if results.get("load", {}).get("skipped") else 0


if __name__ == "__main__":
    sys.exit(main())
