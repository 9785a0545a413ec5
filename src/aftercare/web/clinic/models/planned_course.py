"""The length of course chosen for one patient and one procedure."""

from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.patient import Patient

__all__ = ["PlannedCourse"]


class PlannedCourse(models.Model):
    """The number of sessions planned for ``patient``'s course of ``procedure``, within
    that protocol's bounds; no row: the protocol's usual. A patient on courses of two
    procedures has a length for each. Deleted with the patient."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="planned_courses")
    # The packaged protocol's id (``chemical-peel``), as CourseBooking names it.
    procedure = models.CharField(max_length=100)
    sessions = models.PositiveSmallIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["patient", "procedure"], name="planned_course_patient_procedure"
            ),
        )

    def __str__(self) -> str:
        return f"{self.sessions} sessions of {self.procedure} for patient {self.patient_id}"

    @classmethod
    def of(cls, patient: Patient) -> dict[str, int]:
        """The sessions planned for each of ``patient``'s courses given a length (one
        query, or none once ``planned_courses`` is prefetched)."""
        return {row.procedure: row.sessions for row in patient.planned_courses.all()}

    @classmethod
    def sessions_for(cls, patient_id: int, procedure: str) -> int | None:
        """The sessions planned for the patient's course of ``procedure``; None: the
        protocol's usual."""
        rows = cls.objects.filter(patient_id=patient_id, procedure=procedure)
        return rows.values_list("sessions", flat=True).first()
