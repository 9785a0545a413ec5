from __future__ import annotations

import json
import runpy
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django.fixtures import Settings

from aftercare.web import config
from aftercare.web.clinic.models import Patient, StaffMember, WorkerBeat
from aftercare.web.reminders.transports import Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW
from tests.web.mounts import fill, small_tmpfs
from tests.web.reminder_rows import make_reminder, make_treatment

pytestmark = pytest.mark.django_db


HEALTHY = {
    "status": "ok",
    "database": "ok",
    "data_dir": "ok",
    "reminders": "ok",
    "reminders_due": 0,
    "worker_seen_seconds_ago": None,
}


def test_it_reports_the_database_is_up(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == HEALTHY


def test_it_answers_head(client: Client) -> None:
    assert client.head("/healthz").status_code == 200


def test_it_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_it_is_never_cached(client: Client) -> None:
    assert "no-store" in client.get("/healthz")["Cache-Control"]


def test_it_answers_probes_over_plain_http_while_other_urls_redirect(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With HTTPS on (production), a load balancer still probes over plain HTTP.
    monkeypatch.setenv("AFTERCARE_HTTPS", "true")
    production = runpy.run_path(str(Path(config.__file__).parent / "settings.py"))
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/anything-else").status_code == 301


def test_it_reports_503_without_the_reason_when_the_database_fails(client: Client) -> None:
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("could not connect to 10.0.0.5: secret")
    with mock.patch("aftercare.web.health.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "database": "unavailable",
        "data_dir": "ok",
    }
    assert b"secret" not in response.content
    assert b"10.0.0.5" not in response.content


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize(
    ("late", "status", "reminders"),
    [(timedelta(minutes=9), 200, "ok"), (timedelta(minutes=11), 503, "stopped")],
)
def test_it_answers_503_once_a_reminder_has_waited_too_long(
    client: Client,
    patient: Patient,
    practitioner: StaffMember,
    late: timedelta,
    status: int,
    reminders: str,
) -> None:
    treatment = make_treatment(patient, practitioner)
    make_reminder(treatment, due_after=-late)
    make_reminder(treatment, "RM-later:1", due_after=timedelta(hours=1))
    WorkerBeat.beat(NOW - timedelta(seconds=30))
    response = client.get("/healthz")
    assert response.status_code == status
    body = json.loads(response.content)
    assert (body["reminders"], body["reminders_due"]) == (reminders, 1)
    assert body["worker_seen_seconds_ago"] == 30


def test_a_working_worker_beats(
    client: Client, patient: Patient, practitioner: StaffMember, now: datetime
) -> None:
    Worker(Transports(email=mock.Mock(), sms=mock.Mock())).drain()
    assert json.loads(client.get("/healthz").content)["worker_seen_seconds_ago"] == 0


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_it_answers_503_when_the_data_directory_cannot_be_written(
    client: Client, settings: Settings, tmp_path: Path, fault: str
) -> None:
    with small_tmpfs(tmp_path / "data", read_only=fault == "read-only") as data:
        if fault == "full":
            fill(data)
        settings.DATA_DIR = data
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["data_dir"] == fault
