"""Leaflet downloads: one treatment's (staff), the clinic's generic one (staff), and the
signed-in patient's own (portal).

The views only gather records into a ``Subject`` and hand it to ``aftercare.exports.pdf``,
the same functions the command line calls, so the paper matches every other export. A
treatment's leaflet that has not changed is served as it was made (``leaflet_cache``);
every download is audited all the same.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, HttpResponseNotAllowed

from aftercare.engine.localtime import zone
from aftercare.exports.pdf import clinic_leaflet as render_clinic_leaflet
from aftercare.exports.pdf import treatment_leaflet as render_treatment_leaflet
from aftercare.web import audit, clock
from aftercare.web.access import (
    PatientRequest,
    StaffRequest,
    patient_required,
    scoped,
    staff_required,
)
from aftercare.web.care.current import current_care
from aftercare.web.care.export_subject import attachment, clinic_info, treatment_subject
from aftercare.web.clinic.models import Clinic, Patient, Treatment
from aftercare.web.leaflet_cache import cached_leaflet
from aftercare.web.protocol import (
    clinic_protocol,
    default_procedure,
    performed_procedure,
    screened_procedure,
)

__all__ = ["clinic_leaflet", "portal_leaflet", "treatment_leaflet"]

SAFE_METHODS = ("GET", "HEAD")
PDF = "application/pdf"


@staff_required
def treatment_leaflet(request: StaffRequest, pk: int, treatment_pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patients = Patient.objects.filter(clinic=clinic).select_related("clinic")
    patient = scoped(request, patients, pk, clinic=clinic, action="export.pdf")
    treatments = Treatment.objects.filter(patient=patient)
    treatment = scoped(request, treatments, treatment_pk, clinic=clinic, action="export.pdf")
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    if treatment.cancelled_at is not None:
        raise Http404("not found")
    audit.record(request, "export.pdf", clinic=clinic, patient=patient, obj=treatment)
    pdf = cached_leaflet(treatment_subject(patient, treatment), render_treatment_leaflet)
    return attachment(pdf, PDF, _filename(treatment))


@staff_required
def clinic_leaflet(request: StaffRequest) -> HttpResponse:
    """The leaflet of one procedure the clinic performs (``?procedure=ID``, else its
    default one); a 400 naming those it performs for any other."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    clinic = request.staff.clinic
    try:
        procedure = performed_procedure(clinic, request.GET.get("procedure", ""))
    except ValueError as error:
        raise BadRequest(str(error)) from None
    return _generic_leaflet(clinic, procedure)


@patient_required
def portal_leaflet(request: PatientRequest) -> HttpResponse:
    """The latest treatment's leaflet; before any treatment, the clinic's generic one."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    patient = request.patient
    care = current_care(patient, clock.now())
    treatment = care.treatment if care else None
    audit.record(request, "export.pdf", clinic=patient.clinic, patient=patient, obj=treatment)
    if treatment is None:
        return _generic_leaflet(patient.clinic, screened_procedure(patient))
    pdf = cached_leaflet(treatment_subject(patient, treatment), render_treatment_leaflet)
    return attachment(pdf, PDF, _filename(treatment))


def _generic_leaflet(clinic: Clinic, procedure: str) -> HttpResponse:
    """The clinic's leaflet for ``procedure``, with no patient's dates; named by the
    procedure unless it is the clinic's default (so the name it always had stays)."""
    pdf = render_clinic_leaflet(clinic_protocol(clinic, procedure), clinic_info(clinic))
    suffix = "" if procedure == default_procedure(clinic) else f"-{procedure}"
    return attachment(pdf, PDF, f"aftercare-leaflet{suffix}.pdf")


def _filename(treatment: Treatment) -> str:
    """ASCII only, and no name: 'aftercare-2026-11-21.pdf' (the local date of treatment)."""
    day = treatment.treated_at.astimezone(zone(treatment.time_zone)).date()
    return f"aftercare-{day.isoformat()}.pdf"
