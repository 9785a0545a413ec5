"""Sessions end on the project's clock, not the machine's.

Every test here freezes the project's clock; none depends on today's real date. CI runs
them again with the machine's clock a year ahead and a year back: a session or a lock-out
decided on the real clock fails there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import Patient, PatientLink, StaffMember
from aftercare.web.sessions import SessionStore
from tests.web.conftest import NOW
from tests.web.test_portal_plan import set_now, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


def stored_expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_patient_session_is_stored_to_end_when_its_aftercare_ends(
    client: Client, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, patient)
    until = NOW + timedelta(days=14)
    assert stored_expiry(client) == until
    set_now(monkeypatch, until - timedelta(seconds=1))
    assert client.get(reverse("portal:today")).status_code == 200
    set_now(monkeypatch, until + timedelta(seconds=1))
    assert client.get(reverse("portal:today"))["Location"] == reverse("portal:signed_out")


def test_the_session_cookie_lives_as_long_as_the_session(client: Client, patient: Patient) -> None:
    _, token = PatientLink.issue(patient, NOW)
    response = client.post(reverse("portal:open"), {"t": token})
    assert response.cookies["sessionid"]["max-age"] == 14 * 24 * 60 * 60


def test_a_staff_session_is_kept_twelve_hours_on_the_projects_clock(
    client: Client, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    practitioner.user.set_password(PASSWORD)
    practitioner.user.save()
    client.post("/login", {"username": "practitioner", "password": PASSWORD})
    # The row Django keeps ends twelve hours on; the idle and absolute limits people meet
    # first are tested in test_session_limits.py.
    assert stored_expiry(client) == NOW + timedelta(hours=12)
    key = client.session.session_key
    set_now(monkeypatch, NOW + timedelta(hours=12) - timedelta(seconds=1))
    assert SessionStore(key).load() != {}
    set_now(monkeypatch, NOW + timedelta(hours=12, seconds=1))
    assert SessionStore(key).load() == {}
    assert client.get(reverse("staff:dashboard"))["Location"].startswith("/login")


def test_clearing_sessions_removes_only_those_ended_on_the_projects_clock(
    client: Client, patient: Patient, other_patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, patient)
    set_now(monkeypatch, NOW + timedelta(days=7))
    sign_in(Client(), other_patient, NOW + timedelta(days=7))
    set_now(monkeypatch, NOW + timedelta(days=15))
    call_command("clearsessions")
    assert [s.expire_date for s in Session.objects.all()] == [
        NOW + timedelta(days=7) + timedelta(days=14)
    ]


# --- sign-in lock-outs (django-axes) ----------------------------------------------


@pytest.fixture
def login(practitioner: StaffMember) -> str:
    practitioner.user.set_password(PASSWORD)
    practitioner.user.save()
    return practitioner.user.username


def fail(client: Client, username: str, times: int = 1) -> None:
    for _ in range(times):
        assert client.post("/login", {"username": username, "password": "wrong"}).status_code in (
            200,
            429,
        )


def sign_in_status(client: Client, username: str) -> int:
    return client.post("/login", {"username": username, "password": PASSWORD}).status_code


def test_a_lock_out_lifts_fifteen_minutes_after_the_last_failure(
    client: Client, login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail(client, login, 5)
    last = NOW + timedelta(minutes=15) - timedelta(seconds=1)
    set_now(monkeypatch, last)
    # Refused, and counted: a try while locked out starts the 15 minutes again.
    assert sign_in_status(client, login) == 429
    set_now(monkeypatch, last + timedelta(minutes=15) - timedelta(seconds=1))
    assert sign_in_status(client, login) == 429
    set_now(monkeypatch, last + timedelta(minutes=30))
    assert sign_in_status(client, login) == 302


def test_failures_count_from_the_first_one_on_the_projects_clock(
    client: Client, login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first failure makes the attempt's row; if it were stamped with the machine's
    # clock, a machine clock behind the project's would expire it at the second failure.
    fail(client, login)
    set_now(monkeypatch, NOW + timedelta(minutes=1))
    fail(client, login, 4)
    assert sign_in_status(client, login) == 429


def test_failures_older_than_fifteen_minutes_no_longer_count(
    client: Client, login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail(client, login, 4)
    set_now(monkeypatch, NOW + timedelta(minutes=16))
    fail(client, login)
    assert sign_in_status(client, login) == 302
