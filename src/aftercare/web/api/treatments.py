"""Treatments, their plans, "can I", check-ins and exports, for clinic systems.

A treatment is checked by the rules the web app's form uses (``treatment_input``): the
same screening gate (a treatment against the latest screening needs ``override_reason``),
the same limits, and the time taken to the minute in the clinic's zone. Saving it
schedules the patient's reminders.
"""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from pydantic import Field

from aftercare.contracts import ask_json, check_json
from aftercare.engine.ask import ask as ask_engine
from aftercare.engine.check import check
from aftercare.exports import ics
from aftercare.exports.pdf import treatment_leaflet
from aftercare.web import audit, clock
from aftercare.web.access import scoped
from aftercare.web.actor import Actor
from aftercare.web.api.auth import KeyRequest, require_write
from aftercare.web.api.common import (
    asked_course,
    check_in_from,
    procedure_protocol,
    require_symptoms_or_words,
)
from aftercare.web.api.fields import Moment
from aftercare.web.api.patients import patient_of
from aftercare.web.api.present import (
    check_in_out,
    course_out,
    treatment_out,
    treatment_plan_body,
    treatment_plan_out,
)
from aftercare.web.api.problems import responses
from aftercare.web.api.record_schemas import CheckInIn, CheckInOut, TreatmentIn, TreatmentOut
from aftercare.web.api.schemas import AskOut, CheckOut, CourseOut, PlanOut
from aftercare.web.api.treatment_input import treatment_input
from aftercare.web.care.current import Care, care_of
from aftercare.web.care.export_subject import attachment, treatment_subject
from aftercare.web.care.records import record_treatment
from aftercare.web.care.summary import local_today
from aftercare.web.clinic.models import CheckIn, Patient, PlannedCourse, Screening, Treatment
from aftercare.web.export_fhir import FHIR_JSON, bundle_download, latest_treatment
from aftercare.web.leaflet_cache import cached_leaflet
from aftercare.web.protocol import (
    same_procedure,
    treatment_protocol,
)

__all__ = ["AskQuery", "ask", "ask_question", "care_at", "files", "router"]

router = Router(tags=["treatments"])

READ = (401, 404)
WRITE = (401, 403, 404, 409)


BINARY = {"type": "string", "format": "binary"}


def files(media_type: str, description: str, schema: dict[str, Any] = BINARY) -> dict[str, Any]:
    """The OpenAPI description of a file download (``schema``: what a JSON file holds)."""
    return {
        "responses": {
            200: {"description": description, "content": {media_type: {"schema": schema}}}
        }
    }


def _treatment_of(request: KeyRequest, pk: int, action: str) -> Treatment:
    clinic = request.api_key.clinic
    treatments = Treatment.objects.filter(patient__clinic=clinic).select_related("patient")
    treatment = scoped(request, treatments, pk, clinic=clinic, action=action)
    # The key's clinic, read with the key: the filter made it the patient's.
    treatment.patient.clinic = clinic
    return treatment


def _audit(request: HttpRequest, action: str, treatment: Treatment) -> None:
    patient = treatment.patient
    audit.record(request, action, clinic=patient.clinic, patient=patient, obj=treatment)


# --- treatments -----------------------------------------------------------------------


@router.get("patients/{int:pk}/treatments", response=responses({200: list[TreatmentOut]}, *READ))
def list_treatments(request: KeyRequest, pk: int) -> list[TreatmentOut]:
    """The patient's treatments, latest first, cancelled ones included (``cancelled_at``)."""
    patient = patient_of(request, pk, "treatment.list")
    audit.record(request, "treatment.list", clinic=patient.clinic, patient=patient, obj=patient)
    treatments = Treatment.objects.filter(patient=patient).order_by("-treated_at", "-pk")
    return [treatment_out(t) for t in treatments]


@router.post("patients/{int:pk}/treatments", response=responses({201: TreatmentOut}, *WRITE))
def create_treatment(request: KeyRequest, pk: int, payload: TreatmentIn) -> Status[TreatmentOut]:
    """Record a treatment and get its plan; its reminders are scheduled at once.

    Refused with 409 when the patient's latest screening does not clear the treatment
    (none, not eligible, or too old for the clinic) unless ``override_reason`` says why;
    and when, counted from the recorded treatments, it would be a session beyond the
    course's most or sooner than its shortest gap, unless ``course_override_reason`` does.
    """
    require_write(request)
    patient = patient_of(request, pk, "treatment.create")
    protocol = procedure_protocol(patient.clinic, payload.procedure)
    screenings = Screening.objects.filter(same_procedure(protocol.id), patient=patient)
    screening = screenings.order_by("-screened_at", "-pk").first()
    treatment = treatment_input(payload, patient, protocol, screening, clock.now())
    recorded = record_treatment(Actor.of(request), patient, treatment, protocol)
    return Status(201, treatment_out(recorded, protocol))


@router.get("treatments/{int:pk}", response=responses({200: TreatmentOut}, *READ))
def get_treatment(request: KeyRequest, pk: int) -> TreatmentOut:
    """The treatment with its plan."""
    treatment = _treatment_of(request, pk, "treatment.view")
    _audit(request, "treatment.view", treatment)
    return treatment_out(treatment, treatment_protocol(treatment))


class AtQuery(Schema):
    at: Moment | None = None


@router.get("treatments/{int:pk}/plan", response=responses({200: PlanOut}, *READ))
def get_plan(request: KeyRequest, pk: int, query: Query[AtQuery]) -> PlanOut | HttpResponse:
    """The plan in the patient's zone; with ``at``, the day it is then and the next change."""
    treatment = _treatment_of(request, pk, "plan.view")
    _audit(request, "plan.view", treatment)
    protocol = treatment_protocol(treatment)
    if query.at is None:
        # The kept answer, written as ninja writes this route's PlanOut.
        body = treatment_plan_body(protocol, treatment)
        return HttpResponse(body, content_type=f"{JSONRenderer.media_type}; charset=utf-8")
    return treatment_plan_out(protocol, treatment, query.at)


class CanIQuery(Schema):
    activity: Annotated[str, Field(min_length=1, max_length=100)]
    at: Moment | None = None


@router.get("treatments/{int:pk}/can-i", response=responses({200: CheckOut}, *READ, 409))
def can_i(request: KeyRequest, pk: int, query: Query[CanIQuery]) -> dict[str, object]:
    """May the patient do ``activity`` at ``at`` (default now); an unknown activity is a
    422 that suggests the nearest names."""
    treatment = _treatment_of(request, pk, "plan.can_i")
    _audit(request, "plan.can_i", treatment)
    return ask(treatment.patient, treatment, query.activity, query.at)


def ask(
    patient: Patient, treatment: Treatment, activity: str, at: datetime | None
) -> dict[str, object]:
    """Can the patient do ``activity`` at ``at`` (default now), as the portal answers it."""
    care = _care_then(patient, treatment, at)
    result = check(care.protocol, activity, care.hours_after, treated_at=care.treated_at)
    return check_json(care.protocol, result)


class AskQuery(Schema):
    q: Annotated[str, Field(min_length=1, max_length=200)]
    at: Moment | None = None


@router.get("treatments/{int:pk}/ask", response=responses({200: AskOut}, *READ, 409))
def ask_treatment(request: KeyRequest, pk: int, query: Query[AskQuery]) -> dict[str, object]:
    """A question as the patient types it ("can i have a glass of wine tonight?"), answered
    at ``at`` (default now), time words placed in the patient's zone. It answers, asks back
    with ``suggestions``, or says it did not understand (``understood`` false)."""
    treatment = _treatment_of(request, pk, "plan.ask")
    _audit(request, "plan.ask", treatment)
    return ask_question(treatment.patient, treatment, query.q, query.at)


def ask_question(
    patient: Patient, treatment: Treatment, question: str, at: datetime | None
) -> dict[str, object]:
    """The resolver's answer to ``question`` at ``at`` (default now), as JSON."""
    care = _care_then(patient, treatment, at)
    result = ask_engine(care.protocol, question, care.hours_after, treated_at=care.treated_at)
    return ask_json(care.protocol, result)


def _care_then(patient: Patient, treatment: Treatment, at: datetime | None) -> Care:
    moment = at or clock.now()
    if moment < treatment.treated_at:
        raise HttpError(409, "That moment is before the treatment.")
    return care_of(patient, treatment, moment)


class CourseQuery(Schema):
    # The procedure's protocol id (``chemical-peel``); default: that of the patient's
    # latest treatment, so a patient on two courses is asked about one at a time.
    procedure: Annotated[str, Field(min_length=1, max_length=64)] | None = None


@router.get("patients/{int:pk}/course", response=responses({200: CourseOut}, *READ))
def get_course(request: KeyRequest, pk: int, query: Query[CourseQuery]) -> CourseOut:
    """The patient's course of ``procedure`` so far (by default, of the procedure of
    their latest treatment), on the clinic's calendar today; 404 if the patient has no
    treatments of the procedure asked."""
    patient = patient_of(request, pk, "course.view")
    clinic = patient.clinic
    audit.record(request, "course.view", clinic=clinic, patient=patient, obj=patient)
    treatments = list(Treatment.objects.filter(patient=patient))
    protocol, course = asked_course(clinic, treatments, query.procedure, "This patient has")
    today = local_today(clinic, clock.now())
    chosen = PlannedCourse.sessions_for(patient.pk, protocol.id)
    return course_out(protocol, course, today, chosen)


# --- check-ins --------------------------------------------------------------------------


def care_at(treatment: Treatment, at: datetime) -> Care:
    """The treatment as the triage sees it at ``at``; 409 if it cannot be checked in on."""
    if treatment.cancelled_at is not None:
        raise HttpError(409, "This treatment was cancelled.")
    if treatment.treated_at > at:
        raise HttpError(409, "This treatment has not happened yet.")
    return care_of(treatment.patient, treatment, at)


@router.get("treatments/{int:pk}/check-ins", response=responses({200: list[CheckInOut]}, *READ))
def list_check_ins(request: KeyRequest, pk: int) -> list[CheckInOut]:
    treatment = _treatment_of(request, pk, "checkin.list")
    _audit(request, "checkin.list", treatment)
    urgent = treatment.patient.clinic.urgent_phone
    return [check_in_out(c, urgent) for c in _check_ins(treatment)]


def _check_ins(treatment: Treatment) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(treatment=treatment).order_by("-created_at", "-pk")


@router.post("treatments/{int:pk}/check-ins", response=responses({201: CheckInOut}, *WRITE))
def create_check_in(request: KeyRequest, pk: int, payload: CheckInIn) -> Status[CheckInOut]:
    """Record symptoms reported now (by phone, say) and triage them; an answer other than
    "expected" becomes an alert for staff. Send an ``Idempotency-Key`` header to retry
    safely: the same key answers with the check-in it first recorded, and no second alert."""
    require_write(request)
    require_symptoms_or_words(payload.symptoms, payload.free_text, "free_text")
    treatment = _treatment_of(request, pk, "checkin.create")
    care = care_at(treatment, clock.now())
    record = check_in_from(request, care, payload)
    return Status(201, check_in_out(record, treatment.patient.clinic.urgent_phone))


# --- exports ----------------------------------------------------------------------------


@router.get(
    "treatments/{int:pk}/calendar.ics",
    response=responses({200: None}, *READ),
    openapi_extra=files(ics.CONTENT_TYPE, "The plan's milestones as an iCalendar file."),
)
def calendar(request: KeyRequest, pk: int) -> HttpResponse:
    treatment = _treatment_of(request, pk, "export.ics")
    _audit(request, "export.ics", treatment)
    subject = treatment_subject(treatment.patient, treatment)
    return attachment(ics.calendar(subject), ics.CONTENT_TYPE, ics.filename(subject))


@router.get(
    "treatments/{int:pk}/leaflet.pdf",
    response=responses({200: None}, *READ),
    openapi_extra=files("application/pdf", "The patient's printable leaflet."),
)
def leaflet(request: KeyRequest, pk: int) -> HttpResponse:
    treatment = _treatment_of(request, pk, "export.pdf")
    _audit(request, "export.pdf", treatment)
    pdf = cached_leaflet(treatment_subject(treatment.patient, treatment), treatment_leaflet)
    return attachment(pdf, "application/pdf", f"aftercare-treatment-{treatment.pk}.pdf")


@router.get(
    "patients/{int:pk}/fhir",
    response=responses({200: None}, *READ, 409),
    openapi_extra=files(
        FHIR_JSON,
        "A FHIR R4 Bundle of the patient's latest treatment.",
        {"type": "object", "description": "A FHIR R4 Bundle (resourceType Bundle)."},
    ),
)
def patient_fhir(request: KeyRequest, pk: int) -> HttpResponse:
    patient = patient_of(request, pk, "export.fhir")
    now = clock.now()
    treatment = latest_treatment(patient, now)
    if treatment is None:
        raise HttpError(409, "This patient has no treatment to export yet.")
    _audit(request, "export.fhir", treatment)
    return bundle_download(patient, treatment, now)
