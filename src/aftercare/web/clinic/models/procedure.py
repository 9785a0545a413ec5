from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.clinic import Clinic

__all__ = ["ClinicProcedure"]


class ClinicProcedure(models.Model):
    """A procedure a clinic performs: a packaged protocol's id, enabled or not, and the
    clinic's overlay on that protocol (its tightenings and relaxations, as YAML)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="procedures")
    # The packaged protocol's own id (``microneedling``), never an effective id.
    protocol_id = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    overlay_yaml = models.TextField(blank=True)

    class Meta:
        ordering = ("protocol_id",)
        constraints = (
            models.UniqueConstraint(
                fields=["clinic", "protocol_id"], name="clinic_procedure_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.clinic}: {self.protocol_id}"
