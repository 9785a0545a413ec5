"""The symptom check-in: the patient says what they notice, the engine triages it at once.

The result is stored frozen with the check-in, so the clinic's dashboard shows what the
patient was told, and shown straight away: an urgent answer leads the page, with the
clinic's urgent number to tap.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render

from aftercare.engine.triage import Trend as EngineTrend
from aftercare.engine.triage import TriageResult, symptom_report, triage
from aftercare.protocols.schema import Level
from aftercare.web import audit, clock
from aftercare.web.access import PatientRequest, patient_required
from aftercare.web.clinic.models import CheckIn
from aftercare.web.frozen import frozen
from aftercare.web.portal.care import Care, current_care, factors_for
from aftercare.web.portal.forms import CheckInForm
from aftercare.web.portal.present import tel_href

__all__ = ["check_in"]

TEMPLATE = "aftercare/portal/check_in.html"


@patient_required
def check_in(request: PatientRequest) -> HttpResponse:
    care = current_care(request.patient, clock.now())
    clinic = request.patient.clinic
    context = {
        "nav": "check_in",
        "care": care,
        "clinic": clinic,
        "phone_href": tel_href(clinic.phone),
        "urgent_href": tel_href(clinic.urgent_phone),
    }
    if care is None:
        return render(request, TEMPLATE, context)
    form = CheckInForm(care.protocol, request.POST if request.method == "POST" else None)
    if not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, TEMPLATE, context | {"form": form}, status=status)
    record, result = _store(request, care, form)
    urgent = result.level is Level.CONTACT_CLINIC_NOW
    answer = {"result": result, "check_in": record, "urgent": urgent}
    return render(request, TEMPLATE, context | answer)


def _store(request: PatientRequest, care: Care, form: CheckInForm) -> tuple[CheckIn, TriageResult]:
    data = form.cleaned_data
    trend = EngineTrend(data["trend"])
    reports = [symptom_report(care.protocol, s, trend) for s in data["symptoms"]]
    result = triage(care.protocol, reports, care.hours_after, factors_for(care))
    with transaction.atomic():
        record = CheckIn.objects.create(
            treatment=care.treatment,
            symptoms=[{"symptom": s} for s in data["symptoms"]],
            trend=trend.value,
            free_text=data["free_text"],
            level=result.level.value,
            result=frozen(result),
            hours_after=care.hours_after,
            created_at=care.at,
        )
        audit.record(
            request,
            "checkin.create",
            clinic=request.patient.clinic,
            patient=request.patient,
            obj=record,
        )
    return record, result
