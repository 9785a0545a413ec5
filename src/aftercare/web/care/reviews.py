"""Reviewing a check-in: the one write path for the staff page and the API.

A review is claimed with a guarded update, so that of two reviews at once exactly one
takes effect and the other is told the check-in is already reviewed; the review that
took effect is audited in the same transaction, so none is kept without its audit event.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from aftercare.web import audit
from aftercare.web.actor import Actor
from aftercare.web.clinic.models import CheckIn, Clinic

__all__ = ["review_check_in"]


def review_check_in(
    actor: Actor, clinic: Clinic, check_in: CheckIn, note: str, at: datetime
) -> bool:
    """Mark ``check_in`` reviewed by ``actor`` with ``note``, unless it already is; True
    when this call reviewed it."""
    with transaction.atomic():
        claimed = CheckIn.objects.filter(
            pk=check_in.pk, clinic=clinic, reviewed_at__isnull=True
        ).update(
            reviewed_at=at,
            reviewed_by=actor.staff,
            reviewed_by_key=actor.api_key,
            review_note=note,
        )
        if claimed == 1:
            audit.record(
                actor,
                "checkin.review",
                clinic=clinic,
                patient=check_in.treatment.patient,
                obj=check_in,
            )
    return claimed == 1
