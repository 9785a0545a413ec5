from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from aftercare.engine.course import (
    MaintenanceWindow,
    SessionWindow,
    Verdict,
    check_session,
    completes_course,
    course_outlook,
    gate_session,
    late_sessions,
    maintenance_window,
    plan_course,
)
from aftercare.engine.errors import InputError
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


def test_it_refuses_a_session_before_the_previous_one(protocol: Protocol) -> None:
    with pytest.raises(
        InputError, match=r"^the proposed session cannot be before the previous one$"
    ):
        check_session(protocol, PREVIOUS, PREVIOUS - timedelta(days=1))


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


def test_it_cites_the_course_sources(protocol: Protocol) -> None:
    assert plan_course(protocol, FIRST, 3).sources == protocol.course.sources


@pytest.mark.parametrize(
    ("completed", "earliest", "latest"),
    [
        (date(2026, 8, 31), date(2027, 2, 28), date(2027, 8, 31)),
        (date(2027, 8, 31), date(2028, 2, 29), date(2028, 8, 31)),
        (date(2027, 1, 31), date(2027, 7, 31), date(2028, 1, 31)),
        (date(2026, 3, 31), date(2026, 9, 30), date(2027, 3, 31)),
        (date(2028, 2, 29), date(2028, 8, 29), date(2029, 2, 28)),
        (date(2026, 12, 5), date(2027, 6, 5), date(2027, 12, 5)),
    ],
)
def test_it_finds_maintenance_in_calendar_months(
    protocol: Protocol, completed: date, earliest: date, latest: date
) -> None:
    assert maintenance_window(protocol, completed) == MaintenanceWindow(earliest, latest)


@pytest.mark.parametrize(
    "call",
    [
        lambda p, moment: plan_course(p, moment, 3),
        lambda p, moment: check_session(p, moment, moment),
        lambda p, moment: maintenance_window(p, moment),
    ],
    ids=["plan", "check", "maintenance"],
)
def test_it_refuses_a_date_and_time(
    protocol: Protocol, call: Callable[[Protocol, date], object]
) -> None:
    moment = datetime(2026, 12, 5, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InputError, match="must be a date, not a date and time"):
        call(protocol, moment)


def test_the_usual_number_of_sessions_completes_a_course(protocol: Protocol) -> None:
    usual = protocol.course.default_sessions
    assert not completes_course(protocol, usual - 1)
    assert completes_course(protocol, usual)
    assert completes_course(protocol, usual + 1)


def test_the_outlook_mid_course_gives_the_next_window_and_maintenance_after_the_plan(
    protocol: Protocol,
) -> None:
    outlook = course_outlook(protocol, [date(2026, 11, 21)], date(2026, 12, 1))
    assert (outlook.sessions, outlook.planned) == (1, protocol.course.default_sessions)
    assert outlook.next_session == check_session(protocol, date(2026, 11, 21), date(2026, 12, 1))
    planned = plan_course(protocol, date(2026, 11, 21), protocol.course.default_sessions)
    assert outlook.maintenance == planned.maintenance


def test_the_outlook_after_a_full_course_gives_maintenance_only(protocol: Protocol) -> None:
    days = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    outlook = course_outlook(protocol, reversed(days), date(2026, 11, 21))
    assert (outlook.sessions, outlook.planned, outlook.next_session) == (3, 3, None)
    assert outlook.maintenance == maintenance_window(protocol, date(2026, 11, 1))


@pytest.mark.parametrize(
    ("sessions", "chosen", "complete"),
    [(2, None, False), (3, None, True), (3, 5, False), (4, 5, False), (5, 5, True), (6, 6, True)],
)
def test_the_course_completes_at_the_length_chosen_for_the_patient(
    protocol: Protocol, sessions: int, chosen: int | None, complete: bool
) -> None:
    assert completes_course(protocol, sessions, chosen) is complete


def test_a_course_is_planned_with_three_to_six_sessions_from_the_protocol(
    protocol: Protocol,
) -> None:
    assert list(protocol.course.plannable_sessions) == [3, 4, 5, 6]


def test_maintenance_is_counted_from_the_actual_last_session(protocol: Protocol) -> None:
    # The second session came 49 days after the first: late, and the plan moves with it.
    days = [date(2026, 9, 1), date(2026, 10, 20)]
    outlook = course_outlook(protocol, days, date(2026, 11, 1), chosen=3)
    assert outlook.late == (date(2026, 10, 20),)
    assert outlook.next_session == check_session(protocol, date(2026, 10, 20), date(2026, 11, 1))
    # The third session between 17 Nov and 1 Dec, then 6 to 12 months.
    assert outlook.maintenance == MaintenanceWindow(date(2027, 5, 17), date(2027, 12, 1))


def test_a_longer_chosen_course_puts_maintenance_after_its_last_session(
    protocol: Protocol,
) -> None:
    outlook = course_outlook(protocol, [date(2026, 11, 1)], date(2026, 11, 1), chosen=5)
    assert outlook.planned == 5
    # Sessions 2 to 5 at 28 to 42 days each: the fifth 112 to 168 days on, 21 Feb to 18 Apr.
    assert outlook.maintenance == MaintenanceWindow(date(2027, 8, 21), date(2028, 4, 18))
    complete = course_outlook(protocol, [date(2026, 11, 1)] * 5, date(2026, 11, 1), chosen=5)
    assert complete.next_session is None


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
