"""Signed-in pages and uploads under load, through gunicorn as production runs
it, on loopback: what one machine gives the scrutiny team and its witnesses.

The app runs as bench/load.py runs it (its Gunicorn: gunicorn.conf.py,
production settings, a scratch instance folder, database and private Redis),
on one topic group with SUBMISSIONS pieces of accepted evidence (and the tenth
as many again that are confidential or set aside: bench/evidence.py), and:

1. Readers: officers, each with an account of their own (hashed at the tests'
   quick cost: sign-in is not what is timed), sign in through the form on
   start, then read the group's page and its evidence library in turn,
   pausing THINK seconds between reads, at 10, 50 and 200 at once (locust,
   bench/locust_staff.py). Sign-in's limit on failed attempts is set high
   through its setting (SIGN_IN_LIMITS), as an operator would, so a slow
   sign-in under load cannot lock the readers out.
2. How many readers one machine serves with p95 under TARGET_P95_MS: from
   the levels run, the fewest readers whose p95 (the slower page's) crossed
   it and the most that stayed under, then up to SEARCH_PROBES more levels
   in between (or above, when even the most stayed under).
3. Witnesses: WITNESSES invitations, each sent as the outbox sends one (its
   link minted by the e-mail's own preparer); each witness opens its link's
   page, presses the button (the POST that spends the link), starts a
   draft, and when all have a draft open they upload a PDF of UPLOAD_MB MB
   at the same moment, then submit. Afterwards every stored file is read
   back from storage and its SHA-256 compared with the one sent.

Printed: per level and page, requests, p50/p95/p99 and errors; the readers
one machine serves under the target; per step of the witnesses' journey the
same figures; and how many files arrived whole.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import re
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from bench import load, places, synthetic
from bench.evidence import addressee_organisations, make_evidence_group
from bench.pages import CSRF_RE, REFERENCE, build_app, log
from scrutiny.demo.files import one_page, pdf_of, stream_object
from scrutiny.extensions import db

LOCUSTFILE = Path(__file__).with_name("locust_staff.py")
READERS = (10, 50, 200)
SECONDS = 20
THINK = load.THINK
SUBMISSIONS = 1000
PRESENTATIONS = 20  # of those, with a PDF: the library lists files too
WITNESSES = 50
UPLOAD_MB = 5
UPLOAD_SECONDS = 300  # the witnesses' run stops by then whatever happens
TARGET_P95_MS = 500
SEARCH_PROBES = 4
WORKERS, THREADS = load.WORKERS, load.THREADS
# Quick to check, so thousands of failed sign-ins would not stop the readers; still a limit.
SIGN_IN_LIMITS = "100000 per minute"
LINK_RE = re.compile(r"/portal/start/([A-Za-z0-9_-]+)")


# ---------------------------------------------------------------- files

def padded_pdf(title: str, size: int, seed: str) -> bytes:
    """A real one-page PDF of about `size` bytes: the page, and a stream of
    random bytes (the same for the same seed) no page draws, as a scanned
    annex makes a file large."""
    page = one_page(f"BT /F1 20 Tf 56 780 Td ({title}) Tj ET".encode("latin-1"))

    def assemble(padding: bytes) -> bytes:
        return pdf_of([*page, stream_object(padding)])

    overhead = len(assemble(b"x" * 10_000_000)) - 10_000_000  # the padding's length takes as many digits
    return assemble(random.Random(seed).randbytes(max(0, size - overhead)))


# ---------------------------------------------------------------- data

def _prepare(app, directory: Path, submissions: int, accounts: int, witnesses: int, upload_bytes: int,
             seed: int) -> dict:
    """The evidence group, reader accounts, and witnesses' links and files."""
    from scrutiny.auth.services import create_user
    from scrutiny.evidence.models import Submission, SubmissionStatus
    from scrutiny.groups.services import get_group_by_slug
    from scrutiny.invitations import services as invitations
    from scrutiny.invitations.jobs import prepare_email

    with app.app_context():
        upgrade()
        made = make_evidence_group(submissions, min(PRESENTATIONS, submissions), 5, seed, label="load")
        group = get_group_by_slug(made.slug)
        items = db.session.scalar(select(func.count(Submission.id)).where(
            Submission.topic_group_id == group.id, Submission.status != SubmissionStatus.DRAFT))
        readers = [f"bench.reader{n:04d}@example.org" for n in range(1, accounts + 1)]
        for n, email in enumerate(readers, start=1):
            create_user(email, f"Reader {n}", "officer", synthetic.PASSWORD)
        officer = synthetic._officer()
        orgs = addressee_organisations(len(synthetic.ORGANISATIONS))
        contacts = [invitations.Contact(orgs[n % len(orgs)], f"Witness {n + 1}", f"uploader{n + 1}@witness.example.org")
                    for n in range(witnesses)]
        invited = invitations.bulk_invite(group, contacts, questions=invitations.default_questions(group),
                                          deadline=invitations.today() + timedelta(days=30), by=officer)
        witness_rows = []
        (directory / "uploads").mkdir()
        for n, invitation in enumerate(invited, start=1):
            # As the outbox sends it: the e-mail's preparer mints the link; then it counts as sent.
            message = prepare_email(invitations.send_invitation(invitation))
            token = LINK_RE.search(message.text).group(1)
            message.on_sent()
            content = padded_pdf(f"Evidence from witness {n}", upload_bytes, f"scrutiny-bench:{seed}:upload:{n}")
            path = directory / "uploads" / f"evidence-from-witness-{n}.pdf"
            path.write_bytes(content)
            witness_rows.append({"token": token, "file": str(path), "name": f"Witness {n}",
                                 "invitation": invitation.public_id, "sha256": hashlib.sha256(content).hexdigest()})
        result = {"slug": made.slug, "library_items": items, "submissions": made.submissions,
                  "left_out": made.left_out, "presentations": made.presentations, "readers": readers,
                  "witnesses": witness_rows}
        db.session.remove()
        db.engine.dispose()
    return result


def _check_uploads(app, witnesses: list[dict]) -> dict:
    """Each witness's submitted files, read back from storage: do their
    bytes hash to what was sent?"""
    from scrutiny.evidence.models import Submission, SubmissionStatus
    from scrutiny.invitations import services as invitations
    from scrutiny.storage import storage

    matched, mismatched, missing, submitted = 0, [], [], 0
    with app.app_context():
        for witness in witnesses:
            invitation = invitations.by_public_id(witness["invitation"])
            sent = db.session.scalars(select(Submission).where(
                Submission.invitation_id == invitation.id, Submission.status == SubmissionStatus.SUBMITTED)).all()
            submitted += len(sent)
            files = [f for s in sent for f in s.files]
            if not files:
                missing.append(witness["name"])
                continue
            for file in files:
                digest = hashlib.sha256()
                with storage().open(file.storage_key) as stored:
                    for chunk in iter(lambda: stored.read(1 << 20), b""):
                        digest.update(chunk)
                if digest.hexdigest() == witness["sha256"] == file.sha256:
                    matched += 1
                else:
                    mismatched.append(witness["name"])
        db.session.remove()
        db.engine.dispose()
    return {"sent": len(witnesses), "submitted": submitted, "sha256_matched": matched,
            "sha256_mismatched": mismatched, "missing": missing}


# ---------------------------------------------------------------- warming up

def _signed_in_reads(base: str, email: str, password: str, paths: list[str]) -> list[int]:
    """Sign in through the form as the readers do, then read each path once;
    the statuses. Cookies are kept by hand: they are Secure, and this is http."""
    import urllib.error
    import urllib.parse
    import urllib.request

    cookies: dict[str, str] = {}

    def ask(path: str, form: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request = urllib.request.Request(base + path, data=body, headers={**load.HEADERS, "Cookie": cookie})
        try:
            response = load._opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].strip().partition("=")
                cookies[name] = value
            return response.status, response.read().decode(errors="replace")

    _, page = ask("/sign-in")
    match = CSRF_RE.search(page)
    token = (match.group(1) or match.group(2)) if match else ""
    status, _ = ask("/sign-in", {"csrf_token": token, "email": email, "password": password})
    return [status] + [ask(path)[0] for path in paths]


def warm_up_signed_in(base: str, accounts: list[str], password: str, paths: list[str], concurrent: int) -> None:
    """Untimed: `concurrent` sign-ins and reads at once, twice, so every worker
    thread has signed someone in and served each page (a process's first
    sign-in takes several times as long) before the first level. A sign-in or
    page that fails here stops the run, saying which."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(concurrent) as pool:
        for _ in range(2):
            for statuses in pool.map(lambda n: _signed_in_reads(base, accounts[n % len(accounts)], password, paths),
                                     range(concurrent)):
                if statuses != [302] + [200] * len(paths):
                    raise RuntimeError(f"a reader could not sign in and read {' and '.join(paths)}: HTTP "
                                       f"{statuses} (sign-in, then each page)")


def settle(base: str, limit: float = 180) -> float:
    """Wait until the server has worked off what a level left queued (gunicorn
    goes on serving requests whose readers have gone), so the next level does
    not start behind it: the stylesheet answered in under 100 ms three times
    running. Seconds waited."""
    clock = time.monotonic()
    quick = 0
    while quick < 3 and time.monotonic() - clock < limit:
        asked = time.monotonic()
        load.status_of(base + REFERENCE)
        quick = quick + 1 if time.monotonic() - asked < 0.1 else 0
        time.sleep(0.2)
    return round(time.monotonic() - clock, 1)


# ---------------------------------------------------------------- levels

def _worst_p95(level: dict, paths: list[str]) -> float | None:
    values = [level["paths"].get(p, {}).get("p95_ms") for p in paths]
    return None if any(v is None for v in values) else max(values)


def _serves(level: dict, paths: list[str], target: float) -> bool:
    worst = _worst_p95(level, paths)
    return worst is not None and worst < target and not any(level["paths"][p]["errors"] for p in paths)


def _next_probe(levels: list[dict], paths: list[str], target: float) -> int | None:
    """The next reader count to try, or None once the crossing is narrow enough."""
    served = [lv["readers"] for lv in levels if _serves(lv, paths, target)]
    crossed = [lv["readers"] for lv in levels if not _serves(lv, paths, target)]
    if not crossed:
        return max(served) * 2
    high = min(crossed)
    low = max([c for c in served if c < high], default=0)
    if high - low <= max(5, low // 8):
        return None
    return (low + high) // 2


def capacity(levels: list[dict], paths: list[str], target: float) -> dict:
    served = [lv["readers"] for lv in levels if _serves(lv, paths, target)]
    crossed = [lv["readers"] for lv in levels if not _serves(lv, paths, target)]
    high = min(crossed, default=None)
    low = max([c for c in served if high is None or c < high], default=None)
    worst = {lv["readers"]: _worst_p95(lv, paths) for lv in levels}
    return {"target_p95_ms": target, "served": low, "served_p95_ms": worst.get(low),
            "crossed": high, "crossed_p95_ms": worst.get(high)}


# ---------------------------------------------------------------- the run

def run(readers: tuple[int, ...] = READERS, seconds: int = SECONDS, think: tuple[float, float] = THINK,
        submissions: int = SUBMISSIONS, witnesses: int = WITNESSES, upload_mb: float = UPLOAD_MB,
        search: int = SEARCH_PROBES, target_ms: float = TARGET_P95_MS, workers: int = WORKERS,
        threads: int = THREADS, seed: int = 1) -> dict:
    readers = tuple(sorted(set(readers)))
    clock = time.monotonic()
    started: list[int] = []  # process groups this run started: gunicorn's, then each locust's
    with ExitStack() as stack:
        tmp = places.folder(stack, "scrutiny-bench-load-staff-")
        redis_url = places.redis_url(stack, tmp)
        database_url = places.database_url(stack, tmp / "db")
        (tmp / "instance").mkdir()
        storage = tmp / "instance" / "storage"
        app = build_app(database_url, redis_url, storage)
        data = _prepare(app, tmp, submissions, max(readers), witnesses, int(upload_mb * 1024 * 1024), seed)
        log(f"load-staff: a group of {data['library_items']} evidence items, {max(readers)} reader accounts, "
            f"{witnesses} witnesses' links ready")
        slug = data["slug"]
        paths = [f"/groups/{slug}", f"/groups/{slug}/evidence"]
        server = load.Gunicorn(load.production_env(tmp / "instance", database_url, redis_url, storage,
                                                   SIGN_IN_LIMITS=SIGN_IN_LIMITS), tmp / "gunicorn.log", workers, threads)
        started.append(server.pgid)
        stack.callback(server.stop)
        server.wait_ready()
        log(f"load-staff: gunicorn ({workers} workers x {threads} threads) at {server.url}")
        settings = {"url": server.url, "paths": paths, "readers": list(readers), "seconds": seconds,
                    "think_s": list(think), "gunicorn": {"workers": workers, "threads": threads},
                    "library_items": data["library_items"], "submissions": data["submissions"],
                    "left_out": data["left_out"], "presentations": data["presentations"],
                    "witnesses": witnesses, "upload_mb": upload_mb, "target_p95_ms": target_ms,
                    "database": "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
                    "python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": round(os.getloadavg()[0], 2)}
        load.warm_up(server.url, [REFERENCE], 2 * workers * threads)
        warm_up_signed_in(server.url, data["readers"], synthetic.PASSWORD, paths, 2 * workers * threads)
        reader_env = {"SCRUTINY_LOAD_ROLE": "reader", "SCRUTINY_LOAD_ACCOUNTS": " ".join(data["readers"]),
                      "SCRUTINY_LOAD_PASSWORD": synthetic.PASSWORD}

        def level(count: int) -> dict:
            stats, failures = load.run_locust(server.url, paths, count, seconds, think, tmp, started,
                                              locustfile=LOCUSTFILE, env=reader_env)
            waited = settle(server.url)
            if waited > 1:
                log(f"load-staff: the server worked off {count} readers' queue in {waited} s")
            log(f"load-staff: {count} readers: " + ", ".join(
                f"{p.rsplit('/', 1)[-1] if p.endswith('evidence') else 'group page'} p95 "
                f"{stats.get(p, {}).get('p95_ms')} ms" for p in paths))
            return {"readers": count, "paths": stats, "failures": failures, "settled_s": waited}

        levels = [level(count) for count in readers]
        probes = []
        for _ in range(search):
            count = _next_probe(levels + probes, paths, target_ms)
            if count is None:
                break
            probes.append(level(count))

        witness_file = tmp / "witnesses.json"
        witness_file.write_text(json.dumps(data["witnesses"]))
        upload_clock = time.monotonic()
        upload_stats, upload_failures = load.run_locust(
            server.url, [], witnesses, UPLOAD_SECONDS, (0, 0), tmp, started, ramp=0, locustfile=LOCUSTFILE,
            env={"SCRUTINY_LOAD_ROLE": "witness", "SCRUTINY_LOAD_WITNESSES": str(witness_file)})
        upload_seconds = round(time.monotonic() - upload_clock, 1)
        server.stop()
        uploads = _check_uploads(app, data["witnesses"])
        log(f"load-staff: {uploads['sha256_matched']} of {witnesses} uploads stored whole")
    empty = {"requests": 0, "errors": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "per_second": 0,
             "bytes": 0}
    for lv in levels + probes:
        for path in paths:
            lv["paths"].setdefault(path, dict(empty))
    settings["load_average_end"] = round(os.getloadavg()[0], 2)
    return {"settings": settings, "levels": levels, "probes": probes,
            "capacity": capacity(levels + probes, paths, target_ms),
            "capacity_by_path": {path: capacity(levels + probes, [path], target_ms) for path in paths},
            "uploads": {"steps": upload_stats, "failures": upload_failures, "seconds": upload_seconds, **uploads},
            "seconds_total": round(time.monotonic() - clock, 1), "processes": started}


# ---------------------------------------------------------------- printing

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _row(label: str, name: str, width: int, f: dict) -> str:
    return (f"{label:>7}  {name:<{width}}{f['requests']:>8} {f['per_second']:>6g} {_ms(f['p50_ms']):>7} "
            f"{_ms(f['p95_ms']):>7} {_ms(f['p99_ms']):>7} {f['errors']:>6}")


def table(result: dict) -> str:
    s, cap, up = result["settings"], result["capacity"], result["uploads"]
    lines = [
        f"Signed-in pages and uploads under load: gunicorn ({s['gunicorn']['workers']} workers x "
        f"{s['gunicorn']['threads']} threads, gunicorn.conf.py, production settings) on 127.0.0.1, "
        f"{s['database']}, {s['cpus']} CPUs (load average {s['load_average']} at the start, "
        f"{s['load_average_end']} at the end), Python {s['python']}; whole run {result['seconds_total']:g} s",
        f"A topic group with {s['library_items']} evidence items ({s['submissions']} accepted, {s['left_out']} "
        f"confidential or set aside; {s['presentations']} with a PDF). Officers, each signed in through the "
        f"form, read its page and its evidence library in turn, pausing {s['think_s'][0]:g}-{s['think_s'][1]:g} s; "
        f"{s['seconds']} s per level, all readers started at once.",
        "",
    ]
    names = [*s["paths"], "POST /sign-in"]
    width = max(len(n) for n in names) + 2
    header = (f"{'readers':>7}  {'path':<{width}}{'requests':>8} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'errors':>6}")
    lines.append(header)
    for lv in result["levels"] + result["probes"]:
        probe = "*" if lv in result["probes"] else ""
        for name in names:
            if name in lv["paths"]:
                lines.append(_row(f"{lv['readers']}{probe}", name, width, lv["paths"][name]))
        for failure in lv["failures"][:3]:
            lines.append(f"{'':>9}{failure['times']} x {failure['path']}: {failure['error'][:100]}")
        if lv.get("settled_s", 0) > 1:
            lines.append(f"{'':>9}after the level, the server took {lv['settled_s']:g} s to work off what was queued")
    if result["probes"]:
        lines.append(f"{'':>9}* a level run to find where p95 crosses {cap['target_p95_ms']:g} ms")
    lines.append("")
    target = f"p95 under {cap['target_p95_ms']:g} ms on both pages, no errors"
    if cap["served"] is None:
        lines.append(f"Readers served with {target}: fewer than {cap['crossed']} (p95 {_ms(cap['crossed_p95_ms'])} "
                     f"ms at {cap['crossed']}).")
    elif cap["crossed"] is None:
        lines.append(f"Readers served with {target}: at least {cap['served']} (p95 {_ms(cap['served_p95_ms'])} ms); "
                     "no level tried crossed it.")
    else:
        lines.append(f"Readers served with {target}: {cap['served']} (p95 {_ms(cap['served_p95_ms'])} ms); at "
                     f"{cap['crossed']} p95 was {_ms(cap['crossed_p95_ms'])} ms.")
    for path, alone in result["capacity_by_path"].items():
        lines.append(f"  {path} alone: served at {alone['served'] if alone['served'] is not None else '-'} "
                     f"(p95 {_ms(alone['served_p95_ms'])} ms), crossed at "
                     f"{alone['crossed'] if alone['crossed'] is not None else '-'} (p95 {_ms(alone['crossed_p95_ms'])} ms)")
    lines += [
        "",
        f"{s['witnesses']} witnesses, each through its own link, uploading a {s['upload_mb']:g} MB PDF at the same "
        f"moment, then submitting ({up['seconds']:g} s):",
    ]
    width = max([len(n) for n in up["steps"]] + [10]) + 2
    lines.append(f"{'':>7}  {'step':<{width}}{'requests':>8} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} "
                 f"{'p99 ms':>7} {'errors':>6}")
    for name, figures in sorted(up["steps"].items()):
        lines.append(_row("", name, width, figures))
    for failure in up["failures"][:5]:
        lines.append(f"{'':>9}{failure['times']} x {failure['path']}: {failure['error'][:100]}")
    lines.append(f"Submitted: {up['submitted']} of {up['sent']}; SHA-256 of the stored file matches what was sent: "
                 f"{up['sha256_matched']} of {up['sent']}"
                 + (f"; mismatched: {', '.join(up['sha256_mismatched'])}" if up["sha256_mismatched"] else "")
                 + (f"; no file from: {', '.join(up['missing'])}" if up["missing"] else ""))
    return "\n".join(lines)
