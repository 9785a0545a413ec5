"""Patients' questions the portal could not answer, and the ones they send to their clinic.

The one write path for a question: the portal notes what it did not understand (so staff
can add words to the protocol), a patient sends a question to the clinic's inbox, and a
staff member answers it; the answer shows in the portal and goes out on the patient's
channel through the reminders outbox. Every step is audited in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from aftercare.engine.ask import AskOutcome
from aftercare.web import audit, clock
from aftercare.web.clinic.models import (
    Clinic,
    Patient,
    PatientQuestion,
    QuestionStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders.answers import delivery_status, queue_answer

__all__ = [
    "NOT_UNDERSTOOD_DAYS",
    "answer_delivery",
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
    """Record ``answer`` unless someone answered first (False then), and queue it for the
    patient on their channel in the same transaction; a worker sends it."""
    patient = question.patient
    with transaction.atomic():
        now = clock.now()
        claimed = PatientQuestion.objects.filter(
            pk=question.pk, status=QuestionStatus.WAITING
        ).update(status=QuestionStatus.ANSWERED, answer=answer, answered_at=now, answered_by=staff)
        if claimed != 1:
            return False
        question.refresh_from_db()
        question.delivery = queue_answer(question, now)
        question.save(update_fields=["delivery"])
        audit.record(
            request, "question.answer", clinic=patient.clinic, patient=patient, obj=question
        )
    return True


def answer_delivery(question: PatientQuestion) -> str:
    """How sending the answer to ``question`` has gone, as staff read it."""
    return delivery_status(question)


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
