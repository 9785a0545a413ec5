"""``aftercare worker``: flags, ``--once``, and SIGTERM in the middle of a batch."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftercare.cli import main
from aftercare.web.clinic.models import Patient, Reminder, ReminderStatus, StaffMember
from tests.web.live import aftercare_command, environment
from tests.web.reminder_fakes import WebhookSink, webhook_sink
from tests.web.reminder_rows import make_reminder, make_treatment

# Run in a child process: a database of 30 due text messages, for a worker to send.
SETUP = """
import os, django
django.setup()
from datetime import UTC, datetime
from django.contrib.auth.models import User
from django.core.management import call_command
from aftercare.web.clinic.models import *
call_command("migrate", verbosity=0)
clinic = Clinic.objects.create(slug="a", name="A", phone="020 7946 0001", urgent_phone="1")
staff = StaffMember.objects.create(user=User.objects.create_user("p"), clinic=clinic)
patient = Patient.objects.create(clinic=clinic, given_name="A", family_name="B",
    mobile="+447700900123", consent_to_messages=True)
now = datetime.now(UTC)
treatment = Treatment.objects.create(patient=patient, treated_at=now, time_zone="Europe/London",
    protocol_id="m", protocol_version="1", created_by=staff)
Reminder.objects.bulk_create(Reminder(treatment=treatment, patient=patient, clinic=clinic,
    item=f"i:{n}",
    kind="sunscreen", channel="sms", due_at=now, body="x", idempotency_key=f"k{n:02}",
    protocol_version="1") for n in range(30))
"""


pytestmark = pytest.mark.usefixtures("now")


@pytest.mark.parametrize(
    "flags",
    [["--batch", "0"], ["--lease-seconds", "soon"], ["--poll-seconds", "-1"], ["--bogus"]],
)
def test_it_refuses_bad_flags_in_one_line(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["worker", *flags])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith(("aftercare worker: error: ", "aftercare: error: "))
    assert error.count("\n") == 1


def test_once_drains_what_is_due_and_exits(
    patient: Patient, practitioner: StaffMember, capsys: pytest.CaptureFixture[str]
) -> None:
    Patient.objects.filter(pk=patient.pk).update(
        consent_to_messages=True, email="alice@example.org"
    )
    patient.refresh_from_db()
    treatment = make_treatment(patient, practitioner)
    for n in range(12):
        make_reminder(treatment, f"RM-a:{n}", channel="email")
    later = make_reminder(treatment, "RM-later:1", channel="email", due_after=timedelta(hours=1))
    assert main(["worker", "--once", "--batch", "5"]) == 0
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 12
    later.refresh_from_db()
    assert later.status == ReminderStatus.SCHEDULED
    assert capsys.readouterr().out.endswith("worker stopped: sent 12\n")


@pytest.fixture
def slow_sink() -> Iterator[WebhookSink]:
    with webhook_sink(delay=0.15) as sink:
        yield sink


def test_sigterm_finishes_the_message_in_hand_and_exits(
    tmp_path: Path, slow_sink: WebhookSink
) -> None:
    env = environment(tmp_path)
    env["AFTERCARE_SECRET_KEY"] = "worker-cli-test-" + "x" * 40
    env["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=60)
    env["AFTERCARE_SMS_WEBHOOK_URL"] = slow_sink.url
    worker = subprocess.Popen(
        aftercare_command("worker", "--batch", "30"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(slow_sink.keys) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=10)
    assert worker.returncode == 0, err
    with sqlite3.connect(tmp_path / "aftercare.sqlite3") as db:
        rows = db.execute(
            "SELECT idempotency_key, status, leased_by FROM clinic_reminder"
            " ORDER BY idempotency_key"
        ).fetchall()
    sent = [key for key, status, _ in rows if status == "sent"]
    assert 3 <= len(sent) < 30
    assert sorted(slow_sink.keys) == sent
    assert all(leased == "" for _, status, leased in rows if status == "scheduled")
    assert out == f"worker stopped: sent {len(sent)}\n"
