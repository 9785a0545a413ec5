"""Screen a patient before treatment, and show a screening as it was decided.

The engine judges the answers on the clinic's calendar day; the answers and its result are
frozen into the row, so a later change to the protocol never rewrites what was said.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.engine.errors import InputError
from aftercare.engine.explain import format_day
from aftercare.engine.screening import CURRENT, NEVER
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.actor import Actor
from aftercare.web.care.records import record_screening
from aftercare.web.care.summary import local_moment, local_today, staff_name
from aftercare.web.clinic.models import Patient, Screening
from aftercare.web.protocol import (
    clinic_protocol,
    record_protocol,
)
from aftercare.web.staff.procedure_choice import choose_procedure
from aftercare.web.staff.screening_forms import (
    CURRENT_SUFFIX,
    DATE_KINDS,
    ScreeningForm,
)

__all__ = ["screening_detail", "screening_new"]


@staff_required
def screening_new(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patient = scoped(
        request, Patient.objects.filter(clinic=clinic), pk, clinic=clinic, action="screening.create"
    )
    procedure = choose_procedure(request, clinic)
    protocol = clinic_protocol(clinic, procedure.chosen)
    now = clock.now()
    today = local_today(clinic, now)
    # A form posted with nothing in it is still a screening, of questions all still to ask.
    data = request.POST if request.method == "POST" else None
    form = ScreeningForm(data, protocol=protocol, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            screening, _ = record_screening(
                Actor.of(request), patient, protocol, form.answers(), today
            )
        except InputError as error:
            form.add_error(None, str(error))
        else:
            return redirect("staff:screening", pk=patient.pk, screening_pk=screening.pk)
    if request.method != "POST":
        audit.record(request, "patient.view", clinic=clinic, patient=patient, obj=patient)
    context = {
        "nav": "patients",
        "patient": patient,
        "form": form,
        "procedure": procedure,
        "current_suffix": CURRENT_SUFFIX,
        "today": format_day(today),
    }
    return render(request, "aftercare/staff/screening_form.html", context)


@staff_required
def screening_detail(request: StaffRequest, pk: int, screening_pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patients = Patient.objects.filter(clinic=clinic)
    patient = scoped(request, patients, pk, clinic=clinic, action="screening.view")
    screenings = Screening.objects.filter(patient=patient).select_related("screened_by__user")
    screening = scoped(request, screenings, screening_pk, clinic=clinic, action="screening.view")
    audit.record(request, "screening.view", clinic=clinic, patient=patient, obj=screening)
    context = {
        "nav": "patients",
        "patient": patient,
        **_shown(screening, record_protocol(screening, clinic)),
    }
    context["at"] = local_moment(screening.screened_at, clinic.time_zone)
    return render(request, "aftercare/staff/screening_detail.html", context)


def _shown(screening: Screening, protocol: Protocol) -> dict[str, Any]:
    """The frozen result in words; cautions are named by the protocol in force."""
    result = screening.result if isinstance(screening.result, dict) else {}
    cautions = protocol.index.cautions
    return {
        "screening": screening,
        "by": staff_name(screening.screened_by),
        "earliest": None
        if screening.earliest_date is None
        else format_day(screening.earliest_date),
        "reasons": [_reason(reason) for reason in result.get("reasons", [])],
        "unanswered": [str(q.get("text", "")) for q in result.get("unanswered", [])],
        "cautions": [cautions[c].text if c in cautions else c for c in result.get("cautions", [])],
        "answers": _answers(screening, protocol, made_blank="unanswered" not in result),
    }


def _reason(reason: dict[str, Any]) -> dict[str, Any]:
    earliest = reason.get("earliest")
    return {
        "text": reason.get("text", ""),
        "outcome": str(reason.get("outcome", "")).replace("_", " "),
        "recheck_text": reason.get("recheck_text"),
        "earliest": format_day(date.fromisoformat(earliest)) if earliest else None,
    }


def _answers(screening: Screening, protocol: Protocol, made_blank: bool) -> list[tuple[str, str]]:
    """Each question as the protocol words it, with the answer given.

    ``made_blank``: the screening predates unanswered questions, when the form's
    "Leave blank if never" made a blank date mean never; it is shown as it was read.
    """
    given = screening.answers if isinstance(screening.answers, dict) else {}
    questions = protocol.index.questions
    rows = []
    for question_id, value in given.items():
        question = questions.get(question_id)
        kind = question.kind if question else "text"
        words = _answer_words(kind, value)
        if question is not None and kind == "choice" and isinstance(value, str) and value:
            words = question.choice_label(value)
        if made_blank and kind in DATE_KINDS and value in (None, ""):
            words = "Left blank (read as never)"
        rows.append((question.text if question else question_id, words))
    return rows


def _answer_words(kind: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value == CURRENT:
        return "Taking it now"
    if value == NEVER and kind in DATE_KINDS:
        return "Never"
    if value is None or value == "":
        return "Not asked yet"
    if kind in DATE_KINDS:
        return format_day(date.fromisoformat(str(value)))
    return str(value)
