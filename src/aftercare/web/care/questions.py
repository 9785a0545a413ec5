"""Patients' questions the portal could not answer, and the ones they send to their clinic.

The one write path for a question: the portal notes what it did not understand (so staff
can add words to the protocol), a patient sends a question to the clinic's inbox, and a
staff member answers it; the answer shows in the portal and goes out on the patient's
channel. Every step is audited in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string

from aftercare.engine.ask import AskOutcome
from aftercare.web import audit, clock
from aftercare.web.clinic.models import (
    Channel,
    Clinic,
    Patient,
    PatientQuestion,
    QuestionStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders import notify
from aftercare.web.reminders.email_html import clinic_branding
from aftercare.web.reminders.schedule import receiving_channels

__all__ = [
    "NOT_UNDERSTOOD_DAYS",
    "answer_question",
    "answered_for",
    "not_understood",
    "note_not_understood",
    "send_to_clinic",
    "waiting",
]

# How far back the dashboard lists questions the portal did not understand.
NOT_UNDERSTOOD_DAYS = 30
_UNSURE = frozenset({AskOutcome.NOT_UNDERSTOOD, AskOutcome.ASK_BACK})


def note_not_understood(
    request: HttpRequest, patient: Patient, treatment: Treatment, text: str, outcome: AskOutcome
) -> None:
    """Keep a question the portal was unsure of, for staff improving the protocol's words."""
    if outcome not in _UNSURE:
        return
    _create(request, patient, treatment, text, outcome, QuestionStatus.NOT_UNDERSTOOD)


def send_to_clinic(
    request: HttpRequest, patient: Patient, treatment: Treatment, text: str, outcome: str
) -> PatientQuestion:
    """Put the patient's question in their clinic's inbox."""
    return _create(request, patient, treatment, text, outcome, QuestionStatus.WAITING)


def _create(
    request: HttpRequest,
    patient: Patient,
    treatment: Treatment,
    text: str,
    outcome: str,
    status: QuestionStatus,
) -> PatientQuestion:
    with transaction.atomic():
        question = PatientQuestion.objects.create(
            patient=patient,
            treatment=treatment,
            text=text,
            outcome=outcome,
            status=status,
            asked_at=clock.now(),
        )
        action = "question.send" if status == QuestionStatus.WAITING else "question.not_understood"
        audit.record(request, action, clinic=patient.clinic, patient=patient, obj=question)
    return question


def answer_question(
    request: HttpRequest, staff: StaffMember, question: PatientQuestion, answer: str
) -> bool:
    """Record ``answer`` unless someone answered first (False then), and send it to the
    patient on their channel; how it went is kept on the row for staff to see."""
    patient = question.patient
    with transaction.atomic():
        claimed = PatientQuestion.objects.filter(
            pk=question.pk, status=QuestionStatus.WAITING
        ).update(
            status=QuestionStatus.ANSWERED,
            answer=answer,
            answered_at=clock.now(),
            answered_by=staff,
        )
        if claimed != 1:
            return False
        audit.record(
            request, "question.answer", clinic=patient.clinic, patient=patient, obj=question
        )
    question.refresh_from_db()
    question.delivery = _deliver(question)
    question.save(update_fields=["delivery"])
    return True


def _deliver(question: PatientQuestion) -> str:
    patient = question.patient
    channels = receiving_channels(patient)
    if not channels:
        return "Not sent: the patient gets no messages; they see it in their portal."
    channel = Channel(channels[0])
    context = {"patient": patient, "clinic": patient.clinic, "question": question}
    body = render_to_string("aftercare/messages/question_answer.txt", context).strip() + "\n"
    subject = f"{patient.clinic.name} has answered your question"
    try:
        to = notify.destination(patient, channel)
        brand = clinic_branding(patient.clinic)
        notify.send(notify.Message(channel, to, subject, body, brand))
    except notify.NotifyError as error:
        return f"Not sent: {error}; the patient sees it in their portal."
    return f"Sent by {channel.label.lower()}."


def waiting(clinic: Clinic) -> QuerySet[PatientQuestion]:
    """The clinic's inbox: questions sent by patients and not yet answered, oldest first."""
    return (
        PatientQuestion.objects.filter(patient__clinic=clinic, status=QuestionStatus.WAITING)
        .select_related("patient")
        .order_by("asked_at", "pk")
    )


def not_understood(clinic: Clinic, at: datetime) -> QuerySet[PatientQuestion]:
    """Questions the portal did not understand lately, newest first."""
    since = at - timedelta(days=NOT_UNDERSTOOD_DAYS)
    return PatientQuestion.objects.filter(
        patient__clinic=clinic, status=QuestionStatus.NOT_UNDERSTOOD, asked_at__gte=since
    ).order_by("-asked_at", "-pk")


def answered_for(patient: Patient) -> QuerySet[PatientQuestion]:
    """The questions ``patient`` sent to the clinic, newest first, with any answers."""
    return PatientQuestion.objects.filter(
        patient=patient, status__in=(QuestionStatus.WAITING, QuestionStatus.ANSWERED)
    ).order_by("-asked_at", "-pk")
