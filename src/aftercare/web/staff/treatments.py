"""Record a treatment, preview its plan first, and show a treatment with its full plan.

"Preview plan" and "Save treatment" submit the same form: the preview runs every check and
shows the plan the patient would get, and saves nothing. A save that goes against the
screening is recorded with its reason, in the treatment and in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.localtime import zone
from aftercare.engine.timeline import plan
from aftercare.exports.plan_view import PlanView, plan_view
from aftercare.protocols.schema import AGE_ID, Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.actor import Actor
from aftercare.web.care.factors import factor_words, recorded_values
from aftercare.web.care.records import record_treatment
from aftercare.web.care.summary import area_labels, local_moment, staff_name, treatment_plan
from aftercare.web.care.treatments import screening_problem
from aftercare.web.clinic.models import Patient, Screening, Treatment
from aftercare.web.protocol import clinic_protocol, record_protocol, same_procedure
from aftercare.web.staff.procedure_choice import choose_procedure
from aftercare.web.staff.treatment_forms import TreatmentForm

__all__ = ["treatment_detail", "treatment_new"]

SAVE = "save"
PREVIEW = "preview"


@staff_required
def treatment_new(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patients = Patient.objects.filter(clinic=clinic).select_related("clinic")
    patient = scoped(request, patients, pk, clinic=clinic, action="treatment.create")
    procedure = choose_procedure(request, clinic)
    protocol = clinic_protocol(clinic, procedure.chosen)
    now = clock.now()
    screenings = Screening.objects.filter(same_procedure(procedure.chosen), patient=patient)
    screening = screenings.order_by("-screened_at", "-pk").first()
    form = TreatmentForm(
        request.POST or None, protocol=protocol, patient=patient, screening=screening, now=now
    )
    action = request.POST.get("action", SAVE)
    if request.method == "POST" and action == SAVE and form.is_valid() and form.treated_at:
        treatment = record_treatment(Actor.of(request), patient, form.to_input(), protocol)
        messages.success(request, "The treatment has been saved.")
        return redirect("staff:treatment", pk=patient.pk, treatment_pk=treatment.pk)
    preview = None
    if request.method == "POST" and action == PREVIEW:
        form.is_valid()
        preview = _preview(form, protocol)
        audit.record(request, "treatment.preview", clinic=clinic, patient=patient, obj=patient)
    elif request.method != "POST":
        audit.record(request, "patient.view", clinic=clinic, patient=patient, obj=patient)
    context = {
        "nav": "patients",
        "patient": patient,
        "form": form,
        "procedure": procedure,
        "preview": preview,
        "problem": screening_problem(screening, clinic, now),
        "screening": screening,
    }
    return render(request, "aftercare/staff/treatment_form.html", context)


def _preview(form: TreatmentForm, protocol: Protocol) -> PlanView | None:
    """The plan for the time typed, in the patient's zone, once both are valid."""
    if form.treated_at is None or "time_zone" in form.errors:
        return None
    patient_zone = zone(form.cleaned_data["time_zone"])
    return plan_view(
        protocol, plan(protocol, form.treated_at.astimezone(patient_zone)), reasons=False
    )


@staff_required
def treatment_detail(request: StaffRequest, pk: int, treatment_pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patients = Patient.objects.filter(clinic=clinic)
    patient = scoped(request, patients, pk, clinic=clinic, action="treatment.view")
    treatments = Treatment.objects.filter(patient=patient).select_related("created_by__user")
    treatment = scoped(request, treatments, treatment_pk, clinic=clinic, action="treatment.view")
    audit.record(request, "treatment.view", clinic=clinic, patient=patient, obj=treatment)
    protocol = record_protocol(treatment, clinic)
    context = {
        "nav": "patients",
        "patient": patient,
        "treatment": treatment,
        "at": local_moment(treatment.treated_at, treatment.time_zone),
        "clinic_at": local_moment(treatment.treated_at, clinic.time_zone),
        "areas": area_labels(protocol, treatment.areas),
        "factors": _factor_words(protocol, treatment.factors),
        "by": staff_name(treatment.created_by),
        "plan": plan_view(protocol, treatment_plan(protocol, treatment), reasons=False),
        "protocol_changed": treatment.protocol_version != protocol.version,
    }
    return render(request, "aftercare/staff/treatment_detail.html", context)


def _factor_words(protocol: Protocol, factors: Any) -> list[str]:
    """The factors recorded, as the protocol labels them, and the age on the day."""
    words = factor_words(protocol, recorded_values(protocol, factors))
    age = factors.get(AGE_ID) if isinstance(factors, dict) else None
    if age is not None:
        words.append(f"Age {age} at treatment")
    return words
