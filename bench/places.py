"""Where a benchmark runs: a temporary folder removed at the end, Redis
(REDIS_URL, or a private redis-server in that folder), and a database of
its own. Every benchmark sets these up the same way."""
from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tests import services


def folder(stack: ExitStack, prefix: str) -> Path:
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))


def redis_url(stack: ExitStack, tmp: Path) -> str:
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    (tmp / "redis").mkdir()
    return stack.enter_context(services.private_redis(tmp / "redis"))


def database_url(stack: ExitStack, directory: Path) -> str:
    """SQLite in `directory`, or a scratch database made beside
    BENCH_DATABASE_URL (and dropped afterwards); never that database itself."""
    directory.mkdir()
    return stack.enter_context(services.scratch_database(os.environ.get("BENCH_DATABASE_URL"), directory))
