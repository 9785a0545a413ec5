"""The web app's only clock: views and the demo ask here, so tests can set the time."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

__all__ = ["now"]


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()
