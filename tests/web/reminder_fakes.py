"""A small stand-in for the engine's reminder schedule, for the web tests of reminders.

It follows the contract of ``aftercare.engine.reminders.schedule``: a welcome at the end of
treatment, a check-in prompt 30 hours later and three daily sunscreen reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aftercare.engine.reminders import PlannedReminder, QuietHours
from aftercare.protocols.schema import Protocol

__all__ = ["fake_schedule", "use_fake_schedule"]


def fake_schedule(
    protocol: Protocol,
    treated_at: datetime,
    zone_name: str,
    quiet: QuietHours,
    *,
    course_complete: bool = False,
) -> tuple[PlannedReminder, ...]:
    stamp = f"{treated_at:%Y-%m-%d %H:%M}"
    return (
        PlannedReminder("RM-welcome:1", "welcome", treated_at, f"Welcome ({stamp})"),
        *(
            PlannedReminder(
                f"RM-sunscreen:{day}", "sunscreen", treated_at + timedelta(days=day), f"SPF {day}"
            )
            for day in (1, 2, 3)
        ),
        PlannedReminder(
            "RM-check-in:1", "check_in", treated_at + timedelta(hours=30), "How is your skin?"
        ),
    )


def use_fake_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aftercare.engine.reminders.schedule", fake_schedule)
