"""The symptom check-in: the patient says what they notice, the engine triages it at once.

The result is stored frozen with the check-in, so the clinic's dashboard shows what the
patient was told, and shown straight away on the check-in's own page (post, then redirect:
reloading it never sends the check-in twice): an urgent answer leads the page, with the
clinic's urgent number to tap.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.triage import Trend as EngineTrend
from aftercare.protocols.schema import Level
from aftercare.web import audit, clock
from aftercare.web.access import PatientRequest, patient_required, scoped
from aftercare.web.actor import Actor
from aftercare.web.care.current import Care, current_care
from aftercare.web.care.records import record_check_in
from aftercare.web.clinic.models import CheckIn, Clinic
from aftercare.web.oncall import on_call_at
from aftercare.web.portal.clinic_words import clinic_words, you_wrote
from aftercare.web.portal.forms import CheckInForm
from aftercare.web.portal.present import tel_href
from aftercare.web.protocol import (
    record_protocol,
)
from aftercare.web.reminders.alerts import is_urgent, needs_clinic

__all__ = ["check_in", "check_in_result"]

TEMPLATE = "aftercare/portal/check_in.html"


def _context(request: PatientRequest, care: Care | None) -> dict[str, object]:
    clinic = request.patient.clinic
    return {
        "nav": "check_in",
        "care": care,
        "clinic": clinic,
        "phone_href": tel_href(clinic.phone),
        "urgent_href": tel_href(clinic.urgent_phone),
        "clinic_words": clinic_words(clinic, care),
    }


@patient_required
def check_in(request: PatientRequest) -> HttpResponse:
    care = current_care(request.patient, clock.now())
    context = _context(request, care)
    if care is None:
        return render(request, TEMPLATE, context)
    form = CheckInForm(care.protocol, request.POST if request.method == "POST" else None)
    if not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, TEMPLATE, context | {"form": form}, status=status)
    data = form.cleaned_data
    trend = EngineTrend(data["trend"]) if data["trend"] else None
    record = record_check_in(
        Actor.of(request),
        care,
        data["symptoms"],
        trend,
        data["free_text"],
        data["idempotency_key"],
        severities=data["severities"],
    )
    return redirect("portal:check_in_result", pk=record.pk)


@patient_required
def check_in_result(request: PatientRequest, pk: int) -> HttpResponse:
    """What the patient was told for one of their own check-ins, as it was stored."""
    record = scoped(
        request,
        CheckIn.objects.filter(treatment__patient=request.patient),
        pk,
        clinic=request.patient.clinic,
        action="portal.checkin.view",
    )
    audit.record(
        request,
        "portal.checkin.view",
        clinic=request.patient.clinic,
        patient=request.patient,
        obj=record,
    )
    answer = {
        "result": record.result,
        "check_in": record,
        "you_wrote": you_wrote(record.free_text),
        "urgent": is_urgent(record.level),
        "clinic_told": needs_clinic(record.level),
        "out_of_hours": _out_of_hours(record, request.patient.clinic),
        "call_999": record.level == Level.CALL_999.value,
    }
    return render(request, TEMPLATE, _context(request, None) | answer)


def _out_of_hours(record: CheckIn, clinic: Clinic) -> str:
    """Who to call instead, when an urgent check-in came in with nobody on call; else ""."""
    if not is_urgent(record.level) or on_call_at(clinic, record.created_at):
        return ""
    return record_protocol(record.treatment, clinic).triage.out_of_hours or ""
