"""What staff must hear about their clinic's messages: failing ones, and a growing backlog.

The staff pages show it as a banner, so a stopped worker or a broken provider is seen
the same day, not when a patient calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from aftercare.web.clinic.models import Clinic, Reminder, ReminderStatus

__all__ = ["LATE_AFTER", "RECENT", "Trouble", "clinic_trouble"]

# As /healthz: a reminder due this long ago and still unsent means sending has stopped.
LATE_AFTER = timedelta(minutes=10)
RECENT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Trouble:
    failing: int
    late: int

    def __bool__(self) -> bool:
        return bool(self.failing or self.late)


def clinic_trouble(clinic: Clinic, now: datetime) -> Trouble:
    """One query: the clinic's messages that failed this week or are being retried, and
    those overdue by more than ``LATE_AFTER``."""
    scheduled = Q(status=ReminderStatus.SCHEDULED)
    failing = Q(status=ReminderStatus.FAILED, due_at__gte=now - RECENT) | (
        scheduled & Q(attempts__gt=0)
    )
    late = scheduled & Q(due_at__lt=now - LATE_AFTER)
    # Each branch reads an index (status and due time; the partial index of retried
    # messages), so the banner costs what is in trouble, not every message ever sent.
    counts = Reminder.objects.filter(failing | late, patient__clinic=clinic).aggregate(
        failing=Count("pk", filter=failing),
        late=Count("pk", filter=late),
    )
    return Trouble(counts["failing"], counts["late"])
