""""Email me a new link": witnesses and responders alike, one form.

The request does the same work whatever address is typed, so neither its
time nor its answer tells which addresses have invitations: it enqueues one
job, and the worker looks the address up (`send_links`) and records the
e-mails in the outbox, which mints each link when it sends it.
"""
from __future__ import annotations

import logging

from flask import current_app
from redis.exceptions import RedisError
from rq import Retry

from scrutiny import jobs
from scrutiny.invitations import services as invitations
from scrutiny.responses import sending

log = logging.getLogger(__name__)

JOB = "scrutiny.portal.new_link.send_links"
DESCRIPTION = "new link request"


def request_links(address: str) -> None:
    """Whatever the address, the same answer and the same work here."""
    address = address.strip().lower()
    try:
        # Described without the address, and dropped once done: no list of
        # typed addresses builds up in the worker's log or in Redis.
        intervals = current_app.config["MAIL_RETRY_INTERVALS"]
        jobs.queue().enqueue(JOB, address, result_ttl=0, description=DESCRIPTION,
                             retry=Retry(max=len(intervals), interval=intervals))
    except RedisError as err:  # the outbox rows outlive Redis; a starting worker sends them
        log.warning("new link job not enqueued, queued directly: %s", err.__class__.__name__)
        with jobs.quietly():
            send_links(address)


def send_links(address: str) -> int:
    """The worker's half: a fresh link for every live invitation and response
    request sent to this address. Returns how many."""
    return invitations.request_new_link(address) + sending.request_new_links(address)
