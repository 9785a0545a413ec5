"""Group commit for audit events written outside a transaction: the reads of every page.

Each page a person reads writes one audit event, and on SQLite every write takes the one
database-wide write lock. With many request threads, each taking the lock for its own
event while the interpreter lock switches between them, the writers wait on each other
in the database's busy loop, and a busy page slows to a few requests a second.

Instead, a request thread hands its event to this process's one writer thread and waits
until it is committed: the writer takes every event waiting, numbers and hashes them in
their clinics' chains and inserts them in one transaction (``AuditEvent.objects.
bulk_create``), then wakes their requests. Nothing is lost: a request answers only after
its event is committed, as before, so a process killed meanwhile leaves no answered read
unaudited. A failure to write reaches every request of that batch as it would have
reached each alone.

Events written inside a transaction (a change and its audit entry, which must commit
together) never come here, nor do PostgreSQL's, whose writers of different rows do not
queue for one lock.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from aftercare.web.clinic.models import AuditEvent

__all__ = ["MAX_BATCH", "commit"]

# At most this many events in one transaction.
MAX_BATCH = 200


@dataclass(eq=False)
class _Waiting:
    event: AuditEvent
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


_queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
_start = threading.Lock()
_writer: threading.Thread | None = None


def commit(event: AuditEvent) -> None:
    """Insert ``event`` with others waiting, and return once it is committed; raises what
    the insert raised."""
    waiting = _Waiting(event)
    _ensure_writer()
    _queue.put(waiting)
    waiting.done.wait()
    if waiting.error is not None:
        raise waiting.error


def _ensure_writer() -> None:
    global _writer
    if _writer is not None and _writer.is_alive():
        return
    with _start:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_run, name="audit-writer", daemon=True)
            _writer.start()


def _run() -> None:
    while True:
        batch = [_queue.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        _write(batch)


def _write(batch: list[_Waiting]) -> None:
    try:
        close_old_connections()
        AuditEvent.objects.bulk_create([waiting.event for waiting in batch])
    except BaseException as error:  # every waiting request hears of it, the writer goes on
        for waiting in batch:
            waiting.error = error
        connection.close()
    finally:
        for waiting in batch:
            waiting.done.set()
