"""``GET /healthz``: can this process serve, and are reminders going out?

It answers 503, so a load balancer or a monitor can tell, when the database cannot be
reached, when the data directory cannot be written or is nearly full, or when reminders
have stopped: a reminder has been due and unsent for longer than ``STALLED_AFTER``. It
also says when a reminder worker last went round its loop and how many reminders are due
and unsent now. The reasons for a failure go to the log, never to the caller.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from aftercare.web import clock
from aftercare.web.clinic.models import Reminder, ReminderStatus, WorkerBeat

__all__ = ["MIN_FREE_BYTES", "STALLED_AFTER", "Reminders", "data_dir_state", "healthz"]

logger = logging.getLogger(__name__)

STALLED_AFTER = timedelta(minutes=10)
MIN_FREE_BYTES = 20 * 1024 * 1024


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report: dict[str, object] = {"database": "ok" if is_database_up() else "unavailable"}
    report["data_dir"] = data_dir_state(Path(settings.DATA_DIR))
    if report["database"] == "ok":
        report.update(reminders_state(clock.now()).report())
    healthy = (
        report["database"] == "ok"
        and report["data_dir"] == "ok"
        and report.get("reminders") != "stopped"
    )
    status = {"status": "ok" if healthy else "error"}
    return JsonResponse(status | report, status=200 if healthy else 503)


def is_database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: the database is unavailable", exc_info=True)
        return False
    return row is not None and row[0] == 1


def data_dir_state(path: Path) -> str:
    """ "ok", "read-only" (a file cannot be written there) or "full" (little space left)."""
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".healthz-") as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        logger.warning("healthz: the data directory cannot be written: %s", error.strerror)
        return "full" if error.errno == 28 else "read-only"
    if shutil.disk_usage(path).free < MIN_FREE_BYTES:
        logger.warning("healthz: the data directory is nearly full")
        return "full"
    return "ok"


@dataclass(frozen=True, slots=True)
class Reminders:
    backlog: int
    oldest_due: datetime | None
    last_beat: datetime | None
    now: datetime

    @property
    def stopped(self) -> bool:
        return self.oldest_due is not None and self.now - self.oldest_due > STALLED_AFTER

    def report(self) -> dict[str, object]:
        seen = None if self.last_beat is None else (self.now - self.last_beat).total_seconds()
        return {
            "reminders": "stopped" if self.stopped else "ok",
            "reminders_due": self.backlog,
            "worker_seen_seconds_ago": None if seen is None else max(0, round(seen)),
        }


def reminders_state(now: datetime) -> Reminders:
    """Due-and-unsent reminders across every clinic, and the workers' last beat."""
    due = Reminder.objects.filter(status=ReminderStatus.SCHEDULED, due_at__lte=now)
    summary = due.aggregate(oldest=Min("due_at"))
    return Reminders(due.count(), summary["oldest"], WorkerBeat.last(), now)
