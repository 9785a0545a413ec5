"""One message that cannot be sent never stops the others.

The fault is real: a newline stored in one clinic's name (as it was before the forms
refused it) makes Django's own email code raise ``BadHeaderError`` for that clinic's
messages, on the real email transport.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from aftercare.web.clinic.models import (
    AuditEvent,
    Clinic,
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
)
from aftercare.web.reminders.delivery import MAX_ATTEMPTS, backoff
from aftercare.web.reminders.transports import Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW, make_clinic, make_staff
from tests.web.live import aftercare_command, environment
from tests.web.reminder_rows import make_reminder, make_treatment

pytestmark = pytest.mark.usefixtures("now")


def reachable_patient(clinic: Clinic, name: str) -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        given_name=name,
        family_name="Example",
        email=f"{name.lower()}@example.org",
        consent_to_messages=True,
    )


@pytest.fixture
def poisoned(clinic: Clinic, practitioner: StaffMember) -> tuple[list[Reminder], list[Reminder]]:
    """Three good emails for Alpha Clinic, three for a clinic whose name holds a newline."""
    bad = make_clinic("bravo")
    Clinic.objects.filter(pk=bad.pk).update(name="Bravo\r\nBcc: everyone@example.org")
    good_rows, bad_rows = [], []
    for rows, home, staff in ((good_rows, clinic, practitioner), (bad_rows, bad, None)):
        staff = staff or make_staff("bravo-staff", home)
        treatment = make_treatment(reachable_patient(home, "Ann"), staff)
        rows.extend(make_reminder(treatment, f"RM-s:{n}", channel="email") for n in range(3))
    return good_rows, bad_rows


def test_it_sends_the_good_messages_and_records_the_bad_ones(
    poisoned: tuple[list[Reminder], list[Reminder]],
) -> None:
    good, bad = poisoned
    worker = Worker(Transports(), worker_id="alpha")
    worker.drain()
    assert worker.tally == {"sent": 3, "retried": 3}
    assert len(mail.outbox) == 3
    assert all(message.subject == "Your aftercare from Alpha Clinic" for message in mail.outbox)
    for row in bad:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.due_at) == (
            ReminderStatus.SCHEDULED,
            1,
            NOW + backoff(1),
        )
        assert row.last_error.startswith("BadHeaderError: ")
        assert row.leased_by == ""
    assert {row.status for row in Reminder.objects.filter(pk__in=[r.pk for r in good])} == {
        ReminderStatus.SENT
    }


def test_it_fails_a_bad_message_after_the_last_attempt_and_tells_staff(
    poisoned: tuple[list[Reminder], list[Reminder]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, bad = poisoned
    worker = Worker(Transports(), worker_id="alpha")
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        monkeypatch.setattr("aftercare.web.clock.now", lambda moment=moment: moment)
        worker.drain()
        moment += backoff(MAX_ATTEMPTS)
    statuses = Reminder.objects.filter(pk__in=[r.pk for r in bad]).values_list("status", "attempts")
    assert set(statuses) == {(ReminderStatus.FAILED, MAX_ATTEMPTS)}
    told = AuditEvent.objects.filter(action="reminder.failed")
    assert sorted(told.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in bad)
    assert {event.clinic_id for event in told} == {bad[0].patient.clinic_id}


# Run in a child process: 20 due emails for a good clinic, one for a poisoned one, and
# then 20 more for the good clinic behind it.
SETUP = """
import django
django.setup()
from datetime import UTC, datetime, timedelta
from django.contrib.auth.models import User
from django.core.management import call_command
from aftercare.web.clinic.models import *
call_command("migrate", verbosity=0)
now = datetime.now(UTC) - timedelta(minutes=5)
def clinic_with_reminders(slug, name, count, due):
    clinic = Clinic.objects.create(slug=slug, name=name, phone="020 7946 0001", urgent_phone="1")
    staff = StaffMember.objects.create(user=User.objects.create_user(slug), clinic=clinic)
    patient = Patient.objects.create(clinic=clinic, given_name="A", family_name="B",
        email=f"{slug}@example.org", consent_to_messages=True)
    treatment = Treatment.objects.create(patient=patient, treated_at=now,
        time_zone="Europe/London", protocol_id="m", protocol_version="1", created_by=staff)
    Reminder.objects.bulk_create(Reminder(treatment=treatment, patient=patient,
        clinic=patient.clinic, item=f"i:{n}", kind="sunscreen", channel="email",
        due_at=due + timedelta(seconds=n), body="x", idempotency_key=f"{slug}{n:02}",
        protocol_version="1") for n in range(count))
clinic_with_reminders("good", "Good Clinic", 20, now)
clinic_with_reminders("bad", "Bad\\nClinic", 1, now + timedelta(seconds=10))
clinic_with_reminders("late", "Late Clinic", 20, now + timedelta(seconds=11))
"""


def test_worker_once_sends_around_a_poison_message_and_exits_0(tmp_path: Path) -> None:
    env = environment(tmp_path)
    env["AFTERCARE_SECRET_KEY"] = "worker-poison-test-" + "x" * 40
    env["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
    env["AFTERCARE_EMAIL"] = "file"
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=60)
    run = subprocess.run(
        aftercare_command("worker", "--once", "--batch", "7"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0
    # One line for the bad message, with neither a traceback nor the text it carried.
    assert re.fullmatch(r"reminder \d+: not sent, attempt 1\n", run.stderr)
    assert run.stdout == "worker stopped: retried 1, sent 40\n"
    with sqlite3.connect(tmp_path / "aftercare.sqlite3") as db:
        rows = db.execute(
            "SELECT idempotency_key, status, attempts FROM clinic_reminder"
        ).fetchall()
    assert [(status, attempts) for key, status, attempts in rows if key == "bad00"] == [
        ("scheduled", 1)
    ]
    assert len([key for key, status, _ in rows if status == "sent"]) == 40
    mailed = "".join(path.read_text() for path in (tmp_path / "outbox").iterdir())
    assert mailed.count("\nSubject: Your aftercare from ") == 40
    assert "Bad" not in mailed
