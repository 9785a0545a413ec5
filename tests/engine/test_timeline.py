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
        (
            "next_few_hours",
            [
                "AC-cold-compress",
                "AC-hyaluronic-serum",
                "AC-light-activity",
                "AC-picking",
                "AC-shower",
            ],
        ),
        ("today", []),
        ("tomorrow", ["AC-makeup"]),
        (
            "next_week",
            [
                "AC-alcohol",
                "AC-hair-removal",
                "AC-hydrating-mask",
                "AC-shaving",
                "AC-soap",
                "AC-strenuous-exercise",
                "AC-vitamin-c",
                "AC-fragrance",
                "AC-gentle-exfoliating-cleanser",
                "AC-peptide-eye-cream",
                "AC-touching",
                "AC-acids-peels",
                "AC-facial-oil",
                "AC-retinol",
                "AC-scrub-enzyme",
            ],
        ),
    ],
)
def test_it_groups_a_morning_treatment_as_patients_think(
    protocol: Protocol, group: str, rules: list[str]
) -> None:
    result = _plan(protocol, "2026-11-21 10:30")
    assert sorted(_group_ids(result, group)) == sorted(rules)


def test_it_puts_the_two_week_rules_last_with_do_rules_first(protocol: Protocol) -> None:
    last = _group_ids(_plan(protocol, "2026-11-21 10:30"), "next_two_weeks")
    assert last[:3] == ["AC-gentle-cleanser", "AC-moisturiser", "AC-sunscreen"]
    assert "AC-extreme-heat" in last


def test_it_files_a_late_evening_treatment_by_the_local_calendar(protocol: Protocol) -> None:
    result = _plan(protocol, "2026-11-21 22:30")
    # 24 hours after 22:30 is tomorrow evening; 8 hours after is still "the next few hours".
    assert _group_ids(result, "tomorrow") == ["AC-makeup"]
    assert "AC-light-activity" in _group_ids(result, "next_few_hours")


def test_it_lists_what_changes_on_each_day(protocol: Protocol) -> None:
    result = _plan(protocol, "2026-11-21 10:30")
    days = [(c.day, c.at.isoformat(), sorted(e.id for e in c.entries)) for c in result.changes]
    assert days[:3] == [
        (1, "2026-11-22T10:30:00+00:00", ["AC-makeup"]),
        (2, "2026-11-23T10:30:00+00:00", ["AC-alcohol"]),
        (
            3,
            "2026-11-24T10:30:00+00:00",
            sorted(
                [
                    "AC-soap",
                    "AC-strenuous-exercise",
                    "AC-vitamin-c",
                    "AC-hydrating-mask",
                    "AC-hair-removal",
                    "AC-shaving",
                ]
            ),
        ),
    ]
    assert [c.day for c in result.changes] == [1, 2, 3, 5, 6, 7, 14]


@pytest.mark.parametrize(
    ("treated_at", "day_14"),
    [
        # The evening before the UK clocks go forward: day 14 is 336 real hours later,
        # so it shows as 21:00 on the clock.
        ("2026-03-28 20:00", "2026-04-11T21:00:00+01:00"),
        # The evening before they go back: 19:00 on the clock.
        ("2026-10-24 20:00", "2026-11-07T19:00:00+00:00"),
    ],
)
def test_it_means_336_elapsed_hours_by_day_14_across_clock_changes(
    protocol: Protocol, treated_at: str, day_14: str
) -> None:
    result = _plan(protocol, treated_at)
    assert result.changes[-1].day == 14
    assert result.changes[-1].at.isoformat() == day_14


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


def test_it_refuses_a_treatment_time_without_a_zone(protocol: Protocol) -> None:
    naive = datetime(2026, 11, 21, 10, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InputError, match="time zone"):
        plan(protocol, naive)


def test_it_carries_the_protocol_identity(protocol: Protocol) -> None:
    result = _plan(protocol, "2026-11-21 10:30")
    assert (result.protocol_id, result.protocol_version) == ("microneedling", protocol.version)


@pytest.mark.parametrize(
    ("rule", "line"),
    [
        (
            "AC-makeup",
            "From Sun 22 Nov, 10:30, once the redness has gone and the skin has settled: "
            "You can wear makeup again, with clean brushes and sponges. "
            "Clean your brushes and sponges before you use them.",
        ),
        (
            "AC-sunscreen",
            "Until Sat 5 Dec, 10:30: Wear sunscreen every day. SPF 50 or higher. "
            "Use a broad-spectrum sunscreen every day and reapply when outdoors. "
            "After that: Keep using sunscreen every day, as a habit.",
        ),
        (
            "AC-picking",
            "Always: Do not pick, scratch or peel off flakes or scabs; "
            "let them come away on their own.",
        ),
        (
            "AC-cold-compress",
            "Now: You can hold a clean cold gel pack or wrapped ice to the skin to ease swelling.",
        ),
    ],
)
def test_it_words_each_entry_with_its_local_date(protocol: Protocol, rule: str, line: str) -> None:
    result = _plan(protocol, "2026-11-21 10:30")
    entry = next(e for e in result.entries if e.id == rule)
    assert describe_entry(protocol, entry) == line


def test_it_prints_the_plan_for_people(protocol: Protocol) -> None:
    text = describe_plan(protocol, _plan(protocol, "2026-11-21 10:30"))
    lines = text.splitlines()
    assert lines[0] == "Aftercare plan: treatment ended Sat 21 Nov, 10:30 (Europe/London)"
    assert "TOMORROW" in lines
    day_14 = lines.index("  Day 14, Sat 5 Dec, 10:30:")
    assert lines[lines.index("  Day 1, Sun 22 Nov, 10:30:") + 1] == (
        "    allowed from now: Makeup (once the redness has gone and the skin has settled)"
    )
    assert lines[day_14 + 1].startswith("    allowed from now: Sauna, Steam room,")
    assert "Picking" not in lines[day_14 + 1]
    assert lines[day_14 + 2 :] == [
        "    the daily routine ends for: Gentle non-foaming cleanser, Moisturiser",
        "    Keep using sunscreen every day, as a habit.",
    ]
    assert (
        "  - Always: Do not pick, scratch or peel off flakes or scabs; "
        "let them come away on their own."
    ) in lines


ROUTINES = ["AC-gentle-cleanser", "AC-moisturiser", "AC-sunscreen"]


@pytest.mark.parametrize(
    ("at", "day", "doing", "kept", "gated", "counts", "today", "next_day"),
    [
        ("2026-10-24 10:00", None, [], [], [], (0, 28), [], 1),
        ("2026-10-25 09:29", 0, ROUTINES, [], [], (4, 24), [1], 1),
        # 24 hours after 10:30 BST is 09:30 GMT: the clocks went back in between.
        ("2026-10-25 09:30", 1, ROUTINES, [], ["AC-makeup"], (5, 23), [1], 2),
        (
            "2026-11-07 09:30",
            14,
            [],
            ["AC-sunscreen"],
            ["AC-makeup", "AC-soap", "AC-acids-peels"],
            (14, 0),
            [14],
            None,
        ),
    ],
)
def test_it_says_where_the_plan_stands_at_a_moment(
    protocol: Protocol,
    at: str,
    day: int | None,
    doing: list[str],
    kept: list[str],
    gated: list[str],
    counts: tuple[int, int],
    today: list[int],
    next_day: int | None,
) -> None:
    status = _plan(protocol, "2026-10-24 10:30").status_at(parse_local(at, LONDON))
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
