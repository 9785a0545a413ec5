"""A link sent to a patient, at their request or by staff, goes through the reminders outbox.

The request only writes a row; a worker sends it, issuing the link as it does. So the
answer takes the same time whether or not the address is known (no provider is called
inside the request), a slow provider never holds a web thread, a crash loses nothing, and
a failed send is retried like any reminder and shown where the others are.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.template.loader import render_to_string

from aftercare.web.clinic.models import (
    Channel,
    Patient,
    Reminder,
    ReminderKind,
    Treatment,
)
from aftercare.web.reminders.message_words import link_greeting, link_ready, questions

__all__ = ["LINK_PLACEHOLDER", "queue_link", "why_not_queue"]

# Where the worker writes the link it issues at sending time.
LINK_PLACEHOLDER = "[[aftercare-link]]"
# Each channel's address and messages, as staff read them.
_WORDS = {
    Channel.EMAIL: ("email address", "emails"),
    Channel.SMS: ("mobile number", "text messages"),
}


def why_not_queue(patient: Patient, channel: Channel) -> str:
    """Why a link cannot be sent to ``patient`` on ``channel`` ("" when it can), said after
    their name: what the worker checks again before sending, asked before queueing."""
    if not patient.consent_to_messages:
        return "has not agreed to messages"
    if channel not in _WORDS:
        return "has asked for no messages"
    address, messages = _WORDS[channel]
    if not (patient.email if channel == Channel.EMAIL else patient.mobile):
        return f"has no {address}"
    if getattr(patient, f"{channel}_opted_out_at") is not None:
        return f"has stopped {messages}"
    if getattr(patient, f"{channel}_disabled_at") is not None:
        return f"has had their {address} refused; correct it first"
    if _latest_treatment(patient) is None:
        return "has no treatment yet for a link to show"
    return ""


def _latest_treatment(patient: Patient) -> Treatment | None:
    return (
        Treatment.objects.filter(patient=patient, cancelled_at__isnull=True)
        .order_by("-treated_at")
        .first()
    )


def queue_link(patient: Patient, channel: Channel, now: datetime) -> Reminder | None:
    """A link message to ``patient`` on ``channel``, due now; None when the patient has no
    treatment whose plan a link could show."""
    treatment = _latest_treatment(patient)
    if treatment is None:
        return None
    clinic = patient.clinic
    context = {
        "greeting": link_greeting(patient),
        "ready": link_ready(clinic),
        "url": LINK_PLACEHOLDER,
        "questions": questions(clinic),
        "clinic": clinic,
    }
    body = render_to_string("aftercare/messages/link.txt", context).strip() + "\n"
    return Reminder.objects.create(
        treatment=treatment,
        patient=patient,
        item=f"link:{secrets.token_hex(8)}",
        kind=ReminderKind.LINK,
        channel=channel,
        due_at=now,
        body=body,
        idempotency_key=secrets.token_hex(32),
        protocol_version=treatment.protocol_version,
    )
