"""The reminder schedule's mechanisms, on the mini protocol: every message at the right wall
time, out of quiet hours and across clock changes. A schedule that does not fit its kinds is
refused in tests/protocols/test_reminder_items.py; the microneedling schedule is pinned in
tests/protocols/test_microneedling_reminders.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import parse_local, zone
from aftercare.engine.reminders import PlannedReminder, QuietHours, schedule
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol
from tests.engine.mini import MINI_PATH

LONDON = zone("Europe/London")
NIGHT = QuietHours(time(21), time(8))
NONE = QuietHours(time(0), time(0))


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


def with_item(protocol: Protocol, item_id: str, **changes: object) -> Protocol:
    """The protocol with one reminder item changed, validated again as a whole."""
    items = [
        item.model_copy(update=changes) if item.id == item_id else item
        for item in protocol.reminders
    ]
    return replaced(protocol, reminders=tuple(items))


def replaced(protocol: Protocol, **fields: object) -> Protocol:
    """The protocol with whole fields replaced, validated again as a whole."""
    current = {name: getattr(protocol, name) for name in Protocol.model_fields}
    return Protocol.model_validate({**current, **fields})


# --- what is sent, and when ------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "kind", "due"),
    [
        ("RM-welcome", "welcome", "2026-11-21 10:30"),
        ("RM-changes:1", "change", "2026-11-22 08:30"),
        ("RM-changes:2", "change", "2026-11-23 08:30"),
        ("RM-changes:7", "change", "2026-11-28 08:30"),
        ("RM-sunscreen:1", "sunscreen", "2026-11-22 08:00"),
        ("RM-sunscreen:7", "sunscreen", "2026-11-28 08:00"),
        ("RM-check-in:1", "check_in", "2026-11-22 18:00"),
        ("RM-check-in:3", "check_in", "2026-11-24 18:00"),
        # 30 days on, the first day of the next session's window.
        ("RM-next-session", "next_session", "2026-12-21 10:00"),
    ],
)
def test_it_sends_each_kind_at_its_local_time(
    mini: Protocol, item: str, kind: str, due: str
) -> None:
    reminder = planned(mini, "2026-11-21 10:30")[item]

    assert (reminder.kind, local(reminder)) == (kind, due)
    assert reminder.due_at.tzinfo is UTC


def test_it_lists_exactly_the_protocol_items(mini: Protocol) -> None:
    items = planned(mini, "2026-11-21 10:30")

    assert sorted(items) == sorted(
        [
            "RM-welcome",
            *(f"RM-changes:{day}" for day in (1, 2, 7)),
            *(f"RM-sunscreen:{day}" for day in range(1, 8)),
            *(f"RM-check-in:{day}" for day in (1, 3)),
            "RM-next-session",
        ]
    )


def test_it_sorts_by_due_moment_then_item(mini: Protocol) -> None:
    reminders = schedule(
        mini, parse_local("2026-11-21 10:30", LONDON), "Europe/London", NIGHT, combine=False
    )

    assert list(reminders) == sorted(reminders, key=lambda r: (r.due_at, r.item))


def test_it_gives_the_same_items_for_the_same_treatment(mini: Protocol) -> None:
    treated_at = parse_local("2026-11-21 10:30", LONDON)
    first = schedule(mini, treated_at, "Europe/London", NIGHT)
    again = schedule(load_protocol(MINI_PATH), treated_at.astimezone(UTC), "Europe/London", NIGHT)

    assert first == again
    assert len({reminder.item for reminder in first}) == len(first)


def test_it_never_schedules_before_the_treatment(mini: Protocol) -> None:
    treated_at = parse_local("2026-11-21 23:59", LONDON)
    reminders = schedule(mini, treated_at, "Europe/London", NONE, course_complete=True)

    assert min(reminder.due_at for reminder in reminders) == treated_at


# --- maintenance ----------------------------------------------------------------------


def test_it_announces_maintenance_instead_of_a_next_session_once_the_course_is_complete(
    mini: Protocol,
) -> None:
    ongoing = planned(mini, "2026-08-31 11:00")
    complete = planned(mini, "2026-08-31 11:00", course_complete=True)

    assert not any(reminder.kind == "maintenance" for reminder in ongoing.values())
    # Six calendar months after 31 August is the last day of February, in winter time.
    assert local(complete["RM-maintenance"]) == "2027-02-28 10:00"
    assert utc(complete["RM-maintenance"]) == "2027-02-28 10:00"
    assert complete["RM-maintenance"].text == "Book maintenance by Tue 31 Aug 2027."
    assert set(complete) - set(ongoing) == {"RM-maintenance"}
    assert set(ongoing) - set(complete) == {"RM-next-session"}


# --- clock changes ----------------------------------------------------------------------


def test_it_keeps_the_wall_time_across_the_autumn_clock_change(mini: Protocol) -> None:
    # Clocks go back at 02:00 on Sun 25 Oct 2026.
    items = planned(mini, "2026-10-24 20:00")

    assert utc(items["RM-welcome"]) == "2026-10-24 19:00"
    sunscreen = [items[f"RM-sunscreen:{day}"] for day in range(1, 8)]
    assert {local(r)[-5:] for r in sunscreen} == {"08:00"}
    assert {utc(r)[-5:] for r in sunscreen} == {"08:00"}
    assert utc(items["RM-check-in:1"]) == "2026-10-25 18:00"


def test_it_shifts_utc_by_an_hour_in_the_week_of_the_change(mini: Protocol) -> None:
    items = planned(mini, "2026-10-22 20:00")

    assert [
        (local(items[f"RM-sunscreen:{d}"]), utc(items[f"RM-sunscreen:{d}"])) for d in (1, 2, 3)
    ] == [
        ("2026-10-23 08:00", "2026-10-23 07:00"),
        ("2026-10-24 08:00", "2026-10-24 07:00"),
        ("2026-10-25 08:00", "2026-10-25 08:00"),
    ]


def test_it_moves_a_wall_time_the_clocks_skip_forward(mini: Protocol) -> None:
    # Clocks go forward from 01:00 to 02:00 on Sun 28 Mar 2027: 01:30 does not exist.
    early = with_item(mini, "RM-check-in", at="01:30")

    reminder = planned(early, "2027-03-27 10:00", NONE)["RM-check-in:1"]

    assert local(reminder) == "2027-03-28 02:00"
    assert utc(reminder) == "2027-03-28 01:00"


def test_it_takes_the_first_of_a_repeated_wall_time(mini: Protocol) -> None:
    # Clocks go back from 02:00 to 01:00 on Sun 25 Oct 2026: 01:30 happens twice.
    early = with_item(mini, "RM-check-in", at="01:30")

    reminder = planned(early, "2026-10-24 10:00", NONE)["RM-check-in:1"]

    assert utc(reminder) == "2026-10-25 00:30"


def test_it_moves_a_quiet_hours_end_the_clocks_skip(mini: Protocol) -> None:
    quiet = QuietHours(time(22), time(1, 30))

    welcome = planned(mini, "2027-03-27 23:00", quiet)["RM-welcome"]

    assert (local(welcome), utc(welcome)) == ("2027-03-28 02:00", "2027-03-28 01:00")


# --- quiet hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("treated_at", "quiet", "welcome"),
    [
        ("2026-11-21 22:30", NIGHT, "2026-11-22 08:00"),
        ("2026-11-21 21:00", NIGHT, "2026-11-22 08:00"),
        ("2026-11-21 20:59", NIGHT, "2026-11-21 20:59"),
        ("2026-11-22 03:00", NIGHT, "2026-11-22 08:00"),
        ("2026-11-22 08:00", NIGHT, "2026-11-22 08:00"),
        ("2026-11-21 12:30", QuietHours(time(12), time(14)), "2026-11-21 14:00"),
        ("2026-11-21 14:00", QuietHours(time(12), time(14)), "2026-11-21 14:00"),
        ("2026-11-21 11:59", QuietHours(time(12), time(14)), "2026-11-21 11:59"),
        ("2026-11-21 23:30", NONE, "2026-11-21 23:30"),
    ],
)
def test_it_moves_the_welcome_out_of_quiet_hours(
    mini: Protocol, treated_at: str, quiet: QuietHours, welcome: str
) -> None:
    assert local(planned(mini, treated_at, quiet)["RM-welcome"]) == welcome


def test_it_moves_every_message_inside_quiet_hours(mini: Protocol) -> None:
    late_riser = QuietHours(time(17), time(9))
    items = planned(mini, "2026-11-21 10:30", late_riser)

    assert local(items["RM-sunscreen:1"]) == "2026-11-22 09:00"
    assert local(items["RM-changes:1"]) == "2026-11-22 09:00"
    assert local(items["RM-check-in:1"]) == "2026-11-23 09:00"
    assert local(items["RM-next-session"]) == "2026-12-21 10:00"


def test_it_counts_days_on_the_patients_clock(mini: Protocol) -> None:
    # 23:30 in London is already the next day in Athens.
    treated_at = parse_local("2026-11-21 23:30", LONDON)
    reminders = schedule(mini, treated_at, "Europe/Athens", NONE, combine=False)
    check_in = next(r for r in reminders if r.item == "RM-check-in:1")

    assert check_in.due_at.astimezone(zone("Europe/Athens")).strftime("%d %H:%M") == "23 18:00"


# --- wording ---------------------------------------------------------------------------


NUMBERS_OF_TIME = re.compile(r"\b(day|days|hour|hours|week|weeks)\s+\d|\d+\s*(h|hours?|days?)\b")


def test_it_words_each_message_from_the_protocol(mini: Protocol) -> None:
    items = planned(mini, "2026-11-21 10:30")
    words = {item.id: item.text for item in mini.reminders}

    assert items["RM-welcome"].text == words["RM-welcome"]
    assert items["RM-check-in:3"].text == words["RM-check-in"]
    assert items["RM-sunscreen:5"].text == "Sunscreen, SPF 30 or higher."
    assert items["RM-next-session"].text == "Book your next session by Thu 31 Dec 2026."
    assert all(not NUMBERS_OF_TIME.search(r.text) for r in items.values())


def test_it_lists_what_changes_in_the_rules_words(mini: Protocol) -> None:
    items = planned(mini, "2026-11-21 10:30")
    change = next(item for item in mini.reminders if item.id == "RM-changes")

    assert items["RM-changes:1"].text == "\n".join(
        [
            change.text,
            "From Sun 22 Nov, 10:30, once the skin is calm: You can wear makeup again. "
            "Use clean brushes.",
        ]
    )
    assert items["RM-changes:2"].text.splitlines()[1:] == [
        f"From Mon 23 Nov, 10:30, {change.avoid_ended_text}: Sauna, Steam room, Hot tub, Hot bath."
    ]
    assert items["RM-changes:7"].text.splitlines()[1:] == [
        f"From Sat 28 Nov, 10:30, {change.avoid_ended_text}: Swimming.",
        f"From Sat 28 Nov, 10:30, {change.routine_ended_text}: Moisturiser.",
        "Keep wearing sunscreen.",
    ]
    assert "Picking" not in items["RM-changes:7"].text


def test_it_renders_the_spf_of_the_sunscreen_rule(mini: Protocol) -> None:
    rules = tuple(
        rule.model_copy(update={"min_spf": 15}) if rule.id == "AC-sunscreen" else rule
        for rule in mini.aftercare
    )
    spf30 = replaced(mini, aftercare=rules)

    assert planned(spf30, "2026-11-21 10:30")["RM-sunscreen:1"].text == (
        "Sunscreen, SPF 15 or higher."
    )


def test_it_stops_sunscreen_reminders_when_the_rule_ends(mini: Protocol) -> None:
    rules = tuple(
        rule.model_copy(update={"required_until_hours": 120}) if rule.id == "AC-sunscreen" else rule
        for rule in mini.aftercare
    )
    shorter = replaced(mini, aftercare=rules)

    items = planned(shorter, "2026-11-21 10:30")

    assert [day for day in range(1, 8) if f"RM-sunscreen:{day}" in items] == list(range(1, 6))


# --- bad input -------------------------------------------------------------------------


def test_it_refuses_a_treatment_time_without_a_zone(mini: Protocol) -> None:
    with pytest.raises(InputError, match="needs a time zone"):
        schedule(mini, datetime(2026, 11, 21, 10, 30), "Europe/London", NIGHT)  # noqa: DTZ001


def test_it_refuses_an_unknown_zone(mini: Protocol) -> None:
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        schedule(mini, parse_local("2026-11-21 10:30", LONDON), "Mars/Olympus", NIGHT)


def test_it_refuses_quiet_hours_with_a_zone() -> None:
    with pytest.raises(InputError, match="wall-clock times"):
        QuietHours(time(21, tzinfo=UTC), time(8))


def test_it_sends_one_message_a_day_carrying_sunscreen_and_check_in(mini: Protocol) -> None:
    reminders = schedule(mini, parse_local("2026-11-21 10:30", LONDON), "Europe/London", NIGHT)
    items = {reminder.item: reminder for reminder in reminders}
    assert list(items) == ["RM-welcome", "day:1", "day:2", "day:3", "day:7", "RM-next-session"]
    day_one = items["day:1"]
    # At the earliest time of the day's items (sunscreen, 08:00), as a change.
    assert (local(day_one), day_one.kind) == ("2026-11-22 08:00", "change")
    assert day_one.text.splitlines() == [
        "Your aftercare changes today.",
        "From Sun 22 Nov, 10:30, once the skin is calm: You can wear makeup again. "
        "Use clean brushes.",
        "Sunscreen, SPF 30 or higher.",
        "How is your skin?",
    ]
    assert day_one.sms == (
        "Today: from 10:30, makeup once the skin is calm. SPF 30+. How is your skin?"
    )
    # A day with no change but a check-in carries the sunscreen reminder along.
    day_three = items["day:3"]
    assert (local(day_three), day_three.kind) == ("2026-11-24 08:00", "sunscreen")
    assert day_three.sms == "SPF 30+. How is your skin?"


def test_a_day_with_only_the_sunscreen_reminder_has_no_message(mini: Protocol) -> None:
    reminders = schedule(mini, parse_local("2026-11-21 10:30", LONDON), "Europe/London", NIGHT)
    assert "day:4" not in {reminder.item for reminder in reminders}
    assert "RM-sunscreen:4" in planned(mini, "2026-11-21 10:30")


def test_the_morning_message_stays_at_eight_across_the_clocks_going_back(
    mini: Protocol,
) -> None:
    reminders = schedule(mini, parse_local("2026-10-23 14:00", LONDON), "Europe/London", NIGHT)
    items = {reminder.item: reminder for reminder in reminders}
    assert [(local(items[f"day:{d}"]), utc(items[f"day:{d}"])) for d in (1, 2, 3)] == [
        ("2026-10-24 08:00", "2026-10-24 07:00"),
        ("2026-10-25 08:00", "2026-10-25 08:00"),
        ("2026-10-26 08:00", "2026-10-26 08:00"),
    ]


def test_it_lists_at_most_three_names_of_a_change_in_a_text(mini: Protocol) -> None:
    reminders = schedule(mini, parse_local("2026-11-21 10:30", LONDON), "Europe/London", NIGHT)
    day_2 = next(reminder for reminder in reminders if reminder.item == "day:2")
    assert day_2.sms == (
        "Today: from 10:30, no need to avoid any longer: sauna, steam room, hot tub and 1 more. "
        "SPF 30+."
    )
