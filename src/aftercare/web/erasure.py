"""Erasing a patient, by a clinic administrator or at the end of the retention period.

Erasure deletes the patient and everything recorded about them (treatments, check-ins,
screenings, messages, links, consent history); messages still waiting are cancelled
first, in the same transaction, so a worker that re-checks finds nothing to send. The
audit events keep the patient's id, which from then on names no one, and the chain still
verifies: no audit event is changed. The register (``Erasure``) says who erased whom (by
that id), when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from aftercare.web import audit
from aftercare.web.clinic.models import (
    CheckIn,
    Clinic,
    ConsentEvent,
    Erasure,
    Patient,
    PatientLink,
    Reminder,
    ReminderStatus,
    Screening,
    Treatment,
)

__all__ = ["Overdue", "erase_patient", "past_retention", "retention_reason"]


def erase_patient(
    request: HttpRequest | None, patient: Patient, reason: str, at: datetime
) -> Erasure:
    """Erase ``patient`` now; the register's entry. ``request`` is None for the system."""
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        Reminder.objects.filter(patient=locked, status=ReminderStatus.SCHEDULED).update(
            status=ReminderStatus.CANCELLED, cancelled_at=at
        )
        staff = getattr(request, "staff", None)
        erasure = Erasure.objects.create(
            clinic_id=locked.clinic_id,
            patient_ref=locked.pk,
            reason=reason.strip(),
            erased_by_staff_id=None if staff is None else staff.pk,
            erased_at=at,
            deleted=_held(locked),
        )
        audit.record(request, "patient.erase", clinic=locked.clinic, patient=locked, obj=erasure)
        locked.delete()
    return erasure


def _held(patient: Patient) -> dict[str, int]:
    """How many records of each kind the patient has, for the register."""
    return {
        "treatments": Treatment.objects.filter(patient=patient).count(),
        "check_ins": CheckIn.objects.filter(treatment__patient=patient).count(),
        "screenings": Screening.objects.filter(patient=patient).count(),
        "messages": Reminder.objects.filter(patient=patient).count(),
        "links": PatientLink.objects.filter(patient=patient).count(),
        "consent_events": ConsentEvent.objects.filter(patient=patient).count(),
    }


@dataclass(frozen=True, slots=True)
class Overdue:
    """A patient past the clinic's retention period: erased unless on legal hold."""

    patient: Patient
    last_care_at: datetime
    erase_after: datetime

    @property
    def is_held(self) -> bool:
        return self.patient.legal_hold


def past_retention(clinic: Clinic, at: datetime) -> list[Overdue]:
    """``clinic``'s patients whose last treatment (or, with none, their record's creation)
    is more than the clinic's retention period before ``at``; oldest first."""
    period = relativedelta(years=clinic.retention_years)
    patients = (
        Patient.objects.filter(clinic=clinic)
        .annotate(last_care_at=Coalesce(Max("treatments__treated_at"), "created_at"))
        .filter(last_care_at__lt=at - period)
        .order_by("last_care_at", "pk")
    )
    return [Overdue(p, p.last_care_at, p.last_care_at + period) for p in patients]


def retention_reason(clinic: Clinic) -> str:
    return (
        f"Retention: {clinic.retention_years} years since the last treatment"
        " (aftercare retention --apply)"
    )
