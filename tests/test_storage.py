"""Local storage: pending blobs, atomic commit, keys that cannot escape the root."""
from __future__ import annotations

import hashlib
import io
import os
import re
import time
from pathlib import Path

import pytest

from scrutiny.storage import (
    CHUNK_SIZE,
    InvalidKey,
    LocalStorage,
    StoredBlob,
    TooLarge,
    storage,
)

KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}")


def files_under(root: Path) -> list[Path]:
    """Every file under root, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path):
    return LocalStorage(tmp_path / "storage")


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
    assert blob.temp_path.parent == store.root / "tmp"
    assert blob.temp_path.read_bytes() == data
    assert not store.exists(blob.key)

    assert store.commit(blob) == blob.key

    assert store.exists(blob.key)
    assert not blob.temp_path.exists()
    assert files_under(store.root) == [store.root / blob.key]
    with store.open(blob.key) as f:
        assert f.read() == data

    store.delete(blob.key)
    assert not store.exists(blob.key)
    assert files_under(store.root) == []
    store.delete(blob.key)  # already gone: no error


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
    assert files_under(store.root) == []


def test_a_failing_stream_leaves_nothing(store):
    with pytest.raises(OSError):
        store.put_stream(RecordingStream(b"a" * 5000, step=1000, fail_after=3000), max_bytes=10_000)
    assert files_under(store.root) == []


def test_discard_leaves_nothing_and_is_safe_to_repeat(store):
    blob = store.put_stream(io.BytesIO(b"pending"), max_bytes=100)

    store.discard(blob)
    store.discard(blob)

    assert files_under(store.root) == []
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
    for call in (store._path, store.open, store.delete, store.exists, store.local_copy):
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
    assert files_under(store.root) == [store.root / blob.key]


def test_nothing_outside_storage_reads_local_paths():
    """Files are read through open() and local_copy(), so an object store can
    replace the disk: nothing outside storage.py asks for a local path."""
    root = Path(__file__).resolve().parent.parent / "scrutiny"
    callers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if p.name != "storage.py" and re.search(r"storage\(\)\.(_?path|root)\b", p.read_text()))
    assert callers == []
    from scrutiny.storage import LocalStorage

    assert not hasattr(LocalStorage, "path")
