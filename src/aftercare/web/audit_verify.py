"""Check each clinic's audit chain: the first event changed, removed or inserted, if any."""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.web.clinic.audit_chain import GENESIS, HASHED_FIELDS, link_hash, values_of
from aftercare.web.clinic.models import AuditEvent, Clinic

__all__ = ["ChainReport", "verify_clinic"]

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class ChainReport:
    """One clinic's chain: how many events were checked, the last good one, the first fault."""

    clinic: str
    events: int
    head_seq: int
    head_hash: str
    fault: str = ""

    @property
    def is_intact(self) -> bool:
        return not self.fault

    def __str__(self) -> str:
        if self.fault:
            return f"clinic {self.clinic}: {self.fault}"
        head = f"; last event #{self.head_seq}, hash {self.head_hash}" if self.events else ""
        return f"clinic {self.clinic}: {self.events} events intact{head}"


def verify_clinic(clinic: Clinic) -> ChainReport:
    """Walk ``clinic``'s events in chain order, recomputing each hash from the one before."""
    rows = (
        AuditEvent.objects.filter(clinic=clinic)
        .order_by("seq", "pk")
        .values_list("pk", "chain_hash", *HASHED_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    expected_seq, previous, count = 1, GENESIS, 0
    for row in rows:
        pk, stored, values = row[0], row[1], next(iter(values_of([row[2:]])))
        fault = _fault(values, pk, stored, expected_seq, previous)
        if fault:
            return ChainReport(clinic.slug, count, expected_seq - 1, previous, fault)
        expected_seq, previous, count = expected_seq + 1, str(stored), count + 1
    return ChainReport(clinic.slug, count, expected_seq - 1, previous)


def _fault(
    values: dict[str, object], pk: object, stored: object, expected_seq: int, previous: str
) -> str:
    seq = values["seq"]
    named = f"event #{seq} (id {pk})"
    if seq == expected_seq - 1:
        return f"{named} is a second #{seq}: one of the two was inserted"
    if seq != expected_seq:
        return f"event #{expected_seq} is missing: removed, or renumbered ({named} follows)"
    if link_hash(previous, values) != stored:
        return (
            f"{named} does not match its hash: it was changed or inserted,"
            f" or an event before it was removed"
        )
    return ""
