"""The clinic's patients: the searchable list, the form, and one patient's whole record.

Every query starts from the signed-in staff member's clinic, and one patient is looked up
only through ``scoped``, so another clinic's patient is a 404 that names nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.explain import format_day
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.actor import Actor
from aftercare.web.care.consent import consent_lines
from aftercare.web.care.factors import factor_words, recorded_values
from aftercare.web.care.records import record_new_patient, record_patient_change
from aftercare.web.care.summary import (
    CourseSummary,
    area_labels,
    course_summary,
    local_moment,
    local_today,
    reviewer,
    staff_name,
    today_summary,
    treatment_plan,
)
from aftercare.web.clinic.models import (
    CheckIn,
    Clinic,
    Patient,
    PlannedCourse,
    Screening,
    Treatment,
)
from aftercare.web.paging import EitherEndPaginator
from aftercare.web.paths import path_for
from aftercare.web.protocol import (
    base_id,
    clinic_protocol,
    course_procedures,
    enabled_procedures,
    procedure_courses,
    record_protocol,
)
from aftercare.web.staff.patient_forms import PatientForm
from aftercare.web.staff.patient_search import clean_query, latest_treated, search
from aftercare.web.staff.reminders import reminder_rows

__all__ = ["PAGE_SIZE", "patient_detail", "patient_edit", "patient_list", "patient_new"]

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class PatientRow:
    patient: Patient
    latest_treatment: str
    url: str


@staff_required
def patient_list(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    query = clean_query(request.GET.get("q", ""))
    patients = search(Patient.objects.filter(clinic=clinic), query)
    # Without a search, the total is the clinic's count: no need to count the rows.
    total = None if query else clinic.patient_count
    page = EitherEndPaginator(
        patients.order_by("family_name", "given_name", "pk"), PAGE_SIZE, total
    ).get_page(request.GET.get("page"))
    latest = latest_treated(page)
    patient_path = path_for("staff:patient")
    rows = [
        PatientRow(
            patient,
            "" if patient.pk not in latest else local_moment(latest[patient.pk], clinic.time_zone),
            patient_path(patient.pk),
        )
        for patient in page
    ]
    audit.record(request, "patient.list", clinic=clinic)
    context = {"nav": "patients", "query": query, "page": page, "rows": rows}
    return render(request, "aftercare/staff/patient_list.html", context)


@staff_required
def patient_new(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    today = local_today(clinic, clock.now())
    form = PatientForm(request.POST or None, today=today, protocols=_course_protocols(clinic))
    if request.method == "POST" and form.is_valid():
        patient = record_new_patient(Actor.of(request), clinic, form.to_input())
        messages.success(request, f"{patient} has been added.")
        return redirect("staff:patient", pk=patient.pk)
    context = {"nav": "patients", "form": form, "patient": None}
    return render(request, "aftercare/staff/patient_form.html", context)


@staff_required
def patient_edit(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    action = "patient.update" if request.method == "POST" else "patient.view"
    patient = scoped(
        request, Patient.objects.filter(clinic=clinic), pk, clinic=clinic, action=action
    )
    form = PatientForm(
        request.POST or None,
        instance=patient,
        today=local_today(clinic, clock.now()),
        protocols=_course_protocols(clinic),
    )
    if request.method == "POST" and form.is_valid():
        record_patient_change(Actor.of(request), patient, form.to_input())
        messages.success(request, f"{patient}'s details have been saved.")
        return redirect("staff:patient", pk=patient.pk)
    if request.method == "POST":
        # The heading keeps the saved name while the form shows what was typed.
        patient.refresh_from_db(fields=["given_name", "family_name"])
    else:
        audit.record(request, "patient.view", clinic=clinic, patient=patient, obj=patient)
    context = {"nav": "patients", "form": form, "patient": patient}
    return render(request, "aftercare/staff/patient_form.html", context)


def _course_protocols(clinic: Clinic) -> list[Protocol]:
    return [clinic_protocol(clinic, procedure) for procedure in course_procedures(clinic)]


@staff_required
def patient_detail(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patient = scoped(
        request, Patient.objects.filter(clinic=clinic), pk, clinic=clinic, action="patient.view"
    )
    audit.record(request, "patient.view", clinic=clinic, patient=patient, obj=patient)
    return render(request, "aftercare/staff/patient_detail.html", _record(request, patient))


def _record(request: StaffRequest, patient: Patient) -> dict[str, Any]:
    """The patient page's context, in a fixed number of queries."""
    clinic = request.staff.clinic
    now = clock.now()
    screenings = list(Screening.objects.filter(patient=patient).select_related("screened_by__user"))
    treatments = list(Treatment.objects.filter(patient=patient))
    check_ins = list(
        CheckIn.objects.filter(treatment__patient=patient)
        .select_related("reviewed_by__user", "reviewed_by_key")
        .order_by("-created_at")
    )
    current = next((t for t in treatments if t.cancelled_at is None), None)
    courses = _courses(clinic, patient, treatments, local_today(clinic, now))
    today = current_at = None
    if current is not None:
        protocol = record_protocol(current, clinic)
        today = today_summary(protocol, treatment_plan(protocol, current), now)
        current_at = local_moment(current.treated_at, current.time_zone)
    return {
        "nav": "patients",
        "patient": patient,
        "screenings": [_screening_row(s, clinic) for s in screenings],
        "screening_procedures": _names_procedures(clinic, screenings),
        "treatments": [_treatment_row(t, record_protocol(t, clinic)) for t in treatments],
        "check_ins": [_check_in_row(c, clinic.time_zone) for c in check_ins],
        "current": current,
        "today": today,
        "current_at": current_at,
        "courses": courses,
        # A patient on courses of two procedures is shown each under its name.
        "courses_named": len(courses) > 1,
        "reminders": reminder_rows(patient),
        "consent": consent_lines(patient, clinic.time_zone, named=True),
    }


@dataclass(frozen=True, slots=True)
class CourseSection:
    """One procedure's course on the patient page."""

    procedure_id: str
    procedure: str
    text: str
    summary: CourseSummary | None


def _courses(
    clinic: Clinic, patient: Patient, treatments: list[Treatment], today: date
) -> list[CourseSection]:
    """A section for the course of each procedure the patient has treatments of, the
    latest treated first; the clinic's protocols and the patient's planned lengths are
    read once, so a second course costs no query."""
    sections = []
    courses = procedure_courses(treatments)
    planned = PlannedCourse.of(patient) if courses else {}
    for procedure, course in courses:
        protocol = clinic_protocol(clinic, procedure)
        summary = course_summary(protocol, course, today, planned.get(procedure))
        sections.append(CourseSection(procedure, protocol.procedure, protocol.course.text, summary))
    return sections


def _names_procedures(clinic: Clinic, screenings: list[Screening]) -> bool:
    """Whether the screenings table names each one's procedure: when the clinic performs
    more than one, or a screening is of one it no longer performs (as the forms ask)."""
    procedures = {*enabled_procedures(clinic), *(base_id(s.protocol_id) for s in screenings)}
    return len(procedures) > 1


def _screening_row(screening: Screening, clinic: Clinic) -> dict[str, Any]:
    reasons = screening.result.get("reasons", []) if isinstance(screening.result, dict) else []
    zone_name = clinic.time_zone
    return {
        "screening": screening,
        "procedure": record_protocol(screening, clinic).procedure,
        "reasons": [str(reason.get("text", "")) for reason in reasons],
        "earliest": "" if screening.earliest_date is None else format_day(screening.earliest_date),
        "by": staff_name(screening.screened_by),
        "at": local_moment(screening.screened_at, zone_name),
    }


def _treatment_row(treatment: Treatment, protocol: Protocol) -> dict[str, Any]:
    return {
        "treatment": treatment,
        "at": local_moment(treatment.treated_at, treatment.time_zone),
        "procedure": protocol.procedure,
        "areas": area_labels(protocol, treatment.areas),
        "factors": factor_words(protocol, recorded_values(protocol, treatment.factors)),
    }


def _check_in_row(check_in: CheckIn, zone_name: str) -> dict[str, Any]:
    return {
        "check_in": check_in,
        "at": local_moment(check_in.created_at, zone_name),
        "reviewed_by": reviewer(check_in),
    }
