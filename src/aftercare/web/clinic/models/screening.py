from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.patient import Patient
from aftercare.web.clinic.models.staff import StaffMember

__all__ = ["Screening", "ScreeningStatus"]


class ScreeningStatus(models.TextChoices):
    """The engine's screening statuses (``aftercare.engine.screening.Status``)."""

    ELIGIBLE = "eligible", "Eligible"
    NOT_YET = "not_yet", "Not yet"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    CLINICIAN_REVIEW = "clinician_review", "Needs clinician review"
    INCOMPLETE = "incomplete", "Incomplete"


class Screening(models.Model):
    """The answers given and, frozen, what the screening said about them at the time."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=ScreeningStatus.choices)
    earliest_date = models.DateField(null=True, blank=True)
    result = models.JSONField(default=dict)
    protocol_id = models.CharField(max_length=100)
    protocol_version = models.CharField(max_length=64)
    screened_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when a clinic system recorded the screening through the API.
    screened_by_key = models.ForeignKey(
        "ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField()

    class Meta:
        ordering = ("-screened_at",)
        get_latest_by = "screened_at"

    def __str__(self) -> str:
        return f"{self.patient}: {self.get_status_display()}"
