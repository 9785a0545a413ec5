"""A staff member's answer to a patient's question goes through the reminders outbox.

The request that saves the answer only writes a row, in the same transaction as the
answer; a worker sends it. So a slow or failing provider never holds a member of staff's
page, a crash loses nothing, a failed send is retried like any reminder, and the question's
page says how the sending went.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.template.loader import render_to_string

from aftercare.web.clinic.models import (
    Channel,
    PatientQuestion,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from aftercare.web.reminders.message_words import answer_greeting, questions
from aftercare.web.reminders.schedule import receiving_channels

__all__ = ["NO_MESSAGES", "answer_item", "delivery_status", "queue_answer"]

NO_MESSAGES = "Not sent: the patient gets no messages; they see it in their portal."


def answer_item(question: PatientQuestion) -> str:
    """The outbox row's item for ``question``'s answer."""
    return f"answer:{question.pk}"


def queue_answer(question: PatientQuestion, now: datetime) -> str:
    """Queue ``question``'s answer on the patient's channel, due now; what staff are told."""
    patient, treatment = question.patient, question.treatment
    channels = receiving_channels(patient)
    # A message hangs off a treatment; a question outlives one only if it was deleted.
    if not channels or treatment is None:
        return NO_MESSAGES
    channel = Channel(channels[0])
    context = {
        "greeting": answer_greeting(question),
        "answer": question.answer,
        "questions": questions(patient.clinic),
    }
    body = render_to_string("aftercare/messages/question_answer.txt", context).strip() + "\n"
    Reminder.objects.create(
        treatment=treatment,
        patient=patient,
        item=answer_item(question),
        kind=ReminderKind.ANSWER,
        channel=channel,
        due_at=now,
        body=body,
        idempotency_key=secrets.token_hex(32),
        protocol_version=treatment.protocol_version,
    )
    return f"Queued to send by {channel.label.lower()}."


def delivery_status(question: PatientQuestion) -> str:
    """How sending ``question``'s answer has gone so far, as staff read it."""
    row = (
        Reminder.objects.filter(patient_id=question.patient_id, item=answer_item(question))
        .order_by("-pk")
        .first()
    )
    if row is None:
        return question.delivery
    by = Channel(row.channel).label.lower()
    if row.status == ReminderStatus.SENT:
        return f"Sent by {by}."
    if row.status == ReminderStatus.SCHEDULED:
        if row.attempts:
            return f"Not sent yet ({row.last_error}); trying again by {by}."
        return f"Waiting to be sent by {by}."
    return f"Not sent ({row.last_error}); the patient sees it in their portal."
