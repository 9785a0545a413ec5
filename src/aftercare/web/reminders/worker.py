"""The reminder worker: claim due rows with a lease (``claim``), deliver each (``delivery``).

Any number of workers may run against one database. A claim is a lease: PostgreSQL locks
the rows it takes with ``FOR UPDATE SKIP LOCKED``; SQLite, which has one writer at a time,
takes them with one guarded UPDATE. Every outcome is written only while the lease is still
ours (``WHERE leased_by = me``), so a worker that stalled past its lease cannot overwrite
the work of the one that took over. A worker killed mid-batch leaves its rows to expire
and be claimed again: at least once, with the idempotency key for the provider to dedupe.
Logs carry reminder ids only, never addresses or message text.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections import Counter
from datetime import timedelta

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from aftercare.web import clock
from aftercare.web.clinic.models import WorkerBeat
from aftercare.web.reminders.claim import claim, release
from aftercare.web.reminders.delivery import SentMarks, deliver
from aftercare.web.reminders.optout import optout_url
from aftercare.web.reminders.transports import SEND_DEADLINE_SECONDS, Transports

__all__ = [
    "Worker",
    "database_backoff",
    "new_worker_id",
    "relax_commits",
    "send_deadline",
    "supervise",
]

log = logging.getLogger("aftercare.worker")

# While the database is unreachable: how soon to try again, doubling up to the last.
DATABASE_RETRY_FIRST = 0.5
DATABASE_RETRY_LAST = 10.0
# Asked to stop, a worker waits this long for the message in hand before cutting it off.
STOP_GRACE_SECONDS = 1.0
# How often a running worker records that it is alive (``WorkerBeat``).
BEAT_SECONDS = 10.0
# Stop starting new messages once this share of the lease has gone; with each send cut off
# after a quarter of the lease at most (``send_deadline``), nobody else can claim a row
# while we still hold it in hand.
_LEASE_SHARE = 0.7


def relax_commits() -> None:
    """In a process that only sends reminders: PostgreSQL commits without waiting for the
    disk (``synchronous_commit = off``) on every connection it opens.

    Each sent message is marked in a commit of its own, and waiting for the disk is most
    of that commit's cost. If the database server itself crashes, the last fraction of a
    second of marks may be lost, and those messages are sent again with the same
    idempotency key: a duplicate the provider can drop, never a lost message. Not for the
    web process, whose writes (a patient's check-in) must be durable when acknowledged.
    """
    connection_created.connect(_relax, dispatch_uid="aftercare.worker.relax_commits")
    if connection.connection is not None:
        _relax(sender=None, connection=connection)


def _relax(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def send_deadline(lease: timedelta) -> float:
    """Seconds one message may take to send: 15, or a quarter of a shorter lease."""
    return min(SEND_DEADLINE_SECONDS, lease.total_seconds() / 4)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Worker:
    """The loop: claim a batch, deliver it, sleep when nothing is due; stops when asked."""

    def __init__(
        self,
        transports: Transports,
        *,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=60),
        poll_seconds: float = 5.0,
        worker_id: str | None = None,
    ) -> None:
        self.transports = transports
        self.batch = batch
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or new_worker_id()
        self.tally: Counter[str] = Counter()
        self._beaten = -BEAT_SECONDS
        self._stopping = threading.Event()
        # Load the URL configuration (which opt-out addresses need) while starting, not
        # while the first message waits.
        optout_url(0, "email")

    def stop(self) -> None:
        """Finish the message in hand, give back the rest, and return from ``run``. A
        message still not sent after a few seconds is cut short, to be retried later: a
        deployment's stop never waits on a slow provider."""
        self._stopping.set()
        abort = getattr(self.transports, "abort", None)
        if abort is not None:
            abort(STOP_GRACE_SECONDS)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep, waking at once when asked to stop."""
        self._stopping.wait(seconds)

    def run_batch(self) -> int:
        """Claim and deliver one batch; the number of reminders claimed."""
        claimed = claim(self.batch, self.worker_id, clock.now(), self.lease)
        if not claimed:
            return 0
        deadline = time.monotonic() + self.lease.total_seconds() * _LEASE_SHARE
        disabled: set[tuple[int, str]] = set()
        marks = SentMarks()
        for index, reminder in enumerate(claimed):
            if self.stopping or time.monotonic() > deadline:
                release(claimed[index:], self.worker_id)
                break
            outcome = deliver(
                reminder, self.worker_id, self.transports, clock.now(), disabled, marks
            )
            self.tally[outcome] += 1
        return len(claimed)

    def drain(self) -> None:
        """Deliver everything due now, then return (``aftercare worker --once``)."""
        WorkerBeat.beat(clock.now())
        while not self.stopping and self.run_batch():
            pass

    def beat(self) -> None:
        """Tell ``/healthz`` this worker is going round, at most every few seconds."""
        moment = time.monotonic()
        if moment - self._beaten >= BEAT_SECONDS:
            WorkerBeat.beat(clock.now())
            self._beaten = moment

    def run(self) -> None:
        """Send until stopped. When the database goes away, wait for it with backoff and
        carry on: rows leased before the outage come back once their lease expires."""
        outages = 0
        while not self.stopping:
            try:
                self.beat()
                claimed = self.run_batch()
            except (OperationalError, InterfaceError) as error:
                outages += 1
                wait = database_backoff(outages)
                log.warning(
                    "database unavailable (%s); retrying in %gs", type(error).__name__, wait
                )
                _forget_connection()
                self._stopping.wait(wait)
                continue
            if outages:
                log.warning("database back after %s failed attempts", outages)
                outages = 0
            if not claimed:
                self._stopping.wait(self.poll_seconds)


def database_backoff(outages: int) -> float:
    """Seconds to wait after the ``outages``-th failed attempt: 0.5, 1, 2, … up to 10."""
    return float(min(DATABASE_RETRY_FIRST * (1 << min(outages - 1, 8)), DATABASE_RETRY_LAST))


def _forget_connection() -> None:
    """Drop a broken connection, so the next query opens a fresh one."""
    try:
        connection.close()
    except DatabaseError:
        connection.connection = None


def supervise(worker: Worker, restart_seconds: float = 5.0) -> None:
    """Run ``worker`` until it is stopped, starting it again if anything ever ends it
    (the worker inside ``aftercare serve``: no one else would notice it had died)."""
    while not worker.stopping:
        try:
            worker.run()
        except Exception:
            log.exception("the reminder worker stopped; restarting in %gs", restart_seconds)
            worker.wait(restart_seconds)
        finally:
            _forget_connection()
