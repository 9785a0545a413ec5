"""Reads audited from many request threads at once on SQLite: one writer thread commits
them in batches, each in its clinic's chain, and every caller returns only once its own
event is committed."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection

from aftercare.web import audit
from aftercare.web.audit_verify import verify_clinic
from aftercare.web.clinic.models import AuditEvent, Clinic
from tests.web.conftest import make_clinic

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the writer serves SQLite"),
]

THREADS = 8
EACH = 40


def test_many_threads_reading_at_once_are_all_audited_in_one_unbroken_chain() -> None:
    clinics = [make_clinic("alpha"), make_clinic("beta")]
    start = threading.Barrier(THREADS)
    seen: dict[int, list[bool]] = {}

    def reader(n: int) -> None:
        start.wait()
        committed = []
        for i in range(EACH):
            clinic = clinics[(n + i) % 2]
            audit.record(None, "patient.list", clinic=clinic, object_id=f"{n}:{i}")
            # Committed when record returns: another connection sees it at once.
            committed.append(AuditEvent.objects.filter(object_id=f"{n}:{i}").exists())
        seen[n] = committed

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(all(committed) for committed in seen.values()) and len(seen) == THREADS
    assert AuditEvent.objects.count() == THREADS * EACH
    for clinic in clinics:
        report = verify_clinic(clinic)
        assert (report.events, report.head_seq, report.fault) == (THREADS * EACH // 2,) * 2 + ("",)


def test_a_failed_insert_reaches_its_caller_and_the_writer_goes_on() -> None:
    clinic = make_clinic("alpha")
    gone = Clinic(pk=clinic.pk + 1000, slug="gone", name="Gone")
    with pytest.raises(IntegrityError):
        audit.record(None, "patient.list", clinic=gone)
    audit.record(None, "patient.list", clinic=clinic, object_id="after")
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["after"]
    assert verify_clinic(clinic).fault == ""


def test_inside_a_transaction_the_event_commits_with_the_change() -> None:
    from django.db import transaction

    clinic = make_clinic("alpha")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(None, "patient.update", clinic=clinic, object_id="rolled back")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
