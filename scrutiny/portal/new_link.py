""""Email me a new link": witnesses and responders alike, one form.

The request does the same work whatever address is typed, so neither its
time nor its answer tells which addresses have invitations: it enqueues one
job, and the worker looks the address up (`send_links`) and records the
e-mails in the outbox, which mints each link when it sends it.
"""
from __future__ import annotations

import logging


from scrutiny import jobs
from scrutiny.invitations import services as invitations
from scrutiny.responses import sending

log = logging.getLogger(__name__)

JOB = "scrutiny.portal.new_link.send_links"
DESCRIPTION = "new link request"


def request_links(address: str) -> None:
    """Whatever the address, the same answer and the same work here."""
    jobs.for_any_address(JOB, address.strip().lower(), DESCRIPTION, send_links)


def send_links(address: str) -> int:
    """The worker's half: a fresh link for every live invitation and response
    request sent to this address. Returns how many."""
    return invitations.request_new_link(address) + sending.request_new_links(address)
