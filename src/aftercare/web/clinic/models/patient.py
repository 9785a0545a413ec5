from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from aftercare.web import clock
from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.validators import validate_one_line

__all__ = ["Channel", "Patient"]


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    NONE = "none", "No messages"


class Patient(models.Model):
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="patients", db_index=True
    )
    given_name = models.CharField(max_length=100, validators=[validate_one_line])
    family_name = models.CharField(max_length=100, validators=[validate_one_line])
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    # E.164 ("+447700900123"), as the patient form stores it: matched exactly.
    mobile = models.CharField(max_length=40, blank=True)
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.NONE
    )
    consent_to_messages = models.BooleanField(default=False)
    # The patient said stop, from a message's link or the portal.
    email_opted_out_at = models.DateTimeField(null=True, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    # A transport refused the address for good (bounced, not a mobile); staff must fix it.
    email_disabled_at = models.DateTimeField(null=True, blank=True)
    sms_disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.default_now)

    class Meta:
        ordering = ("family_name", "given_name")
        indexes = (
            # The staff patient list: one clinic's patients by surname.
            models.Index(fields=["clinic", "family_name"], name="patient_clinic_family"),
            # "Send me a new link": a patient found by their address, across clinics.
            models.Index(Lower("email"), name="patient_email_lower"),
            models.Index(fields=["mobile"], name="patient_mobile"),
        )

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"
