"""An officer clears each piece of evidence going public: publish it or
withhold it, redact passages on recorded grounds (Schedule 12A, s.100A), give
a summary where the redacted text would mislead, and decide each of its files:
publish as it is, withhold, or publish a redacted replacement (checked like
any upload, checked again for the redacted passages, stripped of metadata).

The original evidence and its files are never changed: what the public sees
is decided in `scrutiny.publication.cleared` from the records kept here."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from scrutiny.audit import services as audit
from scrutiny.auth.models import User
from scrutiny.clock import utcnow
from scrutiny.evidence.models import EvidenceFile, Submission, SubmissionStatus
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.publication import cleared, scrubbing
from scrutiny.publication.models import Clearance, Decision, Ground, Redaction
from scrutiny.storage import StoredBlob, storage
from scrutiny.uploads import UploadRefused, download_name, safe_name, store_upload, upload_limits

SUMMARY_MAX = 4000
NOTE_MAX = 2000
# A replacement is published, so only what every reader opens: PDF or a picture.
REPLACEMENT_KINDS = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


@dataclass(frozen=True)
class Problem:
    field: str  # "decision", "summary", "redactions", "replacement"
    message: str
    row: int | None = None  # which redaction given (0-based), for "redactions"
    part: str = ""  # "passage", "ground" or "note" of that redaction


class NotCleared(ValueError):
    """Every problem found; nothing was saved or stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Cleared:
    clearance: Clearance
    # Files cleared before that hold a passage now redacted: waiting for a decision again.
    reopened: list[str]


# -- looking up ---------------------------------------------------------------------------------


def item(group: TopicGroup, public_id: str) -> Submission | None:
    """A piece of the group's evidence that could go public, or None."""
    return next((s for s in cleared.going_public(group) if s.public_id == public_id), None)


def clearance_of(thing: Submission | EvidenceFile) -> Clearance | None:
    column = Clearance.submission_id if isinstance(thing, Submission) else Clearance.evidence_file_id
    return db.session.scalar(select(Clearance).where(column == thing.id))


@dataclass
class Listed:
    """An item going public, its decision, and each of its files with theirs."""

    item: Submission
    decided: Clearance | None
    files: list[tuple[EvidenceFile, Clearance | None]]


def listing(group: TopicGroup) -> list[Listed]:
    decisions = db.session.scalars(select(Clearance).where(Clearance.topic_group_id == group.id)).all()
    by_item = {c.submission_id: c for c in decisions if c.submission_id is not None}
    by_file = {c.evidence_file_id: c for c in decisions if c.evidence_file_id is not None}
    return [Listed(s, by_item.get(s.id), [(f, by_file.get(f.id)) for f in s.files])
            for s in cleared.going_public(group)]


def item_state(decided: Clearance | None) -> tuple[str, str]:
    """(what was decided, in words; its tag's colour class)."""
    if decided is None:
        return "Waiting for a decision", "govuk-tag--blue"
    if decided.decision == Decision.WITHHOLD:
        return "Withheld", "govuk-tag--grey"
    if decided.redactions:
        count = len(decided.redactions)
        return f"Publish with {count} {'passage' if count == 1 else 'passages'} redacted", "govuk-tag--green"
    return "Publish as submitted", "govuk-tag--green"


def file_state(file: EvidenceFile, decided: Clearance | None, item_decided: Clearance | None) -> tuple[str, str]:
    if file.is_confidential:
        return "Confidential: never published", "govuk-tag--red"
    if item_decided is not None and item_decided.decision == Decision.WITHHOLD:
        return "Withheld with the evidence", "govuk-tag--grey"
    if decided is None:
        return "Waiting for a decision", "govuk-tag--blue"
    if decided.decision == Decision.WITHHOLD:
        return "Withheld", "govuk-tag--grey"
    if decided.replacement_storage_key:
        return "Publish a redacted version", "govuk-tag--green"
    return "Publish as it is", "govuk-tag--green"


def file_of(submission: Submission, file_public_id: str) -> EvidenceFile | None:
    """One of the item's files that could go public (never a confidential one)."""
    return next((f for f in submission.files if f.public_id == file_public_id and not f.is_confidential), None)


def replacement_of(group: TopicGroup, file_public_id: str) -> Clearance | None:
    """The clearance holding a file's redacted replacement, for officers to check it."""
    return db.session.scalar(
        select(Clearance).join(Clearance.evidence_file)
        .where(Clearance.topic_group_id == group.id, EvidenceFile.public_id == file_public_id,
               Clearance.replacement_storage_key.is_not(None)))


def marker(grounds: list[str]) -> str:
    """What the public reads where a passage was: "[redacted: Schedule 12A, paragraph 2]"."""
    names = []
    for ground in grounds:
        name = Ground(ground).label.split(":")[0]
        if name not in names:
            names.append(name)
    return f"[redacted: {'; '.join(names)}]"


def _pattern(passage: str) -> re.Pattern:
    # Any case, any spacing: a passage copied from a page finds the text however it was typed.
    return re.compile(r"\s+".join(re.escape(word) for word in passage.split()), re.IGNORECASE)


def redacted_text(body: str, redactions: list[tuple[str, str]]) -> str:
    """`body` with every occurrence of each passage replaced by its marker.
    Passages that overlap are withheld as one stretch, naming every ground."""
    spans: list[tuple[int, int, list[str]]] = []
    for passage, ground in redactions:
        spans += [(m.start(), m.end(), [ground]) for m in _pattern(passage).finditer(body)]
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, grounds in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] + grounds)
        else:
            merged.append((start, end, grounds))
    out, at = [], 0
    for start, end, grounds in merged:
        out += [body[at:start], marker(grounds)]
        at = end
    return "".join(out) + body[at:]


# -- the item's text -------------------------------------------------------------------------------


def check_redactions(body: str, redactions) -> tuple[list[tuple[str, str, str]], list[Problem]]:
    """The redactions as given, trimmed, each passage once; and the problems with them."""
    rows, problems, seen = [], [], set()
    for index, (passage, ground, note) in enumerate(redactions):
        passage, ground, note = (passage or "").strip(), (ground or "").strip(), (note or "").strip()
        if not passage:
            problems.append(Problem("redactions", "Enter the passage to redact, or clear its ground and note",
                                    index, "passage"))
        elif not _pattern(passage).search(body):
            problems.append(Problem("redactions", f"“{_short(passage)}” is not in the evidence’s text: copy it "
                                    "exactly as it is written there", index, "passage"))
        if ground not in {g.value for g in Ground}:
            problems.append(Problem("redactions", f"Choose the ground for withholding “{_short(passage)}”"
                                    if passage else "Choose the ground for withholding the passage", index, "ground"))
        if len(note) > NOTE_MAX:
            problems.append(Problem("redactions", f"The public interest note must be {NOTE_MAX} characters or "
                                    f"fewer (it is {len(note)})", index, "note"))
        if passage and passage.casefold() not in seen:
            seen.add(passage.casefold())
            rows.append((passage, ground, note))
    return rows, problems


def _short(passage: str, limit: int = 60) -> str:
    passage = " ".join(passage.split())
    return passage if len(passage) <= limit else passage[:limit - 1] + "…"


def clear_item(submission: Submission, decision: str, by: User, redactions=(), summary: str = "") -> Cleared:
    """Record the officer's decision on the item's text: publish or withhold,
    the passages redacted (each with its ground and public interest note) and
    a summary. Redactions kept from before keep who made them and when.
    Files already cleared that hold a newly redacted passage go back to
    waiting for a decision. Raises NotCleared with every problem, saving nothing."""
    problems = []
    if decision not in (Decision.PUBLISH, Decision.WITHHOLD):
        problems.append(Problem("decision", "Choose whether to publish this evidence or withhold it"))
    elif decision == Decision.PUBLISH and submission.confidential:
        problems.append(Problem("decision", "This evidence is confidential: it can never be published"))
    elif decision == Decision.PUBLISH and submission.status != SubmissionStatus.ACCEPTED:
        problems.append(Problem("decision", "Only evidence accepted for the report can be published"))
    rows, row_problems = check_redactions(submission.body or "", list(redactions))
    problems += row_problems
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        problems.append(Problem("summary", f"The summary must be {SUMMARY_MAX} characters or fewer "
                                           f"(it is {len(summary)})"))
    if problems:
        raise NotCleared(problems)

    now = utcnow()
    clearance = clearance_of(submission) or Clearance(topic_group=submission.topic_group, submission=submission)
    db.session.add(clearance)
    clearance.decision, clearance.summary = str(decision), summary
    clearance.decided_by, clearance.decided_at = by, now
    wanted = {(p, g, n) for p, g, n in rows}
    for old in list(clearance.redactions):
        if (old.passage, old.ground, old.public_interest_note) not in wanted:
            clearance.redactions.remove(old)
    kept = {(r.passage, r.ground, r.public_interest_note) for r in clearance.redactions}
    for passage, ground, note in rows:
        if (passage, ground, note) not in kept:
            clearance.redactions.append(Redaction(passage=passage, ground=ground, public_interest_note=note,
                                                  decided_by=by, decided_at=now))
    clearance.public_text = redacted_text(submission.body or "", [(p, g) for p, g, _ in rows]) if rows else None
    reopened, unused = _reopen_leaking_files(submission, [p for p, _, _ in rows])
    audit.record("evidence_cleared", obj=submission, actor=by, details=_clearance_details(decision, rows, reopened))
    db.session.commit()
    for key in unused:
        storage().delete(key)
    return Cleared(clearance, reopened)


def _clearance_details(decision: str, rows, reopened: list[str]) -> dict:
    """What the log keeps of a clearance: the decision and the grounds of
    each redaction, never the redacted passages themselves."""
    return {"decision": str(decision), "redactions": len(rows), "grounds": sorted({str(g) for _, g, _ in rows}),
            "files_reopened": len(reopened)}


def _reopen_leaking_files(submission: Submission, passages: list[str]) -> tuple[list[str], list[str]]:
    """Un-clear the item's published files whose text holds a redacted passage."""
    names, keys = [], []
    if not passages:
        return names, keys
    for file in submission.files:
        decided = clearance_of(file)
        if decided is None or decided.decision != Decision.PUBLISH:
            continue
        key = decided.replacement_storage_key or file.storage_key
        kind = decided.replacement_content_type or file.content_type
        if kind == "application/pdf" and _first_leak(_stored_text(key), passages):
            names.append(file.download_name)
            if decided.replacement_storage_key:
                keys.append(decided.replacement_storage_key)
            db.session.delete(decided)
    return names, keys


def _stored_text(key: str) -> str:
    try:
        with storage().local_copy(key, suffix=".pdf") as path:
            return scrubbing.pdf_text(path)
    except (scrubbing.Unreadable, OSError):
        return ""  # nothing we can read is nothing we can find: the officer decides


def _first_leak(text: str, passages: list[str]) -> str | None:
    haystack = scrubbing.squashed(text)
    return next((p for p in passages if scrubbing.squashed(p) and scrubbing.squashed(p) in haystack), None)


def redacted_passages(submission: Submission) -> list[str]:
    decided = clearance_of(submission)
    return [r.passage for r in decided.redactions] if decided else []


# -- its files -------------------------------------------------------------------------------------


def _file_clearance(file: EvidenceFile) -> Clearance:
    decided = clearance_of(file) or Clearance(topic_group=file.submission.topic_group, evidence_file=file)
    db.session.add(decided)
    return decided


def _may_publish(file: EvidenceFile, field: str) -> list[Problem]:
    if file.is_confidential:
        return [Problem(field, f"{file.download_name} is confidential: it can never be published")]
    if file.submission.status != SubmissionStatus.ACCEPTED:
        return [Problem(field, "Only evidence accepted for the report can be published")]
    return []


def clear_file(file: EvidenceFile, decision: str, by: User) -> Clearance:
    """Publish the file as it is (its replacement, if any, is dropped), or withhold it."""
    if decision not in (Decision.PUBLISH, Decision.WITHHOLD):
        raise NotCleared([Problem("decision", f"Choose what to do with {file.download_name}")])
    if decision == Decision.PUBLISH:
        problems = _may_publish(file, "decision")
        leak = (_first_leak(_stored_text(file.storage_key), redacted_passages(file.submission))
                if file.content_type == "application/pdf" else None)
        if leak:
            problems.append(Problem("decision", f"{file.download_name} contains “{_short(leak)}”, which is "
                                    "redacted from the evidence: upload a redacted replacement or withhold it"))
        if problems:
            raise NotCleared(problems)
    decided = _file_clearance(file)
    unused = decided.replacement_storage_key
    decided.decision = str(decision)
    decided.replacement_storage_key, decided.replacement_name = None, ""
    decided.replacement_content_type, decided.replacement_size, decided.replacement_sha256 = "", None, ""
    decided.decided_by, decided.decided_at = by, utcnow()
    audit.record("file_cleared", obj=file, actor=by, details={"decision": str(decision)})
    db.session.commit()
    if unused:
        storage().delete(unused)
    return decided


def replace_file(file: EvidenceFile, upload, by: User) -> Clearance:
    """Publish a redacted replacement instead of the file: a PDF or a PNG or
    JPEG image, checked like every upload, refused if it still holds a passage
    redacted from the evidence, then stripped of its metadata and stored. The
    original stays as it is. All or nothing: a refusal stores nothing."""
    problems = _may_publish(file, "replacement")
    name = getattr(upload, "filename", None) if upload is not None else None
    if not problems and not name:
        problems.append(Problem("replacement", "Choose the redacted file to upload"))
    if problems:
        raise NotCleared(problems)
    store = storage()
    try:
        blob, checked = store_upload(upload.stream if hasattr(upload, "stream") else upload, name,
                                     accept=("document", "image"), **upload_limits())
    except UploadRefused as refusal:
        message = _not_publishable(safe_name(name)) if refusal.code == "wrong_type" else str(refusal)
        raise NotCleared([Problem("replacement", message)]) from refusal
    clean: StoredBlob | None = None
    scratch = store.scratch(f"clean-{blob.key.rsplit('/', 1)[-1]}.{checked.extension}")
    try:
        clean = _cleaned(blob, checked.extension, checked.safe_name, scratch, redacted_passages(file.submission))
        decided = _file_clearance(file)
        unused = decided.replacement_storage_key
        decided.decision = str(Decision.PUBLISH)
        decided.replacement_storage_key = clean.key
        decided.replacement_name = (download_name(checked.safe_name, checked.content_type) if checked.named_as
                                    else checked.safe_name)
        decided.replacement_content_type = REPLACEMENT_KINDS[checked.extension]
        decided.replacement_size, decided.replacement_sha256 = clean.size, clean.sha256
        decided.decided_by, decided.decided_at = by, utcnow()
        audit.record("redacted_file_uploaded", obj=file, actor=by, details={"replacement": decided.replacement_name})
        store.commit(clean)
        try:
            db.session.commit()
        except Exception:
            store.delete(clean.key)
            raise
    except BaseException:
        db.session.rollback()
        if clean is not None:
            store.discard(clean)
        raise
    finally:
        store.discard(blob)
        scratch.unlink(missing_ok=True)
    if unused:
        store.delete(unused)
    return decided


def _not_publishable(name: str) -> str:
    return (f"{name} must be a PDF or an image (PNG or JPEG), which anyone can open: save the redacted "
            "version as a PDF and upload it again")


def _cleaned(blob: StoredBlob, extension: str, name: str, scratch: Path, passages: list[str]) -> StoredBlob:
    """The upload checked for redacted passages and stripped of metadata, pending in storage."""
    if extension not in REPLACEMENT_KINDS:
        raise NotCleared([Problem("replacement", _not_publishable(name))])
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        if extension == "pdf":
            scrubbing.clean_pdf(blob.temp_path, scratch)
            # What is published is what is checked: the cleaned file's text.
            leak = _first_leak(scrubbing.pdf_text(scratch), passages)
            if leak:
                raise NotCleared([Problem("replacement", f"The replacement still contains “{_short(leak)}”: a box "
                                          "drawn over text leaves the text in the file. Remove the text itself "
                                          "(a redaction tool does), then upload it again")])
        else:
            scrubbing.clean_image(blob.temp_path, scratch, extension)
    except scrubbing.Unreadable as exc:
        raise NotCleared([Problem("replacement", f"{name} could not be opened to check it: {exc}. "
                                                 "Save it again and upload the new copy")]) from exc
    with scratch.open("rb") as cleaned:
        return storage().put_stream(cleaned, scratch.stat().st_size)
