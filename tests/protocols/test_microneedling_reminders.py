"""The microneedling reminder schedule: which messages, on which days, in which words.
The schedule's mechanisms are tested on the mini protocol in
tests/engine/test_reminders.py."""

from __future__ import annotations

import re
from datetime import UTC, time
from pathlib import Path

import pytest

from aftercare.engine.localtime import parse_local, zone
from aftercare.engine.reminders import PlannedReminder, QuietHours, schedule
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")
NIGHT = QuietHours(time(21), time(8))
OVERLAYS = Path(__file__).parents[1] / "fixtures" / "overlays"


def planned(
    protocol: Protocol,
    treated_at: str,
    quiet: QuietHours = NIGHT,
    *,
    course_complete: bool = False,
    zone_name: str = "Europe/London",
) -> dict[str, PlannedReminder]:
    reminders = schedule(
        protocol,
        parse_local(treated_at, zone(zone_name)),
        zone_name,
        quiet,
        course_complete=course_complete,
        combine=False,
    )
    return {reminder.item: reminder for reminder in reminders}


def local(reminder: PlannedReminder) -> str:
    return reminder.due_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def utc(reminder: PlannedReminder) -> str:
    return reminder.due_at.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("item", "kind", "due"),
    [
        ("RM-welcome", "welcome", "2026-11-21 10:30"),
        ("RM-changes:1", "change", "2026-11-22 08:30"),
        ("RM-changes:3", "change", "2026-11-24 08:30"),
        ("RM-changes:14", "change", "2026-12-05 08:30"),
        ("RM-sunscreen:1", "sunscreen", "2026-11-22 08:00"),
        ("RM-sunscreen:14", "sunscreen", "2026-12-05 08:00"),
        ("RM-check-in:1", "check_in", "2026-11-22 18:00"),
        ("RM-check-in:3", "check_in", "2026-11-24 18:00"),
        ("RM-check-in:7", "check_in", "2026-11-28 18:00"),
        ("RM-next-session", "next_session", "2026-12-19 10:00"),
    ],
)
def test_it_sends_each_kind_at_its_local_time(
    protocol: Protocol, item: str, kind: str, due: str
) -> None:
    reminder = planned(protocol, "2026-11-21 10:30")[item]

    assert (reminder.kind, local(reminder)) == (kind, due)
    assert reminder.due_at.tzinfo is UTC


def test_it_lists_exactly_the_protocol_items(protocol: Protocol) -> None:
    items = planned(protocol, "2026-11-21 10:30")

    assert sorted(items) == sorted(
        [
            "RM-welcome",
            *(f"RM-changes:{day}" for day in (1, 2, 3, 5, 6, 7, 14)),
            *(f"RM-sunscreen:{day}" for day in range(1, 15)),
            *(f"RM-check-in:{day}" for day in (1, 3, 7)),
            "RM-next-session",
        ]
    )


def test_it_follows_the_clinic_overlay_for_the_next_session(protocol: Protocol) -> None:
    tighter = load_protocol(overlay=OVERLAYS / "tighter-clinic.yaml")

    reminder = planned(tighter, "2026-11-21 10:30")["RM-next-session"]

    assert local(reminder) == "2026-12-26 10:00"
    assert "runs until Sat 2 Jan 2027" in reminder.text


NUMBERS_OF_TIME = re.compile(r"\b(day|days|hour|hours|week|weeks)\s+\d|\d+\s*(h|hours?|days?)\b")


def test_it_words_each_message_from_the_protocol(protocol: Protocol) -> None:
    items = planned(protocol, "2026-11-21 10:30")
    words = {item.id: item.text for item in protocol.reminders}

    assert items["RM-welcome"].text == words["RM-welcome"]
    assert items["RM-check-in:3"].text == words["RM-check-in"]
    assert items["RM-sunscreen:5"].text == words["RM-sunscreen"].format(spf=50)
    assert "SPF 50 or higher" in items["RM-sunscreen:5"].text
    assert items["RM-next-session"].text == words["RM-next-session"].format(latest="Sat 2 Jan 2027")
    assert all(not NUMBERS_OF_TIME.search(r.text) for r in items.values())


def test_it_lists_what_changes_in_the_rules_words(protocol: Protocol) -> None:
    items = planned(protocol, "2026-11-21 10:30")
    change = next(item for item in protocol.reminders if item.id == "RM-changes")

    assert items["RM-changes:1"].text == "\n".join(
        [
            change.text,
            "From Sun 22 Nov, 10:30, once the redness has gone and the skin has settled: "
            "You can wear makeup again, with clean brushes and sponges. "
            "Clean your brushes and sponges before you use them.",
        ]
    )
    assert items["RM-changes:2"].text.splitlines()[1:] == [
        f"From Mon 23 Nov, 10:30, {change.avoid_ended_text}: Alcohol."
    ]
    assert items["RM-changes:14"].text.splitlines()[-2:] == [
        f"From Sat 5 Dec, 10:30, {change.routine_ended_text}: "
        "Gentle non-foaming cleanser, Moisturiser.",
        "Keep using sunscreen every day, as a habit.",
    ]
    assert "Picking" not in items["RM-changes:14"].text


def test_it_sends_one_message_a_day_carrying_sunscreen_and_check_in(protocol: Protocol) -> None:
    reminders = schedule(protocol, parse_local("2026-11-21 10:30", LONDON), "Europe/London", NIGHT)
    items = {reminder.item: reminder for reminder in reminders}
    assert list(items) == [
        "RM-welcome",
        *(f"day:{day}" for day in (1, 2, 3, 5, 6, 7, 14)),
        "RM-next-session",
    ]
    day_one = items["day:1"]
    assert (local(day_one), day_one.kind) == ("2026-11-22 08:00", "change")
    assert day_one.text.splitlines()[0] == "Your aftercare changes today."
    assert day_one.text.splitlines()[-2:] == [
        "Put on sunscreen before you go out today, SPF 50 or higher, and reapply when outdoors.",
        "How is your skin today? Tell us in a short check-in, so we can spot anything that "
        "needs the clinic.",
    ]
    assert day_one.sms == (
        "Today: from 10:30, makeup once the redness has gone and the skin has settled. "
        "Sunscreen SPF 50+ before you go out. How is your skin? Tell us in your plan's check-in."
    )


def test_it_lists_at_most_three_names_of_a_change_in_a_text(protocol: Protocol) -> None:
    reminders = schedule(protocol, parse_local("2026-11-21 10:30", LONDON), "Europe/London", NIGHT)
    day_14 = next(reminder for reminder in reminders if reminder.item == "day:14")
    assert day_14.sms.startswith(
        "Today: from 10:30, no need to avoid any longer: sauna, steam room, very hot shower or "
        "bath and 11 more (see your plan); the daily routine ends for: gentle non-foaming "
        "cleanser, moisturiser; keep using sunscreen every day, as a habit."
    )
