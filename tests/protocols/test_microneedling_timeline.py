"""The microneedling plan: which of its rules fall in which column and on which day, and
their words. The timeline's mechanisms are tested on the mini protocol in
tests/engine/test_timeline.py."""

from __future__ import annotations

import pytest

from aftercare.engine.explain import describe_entry, describe_plan
from aftercare.engine.localtime import parse_local, zone
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
