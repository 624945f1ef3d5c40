"""Storage, on disk and in an S3-compatible store (moto's server on
loopback): the same tests run on both. Pending blobs, commit in one step,
keys that cannot escape the root or the prefix, downloads."""
from __future__ import annotations

import hashlib
import io
import os
import re
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from werkzeug.exceptions import NotFound

from config import ConfigError
from scrutiny.storage import (
    CHUNK_SIZE,
    InvalidKey,
    LocalStorage,
    S3Storage,
    StoredBlob,
    TooLarge,
    s3_client_options,
    send_stored,
    storage,
)
from tests.conftest import make_app, s3_settings

KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}")
PREFIX = "scrutiny/files"


@pytest.fixture(params=["disk", "s3"])
def store(request, tmp_path):
    if request.param == "disk":
        return LocalStorage(tmp_path / "storage")
    endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket")
    settings = s3_settings(endpoint, bucket, PREFIX)
    return S3Storage(bucket, PREFIX, temp_root=tmp_path / "storage", client_options=s3_client_options(settings))


def s3_client(store: S3Storage):
    return boto3.client("s3", **store.client_options)


def everything(store) -> list[str]:
    """Everything the store holds, temporary files included: keys of files
    in place, "tmp/..." for local temporary files, and for S3 anything in
    the bucket outside the prefix (by its full name) and "multipart:" for
    uploads begun and not finished."""
    if isinstance(store, LocalStorage):
        return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
    found = [f"tmp/{p.name}" for p in store.tmp.rglob("*") if p.is_file()] if store.tmp.is_dir() else []
    client = s3_client(store)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
        found += [o["Key"].removeprefix(f"{PREFIX}/") for o in page.get("Contents", [])]
    found += [f"multipart:{u['Key']}" for u in client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])]
    return sorted(found)


def read(store, key: str) -> bytes:
    with store.open(key) as f:
        return f.read()


def stored(store, data: bytes) -> StoredBlob:
    blob = store.put_stream(io.BytesIO(data), max_bytes=len(data))
    store.commit(blob)
    return blob


class RecordingStream(io.RawIOBase):
    """A stream that gives out at most `step` bytes per read and records the
    sizes asked for, as a slow network upload would."""

    def __init__(self, data: bytes, step: int = 1000, fail_after: int | None = None):
        self.data = data
        self.pos = 0
        self.step = step
        self.fail_after = fail_after
        self.requests: list[int] = []

    def readable(self):
        return True

    def read(self, size=-1):
        self.requests.append(size)
        if self.fail_after is not None and self.pos >= self.fail_after:
            raise OSError("client went away")
        size = self.step if size is None or size < 0 else min(size, self.step)
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk


def test_put_commit_open_delete_round_trip(store):
    data = os.urandom(200_000)  # more than three 64 KiB chunks

    blob = store.put_stream(io.BytesIO(data), max_bytes=1_000_000)

    assert isinstance(blob, StoredBlob)
    assert blob.size == len(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert KEY_RE.fullmatch(blob.key)
    # Pending: in tmp, not yet visible under its key.
    assert blob.temp_path.parent == store.tmp
    assert blob.temp_path.read_bytes() == data
    assert not store.exists(blob.key)

    assert store.commit(blob) == blob.key

    assert store.exists(blob.key)
    assert not blob.temp_path.exists()
    assert everything(store) == [blob.key]
    with store.open(blob.key) as f:
        assert f.read() == data
        f.seek(100)  # readers may seek (pypdf does)
        assert f.read(10) == data[100:110]

    store.delete(blob.key)
    assert not store.exists(blob.key)
    assert everything(store) == []
    store.delete(blob.key)  # already gone: no error
    with pytest.raises(FileNotFoundError):
        store.open(blob.key)


def test_each_upload_gets_its_own_random_key(store):
    keys = {store.put_stream(io.BytesIO(b"same bytes"), max_bytes=100).key for _ in range(20)}
    assert len(keys) == 20


def test_streams_in_chunks_and_never_reads_past_the_limit(store):
    data = b"x" * 300_000
    stream = RecordingStream(data, step=10_000)

    blob = store.put_stream(stream, max_bytes=len(data))

    assert blob.size == len(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert max(stream.requests) <= CHUNK_SIZE
    assert all(size > 0 for size in stream.requests)


def test_a_file_exactly_at_the_limit_is_kept(store):
    blob = store.put_stream(io.BytesIO(b"a" * 1000), max_bytes=1000)
    assert blob.size == 1000


def test_too_large_stops_deletes_and_says_the_limit(store):
    stream = RecordingStream(b"a" * 2000, step=300)

    with pytest.raises(TooLarge) as caught:
        store.put_stream(stream, max_bytes=1000)

    assert caught.value.size_limit == 1000
    assert stream.pos <= 1001  # stopped one byte over, did not drain the stream
    assert everything(store) == []


def test_a_failing_stream_leaves_nothing(store):
    with pytest.raises(OSError):
        store.put_stream(RecordingStream(b"a" * 5000, step=1000, fail_after=3000), max_bytes=10_000)
    assert everything(store) == []


def test_discard_leaves_nothing_and_is_safe_to_repeat(store):
    blob = store.put_stream(io.BytesIO(b"pending"), max_bytes=100)

    store.discard(blob)
    store.discard(blob)

    assert everything(store) == []
    assert not store.exists(blob.key)


def test_discard_and_commit_only_touch_this_storages_temp_files(store, tmp_path):
    outsider = tmp_path / "precious.txt"
    outsider.write_text("keep me")
    forged = StoredBlob(key="ab/cd/" + "0" * 32, size=7, sha256="", temp_path=outsider)

    with pytest.raises(ValueError):
        store.discard(forged)
    with pytest.raises(ValueError):
        store.commit(forged)
    assert outsider.read_text() == "keep me"


def test_committing_twice_does_not_overwrite(store):
    blob = store.put_stream(io.BytesIO(b"first"), max_bytes=100)
    store.commit(blob)
    second = store.put_stream(io.BytesIO(b"second"), max_bytes=100)
    clash = StoredBlob(key=blob.key, size=second.size, sha256=second.sha256, temp_path=second.temp_path)

    with pytest.raises(FileExistsError):
        store.commit(clash)

    with store.open(blob.key) as f:
        assert f.read() == b"first"


@pytest.mark.parametrize(
    "key",
    ["../x", "../../etc/passwd", "/etc/passwd", "ab/../../x", "ab/./cd", "tmp/upload.part", "AB/CD",
     "", "ab//cd", "ab/cd/", "ab\\cd", "ab/cd\x00", "ab/cd/ef.pdf", "a" * 201],
)
def test_crafted_keys_are_rejected(store, key):
    where = store._path if isinstance(store, LocalStorage) else store._name
    for call in (where, store.open, store.delete, store.exists, store.local_copy):
        with pytest.raises(InvalidKey):
            result = call(key)
            if hasattr(result, "__enter__"):  # local_copy checks the key when entered
                with result:
                    pass


def test_clean_tmp_removes_only_abandoned_temp_files(store):
    old = store.put_stream(io.BytesIO(b"abandoned"), max_bytes=100)
    fresh = store.put_stream(io.BytesIO(b"in flight"), max_bytes=100)
    long_ago = time.time() - 2 * 24 * 3600
    os.utime(old.temp_path, (long_ago, long_ago))

    assert store.clean_tmp() == 1

    assert not old.temp_path.exists()
    assert fresh.temp_path.exists()


def test_app_storage_uses_storage_dir_and_is_made_once(app):
    with app.app_context():
        first = storage()
        assert first.root == Path(app.config["STORAGE_DIR"]).resolve()
        assert storage() is first
        assert app.extensions["storage"] is first


def test_local_copy_is_a_temporary_copy_for_programs_that_need_a_path(store):
    blob = store.put_stream(io.BytesIO(b"slides"), max_bytes=100)
    store.commit(blob)

    with store.local_copy(blob.key, suffix=".pptx") as copy:
        assert copy.suffix == ".pptx"
        assert copy.read_bytes() == b"slides"
        copy.write_bytes(b"scribbled on")  # the program may write over it: the stored file is not touched

    assert not copy.exists()
    with store.open(blob.key) as f:
        assert f.read() == b"slides"
    with pytest.raises(FileNotFoundError), store.local_copy("ab/cd/" + "0" * 32):
        pass
    assert everything(store) == [blob.key]


def test_nothing_outside_storage_reads_local_paths():
    """Files are read through open() and local_copy(), so an object store can
    replace the disk: nothing outside storage.py asks for a local path."""
    root = Path(__file__).resolve().parent.parent / "scrutiny"
    callers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if p.name != "storage.py" and re.search(r"storage\(\)\.(_?path|root)\b", p.read_text()))
    assert callers == []
    from scrutiny.storage import LocalStorage

    assert not hasattr(LocalStorage, "path")


# -- the object store's own ways -------------------------------------------------


def test_a_large_file_goes_up_in_parts_and_comes_back_whole(store):
    if isinstance(store, S3Storage):  # S3's smallest part is 5 MiB: three parts here
        store.multipart_threshold = store.multipart_chunksize = 5 * 1024 * 1024
    data = os.urandom(11 * 1024 * 1024)

    blob = stored(store, data)

    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(read(store, blob.key)).hexdigest() == blob.sha256
    assert everything(store) == [blob.key]  # no part left over, no temporary file


def test_clean_tmp_aborts_only_abandoned_uploads_under_the_prefix(s3_endpoint, s3_bucket, tmp_path):
    store = S3Storage(s3_bucket, PREFIX, temp_root=tmp_path,
                      client_options=s3_client_options(s3_settings(s3_endpoint, s3_bucket, PREFIX)))
    client = s3_client(store)
    ours = client.create_multipart_upload(Bucket=s3_bucket, Key=f"{PREFIX}/ab/cd/{'1' * 32}")
    client.create_multipart_upload(Bucket=s3_bucket, Key="someone-elses/file")

    # Moto says every upload began in 2010, so both count as abandoned: the
    # test is that only the one under our prefix is aborted.
    assert store.clean_tmp() == 1

    left = client.list_multipart_uploads(Bucket=s3_bucket)["Uploads"]
    assert [u["Key"] for u in left] == ["someone-elses/file"]
    assert ours["UploadId"] not in {u["UploadId"] for u in left}


def _download(app, store, key, *, size, sha256, headers=None, public=False):
    """What a browser would get for the key: status, headers, body."""
    with app.test_request_context("/", headers=headers or {}):
        try:
            response = store.download(key, mimetype="application/pdf", download_name="Café report.pdf",
                                      sha256=sha256, size=size, public=public)
        except NotFound:
            return 404, {}, b""
        body = b"".join(response.response) if response.status_code < 300 else b""
        response.close()
        return response.status_code, response.headers, body


def test_downloads_stream_through_the_app_with_ranges_and_etags(app, store):
    data = os.urandom(300_000)
    blob = stored(store, data)
    kwargs = {"size": blob.size, "sha256": blob.sha256}

    status, headers, body = _download(app, store, blob.key, **kwargs)
    assert status == 200 and body == data
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Length"] == str(len(data))
    assert headers["ETag"] == f'"{blob.sha256}"'
    assert headers["Content-Disposition"] == \
        "attachment; filename=\"Cafe report.pdf\"; filename*=UTF-8''Caf%C3%A9%20report.pdf"

    asked = []
    if isinstance(store, S3Storage):  # what the app asks the store for
        store.client.meta.events.register("before-call.s3.GetObject",
                                          lambda params, **_: asked.append(params.get("headers", {}).get("Range")))
    status, headers, body = _download(app, store, blob.key, headers={"Range": "bytes=200000-200099"}, **kwargs)
    assert status == 206 and body == data[200_000:200_100]
    assert headers["Content-Range"] == f"bytes 200000-200099/{len(data)}"
    if isinstance(store, S3Storage):  # a resumed download fetches from where it resumes
        assert asked == [None, "bytes=200000-"]

    assert _download(app, store, blob.key, headers={"If-None-Match": f'"{blob.sha256}"'}, **kwargs)[0] == 304

    store.delete(blob.key)
    assert _download(app, store, blob.key, **kwargs)[0] == 404
    assert _download(app, store, "../../etc/passwd", **kwargs)[0] == 404


def test_a_public_file_redirects_to_a_short_lived_address_that_serves_it(app, store):
    data = b"%PDF-1.7 a public report"
    blob = stored(store, data)
    kwargs = {"size": blob.size, "sha256": blob.sha256, "public": True}

    status, headers, body = _download(app, store, blob.key, **kwargs)

    if isinstance(store, LocalStorage):  # no address of its own: streamed as any other
        assert (status, body) == (200, data)
        return
    assert status == 302 and headers["Cache-Control"] == "no-store"
    url = headers["Location"]
    assert url.startswith(store.client_options["endpoint_url"]) and "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url) as fetched:
        assert fetched.read() == data
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert "filename*=UTF-8''Caf%C3%A9%20report.pdf" in fetched.headers["Content-Disposition"]
    store.delete(blob.key)
    assert _download(app, store, blob.key, **kwargs)[0] == 404  # no address for a file that is gone


def test_the_presigned_address_lives_as_long_as_the_setting_says(app, s3_endpoint, s3_bucket, database_url,
                                                                 redis_url, tmp_path):
    other = make_app(database_url, redis_url, STORAGE_DIR=str(tmp_path),
                     STORAGE_S3_PRESIGN_SECONDS=60, **s3_settings(s3_endpoint, s3_bucket))
    with other.app_context():
        blob = stored(storage(), b"report")
        with other.test_request_context("/"):
            response = send_stored(blob.key, mimetype="application/pdf", download_name="r.pdf",
                                   sha256=blob.sha256, size=blob.size, public=True)
    assert response.status_code == 302 and "X-Amz-Expires=60" in response.headers["Location"]


def test_storage_url_picks_the_store(app, s3_endpoint, s3_bucket, database_url, redis_url, tmp_path):
    other = make_app(database_url, redis_url, STORAGE_DIR=str(tmp_path), **s3_settings(s3_endpoint, s3_bucket))
    with other.app_context():
        store = storage()
        assert isinstance(store, S3Storage) and storage() is store
        assert (store.bucket, store.prefix, store.tmp) == (s3_bucket, "scrutiny/files", tmp_path.resolve() / "tmp")
        blob = stored(store, b"evidence")
    assert [o["Key"] for o in s3_client(store).list_objects_v2(Bucket=s3_bucket)["Contents"]] == \
        [f"scrutiny/files/{blob.key}"]


@pytest.mark.parametrize("url, says", [
    ("https://bucket/prefix", "must be empty (files in STORAGE_DIR) or like s3://"),
    ("s3://", "names no valid S3 bucket"),
    ("s3://My_Bucket/files", "names no valid S3 bucket"),
    ("s3://bucket:secret@host/files", "names no valid S3 bucket"),
    ("s3://bucket/../other", "prefix '../other' must be folder names"),
    ("s3://bucket/files?x=1", "prefix 'files?x=1' must be folder names"),
])
def test_a_malformed_storage_url_stops_the_start(database_url, redis_url, tmp_path, url, says):
    with pytest.raises(ConfigError, match=re.escape(says)):
        make_app(database_url, redis_url, STORAGE_DIR=str(tmp_path), STORAGE_URL=url)


def test_bad_s3_settings_stop_the_start(database_url, redis_url, tmp_path):
    s3 = {"STORAGE_DIR": str(tmp_path), "STORAGE_URL": "s3://bucket"}
    with pytest.raises(ConfigError, match="STORAGE_S3_PRESIGN_SECONDS must be from 1 to 604800"):
        make_app(database_url, redis_url, STORAGE_S3_PRESIGN_SECONDS=0, **s3)
    with pytest.raises(ConfigError, match="STORAGE_S3_ENDPOINT_URL must be like"):
        make_app(database_url, redis_url, STORAGE_S3_ENDPOINT_URL="minio:9000", **s3)
