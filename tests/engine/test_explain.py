"""The words people read, pinned: one row per case, one loop that checks them all.

Every phrase here is built by ``engine/explain`` from the phrase table of the protocol's
language (``protocols/phrases/en-GB.yaml``); pages, the leaflet, the calendar, the API and
the CLI only lay these out. Times are in Europe/London around the 2026 clock changes
(forward on Sun 29 Mar, back on Sun 25 Oct).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from aftercare.engine.check import Verdict, check
from aftercare.engine.errors import LocalTimeError
from aftercare.engine.explain import (
    after_treatment,
    allowed_heading,
    change_heading,
    course_terms,
    day_heading,
    day_phrase,
    duration_phrase,
    ended_sentence,
    every_day_until,
    format_day,
    format_moment,
    format_short_day,
    headline,
    hours_phrase,
    moment_phrase,
    plan_intro,
    protocol_line,
    repeated_time_note,
    routine_ends_heading,
    treated_on,
    why_line,
)
from aftercare.engine.headings import first_labels, not_yet_heading, until_then
from aftercare.engine.localtime import elapsed, local_datetime, parse_local, zone
from aftercare.engine.timeline import plan
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")


def _at(text: str) -> datetime:
    return parse_local(text, LONDON)


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (-1, "straight away"),
        (0, "straight away"),
        (1, "1 hour"),
        (1.5, "1.5 hours"),
        (23, "23 hours"),
        (24, "day 1"),
        (30, "30 hours"),
        (71, "71 hours"),
        (72, "day 3"),
        (336, "day 14"),
    ],
)
def test_it_says_hours_after_treatment(hours: float, expected: str) -> None:
    assert hours_phrase(hours) == expected


@pytest.mark.parametrize(
    ("hours", "moment", "expected"),
    [
        (0, None, "straight away"),
        (30, None, "30 hours"),
        (336, None, "day 14 (336 hours)"),
        (72, "2026-10-24 10:30", "Tue 27 Oct, 09:30 (day 3)"),
        (24, "2026-03-28 10:30", "Sun 29 Mar, 11:30 (day 1)"),
    ],
)
def test_it_says_a_moment_with_its_day(hours: int, moment: str | None, expected: str) -> None:
    shown = None if moment is None else elapsed(_at(moment), hours)
    assert moment_phrase(hours, shown) == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0, "0 hours"),
        (1, "1 hour"),
        (8, "8 hours"),
        (24, "1 day (24 hours)"),
        (336, "14 days (336 hours)"),
    ],
)
def test_it_says_a_duration(hours: int, expected: str) -> None:
    assert duration_phrase(hours) == expected


@pytest.mark.parametrize(
    ("treated", "at", "expected"),
    [
        ("2026-03-28 10:30", "2026-03-28 10:29", None),
        ("2026-03-28 10:30", "2026-03-28 10:30", "day 0"),
        # Clocks go forward: 10:30 the next morning is only 23 hours later.
        ("2026-03-28 10:30", "2026-03-29 10:30", "day 0"),
        ("2026-03-28 10:30", "2026-03-29 11:29", "day 0"),
        ("2026-03-28 10:30", "2026-03-29 11:30", "day 1"),
        # Clocks go back: 24 hours later is 09:30 on the wall clock.
        ("2026-10-24 10:30", "2026-10-25 09:29", "day 0"),
        ("2026-10-24 10:30", "2026-10-25 09:30", "day 1"),
        ("2026-10-24 10:30", "2026-10-25 10:30", "day 1"),
        ("2026-10-24 10:30", "2026-11-07 09:30", "day 14"),
    ],
)
def test_it_says_the_day_of_the_plan_across_clock_changes(
    mini: Protocol, treated: str, at: str, expected: str | None
) -> None:
    day = plan(mini, _at(treated)).day_at(_at(at))
    assert (None if day is None else day_phrase(day)) == expected


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (0, 14, "Day 0 of 14"),
        (3, 14, "Day 3 of 14"),
        (13, 14, "Day 13 of 14"),
        (14, 14, "Day 14"),
        (20, 14, "Day 20"),
        # A staff list's column, where the length of the plan goes without saying.
        (0, None, "Day 0"),
        (3, None, "Day 3"),
    ],
)
def test_it_heads_the_day(day: int, days: int | None, expected: str) -> None:
    assert day_heading(day, days) == expected


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (lambda p, at: allowed_heading(p, at), "From 19:00 you can:"),
        (lambda p, at: allowed_heading(p, at, since=True), "Since 19:00 you can:"),
        (lambda p, at: allowed_heading(p, at, 2), "From 19:00 (day 2) you can:"),
        (lambda p, at: allowed_heading(p, at, 0), "From 19:00 (day 0) you can:"),
        (
            lambda p, at: routine_ends_heading(p, at),
            "From 19:00 you can stop the daily routine for:",
        ),
        (
            lambda p, at: routine_ends_heading(p, at, 14),
            "From 19:00 (day 14) you can stop the daily routine for:",
        ),
        (
            lambda p, at: routine_ends_heading(p, at, since=True),
            "Since 19:00 you can stop the daily routine for:",
        ),
        (lambda p, at: not_yet_heading(p, at), "From Mon 26 Oct, 19:00:"),
        (lambda p, at: until_then(p, "Avoid alcohol."), "Until then: Avoid alcohol."),
        (lambda p, at: first_labels(p, ["sauna", "sunbed"]), "sauna, sunbed"),
        (lambda p, at: first_labels(p, list("abcd")), "a, b, c, d"),
        (lambda p, at: first_labels(p, list("abcde")), "a, b, c and 2 more"),
        (lambda p, at: after_treatment(at, 3), "Mon 26 Oct, 19:00 (day 3 after treatment)"),
        (lambda p, at: treated_on(at), "after your treatment on Mon 26 Oct"),
        (lambda p, at: every_day_until(p, at), "Every day until Mon 26 Oct, 19:00:"),
        (lambda p, at: why_line(p, "Heat."), "Why: Heat."),
        (lambda p, at: ended_sentence(p, at), "Treatment ended Mon 26 Oct, 19:00 (Europe/London)."),
        (lambda p, at: protocol_line(p, "mini", "3f9a"), "Protocol mini, version 3f9a"),
        (
            lambda p, at: plan_intro(p, at, "Europe/London"),
            "Mini procedure on Mon 26 Oct. Times are Europe/London time.",
        ),
        (
            lambda p, at: course_terms(p),
            "A course is 1 to 4 sessions (usually 3), 30 to 40 days apart; then maintenance"
            " every 6 to 12 months.",
        ),
    ],
)
def test_it_heads_what_a_moment_changes(
    mini: Protocol, write: Callable[[Protocol, datetime], str], expected: str
) -> None:
    assert write(mini, _at("2026-10-26 19:00")) == expected


@pytest.mark.parametrize(
    ("treated", "expected"),
    [
        ("2026-10-24 10:30", ["Day 1, Sun 25 Oct, 09:30", "Day 2, Mon 26 Oct, 09:30"]),
        ("2026-03-28 10:30", ["Day 1, Sun 29 Mar, 11:30", "Day 2, Mon 30 Mar, 11:30"]),
    ],
)
def test_it_heads_each_change_of_the_plan(
    mini: Protocol, treated: str, expected: list[str]
) -> None:
    changes = plan(mini, _at(treated)).changes
    assert [change_heading(mini, change) for change in changes[:2]] == expected


@pytest.mark.parametrize(
    ("treated", "at", "expected"),
    [
        ("2026-10-24 10:30", "2026-10-24 10:30", (1, "Sun 25 Oct, 09:30", "AC-makeup")),
        ("2026-10-24 10:30", "2026-10-25 09:29", (1, "Sun 25 Oct, 09:30", "AC-makeup")),
        ("2026-10-24 10:30", "2026-10-25 09:30", (2, "Mon 26 Oct, 09:30", "AC-sauna")),
        ("2026-10-24 10:30", "2026-10-28 12:00", (7, "Sat 31 Oct, 09:30", "AC-moisturiser")),
        ("2026-03-28 10:30", "2026-03-28 12:00", (1, "Sun 29 Mar, 11:30", "AC-makeup")),
        ("2026-10-24 10:30", "2027-10-24 10:30", None),
    ],
)
def test_it_says_the_next_change(
    mini: Protocol, treated: str, at: str, expected: tuple[int, str, str] | None
) -> None:
    change = plan(mini, _at(treated)).next_change(_at(at))
    shown = None if change is None else (change.day, format_moment(change.at), change.entries[0].id)
    assert shown == expected


@pytest.mark.parametrize(
    ("activity", "hours", "skin", "verdict", "expected"),
    [
        ("sauna", 30, None, Verdict.NOT_YET, "Sauna: not yet, from Mon 26 Oct, 09:30 (day 2)."),
        ("sauna", 400, None, Verdict.ALLOWED, "Sauna: yes."),
        ("makeup", 30, None, Verdict.ALLOWED_IF, "Makeup: yes, once the skin is calm."),
        (
            "makeup",
            30,
            {"skin_calm": False},
            Verdict.NOT_YET,
            "Makeup: not yet. The skin is not calm yet. Wait until it is.",
        ),
        (
            "sunscreen",
            30,
            None,
            Verdict.REQUIRED,
            "Sunscreen: yes, and you need to: every day for now.",
        ),
        ("picking", 30, None, Verdict.NEVER, "Picking: no, this is never advised."),
    ],
)
def test_it_heads_each_verdict(
    mini: Protocol,
    activity: str,
    hours: int,
    skin: dict[str, bool] | None,
    verdict: Verdict,
    expected: str,
) -> None:
    result = check(mini, activity, hours, skin=skin, treated_at=_at("2026-10-24 10:30"))
    assert (result.verdict, headline(mini, result)) == (verdict, expected)


def test_it_heads_a_verdict_without_a_date_by_the_day(mini: Protocol) -> None:
    result = check(mini, "sauna", 30)
    assert headline(mini, result) == "Sauna: not yet, from day 2 (48 hours)."


@pytest.mark.parametrize(
    ("treated", "hours", "expected"),
    [
        # 00:30 BST: one hour later is the first 01:30, two hours later the second.
        ("2026-10-25 00:30", 1, "Sun 25 Oct, 01:30 (1 hour)"),
        ("2026-10-25 00:30", 2, "Sun 25 Oct, 01:30 (2 hours)"),
        ("2026-10-25 00:30", 3, "Sun 25 Oct, 02:30 (3 hours)"),
        # The clocks skip 01:00-02:00 on 29 March.
        ("2026-03-29 00:30", 1, "Sun 29 Mar, 02:30 (1 hour)"),
    ],
)
def test_it_shows_moments_on_the_clock_the_patient_reads(
    treated: str, hours: int, expected: str
) -> None:
    assert moment_phrase(hours, elapsed(_at(treated), hours)) == expected


def test_it_notes_a_time_that_happens_twice() -> None:
    naive = datetime(2026, 10, 25, 1, 30)  # noqa: DTZ001 - a wall-clock time, on purpose
    assert repeated_time_note(naive, LONDON) == (
        "2026-10-25 01:30 happens twice in Europe/London (the clocks go back)"
    )
    with pytest.raises(LocalTimeError) as error:
        local_datetime(naive, LONDON)
    assert str(error.value) == (
        "2026-10-25 01:30 happens twice in Europe/London (the clocks go back); add the offset"
        " to say which: 2026-10-25 01:30+01:00 or 2026-10-25 01:30+00:00"
    )


def test_it_refuses_a_time_the_clocks_skip() -> None:
    with pytest.raises(LocalTimeError) as error:
        local_datetime(datetime(2026, 3, 29, 1, 30), LONDON)  # noqa: DTZ001 - wall clock
    assert str(error.value) == (
        "2026-03-29 01:30 does not exist in Europe/London (the clocks go forward)"
    )


@pytest.mark.parametrize(
    ("write", "moment", "expected"),
    [
        (format_moment, "2026-12-05 10:30", "Sat 5 Dec, 10:30"),
        (format_moment, "2026-01-01 00:05", "Thu 1 Jan, 00:05"),
        (lambda at: format_day(at.date()), "2026-12-05 10:30", "Sat 5 Dec 2026"),
        (lambda at: format_short_day(at.date()), "2026-11-21 10:30", "Sat 21 Nov"),
    ],
)
def test_it_writes_days_and_moments(
    write: Callable[[datetime], str], moment: str, expected: str
) -> None:
    assert write(_at(moment)) == expected
