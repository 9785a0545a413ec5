"""A mail server cannot hold a message past the worker's lease, and SIGTERM is honoured
mid-send: against a real mail server on loopback that drips one reply line a second."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from aftercare.web.clinic.models import Patient, ReminderStatus, StaffMember
from aftercare.web.reminders.delivery import backoff
from aftercare.web.reminders.transports import (
    EmailTransport,
    OutgoingMessage,
    TemporaryError,
    Transports,
)
from aftercare.web.reminders.worker import Worker, send_deadline
from tests.web.conftest import NOW
from tests.web.live import aftercare_command, environment
from tests.web.mail_server import MailServer
from tests.web.reminder_rows import make_reminder, make_treatment
from tests.web.test_worker_cli import SETUP

# Deadlines here are waits between threads, measured on the machine's monotonic clock:
# libfaketime moves that clock but not the kernel's timed waits, so these run on the real
# clock only. They decide nothing by the date.
pytestmark = pytest.mark.machine_clock

SLOW = OutgoingMessage("email", "slow@example.org", "Your aftercare", "Sunscreen today.\n", "k-1")
GOOD = OutgoingMessage("email", "good@example.org", "Your aftercare", "Sunscreen today.\n", "k-2")


def by_smtp(settings: Settings, server: MailServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture
def mail_server(request: pytest.FixtureRequest, settings: Settings) -> Iterator[MailServer]:
    server = MailServer(getattr(request, "param", "recipient"))
    by_smtp(settings, server)
    yield server
    server.close()


@pytest.mark.parametrize("mail_server", ["greeting", "recipient"], indirect=True)
def test_it_gives_up_on_a_dripping_mail_server_at_the_deadline(mail_server: MailServer) -> None:
    # Each line comes within a second, well inside the read timeout: only the total
    # deadline ends the exchange.
    transport = EmailTransport(deadline=3)
    start = time.monotonic()
    with pytest.raises(TemporaryError, match=r"^mail server took longer than 3 s$"):
        transport.send(SLOW)
    took = time.monotonic() - start
    print(f"slow-drip mail server ({mail_server.drip_at}):", json.dumps({"took": round(took, 2)}))
    # Cut at the deadline: the slack is for a loaded machine's thread scheduling, and is
    # far below what the dripping server would hold it for.
    assert 3 <= took < 6
    # The same transport sends the next message, on a fresh connection.
    transport.send(GOOD)
    assert [recipients for recipients, _ in mail_server.delivered] == [["good@example.org"]]
    assert b"Sunscreen today." in mail_server.delivered[0][1]
    # The server notices the cut at its next line, a second or so after it.
    assert mail_server.longest_hold() < 3 + 4


@pytest.mark.django_db
@pytest.mark.usefixtures("now")
def test_the_worker_records_the_cut_and_sends_the_next_message(
    mail_server: MailServer, patient: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    Patient.objects.filter(pk=patient.pk).update(consent_to_messages=True, email=SLOW.to)
    Patient.objects.filter(pk=other_patient.pk).update(consent_to_messages=True, email=GOOD.to)
    slow = make_reminder(make_treatment(patient, practitioner), channel="email")
    good = make_reminder(make_treatment(other_patient, practitioner), channel="email")
    # A lease of 12 s: each message may take 3 s (``aftercare worker --lease-seconds 12``).
    lease = timedelta(seconds=12)
    worker = Worker(Transports(deadline=send_deadline(lease)), lease=lease, worker_id="alpha")
    start = time.monotonic()
    worker.drain()
    took = time.monotonic() - start
    figures = {"took": round(took, 2), **worker.tally}
    print("slow-drip mail server, worker:", json.dumps(figures))
    # Well inside the 12 s lease, with slack for a loaded machine.
    assert 3 <= took < 7
    assert worker.tally == {"retried": 1, "sent": 1}
    slow.refresh_from_db()
    good.refresh_from_db()
    assert (slow.status, slow.attempts, slow.leased_by) == (ReminderStatus.SCHEDULED, 1, "")
    assert slow.last_error == "mail server took longer than 3 s"
    assert slow.due_at == NOW + backoff(1)
    assert good.status == ReminderStatus.SENT
    assert [recipients for recipients, _ in mail_server.delivered] == [[GOOD.to]]


# The worker CLI's database of 30 due messages, by email to the slow recipient.
EMAIL_SETUP = SETUP.replace('mobile="+447700900123"', f'email="{SLOW.to}"').replace(
    'channel="sms"', 'channel="email"'
)


def test_sigterm_mid_send_stops_the_worker_within_seconds(
    tmp_path: Path, mail_server: MailServer
) -> None:
    assert EMAIL_SETUP.count(SLOW.to) == 1 and 'channel="email"' in EMAIL_SETUP
    env = environment(tmp_path)
    env["AFTERCARE_SECRET_KEY"] = "email-deadline-test-" + "x" * 40
    env["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
    subprocess.run([sys.executable, "-c", EMAIL_SETUP], env=env, check=True, timeout=60)
    env |= {"AFTERCARE_EMAIL": "smtp", "EMAIL_HOST": "127.0.0.1"}
    env["EMAIL_PORT"] = str(mail_server.port)
    worker = subprocess.Popen(
        aftercare_command("worker"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert mail_server.dripping.wait(30)
    time.sleep(1.5)
    asked = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=15)
    stopped = time.monotonic() - asked
    print("SIGTERM mid-send (email):", json.dumps({"stopped_seconds": round(stopped, 1)}))
    assert worker.returncode == 0, err
    assert stopped < 5
    assert out == b"worker stopped: retried 1\n"
    with sqlite3.connect(tmp_path / "aftercare.sqlite3") as db:
        tried = db.execute(
            "SELECT status, attempts, leased_by, last_error FROM clinic_reminder"
            " WHERE attempts > 0 OR status != 'scheduled'"
        ).fetchall()
    assert tried == [("scheduled", 1, "", "sending was stopped: the worker is shutting down")]
    assert mail_server.delivered == []
