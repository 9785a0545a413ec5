from __future__ import annotations

from typing import Any

from django.db import models

from aftercare.web import clock
from aftercare.web.clinic.models.staff import StaffMember
from aftercare.web.clinic.models.treatment import Treatment

__all__ = ["CheckIn", "Level", "Severity", "Trend"]


class Level(models.TextChoices):
    """The engine's triage levels (``aftercare.protocols.schema.Level``)."""

    EXPECTED = "expected", "Expected"
    CONTACT_CLINIC = "contact_clinic", "Contact the clinic"
    CONTACT_CLINIC_NOW = "contact_clinic_now", "Contact the clinic now"
    CALL_999 = "call_999", "Call 999 now"


class Trend(models.TextChoices):
    """How the patient says things are going (``aftercare.engine.triage.Trend``)."""

    IMPROVING = "improving", "Getting better"
    STABLE = "stable", "About the same"
    WORSENING = "worsening", "Getting worse"


class Severity(models.TextChoices):
    """How bad the patient says one symptom is (``aftercare.engine.triage.Severity``);
    kept with that symptom in ``CheckIn.symptoms``."""

    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe, more than I'd expect"


class CheckIn(models.Model):
    """A patient's symptom report and, frozen, the triage it received at the time."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="check_ins")
    # The patient's clinic, kept here so the dashboard finds a clinic's open alerts in one
    # index, not through every treatment of every clinic of a chain. Indexed first in
    # ``checkin_clinic_open``, which also serves deleting a clinic.
    clinic = models.ForeignKey("Clinic", on_delete=models.CASCADE, related_name="+", db_index=False)
    # One object a symptom: {"symptom": id} and, when the patient said, "severity".
    symptoms = models.JSONField(default=list)
    trend = models.CharField(max_length=10, choices=Trend.choices, blank=True)
    free_text = models.TextField(blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    result = models.JSONField(default=dict)
    hours_after = models.FloatField()
    created_at = models.DateTimeField(default=clock.default_now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set instead when a clinic system reviewed it with an API key.
    reviewed_by_key = models.ForeignKey(
        "ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)
    # The sender's key for this one check-in (the API's Idempotency-Key header, the
    # portal form's key): a retry after a lost answer finds it instead of adding another.
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (
            # The staff dashboard and the morning summary: a clinic's unreviewed check-ins
            # of each alert level, one range of the index a level (IS NULL is a range too).
            # Not a partial index: SQLite uses one only when the query spells its values out.
            models.Index(
                fields=["clinic", "level", "reviewed_at", "created_at"], name="checkin_clinic_open"
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=["treatment", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="checkin_idempotency_key",
            ),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.clinic_id:  # a new row: its patient's clinic
            self.clinic_id = self.treatment.patient.clinic_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.treatment.patient}: {self.get_level_display()}"
