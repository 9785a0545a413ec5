"""The calendar file: it parses back with its events, UIDs are stable, times are local
across the UK clock change, and an awkward name cannot break or inject into it."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from aftercare.engine.check import Verdict, check
from aftercare.engine.explain import describe_entry
from aftercare.engine.timeline import plan
from aftercare.exports import ClinicInfo, Subject, ics
from aftercare.exports.ics import calendar, filename
from aftercare.protocols.overlay import apply_overlay_text
from aftercare.protocols.schema import Protocol, RuleKind

LONDON = ZoneInfo("Europe/London")
# The evening before the UK clocks go back (01:00 UTC on Sun 25 Oct 2026).
BEFORE_CLOCKS_GO_BACK = datetime(2026, 10, 24, 20, 0, tzinfo=LONDON)
GOLDEN = Path(__file__).parent.parent / "fixtures" / "exports" / "calendar.ics"
AWKWARD_NAME = "Zo\u00eb \u202eecila\u202c \U0001f600\r\nX-INJECTED:yes\r\nBEGIN:VEVENT"
FAMILY_EMOJI = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
CLINIC = ClinicInfo("Alpha Clinic", "020 7946 0001", "020 7946 0002", "hello@alpha.example")
CALENDAR_PROPERTIES = {
    "PRODID",
    "VERSION",
    "CALSCALE",
    "METHOD",
    "X-WR-CALNAME",
    "X-WR-TIMEZONE",
}
EVENT_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "SEQUENCE",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "TRANSP",
    "DESCRIPTION",
}


def subject(protocol: Protocol, **fields: object) -> Subject:
    base = Subject(
        protocol=protocol,
        treated_at=BEFORE_CLOCKS_GO_BACK,
        zone_name="Europe/London",
        clinic=CLINIC,
        patient_name="Alice Patient",
        patient_id="7",
        treatment_id="42",
    )
    return replace(base, **fields)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events(data: bytes) -> list[Event]:
    return list(parse(data).walk("VEVENT"))


def by_uid(data: bytes) -> dict[str, Event]:
    return {str(event["UID"]): event for event in events(data)}


def moments(protocol: Protocol) -> list[int]:
    """The hours after treatment at which something becomes allowed, each once."""
    entries = plan(protocol, BEFORE_CLOCKS_GO_BACK).entries
    return sorted({e.changes_after_hours for e in entries if e.kind is not RuleKind.DO} - {0})


def test_it_matches_the_golden_file(protocol: Protocol) -> None:
    data = calendar(subject(protocol))
    if os.environ.get("AFTERCARE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()


def test_it_parses_back_with_every_moment_prompt_and_window(protocol: Protocol) -> None:
    parsed = events(calendar(subject(protocol)))
    # Each moment that allows something, sunscreen kept up as a habit, 3 check-ins, 1 window.
    assert len(parsed) == len(moments(protocol)) + 1 + 3 + 1
    summaries = [str(event["SUMMARY"]) for event in parsed]
    assert summaries[0] == (
        "From Sun 25 Oct: makeup (once the redness has gone and the skin has settled)"
    )
    assert summaries[1] == "From Mon 26 Oct: alcohol"
    assert "From Sat 7 Nov: sauna; steam room; very hot shower or bath; sunbed; hot tub; and" in (
        " ".join(summaries)
    )
    assert "Keep using sunscreen every day, as a habit" in summaries
    assert not [summary for summary in summaries if "picking" in summary.lower()]
    assert summaries.count("Check in with your clinic") == 3
    assert summaries[-1] == "Window for your next session"


def test_milestones_at_the_same_moment_are_one_event(protocol: Protocol) -> None:
    """Each moment once; each rule that becomes allowed in exactly one event, its own."""
    parsed = events(calendar(subject(protocol)))
    starts = [event.decoded("DTSTART") for event in parsed if str(event["UID"]).count("-from-")]
    assert len(starts) == len(set(starts)) == len(moments(protocol))
    entries = plan(protocol, BEFORE_CLOCKS_GO_BACK).entries
    for entry in entries:
        if entry.kind is RuleKind.DO or entry.changes_after_hours == 0:
            continue
        line = f"{describe_entry(protocol, entry)}\nWhy: {entry.rule.reason}"
        holding = [event for event in parsed if line in str(event["DESCRIPTION"])]
        assert [str(event["UID"]) for event in holding] == [
            f"treatment-42-from-{entry.changes_after_hours}h@aftercare"
        ]
        assert holding[0].decoded("DTSTART") == entry.changes_at


def test_a_title_names_only_what_the_engine_then_allows(protocol: Protocol) -> None:
    """Nothing is titled as allowed that "can I … ?" would not allow at that moment."""
    labels = {a.label.lower(): a.id for a in protocol.activities}
    for event in events(calendar(subject(protocol))):
        uid = str(event["UID"])
        if "-from-" not in uid:
            continue
        hours = int(uid.split("-from-")[1].split("h@")[0])
        items = str(event["SUMMARY"]).split(": ", 1)[1].split("; ")
        for item in items:
            if item.startswith("and "):
                continue
            # A skin-state gate stays beside its item: "makeup (once the redness has gone …)".
            gates = [f" ({state.text})" for state in protocol.skin_states]
            gate = next((g for g in gates if item.endswith(g)), "")
            activity = labels[item.removesuffix(gate).lower()]
            answer = check(protocol, activity, hours, skin={"redness_resolved": True})
            assert answer.verdict is Verdict.ALLOWED, (item, hours)
            unknown = check(protocol, activity, hours)
            assert (unknown.verdict is Verdict.ALLOWED_IF) == bool(gate), (item, hours)
            earlier = check(protocol, activity, hours - 1)
            assert earlier.verdict is not Verdict.ALLOWED, (item, hours)
        assert "allowed" not in str(event["SUMMARY"]).lower()


def test_a_long_moment_names_five_items_and_counts_the_rest(protocol: Protocol) -> None:
    summary = str(
        by_uid(calendar(subject(protocol)))["treatment-42-from-336h@aftercare"]["SUMMARY"]
    )
    shown = summary.split(": ", 1)[1].split("; ")
    hidden = int(shown[-1].removeprefix("and ").removesuffix(" more"))
    assert len(shown) == 6
    entries = plan(protocol, BEFORE_CLOCKS_GO_BACK).entries
    at_336 = [
        a
        for e in entries
        if e.changes_after_hours == 336 and e.kind is not RuleKind.DO
        for a in e.rule.activities
    ]
    assert hidden == len(at_336) - 5


def test_uids_are_unique_and_stable_across_exports(protocol: Protocol) -> None:
    first, second = calendar(subject(protocol)), calendar(subject(protocol))
    uids = [str(event["UID"]) for event in events(first)]
    assert first == second
    assert len(uids) == len(set(uids))
    assert "treatment-42-from-24h@aftercare" in uids
    assert "treatment-42-from-336h@aftercare" in uids
    assert "treatment-42-RM-check-in-3@aftercare" in uids
    assert "treatment-42-next-session@aftercare" in uids


def test_a_replanned_treatment_keeps_the_uids_of_unchanged_moments(protocol: Protocol) -> None:
    """A clinic's overlay moves alcohol from day 2 to day 4: only that moment's event goes."""
    overlay = (
        "id: later-alcohol\nprotocol: microneedling\ntitle: Later alcohol\nchanges:\n"
        "  - item: AC-alcohol\n    set: {allowed_from_hours: 96}\n"
    )
    stricter = apply_overlay_text(protocol, overlay)
    before = by_uid(calendar(subject(protocol)))
    after = by_uid(calendar(subject(stricter)))
    assert before.keys() - after.keys() == {"treatment-42-from-48h@aftercare"}
    assert after.keys() - before.keys() == {"treatment-42-from-96h@aftercare"}
    for uid in before.keys() & after.keys():
        if "-from-" in uid:
            assert before[uid]["SUMMARY"] == after[uid]["SUMMARY"]
            assert before[uid].decoded("DTSTART") == after[uid].decoded("DTSTART")


def test_a_moved_treatment_keeps_its_uids_so_a_new_import_updates(protocol: Protocol) -> None:
    moved = subject(protocol, treated_at=BEFORE_CLOCKS_GO_BACK + timedelta(hours=2))
    original = by_uid(calendar(subject(protocol)))
    updated = by_uid(calendar(moved))
    makeup = "treatment-42-from-24h@aftercare"
    assert original.keys() == updated.keys()
    assert updated[makeup].decoded("DTSTART") - original[makeup].decoded("DTSTART") == (
        timedelta(hours=2)
    )


def test_without_a_stored_id_uids_come_from_the_moment_and_zone(protocol: Protocol) -> None:
    unstored = subject(protocol, treatment_id="")
    uids = by_uid(calendar(unstored)).keys()
    again = by_uid(calendar(unstored)).keys()
    later = by_uid(
        calendar(replace(unstored, treated_at=BEFORE_CLOCKS_GO_BACK + timedelta(days=1)))
    )
    assert uids == again
    assert not uids & later
    assert all(uid.startswith("treatment-") and uid.endswith("@aftercare") for uid in uids)
    assert not any(uid.startswith("treatment--") for uid in uids)


def test_an_unsafe_treatment_id_cannot_break_the_uid(protocol: Protocol) -> None:
    uids = by_uid(calendar(subject(protocol, treatment_id="4 2;\r\nX:1@evil"))).keys()
    assert "treatment-4-2-X-1-evil-from-24h@aftercare" in uids


def test_stamp_and_sequence_come_from_the_subject_not_the_clock(protocol: Protocol) -> None:
    for event in events(calendar(subject(protocol))):
        assert event.decoded("DTSTAMP") == datetime(2026, 10, 24, 19, 0, tzinfo=UTC)
        assert event["SEQUENCE"] == 0


def test_a_moment_describes_each_rule_with_its_reason(protocol: Protocol) -> None:
    makeup = by_uid(calendar(subject(protocol)))["treatment-42-from-24h@aftercare"]
    entry = next(e for e in plan(protocol, BEFORE_CLOCKS_GO_BACK).entries if e.id == "AC-makeup")
    assert str(makeup["DESCRIPTION"]) == (
        f"{describe_entry(protocol, entry)}\nWhy: {entry.rule.reason}"
        "\n\nAlpha Clinic: 020 7946 0001"
    )
    assert str(makeup["DESCRIPTION"]).startswith(
        "From Sun 25 Oct, 19:00, once the redness has gone and the skin has settled: "
        "You can wear makeup"
    )
    assert str(makeup["TRANSP"]) == "TRANSPARENT"


def test_the_vtimezone_defines_both_gmt_and_bst(protocol: Protocol) -> None:
    zones = list(parse(calendar(subject(protocol))).walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]
    names = {(part.name, str(part["TZNAME"])) for part in zones[0].subcomponents}
    assert {("STANDARD", "GMT"), ("DAYLIGHT", "BST")} <= names


def test_a_summer_treatment_still_defines_both(protocol: Protocol) -> None:
    summer = subject(protocol, treated_at=datetime(2026, 6, 10, 11, 0, tzinfo=LONDON))
    [zone] = parse(calendar(summer)).walk("VTIMEZONE")
    assert {str(part["TZNAME"]) for part in zone.subcomponents} == {"GMT", "BST"}


@pytest.mark.parametrize(
    ("uid", "line"),
    [
        # 24 elapsed hours after 20:00 BST is 19:00 GMT: the clocks went back overnight.
        ("from-24h", "DTSTART;TZID=Europe/London:20261025T190000"),
        ("from-24h", "DTEND;TZID=Europe/London:20261025T191500"),
        ("from-48h", "DTSTART;TZID=Europe/London:20261026T190000"),
        ("from-336h", "DTSTART;TZID=Europe/London:20261107T190000"),
        # Check-in prompts keep the protocol's wall time, 18:00, across the change.
        ("RM-check-in-1", "DTSTART;TZID=Europe/London:20261025T180000"),
        ("RM-check-in-7", "DTSTART;TZID=Europe/London:20261031T180000"),
        ("next-session", "DTSTART;VALUE=DATE:20261121"),
        # The window is inclusive of 5 Dec, so the all-day event ends (exclusive) on 6 Dec.
        ("next-session", "DTEND;VALUE=DATE:20261206"),
    ],
)
def test_the_clock_change_treatment_exports_local_times(
    protocol: Protocol, uid: str, line: str
) -> None:
    data = calendar(subject(protocol)).decode()
    block = data.split(f"UID:treatment-42-{uid}@aftercare\r\n")[1].split("END:VEVENT")[0]
    assert f"\r\n{line}\r\n" in f"\r\n{block}"


def test_the_clock_change_instants_are_right(protocol: Protocol) -> None:
    parsed = by_uid(calendar(subject(protocol)))
    makeup = parsed["treatment-42-from-24h@aftercare"].decoded("DTSTART")
    # Elapsed time, on the UTC line: on the wall clock it is only 23 hours.
    assert makeup.astimezone(UTC) - BEFORE_CLOCKS_GO_BACK.astimezone(UTC) == timedelta(hours=24)
    assert makeup.replace(tzinfo=None) - BEFORE_CLOCKS_GO_BACK.replace(tzinfo=None) == (
        timedelta(hours=23)
    )
    assert makeup.astimezone(UTC) == datetime(2026, 10, 25, 19, 0, tzinfo=UTC)


def test_check_ins_and_the_window_have_display_alarms(protocol: Protocol) -> None:
    parsed = by_uid(calendar(subject(protocol)))
    check_in = parsed["treatment-42-RM-check-in-1@aftercare"]
    [alarm] = check_in.subcomponents
    assert (str(alarm["ACTION"]), alarm.decoded("TRIGGER")) == ("DISPLAY", timedelta(0))
    assert str(alarm["DESCRIPTION"]).startswith("How is your skin today?")
    window = parsed["treatment-42-next-session@aftercare"]
    [opening] = window.subcomponents
    assert opening.decoded("TRIGGER") == timedelta(hours=10)
    assert "runs until Sat 5 Dec 2026" in str(opening["DESCRIPTION"])
    assert str(window["DESCRIPTION"]).endswith("\n\nAlpha Clinic: 020 7946 0001")
    assert not parsed["treatment-42-from-24h@aftercare"].subcomponents


def test_a_completed_course_shows_the_maintenance_window(protocol: Protocol) -> None:
    earlier = (date(2026, 8, 1), date(2026, 9, 5))
    parsed = by_uid(calendar(subject(protocol, earlier_sessions=earlier)))
    assert "treatment-42-next-session@aftercare" not in parsed
    window = parsed["treatment-42-maintenance@aftercare"]
    assert str(window["SUMMARY"]) == "Window for a maintenance session"
    assert window.decoded("DTSTART") == date(2027, 4, 24)
    assert window.decoded("DTEND") == date(2027, 10, 25)
    [alarm] = window.subcomponents
    assert alarm.decoded("TRIGGER") == timedelta(hours=10)


def test_an_awkward_name_cannot_inject_or_reorder(protocol: Protocol) -> None:
    data = calendar(subject(protocol, patient_name=AWKWARD_NAME))
    parsed = parse(data)
    assert set(parsed.keys()) == CALENDAR_PROPERTIES
    assert str(parsed["X-WR-CALNAME"]) == (
        "Aftercare for Zo\u00eb ecila \U0001f600 X-INJECTED:yes BEGIN:VEVENT"
    )
    assert len(events(data)) == len(events(calendar(subject(protocol))))
    for event in parsed.walk("VEVENT"):
        assert set(event.keys()) == EVENT_PROPERTIES
    lines = data.decode().split("\r\n")
    assert not any(line.startswith(("X-INJECTED", "BEGIN:VEVENT\u202e")) for line in lines)
    assert "\u202e" not in data.decode()


def test_escaping_and_joined_emoji_survive_in_the_clinic_name(protocol: Protocol) -> None:
    clinic = replace(CLINIC, name=f"Skin; Co, {FAMILY_EMOJI}\\ \u200b\u202eLtd")
    data = calendar(subject(protocol, clinic=clinic))
    window = by_uid(data)["treatment-42-next-session@aftercare"]
    assert str(window["DESCRIPTION"]).endswith(f"\n\nSkin; Co, {FAMILY_EMOJI}\\ Ltd: 020 7946 0001")
    assert "Skin\\; Co\\, " in data.decode().replace("\r\n ", "")


def test_every_line_is_at_most_75_octets_and_ends_in_crlf(protocol: Protocol) -> None:
    long_name = "\U0001f600" * 40 + "\u00e9" * 40 + "x" * 40
    data = calendar(subject(protocol, patient_name=long_name))
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")
    assert str(parse(data)["X-WR-CALNAME"]) == f"Aftercare for {long_name}"


@pytest.mark.parametrize(
    "name",
    # "X-WR-CALNAME:Aftercare for " is 27 octets: these names end the line at 72 to 78
    # octets, in one-, two- and four-octet characters, across icalendar's fold at 75.
    [*("a" * n for n in range(45, 52)), *("\u00e9" * n for n in range(23, 26))]
    + ["\U0001f600" * n for n in (11, 12, 13)],
)
def test_the_file_is_what_icalendar_itself_writes(
    protocol: Protocol, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    leaflet = subject(protocol, patient_name=name, clinic=replace(CLINIC, name=name))
    data = calendar(leaflet)
    monkeypatch.setattr(ics, "_to_ical", lambda cal: bytes(cal.to_ical(sorted=False)))
    assert data == calendar(leaflet)


def test_a_utc_patient_needs_no_vtimezone(protocol: Protocol) -> None:
    data = calendar(
        subject(protocol, treated_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC), zone_name="UTC")
    )
    assert not list(parse(data).walk("VTIMEZONE"))
    assert "DTSTART:20260302T090000Z" in data.decode()


def test_another_zone_is_named_and_defined(protocol: Protocol) -> None:
    new_york = ZoneInfo("America/New_York")
    data = calendar(
        subject(
            protocol,
            treated_at=datetime(2026, 3, 7, 22, 0, tzinfo=new_york),
            zone_name="America/New_York",
        )
    )
    makeup = by_uid(data)["treatment-42-from-24h@aftercare"].decoded("DTSTART")
    assert makeup == datetime(2026, 3, 8, 23, 0, tzinfo=new_york)
    assert [str(z["TZID"]) for z in parse(data).walk("VTIMEZONE")] == ["America/New_York"]


def test_the_file_name_is_the_local_treatment_date(protocol: Protocol) -> None:
    late = subject(protocol, treated_at=datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    assert filename(late) == "aftercare-2026-10-25.ics"
