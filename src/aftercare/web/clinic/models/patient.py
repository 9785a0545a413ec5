from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower

from aftercare.web import clock
from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.search_keys import DigitsKeyField, NameKeyField, TextKeyField
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
    # Staff revoked the patient's links: portal sessions begun before this moment have ended.
    portal_sessions_ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.default_now)
    # What staff search matches (see search_keys): derived on every save, never typed.
    given_key = TextKeyField(max_length=100, source="given_name")
    family_key = TextKeyField(max_length=100, source="family_name")
    email_key = TextKeyField(max_length=254, source="email")
    mobile_key = DigitsKeyField(max_length=40, source="mobile")
    # The whole name both ways round, so "jane smi" and "smith jane" are each one prefix.
    name_key = NameKeyField(max_length=201, source="given_name family_name")
    reverse_name_key = NameKeyField(max_length=201, source="family_name given_name")
    # A legal hold keeps the patient's records past the clinic's retention period.
    legal_hold = models.BooleanField(default=False)

    class Meta:
        ordering = ("family_name", "given_name")
        indexes = (
            # The staff patient list: one clinic's patients by surname, a page read from
            # either end of the index (first or last page) without sorting the clinic.
            models.Index(
                fields=["clinic", "family_name", "given_name", "id"], name="patient_clinic_names"
            ),
            # The API's patient list in its orderings: surname, arrival, id.
            models.Index(fields=["clinic", "family_name", "id"], name="patient_clinic_family"),
            models.Index(fields=["clinic", "created_at", "id"], name="patient_clinic_created"),
            models.Index(fields=["clinic", "id"], name="patient_clinic_id"),
            # Staff search and the API's filters: one index per key, read by prefix
            # (PostgreSQL's LIKE 'smi%' needs the pattern operator class).
            *(
                models.Index(
                    fields=["clinic", key],
                    name=f"patient_search_{key}",
                    opclasses=["", "varchar_pattern_ops"],
                )
                for key in ("given_key", "family_key", "email_key", "mobile_key")
            ),
            *(
                models.Index(
                    fields=["clinic", key], name=name, opclasses=["", "varchar_pattern_ops"]
                )
                for key, name in (
                    ("name_key", "patient_search_name"),
                    ("reverse_name_key", "patient_search_reverse_name"),
                )
            ),
            # The dashboard's patients whose address a transport refused: few, read by name.
            models.Index(
                fields=["clinic", "family_name", "given_name", "id"],
                name="patient_undeliverable",
                condition=models.Q(email_disabled_at__isnull=False)
                | models.Q(sms_disabled_at__isnull=False),
            ),
            # "Send me a new link": a patient found by their address, across clinics.
            models.Index(Lower("email"), name="patient_email_lower"),
            models.Index(fields=["mobile"], name="patient_mobile"),
        )

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, counting a new patient in the clinic's total in the same transaction."""
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding:
                _count(self.clinic_id, +1)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            _count(self.clinic_id, -1)
        return deleted


def _count(clinic_id: int, change: int) -> None:
    Clinic.objects.filter(pk=clinic_id).update(patient_count=F("patient_count") + change)
