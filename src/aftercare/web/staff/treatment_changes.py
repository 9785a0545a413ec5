"""The pages that correct a treatment after it was saved, or cancel it.

An edit goes through the same form and screening gate as a new treatment; the care layer
re-records it under the protocol in force now and re-syncs the reminders in the same
transaction (``change_treatment``, ``cancel_treatment``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.localtime import is_repeated, zone
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.actor import Actor
from aftercare.web.care.factors import recorded_values
from aftercare.web.care.records import cancel_treatment, change_treatment
from aftercare.web.care.summary import local_moment
from aftercare.web.clinic.models import Patient, Screening, Treatment
from aftercare.web.protocol import record_protocol
from aftercare.web.staff.treatment_forms import TreatmentForm, factor_initial

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
    protocol = record_protocol(treatment, clinic)
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
        change_treatment(Actor.of(request), treatment, form.to_input(), protocol)
        messages.success(request, "The treatment has been changed.")
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    if request.method != "POST":
        form.initial = _initial(treatment, protocol)
        audit.record(request, "treatment.view", clinic=clinic, patient=patient, obj=treatment)
    context = {"nav": "patients", "patient": patient, "treatment": treatment, "form": form}
    return render(request, "aftercare/staff/treatment_edit.html", context)


def _initial(treatment: Treatment, protocol: Protocol) -> dict[str, Any]:
    """The form as the treatment was saved, on the clinic's clock like a new one."""
    tz = zone(treatment.patient.clinic.time_zone)
    local = treatment.treated_at.astimezone(tz)
    twice = is_repeated(local.replace(tzinfo=None), tz)
    initial: dict[str, Any] = {
        "treated_on": local.date(),
        "treated_time": local.time().replace(second=0, microsecond=0),
        "repeated": ("second" if local.fold else "first") if twice else "",
        "time_zone": treatment.time_zone,
        "areas": list(treatment.areas),
        "device": treatment.device,
        "notes": treatment.notes,
        "override": bool(treatment.override_reason),
        "override_reason": treatment.override_reason,
        "course_override": bool(treatment.course_override_reason),
        "course_override_reason": treatment.course_override_reason,
    }
    values = recorded_values(protocol, treatment.factors)
    return initial | factor_initial(protocol, values)


@staff_required
def treatment_cancel(request: StaffRequest, pk: int, treatment_pk: int) -> HttpResponse:
    treatment = _treatment(request, pk, treatment_pk, "treatment.cancel")
    patient, clinic = treatment.patient, request.staff.clinic
    if treatment.cancelled_at is not None:
        messages.info(request, "This treatment was already cancelled.")
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        cancel_treatment(Actor.of(request), treatment)
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
