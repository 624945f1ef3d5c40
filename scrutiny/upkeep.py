"""The worker's sweep: Redis is only a to-do list, the database the truth.

Run by every worker when it starts and every WORKER_SWEEP_SECONDS after
(`SweepingWorker`), so what Redis lost (it was down when a job was to be
enqueued, or restarted empty) is found again from the database within a
minute, with no worker restart: unsent e-mails, queued builds, comment
digests, every kind of reminder, discussion places offered and not taken in
time, and residents' details past their retention period. Builds whose own heartbeat has stopped
are marked failed. Each step is safe to run again and by several workers at
once: jobs carry fixed ids and check the database when they run.
"""
from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Worker, worker_registration
from rq.exceptions import StopRequested

from scrutiny.extensions import db

log = logging.getLogger(__name__)


def _steps():
    from scrutiny import outbox
    from scrutiny.community.jobs import sweep as community
    from scrutiny.documents.services import sweep as builds
    from scrutiny.findings import comment_digest
    from scrutiny.invitations.services import requeue_lost_reminders
    from scrutiny.responses import reminders as response_reminders, review_reminders

    # In this order because the worker runs what is queued in turn: e-mails
    # (quick, and someone is waiting for them) go before builds (minutes).
    return {"e-mails": outbox.requeue_lost, "comment digests": comment_digest.schedule_overdue,
            "witness reminders": requeue_lost_reminders, "response reminders": response_reminders.requeue_lost,
            "review reminders": review_reminders.requeue_lost,
            "residents' places and details": community, "builds": builds}


def sweep() -> dict[str, int]:
    """Each step's count; a step that fails is logged and the others still run."""
    done = {}
    for name, step in _steps().items():
        try:
            done[name] = step()
        except StopRequested:  # SIGTERM arrived mid-sweep: RQ's own loop must see it, or the worker never stops
            db.session.rollback()
            raise
        except Exception:
            log.exception("sweep: %s failed; the next sweep tries again", name)
            db.session.rollback()
    db.session.remove()  # no transaction held open between sweeps
    if any(done.values()):
        log.info("sweep: %s", ", ".join(f"{count} {name}" for name, count in done.items() if count))
    return done


class SweepingWorker(Worker):
    """An RQ worker that sweeps between jobs (in RQ's maintenance slot, run
    from the same loop as its dequeue, so the worker's `worker_ttl` must let
    that loop come round: see `sweeping_worker`), and that signs on again
    when a Redis restarted empty has forgotten it, so pages and the CLI
    that look for a live worker see it at once."""

    _sweeping = False
    # RQ waits twice as long after each failed reconnection, up to 60 s: a
    # Redis back after half a minute away would leave e-mails and builds
    # waiting up to a minute more. Reconnecting every 5 s at most is cheap.
    max_connection_wait_time = 5.0

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._sweeping = True
        try:
            sweep()
        finally:
            self._sweeping = False

    def _shutdown(self):
        # RQ stops an idle worker by raising StopRequested from the signal
        # handler, wherever the main thread is. In the sweep that can be deep
        # in SQLAlchemy, which wraps it (a mapper "failed to configure"), and
        # the worker never stops. Mid-sweep, ask for the stop RQ's loop
        # checks right after its maintenance instead.
        if self._sweeping:
            self._stop_requested = True
            return
        super()._shutdown()

    def heartbeat(self, timeout=None, pipeline=None):
        try:
            super().heartbeat(timeout, pipeline)
        except RedisConnectionError as err:
            # RQ lets this end a worker that is watching a build: a Redis
            # restart would then orphan the build. Between jobs, the dequeue
            # that follows meets the same error and waits for Redis.
            log.warning("worker %s: heartbeat missed, Redis unreachable: %s", self.name, err)
            return
        if pipeline is None:
            self._sign_on_again()

    def _sign_on_again(self) -> None:
        """Back in the list of workers if Redis has forgotten this one."""
        if self.birth_date is not None and not self.connection.sismember(self.redis_workers_keys, self.key):
            self.connection.hset(self.key, mapping={k: v for k, v in self.serialize().items() if v is not None})
            self.connection.expire(self.key, self.worker_ttl + 60)
            worker_registration.register(self)

    def set_state(self, state, pipeline=None):
        try:
            super().set_state(state, pipeline)
        except RedisConnectionError:  # as below: the dequeue that follows waits for Redis
            pass

    def check_for_suspension(self, burst):
        try:
            super().check_for_suspension(burst)
        except RedisConnectionError:  # RQ would end the worker; its dequeue waits for Redis instead
            pass

    def maintain_heartbeats(self, job, execution):
        try:
            super().maintain_heartbeats(job, execution)  # beats through a pipeline: signs on here
            self._sign_on_again()
        except RedisConnectionError as err:  # as above: the build goes on, and beats in the database
            log.warning("worker %s: job %s heartbeat missed, Redis unreachable: %s", self.name, job.id, err)


def sweeping_worker(queues, connection, every: int, **options) -> SweepingWorker:
    """A worker that sweeps every `every` seconds while idle: RQ's blocking
    dequeue waits worker_ttl - 15 seconds before its loop comes round."""
    return SweepingWorker(queues, connection=connection, maintenance_interval=every, worker_ttl=every + 15,
                          **options)
