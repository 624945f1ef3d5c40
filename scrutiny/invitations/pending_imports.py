"""An uploaded CSV file waiting for the officer's yes to the organisations it
would add.

Kept server-side, in Redis for an hour under a random key, rather than sent
back to the browser in a signed hidden field: the file (up to 1 MB of names
and addresses) makes no second trip and meets no limit on the size of a form
field (Werkzeug's is 500 kB); the record can be taken once, so a double click
cannot import twice; and it names the group and the officer, so its key is no
use to anyone else. The file is parsed and checked again when the officer
says yes: what was true at upload need not be true then.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date

from scrutiny.jobs import redis_connection

LIFETIME_SECONDS = 3600


@dataclass
class PendingImport:
    group_id: int
    user_id: int
    text: str
    questions: str
    deadline: str  # ISO date
    send: bool
    organisations: list[str]  # the names the officer is asked to agree to
    earlier: list[str] = field(default_factory=list)  # public ids of invitations the officer saw, to invite again

    @property
    def deadline_date(self) -> date:
        return date.fromisoformat(self.deadline)


def _key(token: str) -> str:
    return f"scrutiny:pending-import:{token}"


def keep(pending: PendingImport, token: str | None = None) -> str:
    token = token or secrets.token_urlsafe(24)
    redis_connection().set(_key(token), json.dumps(asdict(pending)), ex=LIFETIME_SECONDS)
    return token


def take(token: str, group_id: int, user_id: int) -> PendingImport | None:
    """The upload, removed so it cannot be used twice; None if it has expired,
    was used already, or belongs to another group or officer."""
    if not token or len(token) > 64:
        return None
    raw = redis_connection().getdel(_key(token))
    if raw is None:
        return None
    pending = PendingImport(**json.loads(raw))
    if (pending.group_id, pending.user_id) != (group_id, user_id):
        keep(pending, token)  # still its owner's to confirm
        return None
    return pending
