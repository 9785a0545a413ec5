from __future__ import annotations

from django.conf import settings
from django.db import models

from aftercare.web.clinic.models.clinic import Clinic

__all__ = ["Role", "StaffMember"]


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"


class StaffMember(models.Model):
    """A login that belongs to exactly one clinic; every staff query is scoped by it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.clinic.slug})"
