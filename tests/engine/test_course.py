"""The course's mechanisms, on the mini protocol (1 to 4 sessions, planned with 2 to 4,
usually 3, 30 to 40 days apart, maintenance 6 to 12 months after the last). The
microneedling course is pinned in tests/protocols/test_microneedling_course.py."""

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
        (29, Verdict.TOO_EARLY, False),
        (30, Verdict.WITHIN_WINDOW, True),
        (35, Verdict.WITHIN_WINDOW, True),
        (40, Verdict.WITHIN_WINDOW, True),
        (41, Verdict.LATE, True),
        (365, Verdict.LATE, True),
    ],
)
def test_it_checks_the_gap_before_the_next_session(
    mini: Protocol, gap_days: int, verdict: Verdict, allowed: bool
) -> None:
    check = check_session(mini, PREVIOUS, PREVIOUS + timedelta(days=gap_days))
    assert (check.verdict, check.allowed, check.gap_days) == (verdict, allowed, gap_days)
    assert (check.earliest, check.latest) == (date(2027, 1, 4), date(2027, 1, 14))


def test_it_refuses_a_session_before_the_previous_one(mini: Protocol) -> None:
    with pytest.raises(
        InputError, match=r"^the proposed session cannot be before the previous one$"
    ):
        check_session(mini, PREVIOUS, PREVIOUS - timedelta(days=1))


FIRST = date(2026, 12, 5)
S1 = SessionWindow(1, FIRST, FIRST)
# Each window is 30 to 40 days after the earliest and latest of the one before.
S2 = SessionWindow(2, date(2027, 1, 4), date(2027, 1, 14))
S3 = SessionWindow(3, date(2027, 2, 3), date(2027, 2, 23))
S4 = SessionWindow(4, date(2027, 3, 5), date(2027, 4, 4))


@pytest.mark.parametrize(
    ("sessions", "valid", "windows", "maintenance"),
    [
        (-1, False, (), None),
        (0, False, (), None),
        (1, True, (S1,), MaintenanceWindow(date(2027, 6, 5), date(2027, 12, 5))),
        (3, True, (S1, S2, S3), MaintenanceWindow(date(2027, 8, 3), date(2028, 2, 23))),
        (4, True, (S1, S2, S3, S4), MaintenanceWindow(date(2027, 9, 5), date(2028, 4, 4))),
        (5, False, (), None),
    ],
)
def test_it_plans_a_course(
    mini: Protocol,
    sessions: int,
    valid: bool,
    windows: tuple[SessionWindow, ...],
    maintenance: MaintenanceWindow | None,
) -> None:
    plan = plan_course(mini, FIRST, sessions)
    assert (plan.valid, plan.requested, plan.sessions, plan.maintenance) == (
        valid,
        sessions,
        windows,
        maintenance,
    )
    assert (plan.min_sessions, plan.max_sessions) == (1, 4)
    assert (plan.min_gap_days, plan.max_gap_days) == (30, 40)


def test_it_cites_the_course_sources(mini: Protocol) -> None:
    assert plan_course(mini, FIRST, 3).sources == mini.course.sources


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
    mini: Protocol, completed: date, earliest: date, latest: date
) -> None:
    assert maintenance_window(mini, completed) == MaintenanceWindow(earliest, latest)


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
    mini: Protocol, call: Callable[[Protocol, date], object]
) -> None:
    moment = datetime(2026, 12, 5, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InputError, match="must be a date, not a date and time"):
        call(mini, moment)


def test_the_usual_number_of_sessions_completes_a_course(mini: Protocol) -> None:
    usual = mini.course.default_sessions
    assert not completes_course(mini, usual - 1)
    assert completes_course(mini, usual)
    assert completes_course(mini, usual + 1)


def test_the_outlook_mid_course_gives_the_next_window_and_maintenance_after_the_plan(
    mini: Protocol,
) -> None:
    outlook = course_outlook(mini, [date(2026, 11, 21)], date(2026, 12, 1))
    assert (outlook.sessions, outlook.planned) == (1, mini.course.default_sessions)
    assert outlook.next_session == check_session(mini, date(2026, 11, 21), date(2026, 12, 1))
    planned = plan_course(mini, date(2026, 11, 21), mini.course.default_sessions)
    assert outlook.maintenance == planned.maintenance


def test_the_outlook_after_a_full_course_gives_maintenance_only(mini: Protocol) -> None:
    days = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    outlook = course_outlook(mini, reversed(days), date(2026, 11, 21))
    assert (outlook.sessions, outlook.planned, outlook.next_session) == (3, 3, None)
    assert outlook.maintenance == maintenance_window(mini, date(2026, 11, 1))


@pytest.mark.parametrize(
    ("sessions", "chosen", "complete"),
    [(2, None, False), (3, None, True), (3, 4, False), (4, 4, True), (2, 2, True)],
)
def test_the_course_completes_at_the_length_chosen_for_the_patient(
    mini: Protocol, sessions: int, chosen: int | None, complete: bool
) -> None:
    assert completes_course(mini, sessions, chosen) is complete


def test_a_course_is_planned_with_the_fewest_sessions_the_protocol_allows(mini: Protocol) -> None:
    # A course may end after 1 session (min_sessions) but is planned with 2 or more.
    assert list(mini.course.plannable_sessions) == [2, 3, 4]


def test_maintenance_is_counted_from_the_actual_last_session(mini: Protocol) -> None:
    # The second session came 49 days after the first: late, and the plan moves with it.
    days = [date(2026, 9, 1), date(2026, 10, 20)]
    outlook = course_outlook(mini, days, date(2026, 11, 1), chosen=3)
    assert outlook.late == (date(2026, 10, 20),)
    assert outlook.next_session == check_session(mini, date(2026, 10, 20), date(2026, 11, 1))
    # The third session between 19 and 29 Nov, then 6 to 12 months.
    assert outlook.maintenance == MaintenanceWindow(date(2027, 5, 19), date(2027, 11, 29))


def test_a_longer_chosen_course_puts_maintenance_after_its_last_session(mini: Protocol) -> None:
    outlook = course_outlook(mini, [date(2026, 11, 1)], date(2026, 11, 1), chosen=4)
    assert outlook.planned == 4
    # Sessions 2 to 4 at 30 to 40 days each: the fourth 90 to 120 days on, 30 Jan to 1 Mar.
    assert outlook.maintenance == MaintenanceWindow(date(2027, 7, 30), date(2028, 3, 1))
    complete = course_outlook(mini, [date(2026, 11, 1)] * 4, date(2026, 11, 1), chosen=4)
    assert complete.next_session is None


@pytest.mark.parametrize(("gap_days", "late"), [(40, False), (41, True)])
def test_a_session_after_the_longest_gap_is_late(mini: Protocol, gap_days: int, late: bool) -> None:
    second = PREVIOUS + timedelta(days=gap_days)
    assert late_sessions(mini, [second, PREVIOUS]) == ((second,) if late else ())


def sessions_every(days: int, count: int) -> list[date]:
    return [PREVIOUS + timedelta(days=days * n) for n in range(count)]


@pytest.mark.parametrize(
    ("earlier", "proposed", "number", "beyond", "too_soon"),
    [
        ([], PREVIOUS, 1, False, False),
        ([PREVIOUS], PREVIOUS + timedelta(days=29), 2, False, True),
        ([PREVIOUS], PREVIOUS + timedelta(days=30), 2, False, False),
        ([PREVIOUS], PREVIOUS + timedelta(days=60), 2, False, False),
        (sessions_every(30, 3), PREVIOUS + timedelta(days=30 * 3), 4, False, False),
        (sessions_every(30, 4), PREVIOUS + timedelta(days=30 * 4), 5, True, False),
        (sessions_every(30, 4), PREVIOUS + timedelta(days=30 * 3 + 3), 5, True, True),
        # Recorded late: only the sessions on or before it count.
        (sessions_every(30, 4), PREVIOUS + timedelta(days=30 + 14), 3, False, True),
    ],
)
def test_a_session_beyond_the_maximum_or_too_soon_needs_an_override(
    mini: Protocol,
    earlier: list[date],
    proposed: date,
    number: int,
    beyond: bool,
    too_soon: bool,
) -> None:
    gate = gate_session(mini, earlier, proposed)
    assert (gate.number, gate.beyond_maximum, gate.too_soon) == (number, beyond, too_soon)
    assert gate.needs_override is (beyond or too_soon)
