"""Readers of the public pages, for locust (run by bench.load in a process of
its own: locust patches the standard library with gevent on import, which
must not happen in the process that builds the data and starts gunicorn).

Each reader reads the paths in turn (the review page, then its report PDF,
and round again), pausing between reads as a person does. Settings come from
the environment bench.load passes:

- SCRUTINY_LOAD_PATHS: the paths, separated by spaces;
- SCRUTINY_LOAD_THINK: "low,high" seconds between one read and the next
  (uniform); "0,0" asks as fast as answers come.

Every request says it came through the TLS proxy (X-Forwarded-Proto: https),
as it does in production, where gunicorn trusts that header from 127.0.0.1;
without it a production app answers with a redirect to https.
"""
from __future__ import annotations

import os
import random

from locust import FastHttpUser, between, task

PATHS = os.environ.get("SCRUTINY_LOAD_PATHS", "/static/build/app.css").split()
LOW, HIGH = (float(x) for x in os.environ.get("SCRUTINY_LOAD_THINK", "1,3").split(","))
HEADERS = {"X-Forwarded-Proto": "https"}


class Reader(FastHttpUser):
    wait_time = between(LOW, HIGH)

    def on_start(self):
        # Readers start at different paths, so each level asks for every path alike from its first second.
        self.turn = random.randrange(len(PATHS))

    @task
    def read(self):
        path = PATHS[self.turn % len(PATHS)]
        self.turn += 1
        # Anything but 200 is an error, a redirect too (to sign-in, or to https).
        with self.client.get(path, headers=HEADERS, name=path, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
