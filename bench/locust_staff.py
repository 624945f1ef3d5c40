"""Signed-in readers and uploading witnesses, for locust (run by
bench.load_staff through bench.load.run_locust, in a process of its own:
locust patches the standard library with gevent on import).

SCRUTINY_LOAD_ROLE picks who runs:

- "reader" (default): staff who sign in on start as a person does (GET
  /sign-in, its CSRF token, POST), each as an account of its own from
  SCRUTINY_LOAD_ACCOUNTS (e-mail addresses, separated by spaces; password
  SCRUTINY_LOAD_PASSWORD), then read SCRUTINY_LOAD_PATHS in turn, pausing
  SCRUTINY_LOAD_THINK ("low,high") seconds between reads;
- "witness": each takes one link of SCRUTINY_LOAD_WITNESSES (a JSON file of
  {"token", "file", "name"}), presses the button behind it, starts a draft,
  and once every witness has a draft open they all upload their file at the
  same moment, then submit. The last to finish stops the run. Steps are
  named with their number in the journey, so locust's table lists them in
  order.

Every request says it came through the TLS proxy (X-Forwarded-Proto:
https), as in production. The session cookie is Secure there, so a cookie
jar keeps it off loopback http: each user keeps its cookies itself, as a
browser behind the proxy would.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser
from urllib3 import encode_multipart_formdata

ROLE = os.environ.get("SCRUTINY_LOAD_ROLE", "reader")
PATHS = os.environ.get("SCRUTINY_LOAD_PATHS", "/static/build/app.css").split()
LOW, HIGH = (float(x) for x in os.environ.get("SCRUTINY_LOAD_THINK", "1,3").split(","))
ACCOUNTS = os.environ.get("SCRUTINY_LOAD_ACCOUNTS", "").split()
PASSWORD = os.environ.get("SCRUTINY_LOAD_PASSWORD", "")
WITNESS_FILE = os.environ.get("SCRUTINY_LOAD_WITNESSES", "")
GATHER_SECONDS = 120  # a witness not at the upload step by then: the others go without it
HEADERS = {"X-Forwarded-Proto": "https"}
# As bench/pages.py reads it: the form's hidden token, attributes in either order.
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

_numbers = itertools.count()


class Refused(Exception):
    """A step did not answer as a browser expects; the user's journey stops."""


def _token(page: str) -> str:
    match = CSRF_RE.search(page)
    if not match:
        raise Refused("no CSRF token on the page")
    return match.group(1) or match.group(2)


def _why(response) -> str:
    """HTTP and its status, or what stopped the request (status 0: no answer)."""
    error = getattr(response, "error", None)
    return f"HTTP {response.status_code}" if response.status_code or not error else f"no answer: {error!r}"


class _Browser(FastHttpUser):
    abstract = True

    def on_start(self):
        self.cookies: dict[str, str] = {}

    def headers(self, **more: str) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**HEADERS, **({"Cookie": cookie} if cookie else {}), **more}

    def keep_cookies(self, response) -> None:
        for header in (response.headers.get_all("set-cookie", []) if response.headers else []):
            name, _, value = header.split(";", 1)[0].strip().partition("=")
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)

    def page(self, path: str, name: str, last: bool = False, text: bool = True) -> str:
        """GET a page that must answer 200; its text (if `text`: a reader has
        no use for the library's megabytes decoded). `last`: the connection
        closes after it, as it would before a long pause (gunicorn closes a
        connection idle for 2 s, and a POST sent on one it has closed gets no
        answer: a browser opens a new one)."""
        headers = self.headers(**({"Connection": "close"} if last else {}))
        with self.client.get(path, headers=headers, name=name, allow_redirects=False,
                             catch_response=True) as response:
            self.keep_cookies(response)
            if response.status_code != 200:
                response.failure(_why(response))
                raise Refused(f"GET {name}: {response.status_code}")
            return response.text if text else ""

    def post(self, path: str, name: str, body, content_type: str | None = None) -> str:
        """POST a form that must answer with a redirect; where it sends us."""
        headers = self.headers(**({"Content-Type": content_type} if content_type else {}))
        with self.client.post(path, data=body, headers=headers, name=name, allow_redirects=False,
                              catch_response=True) as response:
            self.keep_cookies(response)
            location = response.headers.get("Location") if response.headers else None
            if response.status_code != 302 or not location:
                response.failure(_why(response) + ", not a redirect")
                raise Refused(f"POST {name}: {response.status_code}")
            parts = urlsplit(location)  # relative, or absolute on the app's own host
            return parts.path + (f"?{parts.query}" if parts.query else "")


class StaffReader(_Browser):
    abstract = ROLE != "reader"
    wait_time = between(LOW, HIGH)

    def on_start(self):
        super().on_start()
        email = ACCOUNTS[next(_numbers) % len(ACCOUNTS)]
        try:
            token = _token(self.page("/sign-in", "GET /sign-in"))
            self.post("/sign-in", "POST /sign-in", {"csrf_token": token, "email": email, "password": PASSWORD})
        except Refused:
            raise StopUser() from None  # counted as a failure; a reader who cannot sign in reads nothing
        self.turn = random.randrange(len(PATHS))
        # Readers begin at different moments, as in the steady state, not all at the stroke of sign-in.
        gevent.sleep(random.uniform(0, HIGH))

    @task
    def read(self):
        path = PATHS[self.turn % len(PATHS)]
        self.turn += 1
        try:
            self.page(path, path, text=False)
        except Refused:
            pass  # counted as a failure; the reader goes on reading


class _Gathering:
    """Witnesses wait here until every one has a draft open, then upload at once."""

    def __init__(self, expected: int):
        self.expected, self.arrived, self.finished = expected, 0, 0
        self.all_here = Event()

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_here.set()
        self.all_here.wait(GATHER_SECONDS)

    def leave(self, runner, arrived: bool) -> None:
        self.finished += 1
        if not arrived:  # stopped before the upload: the others need not wait for it
            self.arrived += 1
            if self.arrived >= self.expected:
                self.all_here.set()
        if self.finished >= self.expected and runner is not None:
            # locust writes its CSV once a second and not again on quitting: wait for one more write.
            gevent.spawn_later(2.5, runner.quit)


WITNESSES = json.loads(Path(WITNESS_FILE).read_text()) if WITNESS_FILE else []
_gathering = _Gathering(len(WITNESSES))
_spawned = Event()


@events.spawning_complete.add_listener
def _all_spawned(user_count, **kwargs):
    # Statistics are reset when the last user is spawned (--reset-stats):
    # witnesses start after that, so none of their few requests is lost.
    _spawned.set()


class Witness(_Browser):
    abstract = ROLE != "witness"
    wait_time = between(0, 0)

    @task
    def give_evidence(self):
        me = WITNESSES[next(_numbers) % len(WITNESSES)]
        arrived = False
        _spawned.wait(GATHER_SECONDS)
        try:
            start = f"/portal/start/{me['token']}"
            token = _token(self.page(start, "1 GET /portal/start/[token]"))
            landing = self.post(start, "2 POST /portal/start/[token] (the button)", {"csrf_token": token})
            token = _token(self.page(landing, "3 GET /portal/invitations/[id]"))
            draft = self.post(f"{landing}/evidence", "4 POST /portal/invitations/[id]/evidence (draft)",
                              {"csrf_token": token})
            token = _token(self.page(draft, "5 GET /portal/evidence/[id]", last=True))
            content = Path(me["file"]).read_bytes()
            arrived = True
            _gathering.arrive()
            body, content_type = encode_multipart_formdata([
                ("csrf_token", token), ("title", f"Evidence from {me['name']}"), ("kind", "written"),
                ("summary", "Our evidence, in the attached PDF."),
                ("check", "Save and check before submitting"),
                ("files", (Path(me["file"]).name, content, "application/pdf"))])
            check = self.post(draft, "6 POST /portal/evidence/[id] (upload, all at once)", body, content_type)
            token = _token(self.page(check, "7 GET /portal/evidence/[id]/submit"))
            self.post(check, "8 POST /portal/evidence/[id]/submit", {"csrf_token": token, "notice_confirmed": "y"})
        except Refused:
            pass  # counted as a failure where it happened
        finally:
            _gathering.leave(self.environment.runner, arrived)
        raise StopUser()
