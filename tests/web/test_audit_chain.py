"""The audit log's hash chain: numbered per clinic, tamper shows, and two processes
appending at once never fork it. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from aftercare.cli import main
from aftercare.web import audit
from aftercare.web.audit_verify import verify_clinic
from aftercare.web.clinic.models import AuditEvent, Clinic, Patient, StaffMember
from tests.web.child_db import ChildDatabase, child_database, run_python

__all__ = ["child_database"]

pytestmark = pytest.mark.usefixtures("now")


def record_views(clinic: Clinic, patient: Patient, count: int) -> list[AuditEvent]:
    return [
        audit.record(None, "patient.view", clinic=clinic, patient=patient, obj=patient)
        for _ in range(count)
    ]


def tamper(sql: str, params: list[object]) -> None:
    """What someone with the database's password could do: raw SQL, the guard turned off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser's way round every trigger, for this transaction only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_it_numbers_each_clinics_events_from_one(
    clinic: Clinic, patient: Patient, outsider: StaffMember
) -> None:
    ours = record_views(clinic, patient, 3)
    theirs = audit.record(None, "patient.list", clinic=outsider.clinic)
    assert [event.seq for event in ours] == [1, 2, 3]
    assert theirs.seq == 1
    assert len({event.chain_hash for event in ours}) == 3
    assert str(verify_clinic(clinic)).startswith(
        f"clinic alpha: 3 events intact; last event #3, hash {ours[2].chain_hash}"
    )


def test_a_batch_is_chained_in_order_after_the_last_event(clinic: Clinic, patient: Patient) -> None:
    record_views(clinic, patient, 2)
    batch = [
        AuditEvent(clinic=clinic, actor_kind="system", action=f"batch.{n}", outcome="allowed")
        for n in range(3)
    ]
    AuditEvent.objects.bulk_create(batch)
    assert [event.seq for event in batch] == [3, 4, 5]
    assert verify_clinic(clinic).is_intact


@pytest.mark.parametrize(
    ("sql", "fault"),
    [
        (
            "UPDATE clinic_auditevent SET action = 'tampered' WHERE seq = 3 AND clinic_id = %s",
            "event #3 (id {id3}) does not match its hash: it was changed or inserted",
        ),
        (
            "UPDATE clinic_auditevent SET patient_id = NULL WHERE seq = 2 AND clinic_id = %s",
            "event #2 (id {id2}) does not match its hash",
        ),
        (
            "DELETE FROM clinic_auditevent WHERE seq = 3 AND clinic_id = %s",
            "event #3 is missing: removed, or renumbered (event #4 (id {id4}) follows)",
        ),
        (
            "INSERT INTO clinic_auditevent (clinic_id, seq, chain_hash, actor_kind, action,"
            " object_type, object_id, outcome, request_id, at)"
            " VALUES (%s, 6, 'made-up', 'system', 'x', '', '', 'allowed', '', '2026-01-01')",
            "event #6 (id ",
        ),
    ],
    ids=["changed", "patient-removed", "removed", "inserted"],
)
def test_audit_verify_names_the_first_event_tampered_with_by_raw_sql(
    clinic: Clinic,
    patient: Patient,
    sql: str,
    fault: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = record_views(clinic, patient, 5)
    assert main(["audit", "verify"]) == 0
    tamper(sql, [clinic.pk])
    ids = {f"id{event.seq}": event.pk for event in events}
    assert main(["audit", "verify", "--clinic", "alpha"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("clinic alpha: 5 events intact")
    assert out[1].startswith(f"clinic alpha: {fault.format(**ids)}")


def test_audit_verify_refuses_an_unknown_clinic_in_one_line(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify", "--clinic", "nowhere"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "aftercare: error: --clinic: no clinic has the slug 'nowhere'\n"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clinic_auditevent SET action = 'tampered' WHERE clinic_id = %s",
        "DELETE FROM clinic_auditevent WHERE clinic_id = %s",
    ],
)
def test_postgresql_refuses_update_and_delete_on_the_audit_log(
    clinic: Clinic, patient: Patient, sql: str
) -> None:
    record_views(clinic, patient, 2)
    refused = pytest.raises(DatabaseError, match="the audit log is append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [clinic.pk])
    assert AuditEvent.objects.filter(clinic=clinic, action="patient.view").count() == 2


CLINIC = """
from aftercare.web.clinic.models import Clinic
Clinic.objects.create(slug="alpha", name="Alpha Clinic", phone="1", urgent_phone="2")
"""
# The children start together when the file named by their argument appears: a file, not a
# time, since each process's clock may be faked from its own start.
APPEND = """
import sys, time
from pathlib import Path
from aftercare.web import audit
from aftercare.web.clinic.models import Clinic
clinic = Clinic.objects.get(slug="alpha")
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.001)
for n in range({count}):
    audit.record(None, "patient.list", clinic=clinic, object_id=n)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_appending_at_once_never_fork_the_chain(
    child_database: ChildDatabase, tmp_path: Path
) -> None:
    run_python(child_database, CLINIC)
    script = f"import django\ndjango.setup()\n{APPEND.format(count=150)}"
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go)],
            env=child_database.env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(2)  # both set up and waiting
    go.touch()
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0], errors
    done = child_database.aftercare("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("clinic alpha: 300 events intact; last event #300")
