from __future__ import annotations

import hashlib
from base64 import urlsafe_b64decode
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Clinic,
    Outcome,
    Patient,
    PatientLink,
    StaffMember,
)
from aftercare.web.clinic.models.audit import AppendOnlyError
from tests.web.conftest import NOW

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash_of_a_link_token(patient: Patient) -> None:
    link, token = PatientLink.issue(patient, NOW)
    row = PatientLink.objects.filter(pk=link.pk).values().get()
    assert token not in [str(value) for value in row.values()]
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_it_makes_link_tokens_of_at_least_128_bits(patient: Patient) -> None:
    _, token = PatientLink.issue(patient, NOW)
    raw = urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128


def test_it_makes_a_different_token_every_time(patient: Patient) -> None:
    tokens = {PatientLink.issue(patient, NOW)[1] for _ in range(20)}
    assert len(tokens) == 20


def test_it_finds_a_link_by_its_token(patient: Patient, other_patient: Patient) -> None:
    link, token = PatientLink.issue(patient, NOW)
    PatientLink.issue(other_patient, NOW)
    assert PatientLink.find(token) == link
    assert PatientLink.find(token[:-1]) is None
    assert PatientLink.find("") is None
    assert PatientLink.find("é") is None


def test_it_expires_links(patient: Patient) -> None:
    link, _ = PatientLink.issue(patient, NOW, lifetime=timedelta(days=7))
    assert link.is_usable(NOW + timedelta(days=7) - timedelta(seconds=1))
    assert not link.is_usable(NOW + timedelta(days=7))


def test_it_refuses_used_and_revoked_links(patient: Patient) -> None:
    used, _ = PatientLink.issue(patient, NOW)
    used.used_at = NOW
    revoked, _ = PatientLink.issue(patient, NOW)
    revoked.revoked_at = NOW
    assert not used.is_usable(NOW)
    assert not revoked.is_usable(NOW)


def _event(practitioner: StaffMember, patient: Patient) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_kind=ActorKind.STAFF,
        actor_staff_id=practitioner.pk,
        clinic=practitioner.clinic,
        patient=patient,
        action="patient.view",
        object_type="patient",
        object_id=str(patient.pk),
        outcome=Outcome.ALLOWED,
        at=NOW,
    )


def test_it_refuses_to_change_an_audit_event(practitioner: StaffMember, patient: Patient) -> None:
    event = _event(practitioner, patient)
    event.outcome = Outcome.DENIED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(outcome=Outcome.DENIED)
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.ALLOWED


def test_it_refuses_to_delete_an_audit_event(practitioner: StaffMember, patient: Patient) -> None:
    event = _event(practitioner, patient)
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("name", ["Mars/Olympus", "BST", "+01:00", ""])
def test_it_refuses_unknown_time_zones(clinic: Clinic, name: str) -> None:
    clinic.time_zone = name
    with pytest.raises(ValidationError):
        clinic.full_clean()


def test_it_accepts_iana_time_zones(clinic: Clinic) -> None:
    clinic.time_zone = "Europe/London"
    clinic.full_clean()


def test_it_has_no_missing_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
