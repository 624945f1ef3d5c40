"""``store_upload``: stream an upload into storage (pending), check it, and
keep the copy others may open: a picture without its metadata, a PDF without
its active content (scrutiny.pdf_safety). A refused upload, or one the disk
has no room for, leaves nothing behind."""
from __future__ import annotations

import dataclasses
import errno
import logging
import uuid
from collections.abc import Iterable
from typing import BinaryIO

from flask import current_app

from scrutiny import pdf_safety
from scrutiny.storage import Storage, StoredBlob, TooLarge, storage
from scrutiny.uploads import images
from scrutiny.uploads.check import CheckedFile, check_upload
from scrutiny.uploads.names import human_size, quoted, safe_name
from scrutiny.uploads.refusals import UploadRefused

# The disk (or the user's quota) is full: the witness can do nothing about
# it but try later; any other OSError is ours to see in the logs.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT}

log = logging.getLogger(__name__)


def upload_limits() -> dict[str, int]:
    """The app's limits, as keyword arguments for ``store_upload``.

    Reads MAX_UPLOAD_BYTES (default 50 MB), MAX_INFLATED_BYTES (default
    500 MB) and MAX_ZIP_ENTRIES (default 2000), the defaults matching config.py.
    """
    config = current_app.config
    return {
        "max_bytes": config["MAX_UPLOAD_BYTES"],
        "max_inflated_bytes": config["MAX_INFLATED_BYTES"],
        "max_zip_entries": config["MAX_ZIP_ENTRIES"],
    }


def no_room(exc: OSError) -> bool:
    """The disk (or quota) is full: say ``not_saved``, not a server error."""
    return exc.errno in _NO_ROOM


def not_saved(original_name: str | None) -> UploadRefused:
    return UploadRefused(
        f"We could not save your file {quoted(safe_name(original_name))}. "
        "Nothing was kept; please try again later.",
        "not_saved",
    )


def store_upload(
    file_storage_or_stream: BinaryIO,
    original_name: str | None,
    *,
    max_bytes: int,
    max_inflated_bytes: int,
    max_zip_entries: int = 2000,
    accept: Iterable[str] | None = None,
    store: Storage | None = None,
) -> tuple[StoredBlob, CheckedFile]:
    """Stream an upload into storage (pending) and check it.

    Accepts anything with ``read`` (a werkzeug ``FileStorage`` or a plain
    binary stream). On refusal the pending blob is discarded before
    ``UploadRefused`` is raised, so a refused upload leaves nothing behind.
    A picture's blob is its copy without metadata, a PDF's its copy without
    active content (``checked.cleaned_note`` says what went), so the blob's
    size and sha256 describe the bytes stored. On success the caller writes its
    database row, then ``storage().commit(blob)``; if the row cannot be
    written, ``storage().discard(blob)``.
    """
    store = store or storage()
    try:
        blob = store.put_stream(file_storage_or_stream, max_bytes)
    except TooLarge as exc:
        raise UploadRefused(
            f"{quoted(safe_name(original_name))} is larger than {human_size(max_bytes)}. "
            "Make it smaller (for example by compressing its pictures or splitting it into "
            "parts) and upload it again.",
            "too_large",
        ) from exc
    except OSError as exc:  # put_stream has already deleted its temporary file
        if no_room(exc):
            raise not_saved(original_name) from exc
        raise
    try:
        checked = check_upload(
            blob.temp_path, original_name,
            max_inflated_bytes=max_inflated_bytes, max_zip_entries=max_zip_entries, accept=accept,
        )
        if checked.extension in images.PILLOW_FORMATS:
            blob = _without_metadata(store, blob, checked)
        elif checked.extension == "pdf":
            blob, checked = _without_active_content(store, blob, checked)
    except OSError as exc:
        store.discard(blob)
        if no_room(exc):
            raise not_saved(original_name) from exc
        raise
    except BaseException:
        store.discard(blob)
        raise
    return blob, checked


def _without_metadata(store: Storage, blob: StoredBlob, checked: CheckedFile) -> StoredBlob:
    """A new pending blob holding the picture without its metadata; the
    original is discarded."""
    scratch = store.scratch(f"clean-{uuid.uuid4().hex}.{checked.extension}")
    try:
        images.strip_metadata(blob.temp_path, quoted(checked.safe_name), checked.extension, scratch)
        with scratch.open("rb") as cleaned:
            clean = store.put_stream(cleaned, scratch.stat().st_size)
    finally:
        scratch.unlink(missing_ok=True)
    store.discard(blob)
    return clean


def _without_active_content(store: Storage, blob: StoredBlob,
                            checked: CheckedFile) -> tuple[StoredBlob, CheckedFile]:
    """A PDF as others may open it: its scripts, automatic actions, launch
    commands, links out and attached files taken out, in a new pending blob
    (the original discarded), and a note for the sender saying what went;
    the blob as it is when there was nothing to take out. A PDF that cannot
    be opened to check is refused: what cannot be checked cannot be passed on."""
    scratch = store.scratch(f"safe-{uuid.uuid4().hex}.pdf")
    try:
        scratch.parent.mkdir(parents=True, exist_ok=True)
        try:
            removed = pdf_safety.clean_file(blob.temp_path, scratch)
        except pdf_safety.Unreadable as exc:
            advice = ("Remove the password, save it and upload it again" if "password" in str(exc)
                      else "Save it again as a PDF and upload the new copy")
            raise UploadRefused(f"{quoted(checked.safe_name)} could not be opened to check it is safe to share: "
                                f"{exc}. {advice}.", "unsafe_unreadable") from exc
        if not removed:
            return blob, checked
        with scratch.open("rb") as cleaned:
            clean = store.put_stream(cleaned, scratch.stat().st_size)
    finally:
        scratch.unlink(missing_ok=True)
    store.discard(blob)
    log.info("active content removed from an uploaded PDF (stored as %s): %s", clean.key, removed.as_log())
    note = (f"We took {removed.describe()} out of {quoted(checked.safe_name)}, so it is safe for others to "
            "open; its pages are as you sent them.")
    return clean, dataclasses.replace(checked, cleaned_note=note)
