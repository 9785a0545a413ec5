"""The patient's plan: today, the whole timeline, "can I …?", and the next session.

Every page reads only the signed-in patient's own treatments, asks the engine with the
current moment passed in, and shows times in the treatment's zone.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from aftercare.engine.ask import ask
from aftercare.engine.localtime import zone
from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import PatientRequest, patient_required
from aftercare.web.care.current import Care, current_care, treatments_of
from aftercare.web.care.questions import answered_for, note_not_understood, send_to_clinic
from aftercare.web.care.summary import treatment_plan
from aftercare.web.clinic.models import Patient, PlannedCourse, Treatment
from aftercare.web.portal.clinic_words import clinic_words, message_switch, question_sent
from aftercare.web.portal.forms import CanIForm, SendQuestionForm
from aftercare.web.portal.present import (
    ask_view,
    course_view,
    tel_href,
    timeline_days,
    timeline_intro,
    today_view,
)
from aftercare.web.protocol import (
    clinic_protocol,
    procedure_courses,
    screened_procedure,
)
from aftercare.web.reminders.schedule import receiving_channels

__all__ = ["can_i", "course", "send_question", "timeline", "today"]


def _page(
    request: PatientRequest,
    template: str,
    nav: str,
    care: Care | None,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    patient = request.patient
    clinic = patient.clinic
    context = {
        "nav": nav,
        "care": care,
        # Before any treatment, the protocol of the procedure the patient is preparing for:
        # read lazily (and once), so only a page that shows it reads the screenings.
        "upcoming": None if care else SimpleLazyObject(partial(_upcoming, patient)),
        "clinic": clinic,
        "phone_href": tel_href(clinic.phone),
        "urgent_href": tel_href(clinic.urgent_phone),
        "clinic_words": clinic_words(clinic, care),
    }
    return render(request, template, context | extra, status=status)


def _upcoming(patient: Patient) -> Protocol:
    return clinic_protocol(patient.clinic, screened_procedure(patient))


def _audit(request: PatientRequest, action: str, treatment: Treatment | None) -> None:
    patient = request.patient
    audit.record(request, action, clinic=patient.clinic, patient=patient, obj=treatment)


@patient_required
def today(request: PatientRequest) -> HttpResponse:
    care = current_care(request.patient, clock.now())
    _audit(request, "portal.today", care.treatment if care else None)
    view = today_view(care, treatment_plan(care.protocol, care.treatment)) if care else None
    language = care.protocol.language if care else DEFAULT_LANGUAGE
    extra = {"view": view, "switch": message_switch(request.patient, language)}
    return _page(request, "aftercare/portal/today.html", "today", care, extra)


@patient_required
def timeline(request: PatientRequest) -> HttpResponse:
    care = current_care(request.patient, clock.now())
    _audit(request, "portal.timeline", care.treatment if care else None)
    days = timeline_days(care, treatment_plan(care.protocol, care.treatment)) if care else ()
    extra = {"days": days, "intro": timeline_intro(care) if care else ""}
    return _page(request, "aftercare/portal/timeline.html", "timeline", care, extra)


@patient_required
def can_i(request: PatientRequest) -> HttpResponse:
    care = current_care(request.patient, clock.now())
    form = CanIForm(request.GET if "q" in request.GET else None)
    extra: dict[str, Any] = {"form": form, "questions": list(answered_for(request.patient))}
    if care is not None and form.is_valid():
        _audit(request, "portal.can_i", care.treatment)
        extra.update(_ask(request, care, form.cleaned_data["q"]))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _page(request, "aftercare/portal/can_i.html", "can_i", care, extra, status)


def _ask(request: PatientRequest, care: Care, question: str) -> dict[str, Any]:
    protocol = care.protocol
    result = ask(protocol, question, care.hours_after, treated_at=care.treated_at)
    note_not_understood(request, care.patient, care.treatment, question, result.outcome)
    return {
        "answer": ask_view(protocol, result),
        "send_form": SendQuestionForm({"question": question}),
    }


@patient_required
@require_POST
def send_question(request: PatientRequest) -> HttpResponse:
    """The patient's question, sent to the clinic's inbox; then back to the can-I page."""
    patient = request.patient
    care = current_care(patient, clock.now())
    form = SendQuestionForm(request.POST)
    if care is None or not form.is_valid():
        extra = {"form": CanIForm(), "send_form": form, "questions": list(answered_for(patient))}
        return _page(request, "aftercare/portal/can_i.html", "can_i", care, extra, 400)
    text = form.cleaned_data["question"]
    result = ask(care.protocol, text, care.hours_after, treated_at=care.treated_at)
    send_to_clinic(request, patient, care.treatment, text, result.outcome)
    to_patient = bool(receiving_channels(patient))
    messages.success(request, question_sent(patient.clinic, to_patient, care.protocol.language))
    return redirect("portal:can_i")


@patient_required
def course(request: PatientRequest) -> HttpResponse:
    """The course of each procedure the patient has had, the latest first: a patient on
    one course sees only it; one on two sees each under its procedure's name."""
    now = clock.now()
    patient = request.patient
    courses = procedure_courses(treatments_of(patient).filter(treated_at__lte=now))
    latest = max((t for _, done in courses for t in done), key=lambda t: t.treated_at, default=None)
    _audit(request, "portal.course", latest)
    views = []
    planned = PlannedCourse.of(patient) if courses else {}
    for procedure, done in courses:
        done.sort(key=lambda t: t.treated_at)
        days = [t.treated_at.astimezone(zone(t.time_zone)).date() for t in done]
        today_local = now.astimezone(zone(done[-1].time_zone)).date()
        protocol = clinic_protocol(patient.clinic, procedure)
        views.append(course_view(protocol, days, today_local, planned.get(procedure)))
    return _page(request, "aftercare/portal/course.html", "course", None, {"courses": views})
