"""What every export view shares: the ``Subject`` it hands to ``aftercare.exports``, built
from the records, and the download it answers with."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from aftercare.engine.localtime import zone
from aftercare.exports import ClinicInfo, Subject
from aftercare.web.care.current import Care, factors_for, treatments_of
from aftercare.web.clinic.models import Clinic, Patient, PlannedCourse, Treatment, logo_png
from aftercare.web.protocol import (
    record_protocol,
)

__all__ = ["attachment", "clinic_info", "treatment_subject"]


def attachment(data: bytes | str, media_type: str, filename: str) -> HttpResponse:
    """``data`` as a file to save, named ``filename`` (ASCII, without the patient's name)."""
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def clinic_info(clinic: Clinic) -> ClinicInfo:
    logo = logo_png(clinic.pk, clinic.logo_digest)
    return ClinicInfo(clinic.name, clinic.phone, clinic.urgent_phone, clinic.email, logo)


def treatment_subject(patient: Patient, treatment: Treatment) -> Subject:
    """What the exports need about ``treatment``, in the zone recorded with it."""
    protocol = record_protocol(treatment, patient.clinic)
    treated_at = treatment.treated_at.astimezone(zone(treatment.time_zone))
    care = Care(patient, treatment, protocol, treated_at, treated_at)
    return Subject(
        protocol=protocol,
        treated_at=treated_at,
        zone_name=treatment.time_zone,
        clinic=clinic_info(patient.clinic),
        patient_name=str(patient),
        patient_id=str(patient.pk),
        treatment_id=str(treatment.pk),
        factors=factors_for(care),
        earlier_sessions=_earlier_sessions(patient, treatment),
        course_sessions=PlannedCourse.sessions_for(patient.pk, protocol.id),
    )


def _earlier_sessions(patient: Patient, treatment: Treatment) -> tuple[date, ...]:
    """The local dates of the patient's earlier treatments, each in its own zone."""
    earlier = treatments_of(patient).filter(treated_at__lt=treatment.treated_at)
    rows = earlier.order_by("treated_at").values_list("treated_at", "time_zone")
    return tuple(treated_at.astimezone(zone(name)).date() for treated_at, name in rows)
