"""The timeline's mechanisms, on the mini protocol: columns as patients think of them, the
days things change, clock changes and the status at a moment. The microneedling plan is
pinned in tests/protocols/test_microneedling_timeline.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from aftercare.engine.errors import InputError, LocalTimeError
from aftercare.engine.explain import describe_entry, describe_plan
from aftercare.engine.localtime import hours_between, parse_local, zone
from aftercare.engine.timeline import Plan, plan
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")


def _plan(protocol: Protocol, treated_at: str) -> Plan:
    return plan(protocol, parse_local(treated_at, LONDON))


def _group_ids(result: Plan, group: str) -> list[str]:
    return next([e.id for e in g.entries] for g in result.groups if g.id == group)


@pytest.mark.parametrize(
    ("group", "rules"),
    [
        ("next_few_hours", ["AC-compress", "AC-picking"]),
        ("today", []),
        ("tomorrow", ["AC-makeup"]),
        ("next_week", ["AC-sauna", "AC-moisturiser", "AC-sunscreen", "AC-swimming"]),
    ],
)
def test_it_groups_a_morning_treatment_as_patients_think(
    mini: Protocol, group: str, rules: list[str]
) -> None:
    assert _group_ids(_plan(mini, "2026-11-21 10:30"), group) == rules


def test_it_puts_the_rules_that_end_together_with_do_rules_first(mini: Protocol) -> None:
    last = _group_ids(_plan(mini, "2026-11-21 10:30"), "next_week")
    # Moisturiser, sunscreen and swimming all end at 168 hours; sauna ends first.
    assert last == ["AC-sauna", "AC-moisturiser", "AC-sunscreen", "AC-swimming"]


def test_it_files_a_late_evening_treatment_by_the_local_calendar(mini: Protocol) -> None:
    result = _plan(mini, "2026-11-21 22:30")
    # 24 hours after 22:30 is tomorrow evening; 8 hours after is still "the next few hours".
    assert _group_ids(result, "tomorrow") == ["AC-makeup"]
    assert "AC-compress" in _group_ids(result, "next_few_hours")


def test_it_lists_what_changes_on_each_day(mini: Protocol) -> None:
    result = _plan(mini, "2026-11-21 10:30")
    days = [(c.day, c.at.isoformat(), sorted(e.id for e in c.entries)) for c in result.changes]
    assert days == [
        (1, "2026-11-22T10:30:00+00:00", ["AC-makeup"]),
        (2, "2026-11-23T10:30:00+00:00", ["AC-sauna"]),
        (7, "2026-11-28T10:30:00+00:00", ["AC-moisturiser", "AC-sunscreen", "AC-swimming"]),
    ]


@pytest.mark.parametrize(
    ("treated_at", "day_7"),
    [
        # The evening before the UK clocks go forward: day 7 is 168 real hours later,
        # so it shows as 21:00 on the clock.
        ("2026-03-28 20:00", "2026-04-04T21:00:00+01:00"),
        # The evening before they go back: 19:00 on the clock.
        ("2026-10-24 20:00", "2026-10-31T19:00:00+00:00"),
    ],
)
def test_it_means_elapsed_hours_by_the_last_day_across_clock_changes(
    mini: Protocol, treated_at: str, day_7: str
) -> None:
    result = _plan(mini, treated_at)
    assert result.changes[-1].day == 7
    assert result.changes[-1].at.isoformat() == day_7


def test_it_refuses_a_local_time_the_clocks_skip() -> None:
    with pytest.raises(LocalTimeError, match="does not exist in Europe/London"):
        parse_local("2026-03-29 01:30", LONDON)


def test_it_asks_which_of_two_repeated_times_is_meant() -> None:
    with pytest.raises(LocalTimeError, match=r"happens twice .* 01:30\+01:00 or .*01:30\+00:00"):
        parse_local("2026-10-25 01:30", LONDON)
    first = parse_local("2026-10-25 01:30+01:00", LONDON)
    second = parse_local("2026-10-25 01:30+00:00", LONDON)
    # Same-zone subtraction in Python ignores fold; elapsed time is measured on UTC.
    assert hours_between(first, second) == 1


def test_it_refuses_a_treatment_time_without_a_zone(mini: Protocol) -> None:
    naive = datetime(2026, 11, 21, 10, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InputError, match="time zone"):
        plan(mini, naive)


def test_it_carries_the_protocol_identity(mini: Protocol) -> None:
    result = _plan(mini, "2026-11-21 10:30")
    assert (result.protocol_id, result.protocol_version) == ("mini", mini.version)


@pytest.mark.parametrize(
    ("rule", "line"),
    [
        (
            "AC-makeup",
            "From Sun 22 Nov, 10:30, once the skin is calm: You can wear makeup again. "
            "Use clean brushes.",
        ),
        (
            "AC-sunscreen",
            "Until Sat 28 Nov, 10:30: Wear sunscreen every day. SPF 30 or higher. "
            "After that: Keep wearing sunscreen.",
        ),
        ("AC-picking", "Always: Do not pick."),
        ("AC-compress", "Now: You can use a cold compress."),
        ("AC-sauna", "Until Mon 23 Nov, 10:30: Avoid heat."),
    ],
)
def test_it_words_each_entry_with_its_local_date(mini: Protocol, rule: str, line: str) -> None:
    result = _plan(mini, "2026-11-21 10:30")
    entry = next(e for e in result.entries if e.id == rule)
    assert describe_entry(mini, entry) == line


def test_it_prints_the_plan_for_people(mini: Protocol) -> None:
    text = describe_plan(mini, _plan(mini, "2026-11-21 10:30"))
    lines = text.splitlines()
    assert lines[0] == "Aftercare plan: treatment ended Sat 21 Nov, 10:30 (Europe/London)"
    assert lines[1] == f"Protocol mini, version {mini.version}"
    assert "TOMORROW" in lines
    assert lines[lines.index("  Day 1, Sun 22 Nov, 10:30:") + 1] == (
        "    allowed from now: Makeup (once the skin is calm)"
    )
    day_7 = lines.index("  Day 7, Sat 28 Nov, 10:30:")
    # A 'never' rule is never allowed from any day; a 'do' rule's end is said as its end.
    assert lines[day_7 + 1 :] == [
        "    allowed from now: Swimming",
        "    the daily routine ends for: Moisturiser",
        "    Keep wearing sunscreen.",
    ]
    assert "  - Always: Do not pick." in lines


ROUTINES = ["AC-moisturiser", "AC-sunscreen"]


@pytest.mark.parametrize(
    ("at", "day", "doing", "kept", "gated", "counts", "today", "next_day"),
    [
        ("2026-10-24 10:00", None, [], [], [], (0, 4), [], 1),
        ("2026-10-25 09:29", 0, ROUTINES, [], [], (1, 3), [1], 1),
        # 24 hours after 10:30 BST is 09:30 GMT: the clocks went back in between.
        ("2026-10-25 09:30", 1, ROUTINES, [], ["AC-makeup"], (2, 2), [1], 2),
        ("2026-10-31 09:30", 7, [], ["AC-sunscreen"], ["AC-makeup"], (2, 0), [7], None),
    ],
)
def test_it_says_where_the_plan_stands_at_a_moment(
    mini: Protocol,
    at: str,
    day: int | None,
    doing: list[str],
    kept: list[str],
    gated: list[str],
    counts: tuple[int, int],
    today: list[int],
    next_day: int | None,
) -> None:
    status = _plan(mini, "2026-10-24 10:30").status_at(parse_local(at, LONDON))
    upcoming = status.next_change
    assert (
        status.day,
        [e.id for e in status.doing],
        [e.id for e in status.kept],
        [e.id for e in status.gated],
        (len(status.allowed), len(status.not_yet)),
        [change.day for change in status.changes_today],
        None if upcoming is None else upcoming.day,
    ) == (day, doing, kept, gated, counts, today, next_day)
