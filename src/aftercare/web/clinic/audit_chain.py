"""The audit log's hash chain: each clinic's events are numbered 1, 2, 3 … and each
event's hash covers its own fields and the hash of the event before it.

One chain per clinic, not one for the whole server: clinics never wait on each other to
write, and a clinic's log can be checked (and handed to a regulator) on its own.

The hash covers fields that never change, erasure included: an erased patient's events
keep the patient's id, which once the patient's row is deleted is a pseudonym that names
no one, so the chain still verifies after an erasure.

The invariant every writer keeps (``AuditEvent.save`` and the manager's ``bulk_create``
both go through ``chain``): an event's number and hash are given inside the transaction
that inserts it, after taking the clinic's chain lock and reading the clinic's last
event. A writer that batches events may hold them unsaved for as long as it likes, but
must not number or hash them until it inserts them, and must insert a clinic's batch in
the order it numbered them. The unique (clinic, seq) constraint refuses a fork even if a
writer forgets the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from django.db import connections

__all__ = ["GENESIS", "HASHED_FIELDS", "Link", "chain", "link_hash", "values_of"]

# The "previous hash" of each clinic's first event.
GENESIS = "0" * 64
# Bumped if the hashed fields ever change, so old and new events stay verifiable.
CHAIN_VERSION = 1
HASHED_FIELDS = (
    "seq",
    "clinic_id",
    "at",
    "actor_kind",
    "actor_staff_id",
    "actor_patient_id",
    "actor_key_id",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
)
# pg_advisory_xact_lock(namespace, clinic id): "AUDT", so no other lock collides with it.
LOCK_NAMESPACE = 0x41554454


class Link(Protocol):
    """An event as the chain numbers it (the model ``AuditEvent``, which imports this
    module, so the chain names only what it reads and writes)."""

    clinic_id: int
    seq: int
    chain_hash: str


def link_hash(previous: str, values: dict[str, object]) -> str:
    """The hash of one event: SHA-256 over the previous hash and the event's fields."""
    fields = [CHAIN_VERSION, *(_plain(values[name]) for name in HASHED_FIELDS)]
    payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous}{payload}".encode()).hexdigest()


def chain(events: Sequence[Link], using: str = "default") -> None:
    """Number and hash ``events`` after each clinic's last event. Call inside the
    transaction that inserts them, and insert them in this order."""
    for clinic_id in sorted({event.clinic_id for event in events}):
        _lock(clinic_id, using)
        seq, previous = _tail(clinic_id, using)
        for event in (e for e in events if e.clinic_id == clinic_id):
            seq += 1
            event.seq = seq
            event.chain_hash = link_hash(previous, _values(event))
            previous = event.chain_hash


def _lock(clinic_id: int, using: str) -> None:
    """Hold the clinic's chain until the transaction ends.

    PostgreSQL: an advisory lock per clinic (READ COMMITTED then reads the tail that the
    last holder committed). SQLite: the transaction began IMMEDIATE and already holds the
    database's only write lock, so no other process can append meanwhile.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, clinic_id])


def _tail(clinic_id: int, using: str) -> tuple[int, str]:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT seq, chain_hash FROM clinic_auditevent WHERE clinic_id = %s"
            " ORDER BY seq DESC LIMIT 1",
            [clinic_id],
        )
        row = cursor.fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def _values(event: Any) -> dict[str, object]:
    """The event's hashed fields, each set to the value the database will give back (an
    ``object_id`` of 5 is read back as "5"), so the hash is over what is stored."""
    values = {}
    for name in HASHED_FIELDS:
        value = event._meta.get_field(name).to_python(getattr(event, name))
        setattr(event, name, value)
        values[name] = value
    return values


def _plain(value: object) -> object:
    """A field as the hash sees it: times as UTC to the microsecond, ids as numbers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def values_of(rows: Iterable[tuple[object, ...]]) -> Iterable[dict[str, object]]:
    """Rows selected as ``HASHED_FIELDS`` (in that order), as the hash reads them."""
    for row in rows:
        yield dict(zip(HASHED_FIELDS, row, strict=True))
