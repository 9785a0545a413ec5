"""Correct a treatment after it was saved, or cancel it, and keep its reminders in step.

An edit goes through the same form and screening gate as a new treatment, and is
re-recorded under the protocol in force now. Both changes re-sync the reminders in the
same transaction: waiting messages move or stop, and nothing already sent goes again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.localtime import is_repeated, zone
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.booking import refresh_booking
from aftercare.web.care.summary import local_moment
from aftercare.web.clinic.models import Patient, Screening, Treatment
from aftercare.web.protocol import clinic_protocol
from aftercare.web.reminders.schedule import sync_treatment
from aftercare.web.staff.treatment_forms import FACTOR_FLAGS, ROMAN, TreatmentForm

__all__ = ["treatment_cancel", "treatment_edit"]


def _treatment(request: StaffRequest, pk: int, treatment_pk: int, action: str) -> Treatment:
    clinic = request.staff.clinic
    patient = scoped(
        request,
        Patient.objects.filter(clinic=clinic).select_related("clinic"),
        pk,
        clinic=clinic,
        action=action,
    )
    treatment = scoped(
        request,
        Treatment.objects.filter(patient=patient),
        treatment_pk,
        clinic=clinic,
        action=action,
    )
    treatment.patient = patient
    return treatment


@staff_required
def treatment_edit(request: StaffRequest, pk: int, treatment_pk: int) -> HttpResponse:
    treatment = _treatment(request, pk, treatment_pk, "treatment.update")
    patient, clinic = treatment.patient, request.staff.clinic
    if treatment.cancelled_at is not None:
        messages.error(request, "A cancelled treatment cannot be changed.")
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    protocol = clinic_protocol(clinic)
    screening = Screening.objects.filter(patient=patient).order_by("-screened_at", "-pk").first()
    form = TreatmentForm(
        request.POST or None,
        protocol=protocol,
        patient=patient,
        screening=screening,
        now=clock.now(),
        editing=treatment,
    )
    if request.method == "POST" and form.is_valid() and form.treated_at:
        _update(request, treatment, form, (form.treated_at, protocol))
        messages.success(request, "The treatment has been changed.")
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    if request.method != "POST":
        form.initial = _initial(treatment)
        audit.record(request, "treatment.view", clinic=clinic, patient=patient, obj=treatment)
    context = {"nav": "patients", "patient": patient, "treatment": treatment, "form": form}
    return render(request, "aftercare/staff/treatment_edit.html", context)


def _initial(treatment: Treatment) -> dict[str, Any]:
    """The form as the treatment was saved, on the clinic's clock like a new one."""
    tz = zone(treatment.patient.clinic.time_zone)
    local = treatment.treated_at.astimezone(tz)
    twice = is_repeated(local.replace(tzinfo=None), tz)
    factors = treatment.factors if isinstance(treatment.factors, dict) else {}
    fitzpatrick = factors.get("fitzpatrick")
    initial: dict[str, Any] = {
        "treated_on": local.date(),
        "treated_time": local.time().replace(second=0, microsecond=0),
        "repeated": ("second" if local.fold else "first") if twice else "",
        "time_zone": treatment.time_zone,
        "areas": list(treatment.areas),
        "needle_depth_mm": treatment.needle_depth_mm,
        "device": treatment.device,
        "notes": treatment.notes,
        "fitzpatrick": str(fitzpatrick) if fitzpatrick in range(1, len(ROMAN) + 1) else "",
        "override": bool(treatment.override_reason),
        "override_reason": treatment.override_reason,
        "course_override": bool(treatment.course_override_reason),
        "course_override_reason": treatment.course_override_reason,
    }
    return initial | {flag: bool(factors.get(flag)) for flag in FACTOR_FLAGS}


def _update(
    request: StaffRequest,
    treatment: Treatment,
    form: TreatmentForm,
    when: tuple[datetime, Protocol],
) -> None:
    treated_at, protocol = when
    data = form.cleaned_data
    moved_from = treatment.treated_at
    treatment.treated_at = treated_at
    treatment.time_zone = data["time_zone"]
    treatment.areas = list(data["areas"])
    treatment.needle_depth_mm = data["needle_depth_mm"]
    treatment.device = data["device"].strip()
    treatment.notes = data["notes"].strip()
    treatment.factors = form.factors_json()
    treatment.protocol_id, treatment.protocol_version = protocol.effective_id, protocol.version
    treatment.override_reason = data["override_reason"].strip() if form.override_used else ""
    treatment.course_override_reason = form.recorded_course_reason()
    clinic, patient = request.staff.clinic, treatment.patient
    with transaction.atomic():
        treatment.save()
        audit.record(request, "treatment.update", clinic=clinic, patient=patient, obj=treatment)
        if form.override_used:
            audit.record(
                request, "treatment.override", clinic=clinic, patient=patient, obj=treatment
            )
        if form.course_override_used:
            audit.record(
                request, "treatment.course_override", clinic=clinic, patient=patient, obj=treatment
            )
        sync_treatment(treatment, clock.now(), moved_from=moved_from)
        refresh_booking(patient, protocol)


@staff_required
def treatment_cancel(request: StaffRequest, pk: int, treatment_pk: int) -> HttpResponse:
    treatment = _treatment(request, pk, treatment_pk, "treatment.cancel")
    patient, clinic = treatment.patient, request.staff.clinic
    if treatment.cancelled_at is not None:
        messages.info(request, "This treatment was already cancelled.")
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        now = clock.now()
        with transaction.atomic():
            treatment.cancelled_at = now
            treatment.save(update_fields=["cancelled_at"])
            audit.record(request, "treatment.cancel", clinic=clinic, patient=patient, obj=treatment)
            sync_treatment(treatment, now)
            refresh_booking(patient)
        messages.success(
            request, "The treatment has been cancelled; its messages will not be sent."
        )
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    audit.record(request, "treatment.view", clinic=clinic, patient=patient, obj=treatment)
    context = {
        "nav": "patients",
        "patient": patient,
        "treatment": treatment,
        "at": local_moment(treatment.treated_at, treatment.time_zone),
        "unconfirmed": request.method == "POST",
    }
    return render(request, "aftercare/staff/treatment_edit_cancel.html", context)
