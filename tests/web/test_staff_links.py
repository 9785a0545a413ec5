"""Giving a patient their link: shown once with a QR code, and sent through the outbox;
stored only as a hash."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from aftercare.web.clinic.models import (
    AuditEvent,
    Outcome,
    Patient,
    PatientLink,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
)
from aftercare.web.reminders.delivery import backoff
from aftercare.web.reminders.links import LINK_PLACEHOLDER
from aftercare.web.reminders.transports import Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW
from tests.web.mail_server import MailServer
from tests.web.reminder_rows import make_treatment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def reachable(patient: Patient, practitioner: StaffMember) -> Patient:
    patient.email = "alice@example.com"
    patient.preferred_channel = "email"
    patient.consent_to_messages = True
    patient.save()
    make_treatment(patient, practitioner)
    return patient


def url_of(patient: Patient) -> str:
    return reverse("staff:patient_link", args=[patient.pk])


def token_in(response: Any) -> str:
    """The token of the link the page shows."""
    [address] = set(re.findall(r'<a href="([^"]+/p/open\?t=[^"]+)"', response.text))
    return parse_qs(urlparse(address).query)["t"][0]


def test_the_page_explains_and_offers_the_preferred_channel(
    staff_client: Client, reachable: Patient
) -> None:
    response = staff_client.get(url_of(reachable))
    assert response.status_code == 200
    assert "Send a link by email to alice@example.com, and show one here" in response.text
    assert "Create link" in response.text
    assert not PatientLink.objects.exists()
    assert AuditEvent.objects.filter(action="link.view", patient=reachable).count() == 1


def test_without_consent_the_link_is_only_shown(staff_client: Client, patient: Patient) -> None:
    patient.email, patient.preferred_channel = "alice@example.com", "email"
    patient.save()
    response = staff_client.get(url_of(patient))
    assert "Send it by" not in response.text
    assert "has not agreed to messages" in response.text
    staff_client.post(url_of(patient), {"action": "create", "delivery": "email"})
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"email": ""}, "Alice has no email address."),
        ({"preferred_channel": "sms"}, "Alice has no mobile number."),
        ({"preferred_channel": "none"}, "Alice has asked for no messages."),
        ({"email_opted_out_at": NOW}, "Alice has stopped emails."),
        ({"email_disabled_at": NOW}, "Alice has had their email address refused; correct it"),
        ({"treatments": None}, "Alice has no treatment yet for a link to show."),
    ],
)
def test_a_link_that_could_not_be_sent_is_only_shown(
    staff_client: Client, reachable: Patient, change: dict[str, Any], why: str
) -> None:
    if "treatments" in change:
        reachable.treatments.all().delete()
    else:
        Patient.objects.filter(pk=reachable.pk).update(**change)
    response = staff_client.get(url_of(reachable))
    assert "Send a link by" not in response.text
    assert f"It will be shown here only: {why}" in response.text
    created = staff_client.post(url_of(reachable), {"action": "create", "delivery": "email"})
    assert "/p/open?t=" in created.text
    assert "will be sent" not in created.text
    assert not Reminder.objects.exists()


def test_it_shows_a_new_link_once_with_a_qr_code(staff_client: Client, patient: Patient) -> None:
    response = staff_client.post(url_of(patient), {"action": "create", "delivery": "show"})
    assert response.status_code == 200
    token = token_in(response)
    link = PatientLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(PatientLink.objects.filter(pk=link.pk).values().get())
    assert f'href="http://127.0.0.1:8000/p/open?t={token}"' in response.text
    assert "<svg" in response.text
    assert "<title>QR code of the patient's link</title>" in response.text
    assert "works once, and until Sat 28 Nov, 14:30" in response.text
    assert mail.outbox == []
    issued = AuditEvent.objects.get(action="link.issue")
    assert (issued.patient, issued.object_id) == (patient, str(link.pk))
    for event in AuditEvent.objects.values():
        assert token not in str(event)
    again = staff_client.get(url_of(patient))
    assert token not in again.text


QUEUED = (
    "A link will be sent by email to alice@example.com within a minute. It is a link of its"
    " own; the one below works too. If it cannot be sent, the patient's messages say why."
)


def test_it_queues_the_link_and_the_worker_sends_it(
    staff_client: Client, reachable: Patient
) -> None:
    response = staff_client.post(url_of(reachable), {"action": "create", "delivery": "email"})
    shown = token_in(response)
    assert QUEUED in response.text
    assert mail.outbox == []
    queued = Reminder.objects.get()
    assert (queued.kind, queued.channel, queued.status, queued.due_at) == (
        ReminderKind.LINK,
        "email",
        ReminderStatus.SCHEDULED,
        NOW,
    )
    assert LINK_PLACEHOLDER in queued.body and shown not in queued.body
    sent = AuditEvent.objects.get(action="link.send", patient=reachable)
    assert (sent.object_type, sent.object_id) == ("reminder", str(queued.pk))
    assert AuditEvent.objects.filter(action="link.issue", patient=reachable).count() == 1

    Worker(Transports(), worker_id="test").drain()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Your aftercare plan from Alpha Clinic"
    token = re.findall(r"/p/open\?t=([\w-]+)", message.body)[0]
    # The message carries a link of its own; both work, once each.
    assert token != shown
    for each in (token, shown):
        link = PatientLink.find(each)
        assert link is not None and link.is_usable(NOW)
    queued.refresh_from_db()
    assert queued.status == ReminderStatus.SENT


@pytest.fixture
def slow_mail(settings: Settings) -> Iterator[MailServer]:
    server = MailServer("greeting")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.close()


@pytest.mark.machine_clock
def test_a_slow_mail_server_never_holds_the_request_and_its_failure_is_shown(
    staff_client: Client, reachable: Patient, slow_mail: MailServer
) -> None:
    staff_client.get(url_of(reachable))  # templates loaded before timing
    start = time.monotonic()
    response = staff_client.post(url_of(reachable), {"action": "create", "delivery": "email"})
    answered = time.monotonic() - start
    assert QUEUED in response.text
    assert not slow_mail.dripping.is_set()
    start = time.monotonic()
    Worker(Transports(deadline=2), worker_id="test").drain()
    abandoned = time.monotonic() - start
    figures = {"answered": round(answered, 3), "abandoned": round(abandoned, 2)}
    print("staff link, slow-drip mail server:", json.dumps(figures))
    assert answered < 0.5
    assert 2 <= abandoned < 3
    queued = Reminder.objects.get()
    assert (queued.status, queued.attempts) == (ReminderStatus.SCHEDULED, 1)
    assert queued.due_at == NOW + backoff(1)
    page = staff_client.get(reverse("staff:patient", args=[reachable.pk])).text
    assert '<th scope="row">New link</th>' in page
    assert "<td>mail server took longer than 2 s</td>" in page
    assert "<strong>Messages to patients are failing:</strong> 1 in the last week" in page


def test_a_channel_the_patient_did_not_choose_is_not_used(
    staff_client: Client, reachable: Patient
) -> None:
    reachable.mobile = "07700900123"
    reachable.save()
    response = staff_client.post(url_of(reachable), {"action": "create", "delivery": "sms"})
    assert response.status_code == 200
    assert not Reminder.objects.exists()
    assert "will be sent" not in response.text


def test_revoking_stops_every_open_link(staff_client: Client, patient: Patient) -> None:
    first = staff_client.post(url_of(patient), {"action": "create", "delivery": "show"})
    second = staff_client.post(url_of(patient), {"action": "create", "delivery": "show"})
    used, _ = PatientLink.issue(patient, NOW)
    used.used_at = NOW
    used.save()
    response = staff_client.post(url_of(patient), {"action": "revoke"})
    assert response.status_code == 200
    assert "2 open links revoked" in response.text
    for token in (token_in(first), token_in(second)):
        link = PatientLink.find(token)
        assert link is not None and not link.is_usable(NOW)
    used.refresh_from_db()
    assert used.revoked_at is None and not used.is_usable(NOW)
    assert AuditEvent.objects.filter(action="link.revoke", patient=patient).count() == 1


def test_a_used_or_expired_link_is_not_usable(staff_client: Client, patient: Patient) -> None:
    response = staff_client.post(url_of(patient), {"action": "create", "delivery": "show"})
    link = PatientLink.find(token_in(response))
    assert link is not None and link.is_usable(NOW)
    assert not link.is_usable(link.expires_at)
    link.used_at = NOW
    assert not link.is_usable(NOW)


@pytest.mark.parametrize("data", [None, {"action": "create"}, {"action": "revoke"}])
def test_another_clinic_cannot_see_or_make_a_link(
    client: Client, reachable: Patient, outsider: StaffMember, data: dict[str, str] | None
) -> None:
    client.force_login(outsider.user)
    response = (
        client.get(url_of(reachable)) if data is None else client.post(url_of(reachable), data)
    )
    assert response.status_code == 404
    assert "Alice" not in response.text and "alice@example.com" not in response.text
    assert not PatientLink.objects.exists()
    assert not Reminder.objects.exists()
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() == 1
