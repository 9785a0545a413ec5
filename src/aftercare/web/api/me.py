"""The patient's own routes, for the portal's browser session (``/api/v1/me/…``).

They answer about the patient's latest treatment that has happened, in the zone recorded
with it; a patient with none yet gets 409 saying so. Writing (a check-in) needs the
portal's CSRF token, as any cookie-authenticated form does.
"""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from django.http import HttpResponse
from ninja import Query, Router, Status
from ninja.errors import HttpError

from aftercare.exports import ics
from aftercare.exports.pdf import treatment_leaflet
from aftercare.web import audit, clock
from aftercare.web.access import scoped
from aftercare.web.api.auth import PatientRequest, PatientSession
from aftercare.web.api.common import asked_course, check_in_from, require_symptoms_or_words
from aftercare.web.api.present import check_in_out, course_out, plan_out
from aftercare.web.api.problems import responses
from aftercare.web.api.record_schemas import CheckInIn, CheckInOut
from aftercare.web.api.schemas import AskOut, CheckOut, CourseOut, PlanOut
from aftercare.web.api.treatments import (
    AskQuery,
    AtQuery,
    CanIQuery,
    CourseQuery,
    ask,
    ask_question,
    care_at,
    files,
)
from aftercare.web.care.current import current_care, treatments_of
from aftercare.web.care.export_subject import attachment, treatment_subject
from aftercare.web.care.summary import local_today, treatment_plan
from aftercare.web.clinic.models import CheckIn, PlannedCourse, Treatment
from aftercare.web.leaflet_cache import cached_leaflet
from aftercare.web.protocol import (
    treatment_protocol,
)

__all__ = ["router"]

router = Router(tags=["patient"], auth=PatientSession())

READ = (401, 409)
NO_TREATMENT = "No treatment has been recorded for you yet."


def _latest(request: PatientRequest, action: str) -> Treatment:
    patient = request.patient
    care = current_care(patient, clock.now())
    if care is None:
        raise HttpError(409, NO_TREATMENT)
    audit.record(request, action, clinic=patient.clinic, patient=patient, obj=care.treatment)
    return care.treatment


@router.get("plan", response=responses({200: PlanOut}, *READ))
def my_plan(request: PatientRequest, query: Query[AtQuery]) -> PlanOut:
    """Your plan; with ``at``, the day it is then and what changes next."""
    treatment = _latest(request, "portal.plan")
    protocol = treatment_protocol(treatment)
    return plan_out(treatment_plan(protocol, treatment), query.at or clock.now())


@router.get("can-i", response=responses({200: CheckOut}, *READ))
def my_can_i(request: PatientRequest, query: Query[CanIQuery]) -> dict[str, object]:
    """Can I … now (or at ``at``)?"""
    treatment = _latest(request, "portal.can_i")
    return ask(request.patient, treatment, query.activity, query.at)


@router.get("ask", response=responses({200: AskOut}, *READ))
def my_ask(request: PatientRequest, query: Query[AskQuery]) -> dict[str, object]:
    """Ask as you would a person: "can i wear makeup tomorrow?"."""
    treatment = _latest(request, "portal.ask")
    return ask_question(request.patient, treatment, query.q, query.at)


@router.post("check-ins", response=responses({201: CheckInOut}, 401, 403, 409))
def my_check_in(request: PatientRequest, payload: CheckInIn) -> Status[CheckInOut]:
    """Tell the clinic how you are; the answer says whether to contact them, with the
    number to ring when it is urgent. Send an ``Idempotency-Key`` header to retry safely:
    the same key answers with the check-in it first recorded."""
    require_symptoms_or_words(payload.symptoms, payload.free_text, "free_text")
    treatment = _latest(request, "portal.checkin")
    care = care_at(treatment, clock.now())
    record = check_in_from(request, care, payload)
    return Status(201, check_in_out(record, request.patient.clinic.urgent_phone))


@router.get("check-ins/{int:pk}", response=responses({200: CheckInOut}, 401, 404))
def my_check_in_result(request: PatientRequest, pk: int) -> CheckInOut:
    patient = request.patient
    records = CheckIn.objects.filter(treatment__patient=patient)
    record = scoped(request, records, pk, clinic=patient.clinic, action="portal.checkin.view")
    audit.record(request, "portal.checkin.view", clinic=patient.clinic, patient=patient, obj=record)
    return check_in_out(record, patient.clinic.urgent_phone)


@router.get("course", response=responses({200: CourseOut}, 401, 404))
def my_course(request: PatientRequest, query: Query[CourseQuery]) -> CourseOut:
    """Your course of ``procedure`` so far (by default, of your latest treatment's)."""
    patient = request.patient
    clinic = patient.clinic
    audit.record(request, "portal.course", clinic=clinic, patient=patient, obj=patient)
    today = local_today(clinic, clock.now())
    treatments = list(treatments_of(patient))
    protocol, course = asked_course(clinic, treatments, query.procedure, "You have")
    chosen = PlannedCourse.sessions_for(patient.pk, protocol.id)
    return course_out(protocol, course, today, chosen)


@router.get(
    "calendar.ics",
    response=responses({200: None}, *READ),
    openapi_extra=files(ics.CONTENT_TYPE, "Your plan's milestones as an iCalendar file."),
)
def my_calendar(request: PatientRequest) -> HttpResponse:
    treatment = _latest(request, "export.ics")
    subject = treatment_subject(request.patient, treatment)
    return attachment(ics.calendar(subject), ics.CONTENT_TYPE, ics.filename(subject))


@router.get(
    "leaflet.pdf",
    response=responses({200: None}, *READ),
    openapi_extra=files("application/pdf", "Your printable aftercare leaflet."),
)
def my_leaflet(request: PatientRequest) -> HttpResponse:
    treatment = _latest(request, "export.pdf")
    pdf = cached_leaflet(treatment_subject(request.patient, treatment), treatment_leaflet)
    return attachment(pdf, "application/pdf", f"aftercare-treatment-{treatment.pk}.pdf")
