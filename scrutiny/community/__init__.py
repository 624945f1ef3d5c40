"""Hearing from residents directly: group discussions they sign up to, and
one-to-one conversations they ask for (see models for what is kept, and for
how long)."""
from scrutiny.community import scheduling  # noqa: F401 - its session hook enqueues jobs after commits
from scrutiny.outbox.jobs import register_preparer

# A resident's e-mails get their manage link when they are sent (see messages.py).
register_preparer(("event_place", "event_waiting", "event_offer", "event_cancelled_place", "event_cancelled"),
                  "scrutiny.community.messages.prepare_email")
