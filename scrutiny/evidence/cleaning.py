"""PDFs stored before uploads were cleaned (scrutiny.uploads.store) cleaned
now, in place: `flask --app wsgi evidence clean-pdfs`. Each file that had
active content is stored again without it, its row pointed at the clean copy
with the clean copy's size and SHA-256 (what downloads promise), then the old
copy deleted. Safe to run again: a clean file is left as it is."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from scrutiny import pdf_safety
from scrutiny.evidence.models import EvidenceFile
from scrutiny.extensions import db
from scrutiny.storage import storage

log = logging.getLogger(__name__)


@dataclass
class Cleaned:
    checked: int = 0
    cleaned: list[str] = field(default_factory=list)  # public ids of files stored again
    unreadable: list[str] = field(default_factory=list)  # could not be opened: left, and named


def clean_stored_pdfs() -> Cleaned:
    outcome = Cleaned()
    store = storage()
    ids = db.session.scalars(select(EvidenceFile.id).where(EvidenceFile.content_type == "application/pdf")
                             .order_by(EvidenceFile.id)).all()
    for file_id in ids:
        file = db.session.get(EvidenceFile, file_id)
        outcome.checked += 1
        scratch = store.scratch(f"reclean-{uuid.uuid4().hex}.pdf")
        try:
            scratch.parent.mkdir(parents=True, exist_ok=True)
            with store.local_copy(file.storage_key, ".pdf") as copy:
                try:
                    removed = pdf_safety.clean_file(copy, scratch)
                except pdf_safety.Unreadable as exc:
                    log.warning("stored PDF %s could not be opened to clean: %s", file.public_id, exc)
                    outcome.unreadable.append(file.public_id)
                    continue
            if not removed:
                continue
            with scratch.open("rb") as cleaned:
                blob = store.put_stream(cleaned, scratch.stat().st_size)
        finally:
            scratch.unlink(missing_ok=True)
        old_key = file.storage_key
        file.storage_key, file.size, file.sha256 = store.commit(blob), blob.size, blob.sha256
        db.session.commit()  # the row names the clean copy before the old one goes
        store.delete(old_key)
        log.info("stored PDF %s cleaned: %s", file.public_id, removed.as_log())
        outcome.cleaned.append(file.public_id)
    return outcome
