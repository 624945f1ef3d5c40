"""The outbox: e-mail to anyone (witnesses, staff, organisations), recorded
first and sent by a worker with retries. See `services` for the pattern."""
from scrutiny.outbox.services import enqueue, queue, queue_email, requeue_lost  # noqa: F401
