"""One check-in for staff: what the patient reported, the triage frozen then, and its review.

A review is claimed with a guarded update (``care.reviews``), so that two practitioners
reviewing at once cannot overwrite each other's note: the second is told it is already
reviewed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.explain import after_treatment
from aftercare.engine.localtime import zone
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.actor import Actor
from aftercare.web.care.reviews import review_check_in
from aftercare.web.care.summary import local_moment, reviewer
from aftercare.web.clinic.models import CheckIn, Level
from aftercare.web.phones import tel_href
from aftercare.web.protocol import (
    record_protocol,
)
from aftercare.web.staff.dashboard_alerts import day_after, symptom_labels
from aftercare.web.staff.review_forms import ReviewForm

__all__ = ["check_in_detail"]

ALREADY_REVIEWED = "This check-in has already been reviewed; the earlier note is kept."


@staff_required
def check_in_detail(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    check_in = scoped(
        request,
        CheckIn.objects.filter(clinic=clinic).select_related(
            "treatment__patient", "reviewed_by__user", "reviewed_by_key"
        ),
        pk,
        clinic=clinic,
        action="checkin.view",
    )
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and check_in.reviewed_at is not None:
        form.add_error(None, ALREADY_REVIEWED)
    elif form.is_valid():
        note = form.cleaned_data["note"]
        if review_check_in(Actor.of(request), clinic, check_in, note, clock.now()):
            patient = check_in.treatment.patient
            messages.success(request, f"Check-in from {patient} marked as reviewed.")
            return redirect("staff:dashboard")
        form.add_error(None, ALREADY_REVIEWED)
        check_in.refresh_from_db()
    return _render(request, check_in, form)


def _render(request: StaffRequest, check_in: CheckIn, form: ReviewForm) -> HttpResponse:
    clinic = request.staff.clinic
    treatment = check_in.treatment
    audit.record(request, "checkin.view", clinic=clinic, patient=treatment.patient, obj=check_in)
    context = {
        "nav": "dashboard",
        "check_in": check_in,
        "patient": treatment.patient,
        "phone_href": tel_href(treatment.patient.mobile) if treatment.patient.mobile else "",
        "treatment": treatment,
        "treated_when": local_moment(treatment.treated_at, clinic.time_zone),
        "sent": after_treatment(
            check_in.created_at.astimezone(zone(clinic.time_zone)),
            day_after(check_in.hours_after),
        ),
        "reviewed_when": (
            local_moment(check_in.reviewed_at, clinic.time_zone) if check_in.reviewed_at else ""
        ),
        "reviewed_by": reviewer(check_in),
        "symptoms": symptom_labels(record_protocol(treatment, clinic), check_in.symptoms),
        "result": _frozen_result(check_in.result),
        "form": form,
    }
    return render(request, "aftercare/staff/check_in.html", context)


def _frozen_result(result: Any) -> dict[str, Any]:
    """The triage as stored at the time, with level names people read."""
    if not isinstance(result, dict):
        return {"level": "", "level_label": "", "advice": "", "symptoms": []}
    symptoms = [
        {**item, "level_label": _level_label(item.get("level"))}
        for item in result.get("symptoms", ())
        if isinstance(item, dict)
    ]
    return {
        "level": result.get("level", ""),
        "level_label": _level_label(result.get("level")),
        "advice": result.get("advice", ""),
        "symptoms": symptoms,
    }


def _level_label(level: object) -> str:
    labels = dict(Level.choices)
    return str(labels.get(str(level), level or ""))
