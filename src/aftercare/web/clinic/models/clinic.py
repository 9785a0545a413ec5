from __future__ import annotations

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aftercare.web import clock
from aftercare.web.clinic.branding import DEFAULT_ACCENT_COLOUR, validate_accent_colour
from aftercare.web.clinic.validators import (
    validate_one_line,
    validate_time_zone,
    validate_visible_text,
)

__all__ = ["Clinic"]


class Clinic(models.Model):
    """A clinic: its contact details, its zone and its settings; its procedures and their
    overlays are ``ClinicProcedure`` rows."""

    slug = models.SlugField(max_length=50, unique=True)
    # The name is in the subject of every email: one line, nothing invisible.
    name = models.CharField(max_length=200, validators=[validate_visible_text, validate_one_line])
    phone = models.CharField(max_length=40)
    email = models.EmailField(blank=True)
    # Shown in every "contact the clinic now" answer; may differ from the bookings line.
    urgent_phone = models.CharField(max_length=40)
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    # The age from which a patient counts as older, for protocols with an older-patient
    # modifier (the clinic's overlays are per procedure: ``ClinicProcedure``).
    older_age_years = models.PositiveSmallIntegerField(default=65)
    screening_valid_days = models.PositiveSmallIntegerField(default=90)
    quiet_hours_start = models.TimeField(default=time(21, 0))
    quiet_hours_end = models.TimeField(default=time(8, 0))
    # Who is told at once of an urgent check-in, in this order, each with the hours (on
    # the clinic's clock) they cover: [{"name", "to", "from": "HH:MM", "until": "HH:MM"}],
    # as ``aftercare.web.oncall`` reads and writes it.
    on_call = models.JSONField(default=list, blank=True)
    # An urgent check-in nobody has marked reviewed after this long goes to the next contact.
    alert_escalation_minutes = models.PositiveSmallIntegerField(default=15)
    # Staff sign-in: two factors for every role (administrators always need them), and how
    # long a session may sit idle or last in all (within the limits in ``access``).
    require_two_factor = models.BooleanField(default=False)
    staff_idle_minutes = models.PositiveSmallIntegerField(default=30)
    staff_session_hours = models.PositiveSmallIntegerField(default=12)
    created_at = models.DateTimeField(default=clock.default_now)
    # How many patients the clinic has, kept by Patient.save and Patient.delete: the staff
    # list and the API give the total without counting a large clinic's rows each time.
    patient_count = models.PositiveIntegerField(default=0, editable=False)
    # `aftercare retention` erases a patient this many years after their last treatment.
    retention_years = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Patients are erased this many years after their last treatment.",
    )

    # Branding: the colour behind the clinic's name at the top of every email, and the
    # digest of its logo (``ClinicLogo``; "" for none), which names the logo in caches.
    accent_colour = models.CharField(
        max_length=7, default=DEFAULT_ACCENT_COLOUR, validators=[validate_accent_colour]
    )
    logo_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
