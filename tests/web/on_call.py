"""The on-call set-up of the staff-alert tests: the Alpha clinic's contacts, a clock the test
moves, the outbox the real worker sends through, and a check-in reported by the clinic's
booking system.

The Alpha clinic's on-call list: Dr Day (mobile, 08:00-20:00), Nurse Night (email,
20:00-08:00), Dr Backup (mobile, 08:00-20:00); its administrator has an email.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import CheckIn, Clinic, StaffMember, Treatment
from aftercare.web.reminders.transports import Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW
from tests.web.reminder_fakes import FakeTransport
from tests.web.test_api_access import ok, post

__all__ = [
    "ADMIN",
    "BACKUP",
    "DAY",
    "NIGHT",
    "Clock",
    "Outbox",
    "report",
    "review_url",
    "set_on_call",
]

DAY, NIGHT, BACKUP = "+447700900001", "night@example.org", "+447700900002"
ADMIN = "admin@example.org"


class Clock:
    """The web app's clock, stopped at ``at`` and moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = NOW
        monkeypatch.setattr("aftercare.web.clock.now", lambda: self.at)


def set_on_call(clinic: Clinic, clinic_admin: StaffMember) -> Clinic:
    """The Alpha clinic's on-call list, and an email for its administrator."""
    clinic.on_call = [
        {"name": "Dr Day", "to": DAY, "from": "08:00", "until": "20:00"},
        {"name": "Nurse Night", "to": NIGHT, "from": "20:00", "until": "08:00"},
        {"name": "Dr Backup", "to": BACKUP, "from": "08:00", "until": "20:00"},
    ]
    clinic.save()
    clinic_admin.user.email = ADMIN
    clinic_admin.user.save()
    return clinic


class Outbox:
    def __init__(self) -> None:
        self.sms, self.email = FakeTransport(), FakeTransport()

    def run(self) -> None:
        Worker(Transports(email=self.email, sms=self.sms), worker_id="alpha").drain()

    @property
    def to(self) -> list[str]:
        return [m.to for m in self.sms.sent + self.email.sent]


def report(client: Client, treatment: Treatment, *symptoms: str) -> CheckIn:
    body = {"symptoms": list(symptoms), "trend": "stable", "free_text": ""}
    ok(post(client, f"/api/v1/treatments/{treatment.pk}/check-ins", body), 201)
    return CheckIn.objects.latest("pk")


def review_url(check_in: CheckIn) -> str:
    return settings.BASE_URL + reverse("staff:check_in", kwargs={"pk": check_in.pk})
