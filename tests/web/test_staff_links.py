"""Giving a patient their link: shown once with a QR code, or sent; stored only as a hash."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from aftercare.web import notify
from aftercare.web.clinic.models import AuditEvent, Outcome, Patient, PatientLink, StaffMember
from tests.web.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def reachable(patient: Patient) -> Patient:
    patient.email = "alice@example.com"
    patient.preferred_channel = "email"
    patient.consent_to_messages = True
    patient.save()
    return patient


def url_of(patient: Patient) -> str:
    return reverse("staff:patient_link", args=[patient.pk])


def token_in(response: Any) -> str:
    address = response.context["url"]
    return parse_qs(urlparse(address).query)["t"][0]


def test_the_page_explains_and_offers_the_preferred_channel(
    staff_client: Client, reachable: Patient
) -> None:
    response = staff_client.get(url_of(reachable))
    assert response.status_code == 200
    assert "Send it by email to alice@example.com" in response.text
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
    assert mail.outbox == []


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


def test_it_sends_the_link_by_email(staff_client: Client, reachable: Patient) -> None:
    response = staff_client.post(url_of(reachable), {"action": "create", "delivery": "email"})
    token = token_in(response)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert f"/p/open?t={token}" in message.body
    assert "The link has been sent by email to alice@example.com." in response.text
    assert AuditEvent.objects.filter(action="link.send", patient=reachable).count() == 1


def test_a_failed_send_still_shows_the_link(
    staff_client: Client, reachable: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(message: notify.Message) -> None:
        raise notify.NotifyError("the message could not be sent: connection refused")

    monkeypatch.setattr(notify, "send", fail)
    response = staff_client.post(url_of(reachable), {"action": "create", "delivery": "email"})
    assert response.status_code == 200
    assert "The link could not be sent: the message could not be sent: connection refused" in (
        response.text
    )
    assert token_in(response) in response.text
    assert not AuditEvent.objects.filter(action="link.send").exists()


def test_a_channel_the_patient_did_not_choose_is_not_used(
    staff_client: Client, reachable: Patient
) -> None:
    reachable.mobile = "07700900123"
    reachable.save()
    response = staff_client.post(url_of(reachable), {"action": "create", "delivery": "sms"})
    assert response.status_code == 200
    assert mail.outbox == []
    assert "has been sent" not in response.text


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
    assert mail.outbox == []
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() == 1
