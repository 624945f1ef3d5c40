"""Compiled documents: deciding whether to build, versions, and what became
of builds whose worker died. The build itself is documents.jobs.build."""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from flask import current_app, g
from jinja2 import meta
from redis.exceptions import RedisError
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from sqlalchemy import func, select

from scrutiny import data_versions, jobs
from scrutiny.audit import services as audit
from scrutiny.auth.models import User
from scrutiny.clock import today, utcnow
from scrutiny.documents import render
from scrutiny.documents.errors import DocumentError
from scrutiny.documents.models import Document, DocumentKind, DocumentStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.responses import sending

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "pdf"


@dataclass(frozen=True)
class Kind:
    """How to build one kind of document. A council-wide kind is given None
    for the group throughout."""

    template: str
    variable: str  # the name the template reads the context under
    context: Callable[..., dict]  # (group, subject, version, built_on) -> plain data
    problems: Callable[[TopicGroup | None, str], list[str]]  # (group, subject) -> what to fix first
    filename: Callable[[TopicGroup | None, str, int], str]
    # None: the configured PDF_VARIANT. "": an untagged convenience copy.
    variant: str | None = None
    # After the tagged PDF is written: (document, written, out) -> pages in `out`.
    finish: Callable | None = None
    # A document of the whole council, belonging to no topic group.
    council_wide: bool = False
    # Whether `problems` depends on the subject (an agenda's session), or is
    # the group's alone (thirty letters share one check).
    problems_by_subject: bool = False


def _report() -> Kind:
    from scrutiny.documents import report

    return Kind(
        template="pdf/report.html",
        variable="report",
        context=lambda group, subject, version, built_on: report.report_context(
            group, version=version, built_on=built_on),
        problems=lambda group, subject: report.report_problems(group),
        filename=lambda group, subject, version: f"{group.slug}-report-v{version}.pdf",
    )


def _letter() -> Kind:
    from scrutiny.documents import letters

    return Kind(
        template="pdf/letter.html",
        variable="letter",
        context=letters.letter_context,
        problems=lambda group, subject: letters.letter_problems(group),
        filename=letters.letter_filename,
    )


def _responses() -> Kind:
    """The organisations' responses to the recommendations, published beside the report."""
    from scrutiny.documents import responses_document

    return Kind(
        template="pdf/responses.html",
        variable="responses",
        context=lambda group, subject, version, built_on: responses_document.responses_context(
            group, version=version, built_on=built_on),
        problems=lambda group, subject: responses_document.responses_problems(group),
        filename=responses_document.responses_filename,
    )


def _session_problems(group: TopicGroup, subject: str) -> list[str]:
    from scrutiny.documents import agenda

    session = agenda.session_for(group, subject)
    if session is None:
        return ["There is no such evidence session in this topic group"]
    return agenda.agenda_problems(session)


def _agenda_context(group, subject, version, built_on) -> dict:
    from scrutiny.documents import agenda

    return agenda.agenda_context(agenda.session_for(group, subject), version=version, built_on=built_on)


def _agenda() -> Kind:
    """The agenda and witness list alone: rendered and tagged."""
    from scrutiny.documents import agenda

    return Kind(
        template="pdf/agenda.html", variable="agenda", context=_agenda_context, problems=_session_problems,
        filename=lambda group, subject, version: agenda.pack_filename(
            group, agenda.session_for(group, subject), version).replace("-agenda-pack-", "-agenda-"),
        problems_by_subject=True,
    )


def _pack() -> Kind:
    """The agenda followed by the session's presentations as submitted:
    a convenience copy, which therefore claims no PDF/UA conformance."""
    from scrutiny.documents import agenda

    def finish(document, written, out):
        return agenda.make_pack(written, agenda.session_for(document.topic_group, document.subject), out)["pages"]

    return Kind(
        template="pdf/agenda.html", variable="agenda", context=_agenda_context, problems=_session_problems,
        filename=lambda group, subject, version: agenda.pack_filename(
            group, agenda.session_for(group, subject), version),
        variant="", finish=finish, problems_by_subject=True,
    )


def _tracker() -> Kind:
    """A group's recommendations tracker, landscape."""
    from scrutiny.documents import tracker

    return Kind(template="pdf/tracker.html", variable="tracker",
                context=lambda group, subject, version, built_on: tracker.tracker_context(
                    group, version=version, built_on=built_on),
                problems=lambda group, subject: tracker.tracker_problems(group), filename=tracker.tracker_filename)


def _tracker_all() -> Kind:
    """The tracker of every group whose letters have gone, landscape, with a
    column for the group: council-wide, so it has no group of its own."""
    from scrutiny.documents import tracker

    return Kind(template="pdf/tracker.html", variable="tracker",
                context=lambda group, subject, version, built_on: tracker.tracker_all_context(
                    version=version, built_on=built_on),
                problems=lambda group, subject: tracker.tracker_all_problems(),
                filename=lambda group, subject, version: tracker.tracker_all_filename(version), council_wide=True)


KINDS: dict[str, Callable[[], Kind]] = {DocumentKind.REPORT: _report, DocumentKind.LETTER: _letter,
                                        DocumentKind.AGENDA: _agenda, DocumentKind.PACK: _pack,
                                        DocumentKind.RESPONSES: _responses, DocumentKind.TRACKER: _tracker,
                                        DocumentKind.TRACKER_ALL: _tracker_all}
# Kinds owned by features above documents (they request builds, so documents
# may not import them back): named here, imported when first built.
def plug_in(kind: str, factory: Callable[[], Kind]) -> None:
    """A kind a feature above this package builds (a survey's results): the
    app factory plugs it in, so this package never names that feature."""
    KINDS[kind] = factory


def kind_of(kind: str) -> Kind:
    try:
        return KINDS[kind]()
    except KeyError:
        raise DocumentError(f"There is no document of kind “{kind}”") from None


# ---- versions ---------------------------------------------------------------
# `group` None throughout: the council-wide documents (no topic group).

def _of(group: TopicGroup | None):
    """The documents of this group, or the council-wide ones."""
    return Document.topic_group_id.is_(None) if group is None else Document.topic_group_id == group.id


def versions(group: TopicGroup | None, kind: str, subject: str = "") -> list[Document]:
    return list(db.session.scalars(select(Document).where(
        _of(group), Document.kind == kind, Document.subject == subject)
        .order_by(Document.version.desc())))


def latest_done(group: TopicGroup | None, kind: str, subject: str = "") -> Document | None:
    return db.session.scalar(select(Document).where(
        _of(group), Document.kind == kind, Document.subject == subject,
        Document.status == DocumentStatus.DONE).order_by(Document.version.desc()).limit(1))


def latest_reports(groups: list[TopicGroup]) -> dict[int, Document]:
    """The newest finished report of each group, in one query (dashboards)."""
    found: dict[int, Document] = {}
    if groups:
        for document in db.session.scalars(select(Document).where(
                Document.topic_group_id.in_([g.id for g in groups]), Document.kind == DocumentKind.REPORT,
                Document.subject == "", Document.status == DocumentStatus.DONE).order_by(Document.version.desc())):
            found.setdefault(document.topic_group_id, document)
    return found


def get_document(group: TopicGroup | None, public_id: str, kind: str | None = None) -> Document | None:
    """The group's document (the council-wide one for None) with this public
    id, of this kind when given; a group's page never finds another's."""
    query = select(Document).where(_of(group), Document.public_id == public_id)
    if kind is not None:
        query = query.where(Document.kind == kind)
    return db.session.scalar(query)


# ---- inputs -----------------------------------------------------------------

def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def template_closure(name: str) -> list[str]:
    """A template and every template it extends or includes, recursively,
    so that editing the letter does not rebuild every report."""
    env = current_app.jinja_env
    seen: list[str] = []
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        source = env.loader.get_source(env, current)[0]
        pending.extend(t for t in meta.find_referenced_templates(env.parse(source)) if t)
    return sorted(seen)


def inputs_hash(kind: str, data: dict, variant: str) -> str:
    """Everything a build reads: its data, the templates it uses, the assets
    (stylesheet, fonts) and the PDF variant. Versions and dates are left
    out of `data` so that an unchanged document hashes the same."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"kind": kind, "variant": variant, "data": data}, sort_keys=True,
                             default=str).encode())
    digest.update(_files_part(kind_of(kind).template))
    return digest.hexdigest()


# template name -> (the files and their (mtime, size) stamps, their part of the hash)
_FILES_PARTS: dict[str, tuple[list[tuple[Path, tuple[int, int]]], bytes]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _files_part(template: str) -> bytes:
    """The templates' and assets' part of the inputs hash, read and digested
    once per process: asking again costs a stat of each file, so an edited
    template (in development) is still noticed, while an unchanged request
    reads no file (the fonts alone are megabytes)."""
    cached = _FILES_PARTS.get(template)
    if cached is not None:
        try:
            if all(_stamp(path) == stamp for path, stamp in cached[0]):
                return cached[1]
        except OSError:
            pass
    paths = [TEMPLATES.parent / name for name in template_closure(template)] + render.asset_paths()
    stamps = [(path, _stamp(path)) for path in paths]
    part = b"".join(str(path.name).encode() + _file_digest(path).encode() for path in paths)
    _FILES_PARTS[template] = (stamps, part)
    return part


_CODE_DIGEST: list[bytes] = []


def _code_digest() -> bytes:
    """The application's Python code, digested once per process (new code
    means a new process): a deploy that changes what a document says
    changes every stamp."""
    if not _CODE_DIGEST:
        digest = hashlib.sha256()
        for path in sorted(TEMPLATES.parent.parent.joinpath("scrutiny").rglob("*.py")):
            digest.update(path.name.encode() + path.read_bytes())
        _CODE_DIGEST.append(digest.digest())
    return _CODE_DIGEST[0]


def _settings() -> str:
    """The settings a document may read, those that are plain data (read each time: tests change them)."""
    plain = {}
    for key, value in current_app.config.items():
        try:
            plain[key] = json.dumps(value, sort_keys=True)
        except (TypeError, ValueError):
            continue
    return json.dumps(plain, sort_keys=True)


def stamp_base(group: TopicGroup | None) -> str:
    """What every stamp of the group shares, read once for a page of documents."""
    return json.dumps([data_versions.versions(group.id if group is not None else None), today().isoformat(),
                       _settings()])


def inputs_stamp(group: TopicGroup | None, kind: str, subject: str, spec: Kind, variant: str,
                 base: str | None = None) -> str:
    """What a build would read, named without reading the data: the data
    counters of the group and the council, the day, the settings (`base`),
    the code, and the templates and assets (kept per process, as for the hash)."""
    digest = hashlib.sha256(json.dumps([base or stamp_base(group), kind, subject, variant]).encode())
    digest.update(_files_part(spec.template))
    digest.update(_code_digest())
    return digest.hexdigest()


def hashable(context: dict) -> dict:
    """The context without what changes on every build (version, date)."""
    return {k: v for k, v in context.items() if k not in ("version", "built_on", "date")}


# ---- requesting ---------------------------------------------------------------

def request_build(group: TopicGroup | None, kind: str, *, by: User | None, subject: str = "",
                  force: bool = False, checked: bool = False, base: str | None = None) -> tuple[Document, bool]:
    """(document, started): the latest version when nothing changed, else a
    new queued version with its job enqueued. Refuses with the problems
    an officer must fix first (health scrutiny reports: reg. 22(6)), unless
    the caller has just checked them for every document it asks for
    (`checked`: the letters, whose problems are the group's, not one letter's;
    `base`: the stamps' shared part, read once for them all).
    A council-wide kind is built with no group, every other with one."""
    spec = kind_of(kind)
    if spec.council_wide != (group is None):
        raise DocumentError(f"The {DocumentKind(kind).label.lower()} is "
                            f"{'the council’s, not a group’s' if spec.council_wide else 'a topic group’s'}")
    variant = _variant(spec)
    stamp = inputs_stamp(group, kind, subject, spec, variant, base)  # read before the data it vouches for
    if not force:
        known = _stamped(group, kind, subject, stamp)
        if known is not None:
            return known, False
    problems = [] if checked else spec.problems(group, subject)
    if problems:
        raise DocumentError(f"The {DocumentKind(kind).label.lower()} cannot be built yet", problems)
    digest = _current_hash(group, kind, subject, spec, variant)

    in_flight = db.session.scalar(select(Document).where(
        _of(group), Document.kind == kind, Document.subject == subject,
        Document.input_hash == digest, Document.status.in_([DocumentStatus.QUEUED, DocumentStatus.RUNNING])))
    if in_flight is not None:
        return _current_at(in_flight, stamp), False
    latest = latest_done(group, kind, subject)
    if latest is not None and latest.input_hash == digest and not force:
        return _current_at(latest, stamp), False

    number = (db.session.scalar(select(func.max(Document.version)).where(
        _of(group), Document.kind == kind, Document.subject == subject)) or 0) + 1
    # The job's id is recorded with the row, so a sweep never sees a queued
    # build without one.
    document = Document(topic_group=group, kind=kind, subject=subject, version=number, input_hash=digest,
                        inputs_stamp=stamp, variant=variant, status=DocumentStatus.QUEUED, requested_by=by, rq_job_id=uuid.uuid4().hex,
                        created_at=utcnow(),  # UTC whatever the database server's time zone
                        organisation_id=_subject_id(subject, "organisation"),
                        session_id=_subject_id(subject, "session"))
    db.session.add(document)
    audit.record("document_build_requested", obj=document, actor=by, details={"kind": str(kind), "forced": force})
    db.session.commit()
    _enqueue(document)  # Redis down: the build stays queued and a worker's sweep enqueues it
    return document, True


def _stamped(group: TopicGroup | None, kind: str, subject: str, stamp: str) -> Document | None:
    """The newest version built, or being built, from inputs stamped the same."""
    return db.session.scalar(select(Document).where(
        _of(group), Document.kind == kind, Document.subject == subject, Document.inputs_stamp == stamp,
        Document.status.in_([DocumentStatus.QUEUED, DocumentStatus.RUNNING, DocumentStatus.DONE]))
        .order_by(Document.version.desc()).limit(1))


def _current_at(document: Document, stamp: str) -> Document:
    """Found current by reading the data: remembered, so the next request need not."""
    if document.inputs_stamp != stamp:
        document.inputs_stamp = stamp
        db.session.commit()
    return document


def _enqueue(document: Document) -> None:
    jobs.enqueue("scrutiny.documents.jobs.build", document.id, job_id=document.rq_job_id,
                 retry_intervals=current_app.config["DOCUMENT_RETRY_INTERVALS"],
                 timeout=current_app.config["DOCUMENT_JOB_TIMEOUT"])


def _variant(spec: Kind) -> str:
    return current_app.config["PDF_VARIANT"] if spec.variant is None else spec.variant


def _current_hash(group: TopicGroup | None, kind: str, subject: str, spec: Kind, variant: str) -> str:
    return inputs_hash(kind, hashable(spec.context(group, subject, 0, today())), variant)


def out_of_date(group: TopicGroup | None, documents: list[Document | None]) -> set[int]:
    """The ids of those finished documents whose inputs have changed since:
    built now, they would differ. Each (kind, subject) is hashed once per
    request (the templates' part is kept per process), and one that cannot
    be built yet is not called out of date: the page says what it lacks."""
    memo = g.setdefault("document_hashes", {})
    problems = g.setdefault("document_problems", {})
    stale = set()
    for document in documents:
        if document is None or document.status != DocumentStatus.DONE:
            continue
        group_id = group.id if group is not None else None
        key = (group_id, document.kind, document.subject)
        spec = kind_of(document.kind)
        stamp_key = ("stamp",) + key
        if stamp_key not in memo:
            if ("base", group_id) not in memo:
                memo[("base", group_id)] = stamp_base(group)
            memo[stamp_key] = inputs_stamp(group, document.kind, document.subject, spec, _variant(spec),
                                           memo[("base", group_id)])
        if document.inputs_stamp == memo[stamp_key]:
            continue  # nothing it reads has changed since it was found current
        if key not in memo:
            check = (group_id, document.kind, document.subject if spec.problems_by_subject else "")
            if check not in problems:
                problems[check] = bool(spec.problems(group, document.subject))
            memo[key] = None if problems[check] else _current_hash(
                group, document.kind, document.subject, spec, _variant(spec))
        if memo[key] is not None and memo[key] != document.input_hash:
            stale.add(document.id)
    return stale


def in_progress(group: TopicGroup | None, public_ids: list[str]) -> list[Document]:
    """Those of the group's (or the council-wide) documents named, each
    reconciled (a build whose worker died is reported failed, as the
    document's own page does)."""
    if not public_ids:
        return []
    return [reconcile(d) for d in db.session.scalars(select(Document).where(
        _of(group), Document.public_id.in_(public_ids)))]


def agenda_rows(group: TopicGroup) -> list[dict]:
    """Each evidence session with the latest agenda and pack, for the documents page."""
    from scrutiny.documents import agenda

    rows = []
    for session in group.evidence_sessions:
        subject = agenda.subject_for(session)
        rows.append({"session": session, "agenda": latest_done(group, DocumentKind.AGENDA, subject),
                     "pack": latest_done(group, DocumentKind.PACK, subject),
                     # Sent for the session, but left out of its pack until an officer accepts them.
                     "awaiting": agenda.awaiting_acceptance(session),
                     "building": [d for kind in (DocumentKind.AGENDA, DocumentKind.PACK)
                                  for d in versions(group, kind, subject)[:1] if not d.is_finished]})
    return rows


def group_session(group: TopicGroup, public_id: str):
    """The group's evidence session with this public id, or None."""
    from scrutiny.sessions.services import get_session

    return get_session(group, public_id)


def request_agenda(group: TopicGroup, session, *, by: User | None) -> list[tuple[Document, bool]]:
    """The tagged agenda and the merged pack of one evidence session."""
    from scrutiny.documents import agenda

    subject = agenda.subject_for(session)
    return [request_build(group, kind, by=by, subject=subject) for kind in (DocumentKind.AGENDA, DocumentKind.PACK)]


def _subject_id(subject: str, what: str) -> int | None:
    """A letter's subject is "organisation:<id>", an agenda's "session:<id>"."""
    prefix, _, number = subject.partition(":")
    return int(number) if prefix == what and number.isdigit() else None


def request_letters(group: TopicGroup, *, by: User | None,
                    force: bool = False) -> tuple[list[Document], int]:
    """(documents, how many started): one letter per addressee, each its own
    build job, so the workers share them out. A letter whose inputs have not
    changed is its latest version at once. Refused, naming each organisation,
    while an addressee with no statutory period has no date; otherwise the
    due dates are fixed now (first preparation) and kept for rebuilds."""
    from scrutiny.documents import letters

    problems = letters.letter_problems(group)
    if problems:
        raise DocumentError("The letters cannot be built yet", problems)
    letters.prepare(group)
    db.session.commit()
    documents, started, base = [], 0, stamp_base(group)
    for organisation in letters.addressees(group):
        document, new = request_build(group, DocumentKind.LETTER, by=by, subject=letters.subject_for(organisation),
                                      force=force, checked=True, base=base)
        documents.append(document)
        started += new
    return documents, started


SendError = sending.SendError


def letters_to_send(group: TopicGroup) -> tuple[dict[int, int], list[str]]:
    """(organisation id -> document id of its letter, problems): a letter
    can be sent once its latest version is built and not out of date."""
    from scrutiny.documents import letters

    rows = letters.letter_rows(group)
    stale = out_of_date(group, [row.latest_done for row in rows])
    ready, problems = {}, list(letters.letter_problems(group))
    for row in rows:
        name = row.organisation.name
        if row.latest is None:
            problems.append(f"The letter to {name} has not been built: build the letters")
        elif row.latest_done is None or row.latest_done.id != row.latest.id:
            problems.append(f"The letter to {name} is still being built, or its latest build failed")
        elif row.latest.id in stale:
            problems.append(f"The letter to {name} is out of date: build the letters again")
        else:
            ready[row.organisation.id] = row.latest.id
    return ready, problems


def send_problems(group: TopicGroup):
    """What stops the letters being sent, for the letters page."""
    return sending.problems(group, letters_to_send(group)[1])


def send_letters(group: TopicGroup, by: User):
    """Send each addressee its letter and response link (responses.sending);
    raises SendError naming what is missing."""
    ready, problems = letters_to_send(group)
    result = sending.send(group, ready, by, problems)
    db.session.commit()
    return result


def sent_requests(group: TopicGroup) -> dict:
    return sending.requests_of(group)


def further_requests(group: TopicGroup) -> list:
    """Further responses the group has asked for, waiting to be sent."""
    return sending.further_unsent(group)


# ---- builds that lost their worker ----------------------------------------------

ABANDONED = "The build stopped before it finished (its worker ended). Request it again."


def reconcile(document: Document) -> Document:
    """Settle an unfinished build whose job may be lost.

    A running build is judged by its own heartbeat in the database (see
    documents.jobs), not by Redis, which forgets jobs and workers when it
    restarts empty while the build goes on: silent for longer than the
    grace, it is marked failed. A queued build whose job Redis does not hold
    (Redis was down when it was requested, or lost it) is enqueued again
    under the same job id. One whose job RQ failed, stopped or cancelled is
    marked failed."""
    if document.is_finished:
        return document
    grace = timedelta(seconds=current_app.config["DOCUMENT_HEARTBEAT_GRACE"])
    now = utcnow()
    if document.status == DocumentStatus.RUNNING:
        heard = document.heard_at or document.created_at
        if heard < now - grace:
            _fail(document, ABANDONED)
        return document
    try:
        status = _job_status(document)
    except RedisError:  # nothing to learn from Redis now; the next look will
        return document
    if status in ("failed", "stopped", "canceled"):
        _fail(document, document.error if status == "failed" and document.error else ABANDONED)
    # A job not in Redis yet may be one being enqueued this instant (by the
    # request that made it): only missing for longer than the grace is lost.
    # One that ended while its build is still queued built nothing: again.
    elif status in (None, "finished") and document.created_at < now - grace:
        _enqueue(document)
    return document


def _job_status(document: Document) -> str | None:
    if not document.rq_job_id:
        return None
    try:
        return Job.fetch(document.rq_job_id, connection=jobs.redis_connection()).get_status(refresh=True)
    except NoSuchJobError:
        return None


def temp_prefix(document_id: int | str) -> str:
    """A build's temp files are named after it, so a sweep can find them."""
    return f"build-{document_id}-"


def _fail(document: Document, message: str) -> None:
    """Marked failed for good: its RQ job is cancelled too, so a retry RQ had
    planned never runs it (and the job would refuse a build not queued)."""
    document.status, document.error, document.finished_at = DocumentStatus.FAILED, message, utcnow()
    db.session.commit()
    if document.rq_job_id:
        try:
            Job.fetch(document.rq_job_id, connection=jobs.redis_connection()).cancel()
        except (NoSuchJobError, InvalidJobOperation, RedisError):
            pass  # nothing left to cancel, or Redis unreachable: the job checks the status itself


def sweep() -> int:
    """Reconcile every unfinished build and delete the half-written PDFs of
    builds that ended; returns how many builds were marked failed."""
    from scrutiny.storage import storage

    unfinished = list(db.session.scalars(select(Document).where(
        Document.status.in_([DocumentStatus.QUEUED, DocumentStatus.RUNNING]))))
    failed = [d for d in unfinished if reconcile(d).status == DocumentStatus.FAILED]
    live = {d.id for d in unfinished if not d.is_finished}
    for leftover in storage().scratch_files(temp_prefix("*") + "*.pdf"):
        document_id = leftover.name.split("-")[1]
        if document_id.isdigit() and int(document_id) not in live:
            leftover.unlink(missing_ok=True)
    return len(failed)
