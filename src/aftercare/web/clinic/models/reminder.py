"""A message to a patient at a moment: one row per message is the source of truth.

Workers claim due rows with a lease, send, and mark them; the idempotency key (treatment,
schedule item, channel, protocol version) goes to the transport, so a retry after a crash
can be recognised downstream and an edit never sends again what was already sent.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models

from aftercare.web import clock
from aftercare.web.clinic.models.check_in import CheckIn
from aftercare.web.clinic.models.patient import Patient
from aftercare.web.clinic.models.staff import StaffMember
from aftercare.web.clinic.models.treatment import Treatment

__all__ = [
    "TO_PATIENT",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "idempotency_key",
]


class ReminderKind(models.TextChoices):
    WELCOME = "welcome", "Welcome and link"
    CHANGE = "change", "What changes today"
    SUNSCREEN = "sunscreen", "Sunscreen"
    CHECK_IN = "check_in", "Check-in prompt"
    NEXT_SESSION = "next_session", "Next session window"
    MAINTENANCE = "maintenance", "Maintenance window"
    # A fresh link the patient asked for (sent at once, not on a schedule).
    LINK = "link", "New link"
    # A member of staff's answer to the patient's question (sent at once).
    ANSWER = "answer", "Answer to a question"
    # To the clinic's people, never to the patient: never combined or held for quiet hours.
    STAFF_ALERT = "staff_alert", "Urgent check-in alert to staff"
    CLINIC_SUMMARY = "clinic_summary", "Morning summary of check-ins to the clinic"


# The messages to the patient, not to the clinic's staff about them: only these follow the
# plan, the patient's opt-outs and quiet hours, and appear in the patient's message list.
TO_PATIENT = ~models.Q(kind__in=[ReminderKind.STAFF_ALERT, ReminderKind.CLINIC_SUMMARY])


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


def idempotency_key(treatment_id: int, item: str, channel: str, protocol_version: str) -> str:
    raw = f"{treatment_id}:{item}:{channel}:{protocol_version}"
    return hashlib.sha256(raw.encode()).hexdigest()


class Reminder(models.Model):
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="reminders")
    # The treatment's patient, kept here so staff lists and opt-outs need no join.
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    # The patient's clinic, kept here so a clinic's messages in trouble are read by index
    # (set from the patient when saved; see ``save``).
    clinic = models.ForeignKey("Clinic", on_delete=models.CASCADE, related_name="+")
    # The protocol's schedule item and occurrence, e.g. "RM-sunscreen:3".
    item = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    channel = models.CharField(max_length=10)
    # A message to the clinic's staff: its address (a patient's message has none here, and
    # goes to the patient's address on ``channel``), and the check-in it is about.
    recipient = models.CharField(max_length=254, blank=True)
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    # When it is due, in UTC, already moved out of the clinic's quiet hours.
    due_at = models.DateTimeField()
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SCHEDULED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker's claim: until this moment no other worker takes the row.
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    protocol_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.default_now)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set when a staff member cancelled this one message: it is never scheduled again.
    cancelled_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("due_at", "pk")
        indexes = (
            # The workers' claim: scheduled rows by due time.
            models.Index(fields=["status", "due_at"], name="reminder_status_due"),
            # The staff pages' banner, a clinic's messages in trouble, each part a range of
            # an index: failed this week and overdue (by clinic, status and due time), and
            # being retried (by clinic, status and attempts: few among millions sent). Not
            # a partial index: SQLite uses one only when the query spells its values out.
            models.Index(fields=["clinic", "status", "due_at"], name="reminder_clinic_status_due"),
            models.Index(fields=["clinic", "status", "attempts"], name="reminder_clinic_attempts"),
            # A patient's reminders, for staff.
            models.Index(fields=["patient", "due_at"], name="reminder_patient_due"),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.clinic_id:  # a new row: its patient's clinic
            self.clinic_id = self.patient.clinic_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.kind} for treatment {self.treatment_id} at {self.due_at:%Y-%m-%d %H:%M}"
