"""How long a signed-in browser stays signed in, on the project's clock.

Staff: a session ends after the clinic's idle minutes without a page, and after its hours
in all, whatever the activity (a shared front-desk PC). Patients: a portal session ends
after 14 idle days, and when staff revoke the patient's links. Both are checked against
``clock.now()`` from times kept in the session, never against the database's own expiry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from aftercare.web import clock
from aftercare.web.clinic.models import Clinic

__all__ = [
    "IDLE_MINUTES_RANGE",
    "PATIENT_IDLE",
    "SESSION_HOURS_RANGE",
    "WARN_BEFORE",
    "begin",
    "begin_at_sign_in",
    "patient_session_live",
    "staff_session_end",
]

# What a clinic may choose: never longer than the defaults by much, never uselessly short.
IDLE_MINUTES_RANGE = (5, 60)
SESSION_HOURS_RANGE = (1, 12)
# The page warns this long before the idle end.
WARN_BEFORE = timedelta(minutes=2)
PATIENT_IDLE = timedelta(days=14)
# Saving the session on every page would be a database write per request; a minute of
# slack on a 30-minute limit is not worth one.
TOUCH_AFTER = timedelta(minutes=1)

_STARTED = "aftercare.started_at"
_SEEN = "aftercare.seen_at"


def begin(session: SessionBase, at: datetime) -> None:
    """Start the clock of a session that has just signed in."""
    session[_STARTED] = session[_SEEN] = at.isoformat()


def begin_at_sign_in(sender: object, request: HttpRequest, **_: Any) -> None:
    """Django's ``user_logged_in`` signal: a staff session's hours count from here."""
    begin(request.session, clock.now())


def staff_session_end(session: SessionBase, clinic: Clinic, at: datetime) -> str | None:
    """Why this staff session has ended (the sentence to show), or None while it is live;
    a live session is marked as seen at ``at``."""
    started, seen = _moment(session, _STARTED), _moment(session, _SEEN)
    if started is None or seen is None:
        begin(session, at)
        return None
    if at - seen >= timedelta(minutes=clinic.staff_idle_minutes):
        return f"You were signed out after {clinic.staff_idle_minutes} minutes without activity."
    if at - started >= timedelta(hours=clinic.staff_session_hours):
        hours = clinic.staff_session_hours
        return f"You were signed out after {hours} hours signed in; please sign in again."
    _touch(session, seen, at)
    return None


def patient_session_live(session: SessionBase, ended_at: datetime | None, at: datetime) -> bool:
    """Whether a patient's session is still live at ``at``: not idle for 14 days and not
    begun before staff ended the patient's sessions (``ended_at``)."""
    started, seen = _moment(session, _STARTED), _moment(session, _SEEN)
    if started is None or seen is None:
        return False
    if at - seen >= PATIENT_IDLE or (ended_at is not None and started <= ended_at):
        return False
    _touch(session, seen, at)
    return True


def _touch(session: SessionBase, seen: datetime, at: datetime) -> None:
    if at - seen >= TOUCH_AFTER:
        session[_SEEN] = at.isoformat()


def _moment(session: SessionBase, key: str) -> datetime | None:
    value = session.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) else None
