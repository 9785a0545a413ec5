"""A patient's request for a new link goes through the reminders outbox.

The request only writes a row; a worker sends it, issuing the link as it does. So the
answer takes the same time whether or not the address is known (no provider is called
inside the request), a slow provider never holds a web thread, and a failed send is
retried like any reminder.
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

__all__ = ["LINK_PLACEHOLDER", "queue_link"]

# Where the worker writes the link it issues at sending time.
LINK_PLACEHOLDER = "[[aftercare-link]]"


def queue_link(patient: Patient, channel: Channel, now: datetime) -> Reminder | None:
    """A link message to ``patient`` on ``channel``, due now; None when the patient has no
    treatment whose plan a link could show."""
    treatment = (
        Treatment.objects.filter(patient=patient, cancelled_at__isnull=True)
        .order_by("-treated_at")
        .first()
    )
    if treatment is None:
        return None
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "url": LINK_PLACEHOLDER,
        "channel": channel,
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
