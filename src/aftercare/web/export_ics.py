"""The patient's calendar file, downloaded from the portal: /p/calendar.ics.

The view only turns the signed-in patient's latest treatment into a ``Subject``; the file
itself is ``aftercare.exports.ics``, the same the command line writes. A patient with no
treatment yet gets the portal's friendly "no treatment recorded" page instead of a file.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from aftercare.engine.localtime import zone
from aftercare.exports import ClinicInfo, Subject, ics
from aftercare.web import audit, clock
from aftercare.web.access import PatientRequest, patient_required
from aftercare.web.portal.care import Care, current_care, factors_for, treatments_of
from aftercare.web.portal.present import tel_href

__all__ = ["portal_calendar", "subject_of"]


@patient_required
def portal_calendar(request: PatientRequest) -> HttpResponse:
    patient = request.patient
    care = current_care(patient, clock.now())
    audit.record(
        request,
        "export.ics",
        clinic=patient.clinic,
        patient=patient,
        obj=care.treatment if care else None,
    )
    if care is None:
        return _no_treatment(request)
    subject = subject_of(care)
    response = HttpResponse(ics.calendar(subject), content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(subject)}"'
    return response


def subject_of(care: Care) -> Subject:
    """What the exports need about a treatment, from the records."""
    treatment, patient = care.treatment, care.patient
    clinic = patient.clinic
    return Subject(
        protocol=care.protocol,
        treated_at=care.treated_at,
        zone_name=treatment.time_zone,
        clinic=ClinicInfo(clinic.name, clinic.phone, clinic.urgent_phone, clinic.email),
        patient_name=f"{patient.given_name} {patient.family_name}",
        patient_id=str(patient.pk),
        treatment_id=str(treatment.pk),
        factors=factors_for(care),
        earlier_sessions=_earlier_sessions(care),
    )


def _earlier_sessions(care: Care) -> tuple[date, ...]:
    """The local dates of the patient's earlier treatments, each in its own zone."""
    earlier = treatments_of(care.patient).filter(treated_at__lt=care.treatment.treated_at)
    rows = earlier.order_by("treated_at").values_list("treated_at", "time_zone")
    return tuple(treated_at.astimezone(zone(name)).date() for treated_at, name in rows)


def _no_treatment(request: PatientRequest) -> HttpResponse:
    clinic = request.patient.clinic
    context = {
        "nav": "timeline",
        "care": None,
        "clinic": clinic,
        "phone_href": tel_href(clinic.phone),
    }
    return render(request, "aftercare/portal/timeline.html", context)
