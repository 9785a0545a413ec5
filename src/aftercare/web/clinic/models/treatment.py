from __future__ import annotations

from django.db import models

from aftercare.web import clock
from aftercare.web.clinic.models.patient import Patient
from aftercare.web.clinic.models.staff import StaffMember
from aftercare.web.clinic.validators import validate_time_zone

__all__ = ["Treatment"]


class Treatment(models.Model):
    """One session: the inputs the plan is computed from, never the plan itself."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    # Time zero: the end of the treatment, stored in UTC.
    treated_at = models.DateTimeField()
    # The zone the patient lives by, for showing local times and sending reminders.
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    areas = models.JSONField(default=list)
    device = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    # The protocol's factors by id (needle depth, sensitive skin, medicines, …) and the age
    # on the day, as plain JSON; read back through the protocol (care.factors).
    factors = models.JSONField(default=dict)
    protocol_id = models.CharField(max_length=100)
    protocol_version = models.CharField(max_length=64)
    # Why a practitioner treated despite screening; required by the views, recorded here.
    override_reason = models.TextField(blank=True)
    # Why a session beyond the chosen course, or sooner than the protocol's gap, was given.
    course_override_reason = models.TextField(blank=True)
    # Who recorded it: a staff member in the web app, or a clinic system with an API key.
    created_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by_key = models.ForeignKey(
        "ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.default_now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-treated_at",)
        get_latest_by = "treated_at"
        indexes = (
            # The staff dashboard: today's treatments and those in their aftercare weeks.
            models.Index(fields=["treated_at"], name="treatment_treated_at"),
            # A patient's latest treatment: the patient list, the dashboard's "in aftercare"
            # (no later treatment of the same patient), the portal's current care.
            models.Index(fields=["patient", "treated_at"], name="treatment_patient_treated"),
        )

    def __str__(self) -> str:
        return f"{self.patient}, {self.treated_at:%Y-%m-%d %H:%M} UTC"
