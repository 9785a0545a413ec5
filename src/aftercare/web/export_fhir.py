"""The FHIR download of one patient, for clinical systems that speak FHIR.

The view gathers the patient's latest treatment, its check-ins and the patient's
screenings into plain records and hands them to ``aftercare.exports.fhir``, the same
function the command line calls, so the Bundle matches the leaflet and the calendar.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse, HttpResponseNotAllowed

from aftercare.exports.fhir import CheckInRecord, ScreeningRecord, bundle, to_json
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.care.current import treatments_of
from aftercare.web.care.export_subject import attachment, treatment_subject
from aftercare.web.clinic.models import CheckIn, Patient, Screening, Treatment

__all__ = ["FHIR_JSON", "bundle_download", "latest_treatment", "patient_bundle"]

FHIR_JSON = "application/fhir+json"
SAFE_METHODS = ("GET", "HEAD")


@staff_required
def patient_bundle(request: StaffRequest, pk: int) -> HttpResponse:
    """The Bundle of the patient's latest treatment that has taken place."""
    clinic = request.staff.clinic
    patients = Patient.objects.filter(clinic=clinic).select_related("clinic")
    # Scoped first: another clinic's patient is a 404 whatever the method.
    patient = scoped(request, patients, pk, clinic=clinic, action="export.fhir")
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    now = clock.now()
    treatment = latest_treatment(patient, now)
    if treatment is None:
        return HttpResponse(
            "This patient has no treatment to export yet.", status=409, content_type="text/plain"
        )
    audit.record(request, "export.fhir", clinic=clinic, patient=patient, obj=treatment)
    return bundle_download(patient, treatment, now)


def bundle_download(patient: Patient, treatment: Treatment, at: datetime) -> HttpResponse:
    """The Bundle of ``treatment`` with its check-ins and the patient's screenings, as a file."""
    result = bundle(
        treatment_subject(patient, treatment),
        at=at,
        check_ins=[check_in_record(c) for c in CheckIn.objects.filter(treatment=treatment)],
        screenings=[screening_record(s) for s in Screening.objects.filter(patient=patient)],
    )
    return attachment(to_json(result), FHIR_JSON, f"aftercare-patient-{patient.pk}.json")


def latest_treatment(patient: Patient, at: datetime) -> Treatment | None:
    return treatments_of(patient).filter(treated_at__lte=at).order_by("-treated_at").first()


def check_in_record(check_in: CheckIn) -> CheckInRecord:
    return CheckInRecord(
        created_at=check_in.created_at,
        symptoms=tuple(_symptom_ids(check_in.symptoms)),
        trend=check_in.trend or None,
        free_text=check_in.free_text,
        level=check_in.level,
        id=str(check_in.pk),
    )


def screening_record(screening: Screening) -> ScreeningRecord:
    answers = screening.answers if isinstance(screening.answers, dict) else {}
    return ScreeningRecord(
        screened_at=screening.screened_at,
        answers=answers,
        status=screening.status,
        id=str(screening.pk),
    )


def _symptom_ids(stored: object) -> list[str]:
    """Symptom ids from the stored list (``[{"symptom": "redness"}, …]``)."""
    if not isinstance(stored, list):
        return []
    ids = (item.get("symptom") if isinstance(item, dict) else item for item in stored)
    return [symptom for symptom in ids if isinstance(symptom, str)]
