"""Plan a course of sessions, check the gap before the next one, and find maintenance.

Gaps are whole days (C14, L16: 4-6 weeks is 28-42 days). Maintenance is in calendar
months, so 31 August plus six months is the last day of February.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from dateutil.relativedelta import relativedelta

from aftercare.engine.errors import InputError
from aftercare.protocols.schema import Citation, Course, Protocol

__all__ = [
    "CourseOutlook",
    "CoursePlan",
    "MaintenanceWindow",
    "SessionCheck",
    "SessionGate",
    "SessionWindow",
    "Verdict",
    "check_session",
    "completes_course",
    "course_outlook",
    "gate_session",
    "late_sessions",
    "maintenance_window",
    "plan_course",
    "planned_sessions",
]


class Verdict(StrEnum):
    TOO_EARLY = "too_early"
    WITHIN_WINDOW = "within_window"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """When session ``number`` can take place, counting from the first session."""

    number: int
    earliest: date
    latest: date


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    earliest: date
    latest: date


@dataclass(frozen=True, slots=True)
class CoursePlan:
    """A course of ``requested`` sessions; when it is not valid, no windows are given."""

    valid: bool
    requested: int
    min_sessions: int
    max_sessions: int
    min_gap_days: int
    max_gap_days: int
    sessions: tuple[SessionWindow, ...]
    maintenance: MaintenanceWindow | None
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """Whether a session on ``proposed`` keeps the gap after one on ``previous``."""

    verdict: Verdict
    allowed: bool
    gap_days: int
    earliest: date
    latest: date
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class CourseOutlook:
    """Where a course stands after its sessions so far."""

    sessions: int
    # The usual course, or as many sessions as were already given.
    planned: int
    # The next session's window after the last one, judged on the day asked about; None
    # once the course is complete.
    next_session: SessionCheck | None
    # After the planned course, counted on from the actual last session, or after the last
    # session once the course is complete.
    maintenance: MaintenanceWindow | None
    # Sessions that came later than the protocol's longest gap after the one before.
    late: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionGate:
    """Whether a session on a day needs a practitioner's override: it would be session
    ``number``, beyond the protocol's maximum, or sooner than its shortest gap after the
    previous session (``gap``, None for a first session)."""

    number: int
    beyond_maximum: bool
    gap: SessionCheck | None

    @property
    def too_soon(self) -> bool:
        return self.gap is not None and not self.gap.allowed

    @property
    def needs_override(self) -> bool:
        return self.beyond_maximum or self.too_soon


def plan_course(protocol: Protocol, first: date, sessions: int) -> CoursePlan:
    """Windows for each of ``sessions`` sessions from ``first``, then for maintenance."""
    course = protocol.course
    _check_date(first, "the first session")
    valid = course.min_sessions <= sessions <= course.max_sessions
    windows = _windows(course, first, sessions) if valid else ()
    last = windows[-1] if windows else None
    return CoursePlan(
        valid=valid,
        requested=sessions,
        min_sessions=course.min_sessions,
        max_sessions=course.max_sessions,
        min_gap_days=course.min_gap_days,
        max_gap_days=course.max_gap_days,
        sessions=windows,
        maintenance=None if last is None else _maintenance(course, last.earliest, last.latest),
        sources=course.sources,
    )


def check_session(protocol: Protocol, previous: date, proposed: date) -> SessionCheck:
    """Too early, within the window, or late (still allowed, but the gap is longer)."""
    course = protocol.course
    _check_date(previous, "the previous session")
    _check_date(proposed, "the proposed session")
    if proposed < previous:
        raise InputError("the proposed session cannot be before the previous one")
    gap = (proposed - previous).days
    if gap < course.min_gap_days:
        verdict = Verdict.TOO_EARLY
    elif gap <= course.max_gap_days:
        verdict = Verdict.WITHIN_WINDOW
    else:
        verdict = Verdict.LATE
    return SessionCheck(
        verdict=verdict,
        allowed=verdict is not Verdict.TOO_EARLY,
        gap_days=gap,
        earliest=previous + timedelta(days=course.min_gap_days),
        latest=previous + timedelta(days=course.max_gap_days),
        sources=course.sources,
    )


def planned_sessions(protocol: Protocol, chosen: int | None) -> int:
    """The length of a patient's course: the one chosen for them, or the protocol's usual."""
    return protocol.course.default_sessions if chosen is None else chosen


def completes_course(protocol: Protocol, sessions: int, chosen: int | None = None) -> bool:
    """Whether ``sessions`` sessions (this one included) complete the course (the length
    ``chosen`` for the patient, else the usual), after which maintenance comes up."""
    return sessions >= planned_sessions(protocol, chosen)


def course_outlook(
    protocol: Protocol, sessions: Iterable[date], on: date, chosen: int | None = None
) -> CourseOutlook:
    """The course after ``sessions`` (local dates, at least one), as it stands ``on``.

    Maintenance is counted from the actual last session: the sessions still to come at
    their windows after it, then the protocol's months."""
    days = sorted(sessions)
    last = days[-1]
    planned = max(planned_sessions(protocol, chosen), len(days))
    late = late_sessions(protocol, days)
    if completes_course(protocol, len(days), chosen):
        return CourseOutlook(len(days), planned, None, maintenance_window(protocol, last), late)
    to_come = _windows(protocol.course, last, planned - len(days) + 1)[-1]
    return CourseOutlook(
        sessions=len(days),
        planned=planned,
        next_session=check_session(protocol, last, max(on, last)),
        maintenance=_maintenance(protocol.course, to_come.earliest, to_come.latest),
        late=late,
    )


def late_sessions(protocol: Protocol, sessions: Iterable[date]) -> tuple[date, ...]:
    """The sessions that came more than the protocol's longest gap after the one before."""
    days = sorted(sessions)
    longest = protocol.course.max_gap_days
    return tuple(day for before, day in pairwise(days) if (day - before).days > longest)


def gate_session(protocol: Protocol, earlier: Iterable[date], proposed: date) -> SessionGate:
    """What a session on ``proposed`` would be, after the recorded sessions ``earlier``
    (those on or before it count; a later one is no "previous")."""
    before = sorted(day for day in earlier if day <= proposed)
    number = len(before) + 1
    return SessionGate(
        number=number,
        beyond_maximum=number > protocol.course.max_sessions,
        gap=check_session(protocol, before[-1], proposed) if before else None,
    )


def maintenance_window(protocol: Protocol, completed: date) -> MaintenanceWindow:
    """When maintenance is due after a course completed on ``completed``."""
    _check_date(completed, "the completed course")
    return _maintenance(protocol.course, completed, completed)


def _windows(course: Course, first: date, sessions: int) -> tuple[SessionWindow, ...]:
    windows = [SessionWindow(1, first, first)]
    min_gap, max_gap = timedelta(days=course.min_gap_days), timedelta(days=course.max_gap_days)
    for number in range(2, sessions + 1):
        previous = windows[-1]
        windows.append(
            SessionWindow(number, previous.earliest + min_gap, previous.latest + max_gap)
        )
    return tuple(windows)


def _maintenance(course: Course, earliest: date, latest: date) -> MaintenanceWindow:
    # relativedelta keeps the day of the month, or takes the month's last day when it is shorter.
    return MaintenanceWindow(
        earliest=earliest + relativedelta(months=course.maintenance_min_months),
        latest=latest + relativedelta(months=course.maintenance_max_months),
    )


def _check_date(day: date, what: str) -> None:
    if isinstance(day, datetime):
        raise InputError(f"{what} must be a date, not a date and time")
