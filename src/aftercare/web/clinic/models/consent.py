"""Consent to messages as a history of events: given or withdrawn, for which channel,
when, and by whom (a staff member, a clinic system's key) or through which link."""

from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.models.patient import Patient

__all__ = ["ConsentEvent", "ConsentSource"]


class ConsentSource(models.TextChoices):
    STAFF = "staff", "a staff member"
    API_KEY = "api_key", "a clinic system (API key)"
    PORTAL = "portal", "the patient, in the portal"
    MESSAGE_LINK = "message_link", "the patient, with the stop link in a message"


class ConsentEvent(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consent_events")
    given = models.BooleanField()
    # "" for messages on every channel; "email" or "sms" for one channel.
    channel = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    # Plain ids: the history outlives the login or key that acted.
    actor_staff_id = models.BigIntegerField(null=True, blank=True)
    actor_key_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "pk")
        indexes = (
            # The patient page and the subject access export: one patient's history.
            models.Index(fields=["patient", "at"], name="consent_patient_at"),
        )

    def __str__(self) -> str:
        return f"consent {'given' if self.given else 'withdrawn'} at {self.at:%Y-%m-%d %H:%M}"
