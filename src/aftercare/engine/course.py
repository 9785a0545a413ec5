"""Plan a course of sessions, check the gap before the next one, and find maintenance.

Gaps are whole days (C14, L16: 4-6 weeks is 28-42 days). Maintenance is in calendar
months, so 31 August plus six months is the last day of February.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from aftercare.engine.errors import InputError
from aftercare.protocols.schema import Citation, Course, Protocol

__all__ = [
    "CourseOutlook",
    "CoursePlan",
    "MaintenanceWindow",
    "SessionCheck",
    "SessionWindow",
    "Verdict",
    "check_session",
    "completes_course",
    "course_outlook",
    "maintenance_window",
    "plan_course",
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
    # After the planned course, or after the last session once the course is complete.
    maintenance: MaintenanceWindow | None


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


def completes_course(protocol: Protocol, sessions: int) -> bool:
    """Whether ``sessions`` sessions (this one included) make the protocol's usual course,
    after which maintenance, not a next session, comes up."""
    return sessions >= protocol.course.default_sessions


def course_outlook(protocol: Protocol, sessions: Iterable[date], on: date) -> CourseOutlook:
    """The course after ``sessions`` (local dates, at least one), as it stands ``on``."""
    days = sorted(sessions)
    first, last = days[0], days[-1]
    planned = max(protocol.course.default_sessions, len(days))
    if completes_course(protocol, len(days)):
        return CourseOutlook(len(days), planned, None, maintenance_window(protocol, last))
    return CourseOutlook(
        sessions=len(days),
        planned=planned,
        next_session=check_session(protocol, last, max(on, last)),
        maintenance=plan_course(protocol, first, planned).maintenance,
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
