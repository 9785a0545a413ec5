"""A patient's window to book the next session of one procedure's course, or its
maintenance: one row per patient and procedure they have been treated with."""

from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.models.patient import Patient

__all__ = ["BookingKind", "CourseBooking"]


class BookingKind(models.TextChoices):
    """What the patient is due to book next: a session of the course, or maintenance."""

    SESSION = "session", "Next session"
    MAINTENANCE = "maintenance", "Maintenance"


class CourseBooking(models.Model):
    """Derived from the patient's treatments of ``procedure`` by the write paths
    (aftercare.web.booking), never typed, so that the dashboard reads who is due to book
    from an index. A patient on a course of microneedling and one of a peel has two rows;
    an untreated patient has none. Deleted with the patient."""

    # The patient's clinic, copied so the dashboard's index starts with it.
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="bookings")
    # The packaged protocol's id (``microneedling``), whatever overlay the treatments
    # were recorded under: the course counts them all (web.protocol.same_procedure).
    procedure = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=BookingKind.choices)
    # The number of the session due; None for maintenance.
    session = models.PositiveSmallIntegerField(null=True, blank=True)
    opens = models.DateField()
    closes = models.DateField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["patient", "procedure"], name="course_booking_patient_procedure"
            ),
        )
        indexes = (
            # The dashboard's "due to book": one clinic's windows by closing day, a page
            # read from the range of days that can be open or lately closed.
            models.Index(fields=["clinic", "closes", "id"], name="course_booking_due"),
        )

    def __str__(self) -> str:
        return f"{self.procedure} {self.kind} for patient {self.patient_id}: {self.closes}"
