"""The microneedling course: 3 to 6 sessions, 4 to 6 weeks apart, maintenance every 6 to
12 months. The course's mechanisms are tested on the mini protocol in
tests/engine/test_course.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftercare.engine.course import (
    MaintenanceWindow,
    SessionWindow,
    Verdict,
    check_session,
    gate_session,
    late_sessions,
    plan_course,
)
from aftercare.protocols.schema import Protocol

PREVIOUS = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("gap_days", "verdict", "allowed"),
    [
        (0, Verdict.TOO_EARLY, False),
        (27, Verdict.TOO_EARLY, False),
        (28, Verdict.WITHIN_WINDOW, True),
        (35, Verdict.WITHIN_WINDOW, True),
        (42, Verdict.WITHIN_WINDOW, True),
        (43, Verdict.LATE, True),
        (365, Verdict.LATE, True),
    ],
)
def test_it_checks_the_gap_before_the_next_session(
    protocol: Protocol, gap_days: int, verdict: Verdict, allowed: bool
) -> None:
    check = check_session(protocol, PREVIOUS, PREVIOUS + timedelta(days=gap_days))
    assert (check.verdict, check.allowed, check.gap_days) == (verdict, allowed, gap_days)
    assert (check.earliest, check.latest) == (date(2027, 1, 2), date(2027, 1, 16))


FIRST = date(2026, 12, 5)
S1 = SessionWindow(1, FIRST, FIRST)
S2 = SessionWindow(2, date(2027, 1, 2), date(2027, 1, 16))
S3 = SessionWindow(3, date(2027, 1, 30), date(2027, 2, 27))
S4 = SessionWindow(4, date(2027, 2, 27), date(2027, 4, 10))
S5 = SessionWindow(5, date(2027, 3, 27), date(2027, 5, 22))
S6 = SessionWindow(6, date(2027, 4, 24), date(2027, 7, 3))


@pytest.mark.parametrize(
    ("sessions", "valid", "windows", "maintenance"),
    [
        (-1, False, (), None),
        (0, False, (), None),
        (1, True, (S1,), MaintenanceWindow(date(2027, 6, 5), date(2027, 12, 5))),
        (3, True, (S1, S2, S3), MaintenanceWindow(date(2027, 7, 30), date(2028, 2, 27))),
        (
            6,
            True,
            (S1, S2, S3, S4, S5, S6),
            MaintenanceWindow(date(2027, 10, 24), date(2028, 7, 3)),
        ),
        (7, False, (), None),
    ],
)
def test_it_plans_a_course(
    protocol: Protocol,
    sessions: int,
    valid: bool,
    windows: tuple[SessionWindow, ...],
    maintenance: MaintenanceWindow | None,
) -> None:
    plan = plan_course(protocol, FIRST, sessions)
    assert (plan.valid, plan.requested, plan.sessions, plan.maintenance) == (
        valid,
        sessions,
        windows,
        maintenance,
    )
    assert (plan.min_sessions, plan.max_sessions) == (1, 6)
    assert (plan.min_gap_days, plan.max_gap_days) == (28, 42)


def test_a_course_is_planned_with_three_to_six_sessions_from_the_protocol(
    protocol: Protocol,
) -> None:
    assert list(protocol.course.plannable_sessions) == [3, 4, 5, 6]


@pytest.mark.parametrize(("gap_days", "late"), [(42, False), (43, True)])
def test_a_session_after_six_weeks_is_late(protocol: Protocol, gap_days: int, late: bool) -> None:
    second = PREVIOUS + timedelta(days=gap_days)
    assert late_sessions(protocol, [second, PREVIOUS]) == ((second,) if late else ())


def sessions_every(days: int, count: int) -> list[date]:
    return [PREVIOUS + timedelta(days=days * n) for n in range(count)]


@pytest.mark.parametrize(
    ("earlier", "proposed", "number", "beyond", "too_soon"),
    [
        ([], PREVIOUS, 1, False, False),
        ([PREVIOUS], PREVIOUS + timedelta(days=27), 2, False, True),
        ([PREVIOUS], PREVIOUS + timedelta(days=28), 2, False, False),
        ([PREVIOUS], PREVIOUS + timedelta(days=60), 2, False, False),
        (sessions_every(28, 5), PREVIOUS + timedelta(days=28 * 5), 6, False, False),
        (sessions_every(28, 6), PREVIOUS + timedelta(days=28 * 6), 7, True, False),
        (sessions_every(28, 6), PREVIOUS + timedelta(days=28 * 5 + 3), 7, True, True),
        # Recorded late: only the sessions on or before it count.
        (sessions_every(28, 6), PREVIOUS + timedelta(days=28 * 2 + 14), 4, False, True),
    ],
)
def test_a_seventh_session_or_one_within_four_weeks_needs_an_override(
    protocol: Protocol,
    earlier: list[date],
    proposed: date,
    number: int,
    beyond: bool,
    too_soon: bool,
) -> None:
    gate = gate_session(protocol, earlier, proposed)
    assert (gate.number, gate.beyond_maximum, gate.too_soon) == (number, beyond, too_soon)
    assert gate.needs_override is (beyond or too_soon)
