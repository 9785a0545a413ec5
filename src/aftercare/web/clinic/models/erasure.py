"""The register of erased patients: who was erased (by a reference that now names no
one), why, by whom and when. It holds no personal data of the patient."""

from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.clinic import Clinic

__all__ = ["Erasure"]


class Erasure(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    # The erased patient's id, as their audit events still carry it.
    patient_ref = models.BigIntegerField()
    reason = models.TextField()
    # Plain id: the register outlives the login that erased (none for `aftercare retention`).
    erased_by_staff_id = models.BigIntegerField(null=True, blank=True)
    erased_at = models.DateTimeField()
    # What was deleted, by kind: {"treatments": 2, "check_ins": 1, …}.
    deleted = models.JSONField(default=dict)

    class Meta:
        ordering = ("-erased_at",)

    def __str__(self) -> str:
        return f"erasure of patient {self.patient_ref} at {self.erased_at:%Y-%m-%d}"
