"""Where uploaded and built files live, behind a small interface.

Everything outside this module talks in *keys* (opaque names such as
``3f/a2/3fa2...``), never in paths, so the local directory can later be
replaced by an object store with the same methods.

An upload is stored in two steps so a refused or half-saved upload never
leaves a file behind:

1. ``put_stream`` copies the incoming bytes to a temporary file under
   ``root/tmp/`` and returns a *pending* ``StoredBlob``;
2. once the file has been checked and its database row written, ``commit``
   moves it into place atomically; on any failure ``discard`` deletes it.

Keys are always generated here (random, hex only), never derived from the
user's file name, so a name like ``../../etc/passwd`` cannot pick where a
file goes, and a crafted key cannot reach outside the root.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, abort, current_app, request, send_file

CHUNK_SIZE = 64 * 1024
TMP_DIR = "tmp"
# Hex and slashes only: no dots (so no ".."), no backslashes, no drive
# letters, and "tmp" can never be spelt, so a key never lands in the temp area.
_KEY_RE = re.compile(r"[0-9a-f]+(?:/[0-9a-f]+)*")
_MAX_KEY_LENGTH = 200


class TooLarge(Exception):
    """More than ``size_limit`` bytes arrived; nothing was kept."""

    def __init__(self, size_limit: int):
        super().__init__(f"more than {size_limit} bytes")
        self.size_limit = size_limit


class InvalidKey(ValueError):
    """A key that this storage could not have generated."""


@dataclass
class StoredBlob:
    """A file copied into storage, pending until ``commit``.

    ``key`` is where it will live once committed; ``temp_path`` is where it is
    now. ``size`` and ``sha256`` were computed while copying, so callers can
    record them without reading the file again.
    """

    key: str
    size: int
    sha256: str
    temp_path: Path


def new_key() -> str:
    """A random key fanned out over two directory levels (256 x 256), so no
    single directory grows to hold every file."""
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name[2:4]}/{name}"


def validate_key(key: str) -> str:
    if (
        not isinstance(key, str)
        or len(key) > _MAX_KEY_LENGTH
        or not _KEY_RE.fullmatch(key)
    ):
        raise InvalidKey(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files in a directory on local disk (or a shared volume).

    Temporary files are written under ``root/tmp`` so that ``commit`` is an
    ``os.replace`` within one file system, which is atomic: a reader sees
    either no file or the whole file, never a partial one.
    """

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()
        self.tmp = self.root / TMP_DIR

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    # -- writing -----------------------------------------------------------

    def put_stream(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Copy ``stream`` to a pending temporary file, at most ``max_bytes``.

        Reads in 64 KiB chunks so a large upload never sits in memory whole,
        and hashes as it goes. Reads at most ``max_bytes + 1`` bytes: one byte
        over is enough to know the file is too large. On any failure
        (too large, client gone, disk full) the temporary file is deleted.
        """
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.tmp.mkdir(parents=True, exist_ok=True)
        # mkstemp: a new file no one else can have opened, mode 0600.
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-", suffix=".part")
        temp_path = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = stream.read(min(CHUNK_SIZE, max_bytes + 1 - size))
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                # Durable before it can be committed and recorded as saved.
                os.fsync(out.fileno())
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        return StoredBlob(key=new_key(), size=size, sha256=digest.hexdigest(), temp_path=temp_path)

    def commit(self, blob: StoredBlob) -> str:
        """Move a pending blob to its key's place; returns the key."""
        temp_path = self._pending_path(blob)
        final = self._path(blob.key)
        if final.exists():
            # Keys are random; a clash means a blob committed twice or forged.
            raise FileExistsError(f"storage key already used: {blob.key}")
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp_path, final)
        return blob.key

    def discard(self, blob: StoredBlob) -> None:
        """Delete a pending blob. Safe to call twice, or after a failed put."""
        self._pending_path(blob).unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        """Delete a committed file; no error if it is already gone.

        Empty fan-out directories are left in place on purpose: removing them
        could race with a ``commit`` creating a file in the same directory.
        """
        self._path(key).unlink(missing_ok=True)

    def clean_tmp(self, older_than_seconds: float = 24 * 3600) -> int:
        """Delete temporary files a crashed process left behind; returns how many.

        For a periodic job. Pending uploads live for one request, so a day
        old is safely abandoned.
        """
        if not self.tmp.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for entry in self.tmp.iterdir():
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def scratch(self, name: str) -> Path:
        """A local path in the temp area for a file being made (a PDF being
        written) before ``put_stream`` stores it; ``clean_tmp`` removes it
        if its process dies. ``name`` is ours, never a user's. The caller
        makes the folder (``path.parent.mkdir``) where it handles failures."""
        path = self.tmp / name
        if path.parent != self.tmp:
            raise ValueError(f"not a plain file name: {name!r}")
        return path

    def scratch_files(self, pattern: str) -> list[Path]:
        """The temp area's files matching a glob pattern (for sweeps)."""
        return sorted(self.tmp.glob(pattern)) if self.tmp.is_dir() else []

    # -- reading -----------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        """Open a committed file for reading (FileNotFoundError if missing)."""
        return open(self._path(key), "rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    @contextmanager
    def local_copy(self, key: str, suffix: str = "") -> Iterator[Path]:
        """A temporary copy of a committed file on local disk, for a program
        that can only read a path (LibreOffice); deleted afterwards. An object
        store downloads here; never write back to it."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="copy-", suffix=suffix)
        copy = Path(name)
        try:
            with os.fdopen(fd, "wb") as out, self.open(key) as source:
                shutil.copyfileobj(source, out, CHUNK_SIZE)
            yield copy
        finally:
            copy.unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        """The local path for a key: this class's business only, so callers
        keep working when an object store replaces the disk."""
        validate_key(key)
        path = self.root / key
        # Belt and braces: the pattern already rules out "..", but never
        # hand out a path that resolves outside the root (e.g. via a symlink).
        if not path.resolve().is_relative_to(self.root):
            raise InvalidKey(f"storage key leaves the storage directory: {key!r}")
        return path

    def _pending_path(self, blob: StoredBlob) -> Path:
        """The blob's temp path, checked to be one of ours in root/tmp."""
        path = Path(blob.temp_path)
        if path.resolve().parent != self.tmp.resolve():
            raise ValueError(f"not a pending blob of this storage: {path}")
        return path


def storage() -> LocalStorage:
    """The app's storage, from ``STORAGE_DIR``, made once per app."""
    store = current_app.extensions.get("storage")
    if store is None:
        store = LocalStorage(Path(current_app.config["STORAGE_DIR"]))
        current_app.extensions["storage"] = store
    return store


def send_stored(key: str, *, mimetype: str, download_name: str, sha256: str, size: int,
                max_age: int | None = None) -> Response:
    """A download streamed from storage, with its sha256 as a strong ETag so
    If-None-Match and ranges keep working without a path to stat. 404 when
    the key is not one of ours or the file is gone."""
    try:
        stream = storage().open(key)
    except (InvalidKey, FileNotFoundError):
        abort(404)
    response = send_file(stream, mimetype=mimetype, as_attachment=True, download_name=download_name,
                         etag=sha256, max_age=max_age, conditional=False)
    response.content_length = size
    return response.make_conditional(request.environ, accept_ranges=True, complete_length=size)
