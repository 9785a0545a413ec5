"""What staff must hear about their clinic's messages: failing ones, and a growing backlog.

The staff pages show it as a banner, so a stopped worker or a broken provider is seen
the same day, not when a patient calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from aftercare.web.clinic.models import Clinic, Reminder, ReminderStatus

__all__ = ["COUNTED", "LATE_AFTER", "RECENT", "Trouble", "clinic_trouble"]

# As /healthz: a reminder due this long ago and still unsent means sending has stopped.
LATE_AFTER = timedelta(minutes=10)
RECENT = timedelta(days=7)
# Enough to say how bad it is: past this, the banner says "1,000 or more".
COUNTED = 1000


@dataclass(frozen=True, slots=True)
class Trouble:
    failing: int
    late: int

    def __bool__(self) -> bool:
        return bool(self.failing or self.late)

    @property
    def failing_shown(self) -> str:
        return _shown(self.failing)

    @property
    def late_shown(self) -> str:
        return _shown(self.late)


def _shown(count: int) -> str:
    return f"{COUNTED:,} or more" if count >= COUNTED else f"{count:,}"


def clinic_trouble(clinic: Clinic, now: datetime) -> Trouble:
    """The clinic's messages that failed this week or are being retried, and those overdue
    by more than ``LATE_AFTER``: each counted to at most ``COUNTED``.

    Each part is a range of an index that starts with the clinic (then status, and due
    time or attempts), and the count stops at ``COUNTED``, so the banner costs what is in
    trouble, never what the clinic has sent or will send.
    """
    mine = Reminder.objects.filter(clinic=clinic)
    failed = mine.filter(status=ReminderStatus.FAILED, due_at__gte=now - RECENT)
    retrying = mine.filter(status=ReminderStatus.SCHEDULED, attempts__gt=0)
    late = mine.filter(status=ReminderStatus.SCHEDULED, due_at__lt=now - LATE_AFTER)
    failed_count, retrying_count, late_count = _counted(failed, retrying, late)
    return Trouble(min(failed_count + retrying_count, COUNTED), late_count)


def _counted(*parts: QuerySet[Reminder]) -> tuple[int, ...]:
    """How many rows each of ``parts`` has, up to ``COUNTED``, in one query: the ORM's SQL
    of each capped part, counted side by side."""
    selects: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = part.order_by().values("pk")[:COUNTED].query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")  # noqa: S608 (the ORM's SQL)
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        row = cursor.fetchone()
    return tuple(int(count) for count in row)
