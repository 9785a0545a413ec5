"""Reminder rows for the web tests: a treatment recorded the way the care layer records one,
a patient reached by email, and a treatment's rows in the order they go out."""

from __future__ import annotations

from aftercare.web.clinic.models import Channel, Patient, Reminder, StaffMember, Treatment
from aftercare.web.protocol import clinic_protocol
from tests.web.conftest import NOW

__all__ = ["email_patient", "rows", "treat"]


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
