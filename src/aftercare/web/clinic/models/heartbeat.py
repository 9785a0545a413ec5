"""When a reminder worker last went round its loop, for ``/healthz`` to read.

One row, written by whichever worker (on any machine) went round last: the question health
asks is whether anyone is sending, not which process.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models

__all__ = ["WorkerBeat"]


class WorkerBeat(models.Model):
    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    REMINDERS = "reminders"

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, at: datetime, name: str = REMINDERS) -> None:
        if not cls.objects.filter(name=name).update(at=at):
            cls.objects.update_or_create(name=name, defaults={"at": at})

    @classmethod
    def last(cls, name: str = REMINDERS) -> datetime | None:
        return cls.objects.filter(name=name).values_list("at", flat=True).first()
