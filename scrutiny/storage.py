"""Where uploaded and built files live, behind a small interface.

Everything outside this module talks in *keys* (opaque names such as
``3f/a2/3fa2...``), never in paths. Two implementations share the interface:
``LocalStorage`` (a directory on disk, the default) and ``S3Storage`` (an
S3-compatible object store: AWS, MinIO, a gateway), chosen by ``STORAGE_URL``.

An upload is stored in two steps so a refused or half-saved upload never
leaves a file behind:

1. ``put_stream`` copies the incoming bytes to a temporary file in the local
   temp area (``STORAGE_DIR/tmp``) and returns a *pending* ``StoredBlob``; the
   upload checks read that local file (``blob.temp_path``) whatever the store;
2. once the file has been checked and its database row written, ``commit``
   puts it in place in one step (a rename on disk, a single PUT or a completed
   multipart upload in S3): a reader sees no file or the whole file; on any
   failure ``discard`` deletes it.

Keys are always generated here (random, hex only), never derived from the
user's file name, so a name like ``../../etc/passwd`` cannot pick where a
file goes, and a crafted key cannot reach outside the root or the prefix.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import Response, abort, current_app, redirect, request, send_file
from werkzeug.datastructures import Headers

CHUNK_SIZE = 64 * 1024
TMP_DIR = "tmp"
# Hex and slashes only: no dots (so no ".."), no backslashes, no drive
# letters, and "tmp" can never be spelt, so a key never lands in the temp area.
_KEY_RE = re.compile(r"[0-9a-f]+(?:/[0-9a-f]+)*")
_MAX_KEY_LENGTH = 200
# An object read with open() is kept in memory up to this size, then on local disk.
_SPOOL_BYTES = 1024 * 1024


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
    now (always a local file). ``size`` and ``sha256`` were computed while
    copying, so callers can record them without reading the file again.
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


def content_disposition(download_name: str) -> str:
    """``attachment; filename=...`` as werkzeug's send_file writes it (an
    ASCII fallback and RFC 5987 UTF-8 for other names), for a presigned URL
    to ask the object store to send."""
    try:
        download_name.encode("ascii")
        names = {"filename": download_name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple, "filename*": f"UTF-8''{quote(download_name, safe='!#$&+-.^_`|~')}"}
    headers = Headers()
    headers.set("Content-Disposition", "attachment", **names)
    return headers["Content-Disposition"]


class Storage:
    """What both stores share: the local temp area, where pending uploads and
    files being made (``scratch``) live until they are committed.

    The interface every store has: ``put_stream``, ``commit``, ``discard``,
    ``delete``, ``clean_tmp``, ``scratch``, ``scratch_files``, ``open``,
    ``exists``, ``local_copy`` and ``download`` (a download response).
    """

    tmp: Path

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
        """Put a pending blob in its key's place; returns the key."""
        raise NotImplementedError

    def discard(self, blob: StoredBlob) -> None:
        """Delete a pending blob. Safe to call twice, or after a failed put."""
        self._pending_path(blob).unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        """Delete a committed file; no error if it is already gone."""
        raise NotImplementedError

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
        """A committed file, open for reading and seekable (pypdf seeks all
        over a PDF); FileNotFoundError if missing."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    @contextmanager
    def local_copy(self, key: str, suffix: str = "") -> Iterator[Path]:
        """A temporary copy of a committed file on local disk, for a program
        that can only read a path (LibreOffice); deleted afterwards. Never
        write back to the store through it."""
        validate_key(key)
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="copy-", suffix=suffix)
        copy = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                self._copy_to(key, out)
            yield copy
        finally:
            copy.unlink(missing_ok=True)

    def download(self, key: str, *, mimetype: str, download_name: str, sha256: str, size: int,
                 max_age: int | None = None, public: bool = False) -> Response:
        """A download of a committed file (see ``send_stored``)."""
        raise NotImplementedError

    def _copy_to(self, key: str, out: BinaryIO) -> None:
        with self.open(key) as source:
            shutil.copyfileobj(source, out, CHUNK_SIZE)

    def _pending_path(self, blob: StoredBlob) -> Path:
        """The blob's temp path, checked to be one of ours in the temp area."""
        path = Path(blob.temp_path)
        if path.resolve().parent != self.tmp.resolve():
            raise ValueError(f"not a pending blob of this storage: {path}")
        return path


def _streamed(stream: BinaryIO, *, mimetype: str, download_name: str, sha256: str, size: int,
              max_age: int | None) -> Response:
    """A download streamed from ``stream``, with its sha256 as a strong ETag
    so If-None-Match and ranges keep working without a path to stat."""
    response = send_file(stream, mimetype=mimetype, as_attachment=True, download_name=download_name,
                         etag=sha256, max_age=max_age, conditional=False)
    response.content_length = size
    return response.make_conditional(request.environ, accept_ranges=True, complete_length=size)


class LocalStorage(Storage):
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

    def commit(self, blob: StoredBlob) -> str:
        temp_path = self._pending_path(blob)
        final = self._path(blob.key)
        if final.exists():
            # Keys are random; a clash means a blob committed twice or forged.
            raise FileExistsError(f"storage key already used: {blob.key}")
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp_path, final)
        return blob.key

    def delete(self, key: str) -> None:
        """Empty fan-out directories are left in place on purpose: removing
        them could race with a ``commit`` creating a file in the same directory."""
        self._path(key).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def download(self, key: str, *, mimetype: str, download_name: str, sha256: str, size: int,
                 max_age: int | None = None, public: bool = False) -> Response:
        # Public or not, a file on disk has no address of its own: the app streams it.
        try:
            stream = self.open(key)
        except (InvalidKey, FileNotFoundError):
            abort(404)
        return _streamed(stream, mimetype=mimetype, download_name=download_name, sha256=sha256, size=size,
                         max_age=max_age)

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


class S3Storage(Storage):
    """Objects in an S3-compatible bucket, under a prefix.

    Pending uploads and scratch files stay in a local temp area (the upload
    checks and PDF builds read local files); ``commit`` streams the checked
    file up, in parts above ``multipart_threshold``. A part-way multipart
    upload is never visible as an object, and ``clean_tmp`` aborts the ones a
    crashed process left. Downloads stream through the app, or for public
    files redirect to a presigned URL that lives ``presign_seconds``.
    """

    multipart_threshold = 16 * 1024 * 1024
    multipart_chunksize = 8 * 1024 * 1024

    def __init__(self, bucket: str, prefix: str, *, temp_root: Path | str, client_options: dict | None = None,
                 presign_seconds: int = 300):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.tmp = Path(temp_root).resolve() / TMP_DIR
        self.client_options = dict(client_options or {})
        self.presign_seconds = presign_seconds
        self._client = None
        self._client_pid = None

    def __repr__(self) -> str:
        return f"S3Storage('s3://{self.bucket}/{self.prefix}')"

    @property
    def client(self):
        """A boto3 client, made again in a forked process (an RQ work horse)
        so parent and child never share a pooled connection."""
        if self._client is None or self._client_pid != os.getpid():
            import boto3

            self._client = boto3.session.Session().client("s3", **self.client_options)
            self._client_pid = os.getpid()
        return self._client

    def commit(self, blob: StoredBlob) -> str:
        from boto3.s3.transfer import TransferConfig

        temp_path = self._pending_path(blob)
        name = self._name(blob.key)
        if self._head(name) is not None:
            # Keys are random; a clash means a blob committed twice or forged.
            raise FileExistsError(f"storage key already used: {blob.key}")
        # A failed multipart upload is aborted by boto3; a killed process's is
        # aborted by clean_tmp.
        self.client.upload_file(str(temp_path), self.bucket, name, Config=TransferConfig(
            multipart_threshold=self.multipart_threshold, multipart_chunksize=self.multipart_chunksize,
            max_concurrency=2))
        temp_path.unlink(missing_ok=True)
        return blob.key

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def clean_tmp(self, older_than_seconds: float = 24 * 3600) -> int:
        """Local temp files as on disk, and multipart uploads under the prefix
        started before the cutoff and never completed (they cost storage)."""
        removed = super().clean_tmp(older_than_seconds)
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._name_prefix()):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"],
                                                       UploadId=upload["UploadId"])
                    removed += 1
        return removed

    def open(self, key: str) -> BinaryIO:
        """The object downloaded in chunks into a spooled file (memory, then
        local disk past 1 MiB), rewound: callers seek in it freely."""
        name = self._name(key)
        self.tmp.mkdir(parents=True, exist_ok=True)
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, dir=self.tmp)
        try:
            with self._get(name) as body:
                shutil.copyfileobj(body, spool, CHUNK_SIZE)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool

    def exists(self, key: str) -> bool:
        return self._head(self._name(key)) is not None

    def download(self, key: str, *, mimetype: str, download_name: str, sha256: str, size: int,
                 max_age: int | None = None, public: bool = False) -> Response:
        try:
            name = self._name(key)
            if public:
                if self._head(name) is None:
                    raise FileNotFoundError(key)
            else:
                stream = _ObjectReader(self, name)
        except (InvalidKey, FileNotFoundError):
            abort(404)
        if not public:
            return _streamed(stream, mimetype=mimetype, download_name=download_name, sha256=sha256, size=size,
                             max_age=max_age)
        url = self.client.generate_presigned_url("get_object", ExpiresIn=self.presign_seconds, Params={
            "Bucket": self.bucket, "Key": name, "ResponseContentType": mimetype,
            "ResponseContentDisposition": content_disposition(download_name)})
        response = redirect(url, 302)
        # The address expires: a cached redirect would outlive it.
        response.headers["Cache-Control"] = "no-store"
        return response

    def _copy_to(self, key: str, out: BinaryIO) -> None:
        with self._get(self._name(key)) as body:
            shutil.copyfileobj(body, out, CHUNK_SIZE)

    def _name(self, key: str) -> str:
        """The object's name for a key: the prefix, then the checked key."""
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _name_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    def _get(self, name: str, first_byte: int = 0):
        """The object's body from ``first_byte`` on (FileNotFoundError if missing)."""
        from botocore.exceptions import ClientError

        extra = {"Range": f"bytes={first_byte}-"} if first_byte else {}
        try:
            return self.client.get_object(Bucket=self.bucket, Key=name, **extra)["Body"]
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(name) from exc
            raise

    def _head(self, name: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise


def _missing(exc) -> bool:
    error = exc.response.get("Error", {})
    return error.get("Code") in ("NoSuchKey", "404", "NotFound") or \
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


class _ObjectReader(io.RawIOBase):
    """An object streamed as a seekable file, for werkzeug's download: it
    reads straight through, and a range request's seek starts a ranged GET,
    so a resumed download fetches only what it needs. The first GET happens
    at once, so a missing object is a 404 before any header is sent."""

    def __init__(self, store: S3Storage, name: str):
        self._store, self._name = store, name
        self._body = store._get(name)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only absolute seeks")
        if offset != self._position:
            self._close_body()
            self._position = offset
        return self._position

    def readinto(self, buffer) -> int:
        if self._body is None:
            self._body = self._store._get(self._name, self._position)
        data = self._body.read(len(buffer))
        buffer[:len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        self._close_body()
        super().close()

    def _close_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None


def make_storage(config) -> Storage:
    """The store a configuration asks for: S3 when ``STORAGE_URL`` is
    ``s3://bucket/prefix``, else the directory ``STORAGE_DIR``."""
    from config import parse_storage_url

    where = parse_storage_url(config.get("STORAGE_URL", ""))
    if where is None:
        return LocalStorage(Path(config["STORAGE_DIR"]))
    bucket, prefix = where
    return S3Storage(bucket, prefix, temp_root=config["STORAGE_DIR"], client_options=s3_client_options(config),
                     presign_seconds=config["STORAGE_S3_PRESIGN_SECONDS"])


def s3_client_options(config) -> dict:
    """boto3 client options from the settings. Credentials come from boto3's
    usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an
    instance role), never from here."""
    from botocore.config import Config

    endpoint = config.get("STORAGE_S3_ENDPOINT_URL") or None
    options = {"signature_version": "s3v4", "retries": {"max_attempts": 5, "mode": "standard"}}
    if endpoint:
        # MinIO and gateways: bucket in the path (no wildcard DNS needed), and
        # checksums only where S3 requires them, which not every gateway knows.
        options.update(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                       response_checksum_validation="when_required")
    return {"endpoint_url": endpoint, "region_name": config.get("STORAGE_S3_REGION") or None,
            "config": Config(**options)}


def storage() -> Storage:
    """The app's storage (see ``make_storage``), made once per app."""
    store = current_app.extensions.get("storage")
    if store is None:
        store = make_storage(current_app.config)
        current_app.extensions["storage"] = store
    return store


def send_stored(key: str, *, mimetype: str, download_name: str, sha256: str, size: int,
                max_age: int | None = None, public: bool = False) -> Response:
    """A download of a stored file, 404 when the key is not one of ours or the
    file is gone. Streamed through the app with its sha256 as a strong ETag
    (If-None-Match and ranges work); ``public=True``, for files anyone may
    read, lets an object store send it itself: a redirect to a presigned URL
    that expires after ``STORAGE_S3_PRESIGN_SECONDS``. Only say public for a
    file the caller has checked is public: the URL works for whoever has it."""
    return storage().download(key, mimetype=mimetype, download_name=download_name, sha256=sha256, size=size,
                              max_age=max_age, public=public)
