"""The reminder workers survive a database outage: the real PostgreSQL, cut off for 20 s.

The test owns a TCP relay in front of the shared server and points the worker at the
relay; cutting the relay is the outage, while the server itself runs on for everyone
else. Messages go to a local webhook that counts what it is given, by idempotency key.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from aftercare.web.clinic.models import (
    Clinic,
    Patient,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from tests.web.live import aftercare_command, environment, free_port
from tests.web.relay import Relay, relay_to
from tests.web.reminder_fakes import WebhookSink, webhook_sink

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

OUTAGE_SECONDS = 20
RECOVERY_SECONDS = 60


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    with webhook_sink() as server:
        yield server


@pytest.fixture
def relay() -> Iterator[Relay]:
    database = settings.DATABASES["default"]
    with relay_to(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)) as relay:
        yield relay


@pytest.fixture
def treatment(clinic: Clinic, practitioner: StaffMember) -> Treatment:
    patient = Patient.objects.create(
        clinic=clinic,
        given_name="Ann",
        family_name="Outage",
        mobile="+447700900123",
        consent_to_messages=True,
    )
    return Treatment.objects.create(
        patient=patient,
        treated_at=datetime.now(UTC) - timedelta(hours=1),
        time_zone="Europe/London",
        areas=["face"],
        protocol_id="microneedling",
        protocol_version="1",
        created_by=practitioner,
    )


def due_now(treatment: Treatment, label: str, count: int) -> list[str]:
    """``count`` text messages due a minute ago (by the real clock the worker reads)."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    rows = Reminder.objects.bulk_create(
        Reminder(
            treatment=treatment,
            patient=treatment.patient,
            clinic=treatment.patient.clinic,
            item=f"RM-{label}:{n}",
            kind=ReminderKind.SUNSCREEN,
            channel="sms",
            due_at=due,
            body="Sunscreen today.",
            idempotency_key=f"{label}-{n:03}",
            protocol_version="1",
        )
        for n in range(count)
    )
    return [row.idempotency_key for row in rows]


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    """Seconds until ``condition`` held; fails after ``seconds``."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "it never happened"
        time.sleep(0.1)
    return time.monotonic() - start


def all_sent(keys: list[str]) -> Callable[[], bool]:
    def check() -> bool:
        return Reminder.objects.filter(
            idempotency_key__in=keys, status=ReminderStatus.SENT
        ).count() == len(keys)

    return check


def worker_environment(tmp_path: Path, relay: Relay, sink: WebhookSink) -> dict[str, str]:
    database = settings.DATABASES["default"]
    env = environment(tmp_path)
    env["DATABASE_URL"] = f"postgres://{database['USER']}@127.0.0.1:{relay.port}/{database['NAME']}"
    env["AFTERCARE_SECRET_KEY"] = "outage-test-" + "x" * 50
    env["AFTERCARE_SMS_WEBHOOK_URL"] = sink.url
    return env


def outage(
    relay: Relay, sink: WebhookSink, treatment: Treatment, process: subprocess.Popen[str]
) -> tuple[list[str], float]:
    """Messages before, during and after 20 s without the database; the keys of all of
    them and the seconds from the restored network to the last of them sent."""
    before = due_now(treatment, "before", 20)
    wait_until(all_sent(before), RECOVERY_SECONDS)
    relay.cut()
    during = due_now(treatment, "during", 20)
    time.sleep(OUTAGE_SECONDS)
    assert process.poll() is None, "the worker died during the outage"
    assert relay.refused > 0, "the worker never tried to reconnect"
    assert not set(sink.keys) & set(during)
    relay.restore()
    after = due_now(treatment, "after", 20)
    recovered = wait_until(all_sent(during + after), RECOVERY_SECONDS)
    return before + during + after, recovered


def figures(sink: WebhookSink, keys: list[str], recovered: float) -> dict[str, float]:
    stored = Reminder.objects.filter(idempotency_key__in=keys, status=ReminderStatus.SENT).count()
    return {
        "sent": len(set(sink.keys) & set(keys)),
        "stored": stored,
        "lost": len(set(keys) - set(sink.keys)),
        "duplicated": len(sink.keys) - len(set(sink.keys)),
        "recovered_seconds": round(recovered, 1),
    }


def test_the_standalone_worker_carries_on_after_the_database_returns(
    tmp_path: Path, relay: Relay, sink: WebhookSink, treatment: Treatment
) -> None:
    worker = subprocess.Popen(
        aftercare_command("worker", "--poll-seconds", "0.5", "--lease-seconds", "10"),
        env=worker_environment(tmp_path, relay, sink),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        keys, recovered = outage(relay, sink, treatment, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    result = figures(sink, keys, recovered)
    print("standalone worker, 20 s outage:", json.dumps(result))
    assert (result["sent"], result["stored"], result["lost"]) == (60, 60, 0)
    assert result["duplicated"] == 0
    assert "database unavailable (OperationalError)" in err
    assert "Traceback" not in err


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_worker_inside_serve_carries_on_after_the_database_returns(
    tmp_path: Path, relay: Relay, sink: WebhookSink, treatment: Treatment
) -> None:
    port = free_port()
    server = subprocess.Popen(
        aftercare_command("serve", "--port", str(port)),
        env=worker_environment(tmp_path, relay, sink),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: _answers(port), 60)
        keys, recovered = outage(relay, sink, treatment, server)
        assert healthz(port) == 200
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=40)
    result = figures(sink, keys, recovered)
    print("worker inside serve, 20 s outage:", json.dumps(result))
    assert (result["sent"], result["stored"], result["lost"]) == (60, 60, 0)
    assert result["duplicated"] == 0
    assert "database unavailable (OperationalError)" in out


def _answers(port: int) -> bool:
    try:
        return healthz(port) == 200
    except OSError:
        return False
