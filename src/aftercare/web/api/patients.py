"""A clinic's patients and their screenings, for clinic systems holding the clinic's key.

Every query starts from the key's clinic; a patient of another clinic is a 404, the same
as one that does not exist, and the denial is audited without any personal data.
Patients are checked by the web app's rules (``patient_input``), so a mobile number is
stored in E.164 and a message channel needs its address and the patient's consent.
"""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from typing import Annotated, Literal

from django.db.models import QuerySet
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field, StrictBool

from aftercare.contracts import screening_json
from aftercare.protocols.load import DEFAULT_PROTOCOL
from aftercare.protocols.schema import Protocol
from aftercare.web import audit
from aftercare.web.access import scoped
from aftercare.web.actor import Actor
from aftercare.web.api.auth import KeyRequest, require_write
from aftercare.web.api.common import (
    only_known,
    procedure_protocol,
    screening_answers,
    today_for,
)
from aftercare.web.api.fields import ProcedureId
from aftercare.web.api.patient_input import patient_input
from aftercare.web.api.present import patient_out, screening_out
from aftercare.web.api.problems import responses
from aftercare.web.api.record_schemas import PatientIn, PatientOut, PatientPatch
from aftercare.web.api.schemas import ScreeningOut, ScreeningRecordOut
from aftercare.web.care.patients import PatientInput
from aftercare.web.care.records import record_new_patient, record_patient_change, record_screening
from aftercare.web.clinic.models import Clinic, Patient, Screening
from aftercare.web.clinic.search_keys import text_key
from aftercare.web.protocol import clinic_protocol, course_procedures, default_procedure

__all__ = ["course_protocols", "patient_of", "router"]

router = Router(tags=["patients"])

READ = (401, 404)
WRITE = (401, 403, 404)
MAX_PAGE = 100


class Pages(LimitOffsetPagination):
    """``limit`` (1 to 100, default 50) and ``offset``; the answer has ``items`` and ``count``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=10_000_000)


class PatientFilter(Schema):
    family_name: Annotated[str, Field(max_length=100)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    mobile: Annotated[str, Field(max_length=40)] | None = None
    ordering: Literal["family_name", "-family_name", "created_at", "-created_at", "id", "-id"] = (
        "family_name"
    )


def course_protocols(clinic: Clinic) -> dict[str, Protocol]:
    """The protocols of the procedures the clinic performs, the default one first: the
    courses a patient's lengths may be planned for."""
    return {pid: clinic_protocol(clinic, pid) for pid in course_procedures(clinic)}


def patient_of(request: KeyRequest, pk: int, action: str) -> Patient:
    clinic = request.api_key.clinic
    patients = Patient.objects.filter(clinic=clinic).select_related("clinic")
    return scoped(request, patients, pk, clinic=clinic, action=action)


class _Page:
    """The patients of a list as the API shows them, a page at a time, their planned
    courses read in one more query; ``total``: the clinic's count for an unfiltered list,
    kept as patients are added, so a page of a large clinic does not count every row
    (the paginator calls these)."""

    def __init__(self, rows: QuerySet[Patient], default: str, total: int | None) -> None:
        self.rows, self.default, self.total = rows, default, total

    def all(self) -> "_Page":
        return self

    def count(self) -> int:
        return self.rows.count() if self.total is None else self.total

    def __getitem__(self, page: slice) -> list[PatientOut]:
        found = self.rows.prefetch_related("planned_courses")[page]
        return [patient_out(patient, self.default) for patient in found]


@router.get("patients", response=responses({200: list[PatientOut]}, 401))
@paginate(Pages)
def list_patients(request: KeyRequest, filters: Query[PatientFilter]) -> _Page:
    """The clinic's patients, filtered by exact family name, email or mobile (E.164);
    any other query parameter is refused (422)."""
    only_known(request, PatientFilter, Pages.Input)
    clinic = request.api_key.clinic
    patients = Patient.objects.filter(clinic=clinic)
    # Each filter reads its search key's index; iexact then keeps the exact meaning
    # among the few rows found ("Zoe" does not find "Zoë").
    if filters.family_name:
        name = filters.family_name.strip()
        patients = patients.filter(family_key=text_key(name), family_name__iexact=name)
    if filters.email:
        email = filters.email.strip()
        patients = patients.filter(email_key=text_key(email), email__iexact=email)
    if filters.mobile:
        patients = patients.filter(mobile=filters.mobile.strip())
    audit.record(request, "api.patient.list", clinic=clinic)
    rows = patients.order_by(filters.ordering, "pk")
    filtered = filters.family_name or filters.email or filters.mobile
    return _Page(rows, default_procedure(clinic), None if filtered else clinic.patient_count)


@router.post("patients", response=responses({201: PatientOut}, 401, 403))
def create_patient(request: KeyRequest, payload: PatientIn) -> Status[PatientOut]:
    require_write(request)
    clinic = request.api_key.clinic
    values = payload.model_dump()
    if "course_sessions" not in payload.model_fields_set:
        del values["course_sessions"]  # not sent: ``courses`` may name that course
    details = patient_input(values, today_for(request), course_protocols(clinic))
    patient = record_new_patient(Actor.of(request), clinic, details)
    return Status(201, patient_out(patient, default_procedure(clinic)))


@router.get("patients/{int:pk}", response=responses({200: PatientOut}, *READ))
def get_patient(request: KeyRequest, pk: int) -> PatientOut:
    patient = patient_of(request, pk, "patient.view")
    audit.record(request, "patient.view", clinic=patient.clinic, patient=patient, obj=patient)
    return patient_out(patient, default_procedure(patient.clinic))


@router.patch("patients/{int:pk}", response=responses({200: PatientOut}, *WRITE))
def update_patient(request: KeyRequest, pk: int, payload: PatientPatch) -> PatientOut:
    """Change the fields sent; the others keep their values."""
    require_write(request)
    patient = patient_of(request, pk, "patient.update")
    current = {name: getattr(patient, name) for name in PatientInput.detail_names()}
    changes = payload.model_dump(exclude_unset=True)
    if any(changes.get(name, "") is None for name in ("given_name", "family_name")):
        raise ValidationError([{"loc": ("body",), "msg": "names cannot be removed"}])
    merged = current | changes
    clinic = patient.clinic
    details = patient_input(merged, today_for(request), course_protocols(clinic))
    changed = record_patient_change(Actor.of(request), patient, details)
    return patient_out(changed, default_procedure(clinic))


@router.get(
    "patients/{int:pk}/screenings", response=responses({200: list[ScreeningRecordOut]}, *READ)
)
def list_screenings(request: KeyRequest, pk: int) -> list[ScreeningRecordOut]:
    """The patient's screenings, newest first, as they were decided."""
    patient = patient_of(request, pk, "screening.list")
    audit.record(request, "screening.list", clinic=patient.clinic, patient=patient, obj=patient)
    screenings = Screening.objects.filter(patient=patient).order_by("-screened_at", "-pk")
    return [screening_out(s) for s in screenings]


class ScreeningIn(Schema):
    """The answers, keyed by the question ids of the protocol of ``procedure`` (one the
    clinic performs; ``GET /v1/protocol`` gives microneedling's)."""

    procedure: ProcedureId = DEFAULT_PROTOCOL

    answers: dict[
        Annotated[str, Field(max_length=100)],
        StrictBool | Annotated[str, Field(max_length=200)] | None,
    ] = Field(max_length=100)


class ScreeningCreated(ScreeningRecordOut):
    result: ScreeningOut


@router.post("patients/{int:pk}/screenings", response=responses({201: ScreeningCreated}, *WRITE))
def create_screening(
    request: KeyRequest, pk: int, payload: ScreeningIn
) -> Status[ScreeningCreated]:
    """Screen the patient today (the clinic's day) and keep the answers and the result."""
    require_write(request)
    patient = patient_of(request, pk, "screening.create")
    protocol = procedure_protocol(patient.clinic, payload.procedure)
    answers = screening_answers(protocol, payload.answers)
    screening, result = record_screening(
        Actor.of(request), patient, protocol, answers, today_for(request)
    )
    shown = screening_out(screening).model_dump()
    result_out = ScreeningOut.model_validate(screening_json(protocol, result))
    return Status(201, ScreeningCreated(**shown, result=result_out))
