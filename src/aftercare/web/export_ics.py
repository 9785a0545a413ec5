"""The patient's calendar file, downloaded from the portal: /p/calendar.ics.

The view only turns the signed-in patient's latest treatment into a ``Subject``; the file
itself is ``aftercare.exports.ics``, the same the command line writes. A patient with no
treatment yet gets the portal's friendly "no treatment recorded" page instead of a file.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from aftercare.exports import ics
from aftercare.web import audit, clock
from aftercare.web.access import PatientRequest, patient_required
from aftercare.web.care.current import current_care
from aftercare.web.care.export_subject import attachment, treatment_subject
from aftercare.web.phones import tel_href

__all__ = ["portal_calendar"]


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
    subject = treatment_subject(patient, care.treatment)
    return attachment(ics.calendar(subject), ics.CONTENT_TYPE, ics.filename(subject))


def _no_treatment(request: PatientRequest) -> HttpResponse:
    clinic = request.patient.clinic
    context = {
        "nav": "timeline",
        "care": None,
        "clinic": clinic,
        "phone_href": tel_href(clinic.phone),
    }
    return render(request, "aftercare/portal/timeline.html", context)
