"""The web app's only clock: views, the worker, sessions, sign-in lock-outs and new rows ask
here, so a test that sets the time sets it for all of them.

Django and django-axes read ``django.utils.timezone.now`` on their own; the session store
(``web.sessions``) and the lock-out handler (``web.lockout``) pass them this clock instead,
because a time stored by one clock and compared on another is a bug that waits for a date.
"""

from __future__ import annotations

from datetime import datetime

from aftercare import clock as project_clock

__all__ = ["default_now", "now"]


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return project_clock.now()


def default_now() -> datetime:
    """``now`` for a model field's ``default``. A field keeps the function it was given when
    the model was defined; this one looks ``now`` up on every call, so a frozen clock
    stamps new rows too."""
    return now()
