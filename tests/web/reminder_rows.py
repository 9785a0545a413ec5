"""Reminder rows for the web tests: a treatment recorded the way the care layer records one
(or a bare one an hour ago), a patient reached by email, a reminder row due now, and a
treatment's rows in the order they go out."""

from __future__ import annotations

from datetime import timedelta

from aftercare.web.clinic.models import (
    Channel,
    Patient,
    Reminder,
    ReminderKind,
    StaffMember,
    Treatment,
    idempotency_key,
)
from aftercare.web.protocol import clinic_protocol
from tests.web.conftest import NOW

__all__ = ["email_patient", "make_reminder", "make_treatment", "rows", "treat"]


def email_patient(patient: Patient) -> Patient:
    """``patient`` with an email address, email chosen and consent to messages given."""
    patient.email = "alice@example.com"
    patient.preferred_channel = Channel.EMAIL
    patient.consent_to_messages = True
    patient.save()
    return patient


def treat(patient: Patient, staff: StaffMember, at: object = NOW) -> Treatment:
    protocol = clinic_protocol(patient.clinic)
    return Treatment.objects.create(
        patient=patient,
        treated_at=at,
        time_zone="Europe/London",
        areas=["face"],
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        created_by=staff,
    )


def rows(treatment: Treatment) -> list[Reminder]:
    return list(Reminder.objects.filter(treatment=treatment).order_by("due_at", "pk"))


def make_treatment(patient: Patient, practitioner: StaffMember) -> Treatment:
    return Treatment.objects.create(
        patient=patient,
        treated_at=NOW - timedelta(hours=1),
        time_zone="Europe/London",
        areas=["face"],
        protocol_id="microneedling",
        protocol_version="1",
        created_by=practitioner,
    )


def make_reminder(
    treatment: Treatment,
    item: str = "RM-sunscreen:1",
    channel: str = "sms",
    kind: str = ReminderKind.SUNSCREEN,
    due_after: timedelta = timedelta(0),
) -> Reminder:
    return Reminder.objects.create(
        treatment=treatment,
        patient=treatment.patient,
        item=item,
        kind=kind,
        channel=channel,
        due_at=NOW + due_after,
        body="Sunscreen today.",
        idempotency_key=idempotency_key(treatment.pk, item, channel, "1"),
        protocol_version="1",
    )
