"""The microneedling protocol's headlines and next changes, in the words people read. How
they are built is tested on the mini protocol in tests/engine/test_explain.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from aftercare.engine.check import Verdict, check
from aftercare.engine.explain import format_moment, headline
from aftercare.engine.localtime import parse_local, zone
from aftercare.engine.timeline import plan
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")


def _at(text: str) -> datetime:
    return parse_local(text, LONDON)


@pytest.mark.parametrize(
    ("treated", "at", "expected"),
    [
        ("2026-10-24 10:30", "2026-10-24 10:30", (1, "Sun 25 Oct, 09:30", "AC-makeup")),
        ("2026-10-24 10:30", "2026-10-25 09:29", (1, "Sun 25 Oct, 09:30", "AC-makeup")),
        ("2026-10-24 10:30", "2026-10-25 09:30", (2, "Mon 26 Oct, 09:30", "AC-alcohol")),
        ("2026-10-24 10:30", "2026-10-28 12:00", (5, "Thu 29 Oct, 09:30", "AC-fragrance")),
        ("2026-03-28 10:30", "2026-03-28 12:00", (1, "Sun 29 Mar, 11:30", "AC-makeup")),
        ("2026-10-24 10:30", "2027-10-24 10:30", None),
    ],
)
def test_it_says_the_next_change(
    protocol: Protocol, treated: str, at: str, expected: tuple[int, str, str] | None
) -> None:
    change = plan(protocol, _at(treated)).next_change(_at(at))
    shown = None if change is None else (change.day, format_moment(change.at), change.entries[0].id)
    assert shown == expected


@pytest.mark.parametrize(
    ("activity", "hours", "skin", "verdict", "expected"),
    [
        ("sauna", 30, None, Verdict.NOT_YET, "Sauna: not yet, from Sat 7 Nov, 09:30 (day 14)."),
        ("sauna", 400, None, Verdict.ALLOWED, "Sauna: yes."),
        (
            "makeup",
            30,
            None,
            Verdict.ALLOWED_IF,
            "Makeup: yes, once the redness has gone and the skin has settled.",
        ),
        (
            "makeup",
            30,
            {"redness_resolved": False},
            Verdict.NOT_YET,
            "Makeup: not yet. Your skin is still red. Wait until the redness has gone and the"
            " skin has settled.",
        ),
        (
            "sunscreen",
            30,
            None,
            Verdict.REQUIRED,
            "Sunscreen: yes, and you need to: every day for now.",
        ),
        (
            "picking",
            30,
            None,
            Verdict.NEVER,
            "Picking at flakes or scabs: no, this is never advised.",
        ),
    ],
)
def test_it_heads_each_verdict(
    protocol: Protocol,
    activity: str,
    hours: int,
    skin: dict[str, bool] | None,
    verdict: Verdict,
    expected: str,
) -> None:
    result = check(protocol, activity, hours, skin=skin, treated_at=_at("2026-10-24 10:30"))
    assert (result.verdict, headline(protocol, result)) == (verdict, expected)


def test_it_heads_a_verdict_without_a_date_by_the_day(protocol: Protocol) -> None:
    result = check(protocol, "sauna", 30)
    assert headline(protocol, result) == "Sauna: not yet, from day 14 (336 hours)."
