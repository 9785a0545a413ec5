"""``aftercare backup`` and ``restore`` as real processes on a real database (SQLite, or
PostgreSQL when DATABASE_URL is set), with a writer process busy the whole time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from aftercare.web.backup.archive import MAGIC
from tests.web.child_db import ChildDatabase, child_database, run_python

__all__ = ["child_database"]

PASSPHRASE = "correct horse battery staple"
CLINIC = """
from aftercare.web import audit
from aftercare.web.clinic.models import Clinic, Patient
clinic = Clinic.objects.create(slug="alpha", name="Alpha Clinic", phone="1", urgent_phone="2")
patient = Patient.objects.create(clinic=clinic, given_name="Alice", family_name="Patient")
audit.record(None, "patient.create", clinic=clinic, patient=patient, obj=patient)
"""
WRITER = """
import django, sys
from pathlib import Path
django.setup()
from aftercare.web import audit
from aftercare.web.clinic.models import Clinic, Patient
clinic = Clinic.objects.get(slug="alpha")
stop, written = Path(sys.argv[1]), 0
while not stop.exists():
    patient = Patient.objects.create(clinic=clinic, given_name="W", family_name=str(written))
    audit.record(None, "patient.create", clinic=clinic, patient=patient, obj=patient)
    written += 1
print(written)
"""


@pytest.fixture
def restored_database(child_database: ChildDatabase, tmp_path: Path) -> Iterator[ChildDatabase]:
    """A second, empty database to restore into: a new data directory, or a new
    PostgreSQL database beside the test database (dropped afterwards)."""
    target = ChildDatabase(tmp_path / "restored")
    if not child_database.is_postgresql:
        yield target
        return
    name = f"{child_database.url.rsplit('/', 1)[1]}_restored"
    server = child_database.url.rsplit("/", 1)[0]
    with closing(psycopg.connect(f"{server}/postgres", autocommit=True)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        target.url = f"{server}/{name}"
        target.env["DATABASE_URL"] = target.url
        try:
            yield target
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  ")]


def test_a_backup_taken_while_a_process_writes_restores_whole(
    child_database: ChildDatabase, restored_database: ChildDatabase, tmp_path: Path
) -> None:
    run_python(child_database, CLINIC)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)],
        env=child_database.env,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    backup = child_database.aftercare("backup", "-o", str(tmp_path / "clinic.backup"))
    stop.touch()
    written = int(writer.communicate(timeout=60)[0])
    assert backup.returncode == 0, backup.stderr
    restore = restored_database.aftercare("restore", str(tmp_path / "clinic.backup"))
    assert restore.returncode == 0, restore.stderr
    assert "row counts match" in restore.stdout
    assert restore.stdout.endswith("migrations: up to date\n")
    assert table_lines(restore.stdout) == table_lines(backup.stdout)
    patients = next(line for line in table_lines(backup.stdout) if "clinic_patient\t" in line)
    assert 1 < int(patients.split("\t")[1]) < written + 1
    # A torn copy would break the chain: the copy is the database at one moment.
    verify = restored_database.aftercare("audit", "verify")
    assert verify.returncode == 0, verify.stdout
    if not restored_database.is_postgresql:
        with closing(sqlite3.connect(restored_database.sqlite_path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_encrypted_backup_needs_its_passphrase(
    child_database: ChildDatabase, restored_database: ChildDatabase, tmp_path: Path
) -> None:
    run_python(child_database, CLINIC)
    out = tmp_path / "sealed.backup"
    child_database.env["AFTERCARE_BACKUP_PASSPHRASE"] = PASSPHRASE
    backup = child_database.aftercare("backup", "--encrypt", "-o", str(out))
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.startswith(f"backup written: {out} (")
    assert ", encrypted)" in backup.stdout.splitlines()[0]
    data = out.read_bytes()
    assert data.startswith(MAGIC)
    assert b"Alice" not in data
    assert b"clinic_patient" not in data
    refused = restored_database.aftercare("restore", str(out))
    assert (refused.returncode, refused.stderr) == (
        2,
        f"aftercare: error: {out} is encrypted: set AFTERCARE_BACKUP_PASSPHRASE to its"
        " passphrase\n",
    )
    restored_database.env["AFTERCARE_BACKUP_PASSPHRASE"] = "not the passphrase"
    wrong = restored_database.aftercare("restore", str(out))
    assert (wrong.returncode, wrong.stderr) == (
        2,
        "aftercare: error: the passphrase is wrong, or the backup is damaged\n",
    )
    restored_database.env["AFTERCARE_BACKUP_PASSPHRASE"] = PASSPHRASE
    right = restored_database.aftercare("restore", str(out))
    assert right.returncode == 0, right.stderr
    assert table_lines(right.stdout) == table_lines(backup.stdout)


def test_restore_refuses_a_database_with_data_unless_forced(
    child_database: ChildDatabase, tmp_path: Path
) -> None:
    run_python(child_database, CLINIC)
    out = tmp_path / "clinic.backup"
    assert child_database.aftercare("backup", "-o", str(out)).returncode == 0
    refused = child_database.aftercare("restore", str(out))
    assert (refused.returncode, refused.stderr) == (
        2,
        "aftercare: error: the database is not empty: restore into a new one, or add --force\n",
    )
    forced = child_database.aftercare("restore", "--force", str(out))
    assert forced.returncode == 0, forced.stderr
    assert "row counts match" in forced.stdout


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["backup"], "aftercare backup: error: the following arguments are required: -o/--output"),
        (["backup", "-o", "{tmp}"], "aftercare: error: {tmp} already exists: choose a new file"),
        (["backup", "-o", "{tmp}/x/y.backup"], "aftercare: error: {tmp}/x is not a directory"),
        (["backup", "--encrypt", "-o", "{tmp}/a"], "aftercare: error: --encrypt needs the pass"),
        (["restore", "{tmp}/nothing"], "aftercare: error: {tmp}/nothing is not a file"),
        (
            ["restore", "--force", "{tmp}/junk"],
            "aftercare: error: {tmp}/junk is not an Aftercare backup (",
        ),
    ],
)
def test_backup_and_restore_refuse_bad_input_in_one_line(
    child_database: ChildDatabase, tmp_path: Path, args: list[str], error: str
) -> None:
    (tmp_path / "junk").write_text("not a backup")
    done = child_database.aftercare(*(arg.format(tmp=tmp_path) for arg in args))
    assert done.returncode == 2
    assert done.stderr.startswith(error.format(tmp=tmp_path))
    assert done.stderr.count("\n") == 1


def test_backup_says_how_to_get_pg_dump_when_it_is_missing(
    child_database: ChildDatabase, tmp_path: Path
) -> None:
    if not child_database.is_postgresql:
        pytest.skip("PostgreSQL's client tools")
    child_database.env["PATH"] = str(tmp_path)
    done = child_database.aftercare("backup", "-o", str(tmp_path / "clinic.backup"))
    assert done.returncode == 2
    assert done.stderr.startswith("aftercare: error: pg_dump is not installed: install the ")
    assert "(Debian: apt install postgresql-client-" in done.stderr
