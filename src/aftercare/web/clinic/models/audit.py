"""The append-only audit log: who read or changed which patient's data, and the outcome.

Each clinic's events form a hash chain (``audit_chain``): saving or bulk-creating an event
numbers and hashes it, so no writer can skip the chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, router, transaction

from aftercare.web import clock
from aftercare.web.clinic.audit_chain import chain
from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.models.patient import Patient

__all__ = ["ActorKind", "AppendOnlyError", "AuditEvent", "Outcome"]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class ActorKind(models.TextChoices):
    STAFF = "staff", "Staff member"
    PATIENT = "patient", "Patient"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_create(
        self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any
    ) -> list[AuditEvent]:
        events = list(objs)
        # No savepoint: if the insert fails, so must the transaction that asked for it.
        with transaction.atomic(using=self.db, savepoint=False):
            chain(events, self.db)
            return super().bulk_create(events, *args, **kwargs)


class AuditEvent(models.Model):
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # Plain ids, not foreign keys: the record must outlive the login or link that acted.
    actor_staff_id = models.BigIntegerField(null=True, blank=True)
    actor_patient_id = models.BigIntegerField(null=True, blank=True)
    actor_key_id = models.BigIntegerField(null=True, blank=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    # No database constraint: erasing a patient deletes their row, and their events keep
    # the id, which then names no one (a pseudonym) and keeps the chain verifiable.
    patient = models.ForeignKey(
        Patient,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=clock.default_now)
    # The event's place in its clinic's chain (1, 2, 3 …) and its hash (``audit_chain``).
    seq = models.PositiveBigIntegerField()
    chain_hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("-at",)
        indexes = (
            # The audit viewer: one clinic's events, newest first; one patient's history.
            models.Index(fields=["clinic", "at"], name="audit_clinic_at"),
            models.Index(fields=["patient", "at"], name="audit_patient_at"),
        )
        # The chain cannot fork: two writers that both took number n, one fails.
        constraints = (models.UniqueConstraint(fields=["clinic", "seq"], name="audit_chain_seq"),)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        using = kwargs.get("using") or router.db_for_write(AuditEvent)
        with transaction.atomic(using=using, savepoint=False):
            chain([self], using)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_kind} {self.action} {self.outcome}"
