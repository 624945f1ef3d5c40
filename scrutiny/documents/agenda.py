"""The agenda pack of an evidence session: a tagged agenda, then the
session's presentations as the witnesses sent them.

The pack is built in two steps by the documents build job:

1. ``agenda_context(session, ...)`` gathers what ``templates/pdf/agenda.html``
   shows (under the name ``agenda``) as plain JSON values; the job renders it
   and writes it with WeasyPrint as tagged PDF/UA-1, like any other document.
2. ``make_pack(agenda_pdf, session, out)`` appends the presentations to that
   agenda with pypdf and writes the merged pack to ``out`` (through a temp
   file beside it, moved into place only when complete). Each presentation
   is first stripped of its active content (scripts, automatic actions,
   launch commands, links out, attached files: ``scrutiny.pdf_safety``), as
   uploads are since; a file stored before then is cleaned here too.

A merged pack is a convenience copy: pypdf drops the tag tree of what it
merges and the presentations are whatever the witnesses sent, so the pack
claims no PDF/UA conformance (no XMP metadata, no tag tree, no marked
flag). The tagged agenda and each presentation stay downloadable on their own.

Which presentations are in the pack
-----------------------------------
Submissions of kind "presentation" that are either filed against the session
(``Submission.session``), or have no session and come from the invitation
of a witness presenting at it (one of the session's slots). A presentation
filed against another session belongs to that one; one with no session from a
witness who presents at several sessions is in each of their packs (a witness
saving a presentation files it against their next session, so this is only
one saved before they had a slot). Only presentations an officer has
accepted count: the pack goes to everyone who gets the papers, so someone
must have looked at what a witness sent first. Drafts, presentations sent but
not yet reviewed and those an officer set aside are left out (the documents
page lists those waiting, ``awaiting_acceptance``); presentations from
witnesses who declined or were withdrawn are left out. Confidential submissions and
confidential files are never included, listed or counted, and nobody's
e-mail address is read into the context (free text has anything that looks
like one replaced).

They follow in the order the witnesses present (slot order), then any filed
against the session by officers, each submission's files in upload order.
PDFs are appended as they are; PowerPoint and OpenDocument presentations are
converted with LibreOffice in headless mode when it is installed (``soffice``
or ``libreoffice`` on the PATH) and otherwise listed as not included, with a
note; anything else is listed as not included. The agenda context already
says which files will follow, so the agenda lists them (it reads each PDF to
check it opens, as the report does to count pages); ``make_pack`` then does
the work and reports what it actually included and skipped (a conversion
that fails or times out is only found out there).
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import and_, or_, select

from scrutiny import pdf_safety
from scrutiny.clock import to_local
from scrutiny.documents.report import clean as _clean
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionKind, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.invitations.models import InvitationStatus
from scrutiny.sessions.models import EvidenceSession
from scrutiny.uploads import KINDS, human_size

# The statuses of a presentation that goes in the pack (see the module docstring).
IN_PACK = (SubmissionStatus.ACCEPTED,)
CANNOT_PRESENT = (InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN)

# Formats LibreOffice turns into PDF for the pack: extension -> what the note calls it.
CONVERTIBLE = {"pptx": "PowerPoint file", "odp": "OpenDocument presentation"}
CONVERT_TIMEOUT = 120  # seconds; AGENDA_CONVERT_TIMEOUT in the app's config overrides it

DATE_FORMAT = "%-d %B %Y"
SUBJECT_PREFIX = "session:"


# ---- subjects: how a Document names its session ---------------------------------------


def subject_for(session: EvidenceSession) -> str:
    """The Document.subject of a session's agenda pack: "session:<id>"."""
    return f"{SUBJECT_PREFIX}{session.id}"


def session_for(group: TopicGroup, subject: str) -> EvidenceSession | None:
    """The group's session a subject names, or None (another group's, or not a session)."""
    if not subject.startswith(SUBJECT_PREFIX) or not subject[len(SUBJECT_PREFIX):].isdigit():
        return None
    session = db.session.get(EvidenceSession, int(subject[len(SUBJECT_PREFIX):]))
    return session if session is not None and session.topic_group_id == group.id else None


def pack_filename(group: TopicGroup, session: EvidenceSession, version: int) -> str:
    return f"{group.slug}-agenda-pack-{to_local(session.starts_at):%Y-%m-%d}-v{version}.pdf"


# ---- the problems --------------------------------------------------------------------


def agenda_problems(session: EvidenceSession) -> list[str]:
    """What the session lacks before its pack can be built; empty when ready."""
    problems = []
    if not (session.title or "").strip():
        problems.append("The session has no title: give it one on the session's edit page")
    if not (session.agenda or "").strip():
        problems.append("The session has no agenda: write it on the session's edit page")
    return problems


# ---- which files, and what becomes of each ---------------------------------------------


@dataclass
class PackItem:
    """One presentation file and what the pack does with it."""

    submission: Submission
    file: EvidenceFile
    extension: str  # "pdf", "pptx", "odp", or whatever else the file is
    format: str  # "PDF", "PowerPoint", ...
    included: bool  # expected to follow the agenda
    note: str  # why not, or how it was turned into PDF
    pages: int | None  # of a PDF, when it can be read
    bookmark: str  # the pack's outline entry


def converter() -> str | None:
    """The LibreOffice command, when it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def presentations(session: EvidenceSession, statuses=IN_PACK) -> list[Submission]:
    """The session's non-confidential presentations, in the order they are
    given: those for the pack, or those of other ``statuses``."""
    slots = [slot for slot in session.slots if slot.invitation.status not in CANNOT_PRESENT]
    presenting = [slot.invitation_id for slot in slots]
    rows = db.session.scalars(select(Submission).where(
        Submission.topic_group_id == session.topic_group_id,
        Submission.kind == SubmissionKind.PRESENTATION,
        Submission.confidential.is_(False),
        Submission.status.in_([str(s) for s in statuses]),
        or_(Submission.session_id == session.id,
            and_(Submission.session_id.is_(None), Submission.invitation_id.in_(presenting or [-1]))),
    ).order_by(Submission.id))
    order = {invitation_id: n for n, invitation_id in enumerate(presenting)}
    chosen = [s for s in rows if s.invitation is None or s.invitation.status not in CANNOT_PRESENT]
    return sorted(chosen, key=lambda s: (order.get(s.invitation_id, len(order)), s.id))


def awaiting_acceptance(session: EvidenceSession) -> list[Submission]:
    """Presentations sent for the session that stay out of its pack until an officer accepts them."""
    return presentations(session, statuses=(SubmissionStatus.SUBMITTED,))


def _extension(f: EvidenceFile) -> str:
    for extension, kind in KINDS.items():
        if f.content_type == kind.content_type:
            return extension
    return f.original_name.rsplit(".", 1)[-1].lower() if "." in f.original_name else ""


def _pdf_problem(key: str, sha256: str) -> tuple[int | None, str | None]:
    """(pages, None) for a PDF that opens, else (None, why not)."""
    try:
        return _pdf_pages(key, sha256), None
    except Unreadable as exc:
        return None, str(exc)


@lru_cache(maxsize=256)
def _pdf_pages(key: str, sha256: str) -> int:
    """Pages of a stored PDF that opens, kept per file content (its sha256) so
    that asking again, as every request for a build does to hash its inputs,
    does not read the file again. A failure is not kept (lru_cache keeps no
    exceptions): the next build tries again."""
    from scrutiny.storage import storage

    try:
        with storage().open(key) as stream:
            return len(_open_pdf(stream).pages)
    except OSError as exc:
        raise Unreadable("the file is missing from storage") from exc


def pack_items(session: EvidenceSession) -> list[PackItem]:
    """Every file the agenda lists, in order, and whether it should follow the agenda."""
    can_convert = converter() is not None
    items = []
    for submission in presentations(session):
        files = [f for f in submission.files if not f.confidential]
        for f in files:
            extension = _extension(f)
            kind = KINDS.get(extension)
            label = _clean(submission.title)
            if submission.organisation is not None:
                label += f" – {submission.organisation.name}"
            if len(files) > 1:
                label += f" ({f.original_name})"
            item = PackItem(submission=submission, file=f, extension=extension,
                            format=kind.format_name if kind else (extension.upper() or "Unknown"),
                            included=False, note="", pages=None, bookmark=label)
            if extension == "pdf":
                item.pages, problem = _pdf_problem(f.storage_key, f.sha256)
                item.included = problem is None
                item.note = "" if problem is None else f"Not included: {problem}; download it separately"
            elif extension in CONVERTIBLE and can_convert:
                item.included, item.note = True, "converted to PDF for this pack"
            elif extension in CONVERTIBLE:
                item.note = f"Not included: {CONVERTIBLE[extension]}; download it separately"
            else:
                noun = kind.noun if kind else "a kind of file that cannot be added to the pack"
                item.note = f"Not included: {noun}; download it separately"
            items.append(item)
    return items


# ---- the context ---------------------------------------------------------------------


def agenda_context(session: EvidenceSession, *, version: int, built_on: date) -> dict:
    """Everything the agenda shows, as plain JSON values (never ORM objects).

    As with the report, only ``version``, ``built_on`` and ``date`` change
    from one build to the next (documents.services.hashable leaves them out
    of the input hash); each file's sha256 is in, so a file replaced by
    another changes the hash, and so does LibreOffice being installed or not
    (it decides whether a PowerPoint file is included).
    """
    group = session.topic_group
    starts, ends = to_local(session.starts_at), to_local(session.ends_at)
    items = pack_items(session)

    titles: dict[int, list[str]] = {}
    for submission in presentations(session):
        if submission.invitation_id is not None:
            titles.setdefault(submission.invitation_id, []).append(_clean(submission.title))
    waiting = {s.invitation_id for s in awaiting_acceptance(session)}
    witnesses = [{
        "organisation": slot.invitation.organisation.name,
        "name": _clean(slot.invitation.contact_name),
        "presentations": titles.get(slot.invitation_id, []),
        # Sent, but not in this pack until an officer accepts it.
        "awaiting_acceptance": slot.invitation_id in waiting,
    } for slot in session.slots if slot.invitation.status not in CANNOT_PRESENT]

    files = [{
        "number": n,
        "title": _clean(item.submission.title),
        "organisation": item.submission.organisation.name if item.submission.organisation else None,
        "witness": _clean(item.submission.invitation.contact_name) if item.submission.invitation else None,
        "name": item.file.original_name,
        "format": item.format,
        "pages": item.pages,
        "size_text": human_size(item.file.size),
        "sha256": item.file.sha256,
        "included": item.included,
        "note": item.note,
        "bookmark": item.bookmark,
    } for n, item in enumerate(items, start=1)]

    return {
        "council_name": current_app.config["COUNCIL_NAME"],
        "group_title": group.title,
        "group_slug": group.slug,
        "title": f"Agenda: {session.title}",  # the agenda PDF's own title
        "pack_title": f"Agenda pack: {session.title}",  # the merged pack's
        # Left out of the build's input hash (documents.services.hashable).
        "version": version,
        "built_on": built_on.isoformat(),
        "date": built_on.strftime(DATE_FORMAT),
        "session": {
            "title": session.title,
            "day": starts.date().isoformat(),
            "day_text": starts.strftime("%A %-d %B %Y"),
            "starts": starts.strftime("%H:%M"),
            "ends": ends.strftime("%H:%M"),
            "time_text": f"{starts:%H:%M} to {ends:%H:%M}",
            "location": _clean(session.location),
            "online_url": session.online_url or "",
        },
        "agenda_markdown": _clean(session.agenda),  # Markdown: the template uses the `markdown` filter
        "witnesses": witnesses,
        "presentations": files,
        "included": [f["name"] for f in files if f["included"]],
        "not_included": [{"name": f["name"], "reason": f["note"]} for f in files if not f["included"]],
        "converter_available": converter() is not None,
        # Cleaning rules changed: packs built under the old ones are out of date.
        "pdf_safety": pdf_safety.RULES,
    }


# ---- the pack ------------------------------------------------------------------------


class ConversionError(RuntimeError):
    """LibreOffice could not turn a presentation into PDF."""


def _convert(source: Path, extension: str, workdir: Path) -> Path:
    """A PDF of the presentation, made by LibreOffice in headless mode with a
    profile of its own (so conversions can run side by side) and a timeout,
    after which its whole process group is killed."""
    command = converter()
    if command is None:
        raise ConversionError("LibreOffice is not installed")
    workdir.mkdir(parents=True)
    # A name of our own: the stored file has none, and the witness's name is data only.
    given = workdir / f"presentation.{extension}"
    shutil.copyfile(source, given)
    outdir = workdir / "out"
    profile = workdir / "profile"
    timeout = current_app.config.get("AGENDA_CONVERT_TIMEOUT", CONVERT_TIMEOUT)
    process = subprocess.Popen(
        [command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
         "--convert-to", "pdf", "--outdir", str(outdir), str(given)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "HOME": str(workdir)}, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise ConversionError(f"LibreOffice took longer than {timeout} seconds") from None
    finally:
        _kill_group(process)  # anything it left running
    result = outdir / "presentation.pdf"
    if process.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
        detail = output.decode("utf-8", "replace").strip().splitlines()[-1:] if output else []
        raise ConversionError("LibreOffice could not convert it" + (f" ({detail[0][:200]})" if detail else ""))
    return result


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Unreadable(ValueError):
    """A presentation file that cannot go in the pack; the message says why."""


def _open_pdf(path: Path | BinaryIO):
    """A pypdf reader whose every page has been parsed, or Unreadable saying why not."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=False)
        encrypted = reader.is_encrypted and not reader.decrypt("")
        pages = [] if encrypted else list(reader.pages)
        for page in pages:
            page.get_contents()
            page.mediabox  # noqa: B018 - parsed now, so a broken page fails here and not mid-merge
    except Exception as exc:  # pypdf raises many kinds of error on a broken file
        raise Unreadable("the file could not be read as a PDF") from exc
    if encrypted:
        raise Unreadable("the PDF is password-protected")
    if not pages:
        raise Unreadable("the PDF has no pages")
    return reader


class _Discard(io.RawIOBase):
    """A stream that keeps nothing but its length: somewhere to try writing a PDF."""

    def __init__(self):
        super().__init__()
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position


def _try_writing(reader) -> None:
    """Copy a presentation on its own and write it nowhere, so a broken object
    that pypdf only meets when it writes skips that file, not the pack."""
    from pypdf import PdfWriter

    try:
        trial = PdfWriter()
        trial.append(reader, import_outline=True)
        trial.write(_Discard())
    except Exception as exc:  # pypdf raises many kinds of error on a broken file
        raise Unreadable(f"the file could not be added ({exc.__class__.__name__})") from exc


def make_pack(agenda_pdf: Path, session: EvidenceSession, out: Path) -> dict:
    """Write the agenda pack to ``out``: the agenda (its own bookmarks nested
    under "Agenda"), then each presentation that can be added, each with a
    bookmark. A presentation that cannot be read or converted is skipped
    with its reason; an agenda that cannot be read fails the pack.

    Returns {"pages": N, "included": [file names], "skipped": [{"name", "reason"}]}.
    """
    from pypdf import PdfReader, PdfWriter

    from scrutiny.storage import storage

    agenda_pdf, out = Path(agenda_pdf), Path(out)
    # Beside `out`, and named after it, so a sweep of `out`'s temp files finds it.
    temp = out.with_name(f"{out.stem}.{uuid.uuid4().hex[:12]}.part{out.suffix or '.pdf'}")
    workdir = Path(tempfile.mkdtemp(prefix="agenda-pack-"))
    # The presentations' (cleaned, local) files stay open until the pack is
    # written: pypdf reads their objects lazily while merging.
    streams = ExitStack()
    try:
        agenda = PdfReader(agenda_pdf, strict=True)
        if not len(agenda.pages):
            raise ValueError(f"the agenda PDF has no pages: {agenda_pdf}")
        skipped: list[dict] = []
        ready: list[tuple[PackItem, object]] = []  # (item, reader)
        for n, item in enumerate(pack_items(session)):
            name = item.file.original_name
            if not item.included:
                skipped.append({"name": name, "reason": item.note})
                continue
            try:
                if item.extension == "pdf":
                    source = workdir / f"{n}.pdf"
                    with storage().open(item.file.storage_key) as stored, source.open("wb") as copy:
                        shutil.copyfileobj(stored, copy)
                else:  # LibreOffice reads a path: a local copy, whatever the storage
                    with storage().local_copy(item.file.storage_key, suffix=f".{item.extension}") as copy:
                        source = _convert(copy, item.extension, workdir / str(n))
                source = _without_active_content(source, item.file)
                reader = _open_pdf(streams.enter_context(source.open("rb")))
                _try_writing(reader)
                ready.append((item, reader))
            except (ConversionError, Unreadable, OSError) as exc:
                skipped.append({"name": name, "reason": f"Not included: {_reason(exc)}; download it separately"})

        # pypdf may still fail on a file while merging it; such a file is
        # skipped and the pack started again without it, never left half-added.
        while True:
            writer = PdfWriter()
            writer.append(agenda, outline_item="Agenda")
            failed = None
            for index, (item, reader) in enumerate(ready):
                try:
                    writer.append(reader, outline_item=item.bookmark)
                except Exception as exc:  # a broken object deep in the file
                    failed = index
                    skipped.append({"name": item.file.original_name,
                                    "reason": f"Not included: the file could not be added ({exc.__class__.__name__}); "
                                              "download it separately"})
                    break
            if failed is None:
                break
            del ready[failed]

        _no_conformance_claims(writer)
        title = f"Agenda pack: {session.title}"
        writer.add_metadata({"/Title": title, "/Author": current_app.config["COUNCIL_NAME"],
                             "/Subject": f"{session.topic_group.title}: agenda and presentations"})
        from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

        root = writer._root_object
        root[NameObject("/Lang")] = TextStringObject("en")
        root[NameObject("/ViewerPreferences")] = DictionaryObject(
            {NameObject("/DisplayDocTitle"): BooleanObject(True)})
        writer.page_mode = "/UseOutlines"

        with temp.open("wb") as fh:
            writer.write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        pages = len(writer.pages)
        os.replace(temp, out)
    finally:
        streams.close()
        temp.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return {"pages": pages, "included": [item.file.original_name for item, _ in ready], "skipped": skipped}


def _without_active_content(source: Path, file: EvidenceFile) -> Path:
    """The presentation without scripts, automatic actions, launch commands,
    links out or attached files: a cleaned copy beside it, or the file itself
    when there was nothing to take out (every upload since is cleaned when
    stored; this catches files stored before, and what LibreOffice made)."""
    clean = source.with_name(f"{source.stem}-safe.pdf")
    try:
        removed = pdf_safety.clean_file(source, clean)
    except pdf_safety.Unreadable as exc:
        raise Unreadable("the file could not be read as a PDF") from exc
    if not removed:
        return source
    current_app.logger.info("agenda pack: active content removed from evidence file %s: %s",
                            file.public_id, removed.as_log())
    return clean


def _reason(exc: Exception) -> str:
    if isinstance(exc, ConversionError):
        return f"it could not be converted to PDF: {exc}"
    if isinstance(exc, OSError):
        return "the stored file could not be read"
    return str(exc)


def _no_conformance_claims(writer) -> None:
    """Take out everything that would say the pack is tagged or conforms to
    PDF/UA (or PDF/A): XMP metadata, the (partial) tag tree, the marked flag,
    and the pages' links into a structure tree that is no longer there."""
    from pypdf.generic import NameObject

    root = writer._root_object
    for key in ("/Metadata", "/StructTreeRoot", "/MarkInfo", "/OutputIntents", "/RoleMap"):
        if NameObject(key) in root:
            del root[NameObject(key)]
    for page in writer.pages:
        for key in ("/StructParents", "/Metadata", "/Tabs"):
            if NameObject(key) in page:
                del page[NameObject(key)]
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if NameObject("/StructParent") in annotation:
                del annotation[NameObject("/StructParent")]
