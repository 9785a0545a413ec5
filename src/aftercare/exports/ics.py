"""The calendar file: a treatment's aftercare milestones as iCalendar events (RFC 5545).

Patients live by their phone calendars, so the plan's turning points go there: each moment
at which something becomes allowed, as one event for everything it allows ("From Sat 7 Nov:
sauna; steam room; …"), the check-in prompts and the next session's window. What a moment
allows is the plan's own list of changes (``plan_view.change_view``), as the leaflet's
"What changes when" table shows it, so nothing the protocol never advises is ever titled as
allowed. Everything is rendered by the engine from the protocol, in the patient's own zone,
with a VTIMEZONE.

The file is a pure function of the ``Subject``: no clock, no database, no randomness. The
stamp is the end of treatment and each UID is the treatment plus the milestone (a moment is
named by its hours after treatment, never by its place in a list), so importing the file
again, or the file of a re-planned treatment, updates its events instead of adding copies.
The ``icalendar`` library escapes text and folds lines; names are also stripped of control and bidi
characters, which calendar apps would otherwise show or obey.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    is_utc,
    vDate,
    vDatetime,
    vDuration,
    vInt,
    vText,
)
from icalendar.parser import Contentline, Parameters

from aftercare.engine.course import check_session, completes_course, maintenance_window
from aftercare.engine.explain import calendar_name, calendar_title, entry_with_reason
from aftercare.engine.localtime import zone
from aftercare.engine.reminders import PlannedReminder, QuietHours, schedule
from aftercare.engine.timeline import DayChanges, plan
from aftercare.exports import Subject
from aftercare.exports.plan_view import change_view
from aftercare.protocols.phrasebook import phrases_for
from aftercare.protocols.schema import Protocol, ReminderKind, RuleKind

__all__ = ["CONTENT_TYPE", "PRODID", "calendar", "filename"]

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Aftercare//Aftercare plan//EN"

# A milestone is a moment; a short event shows in day views without blocking the diary.
_MILESTONE_LENGTH = timedelta(minutes=15)
# A calendar is a diary, not a message: prompts sit at the protocol's wall time, quiet or not.
_NO_QUIET_HOURS = QuietHours(time(0), time(0))
# Zero-width joiners hold emoji sequences together; every other format character goes.
_KEPT_FORMAT_CHARACTERS = frozenset({"\u200d"})
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_UID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_SHOWN_REMINDERS = frozenset(
    {ReminderKind.CHECK_IN, ReminderKind.NEXT_SESSION, ReminderKind.MAINTENANCE}
)


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every event of one export needs, computed and encoded once."""

    subject: Subject
    treated_at: datetime
    course_complete: bool
    reminders: tuple[PlannedReminder, ...]
    stamp: vDatetime
    uid_prefix: str
    contact: str

    @classmethod
    def of(cls, subject: Subject, treated_at: datetime) -> _Shared:
        complete = _is_course_complete(subject)
        protocol = subject.protocol
        # Only the kinds a calendar shows: scheduling the daily messages too costs more
        # than writing the whole file.
        shown = tuple(item for item in protocol.reminders if item.kind in _SHOWN_REMINDERS)
        reminders = schedule(
            protocol.model_copy(update={"reminders": shown}),
            treated_at,
            subject.zone_name,
            _NO_QUIET_HOURS,
            course_complete=complete,
            # The calendar shows each milestone (a check-in) as its own event.
            combine=False,
        )
        return cls(
            subject=subject,
            treated_at=treated_at,
            course_complete=complete,
            reminders=reminders,
            stamp=vDatetime(subject.treated_at.astimezone(UTC)),
            uid_prefix=_uid_prefix(subject),
            contact=_contact(subject),
        )

    def of_kind(self, kind: ReminderKind) -> list[PlannedReminder]:
        return [reminder for reminder in self.reminders if reminder.kind == kind.value]


# icalendar folds a content line once it reaches 75 octets (RFC 5545, 3.1).
_FOLD_AT = 75
_NO_PARAMETERS: Parameters = Parameters()
_SEQUENCE = vInt(0)
_TRANSPARENT = vText("TRANSPARENT")
_DISPLAY = vText("DISPLAY")


def calendar(subject: Subject) -> bytes:
    """The treatment's aftercare as an iCalendar file (UTF-8, CRLF line ends)."""
    treated_at = subject.treated_at.astimezone(zone(subject.zone_name))
    shared = _Shared.of(subject, treated_at)
    events = [*_milestones(shared), *_check_ins(shared), _session_window(shared)]
    cal = _calendar(subject)
    if not is_utc(treated_at):
        cal.add_component(_vtimezone(subject.zone_name, treated_at.year, _last_year(events)))
    cal.subcomponents.extend(events)
    return _to_ical(cal)


def filename(subject: Subject) -> str:
    """An ASCII file name for the download: 'aftercare-2026-10-24.ics'."""
    day = subject.treated_at.astimezone(zone(subject.zone_name)).date()
    return f"aftercare-{day.isoformat()}.ics"


def _calendar(subject: Subject) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name(subject.protocol, _visible(subject.patient_name)))
    cal.add("x-wr-timezone", subject.zone_name)
    return cal


def _milestones(shared: _Shared) -> Iterator[Event]:
    """One event for each moment that allows something, naming all it allows (each with
    the skin-state gate that still holds it back, never a bare yes); and one for each daily
    routine kept up as a habit when its window ends ("Keep using sunscreen every day, as a
    habit"). A 'never' rule has no moment, so it never shows as allowed."""
    protocol = shared.subject.protocol
    for change in plan(protocol, shared.treated_at).changes:
        yield from _kept(shared, change)
        entries = [entry for entry in change.entries if entry.kind is not RuleKind.DO]
        allowed = change_view(protocol, replace(change, entries=tuple(entries))).allowed
        if not allowed:
            continue
        local = change.at.astimezone(shared.treated_at.tzinfo)
        summary = _title(protocol, local.date(), allowed)
        description = "\n\n".join(entry_with_reason(protocol, entry) for entry in entries)
        hours = entries[0].changes_after_hours
        yield _moment(shared, f"from-{hours}h", summary, change.at, description + shared.contact)


def _kept(shared: _Shared, change: DayChanges) -> Iterator[Event]:
    protocol = shared.subject.protocol
    for entry in change.entries:
        if entry.rule.then_text:
            summary = entry.rule.then_text.rstrip(".")
            description = entry_with_reason(protocol, entry)
            milestone = f"keep-{entry.id}"
            yield _moment(shared, milestone, summary, change.at, description + shared.contact)


def _title(protocol: Protocol, day: date, labels: tuple[str, ...]) -> str:
    """'From Sat 21 Nov: sauna; steam room; …; and 10 more': a title a phone can show; the
    description lists every item with its instruction."""
    # "and 1 more" would take the place of the one item it stands for.
    kept = labels if len(labels) <= _MAX_TITLE_ITEMS + 1 else labels[:_MAX_TITLE_ITEMS]
    return calendar_title(protocol, day, kept, len(labels) - len(kept))


def _check_ins(shared: _Shared) -> Iterator[Event]:
    """The protocol's check-in prompts, each with an alarm at its moment."""
    for reminder in shared.of_kind(ReminderKind.CHECK_IN):
        description = reminder.text + shared.contact
        title = phrases_for(shared.subject.protocol.language).calendar.check_in
        event = _moment(shared, reminder.item, title, reminder.due_at, description)
        event.add_component(_alarm(reminder.text, timedelta(0)))
        yield event


def _moment(shared: _Shared, milestone: str, summary: str, at: datetime, description: str) -> Event:
    start = at.astimezone(shared.treated_at.tzinfo)
    event = _event(shared, milestone, summary, start)
    event["DTEND"] = vDatetime(_later(start, _MILESTONE_LENGTH))
    event["DESCRIPTION"] = vText(description)
    return event


def _session_window(shared: _Shared) -> Event:
    """The next session's window, or maintenance once the course is complete, all day."""
    protocol = shared.subject.protocol
    last = shared.treated_at.date()
    kind, milestone = _WINDOWS[shared.course_complete]
    words = phrases_for(protocol.language).calendar
    summary = words.maintenance if shared.course_complete else words.next_session
    if shared.course_complete:
        window = maintenance_window(protocol, last)
        earliest, latest = window.earliest, window.latest
    else:
        gap = check_session(protocol, last, last)
        earliest, latest = gap.earliest, gap.latest
    event = _event(shared, milestone, summary, earliest)
    event["DTEND"] = _day_value(latest + timedelta(days=1))
    event["DESCRIPTION"] = vText(protocol.course.text + shared.contact)
    for reminder in shared.of_kind(kind)[:1]:
        opening = reminder.due_at.astimezone(shared.treated_at.tzinfo)
        event.add_component(_alarm(reminder.text, _into_day(earliest, opening)))
    return event


# The calendar's own words are explain's (the phrase table's); the items, instructions and
# reasons come from the protocol.
_MAX_TITLE_ITEMS = 5
_WINDOWS: dict[bool, tuple[ReminderKind, str]] = {
    False: (ReminderKind.NEXT_SESSION, "next-session"),
    True: (ReminderKind.MAINTENANCE, "maintenance"),
}


def _is_course_complete(subject: Subject) -> bool:
    """As the reminders decide: this treatment and the earlier ones make a full course."""
    sessions = len(subject.earlier_sessions) + 1
    return completes_course(subject.protocol, sessions, subject.course_sessions)


def _day_value(day: date) -> vDate:
    return vDate(day, params={"VALUE": "DATE"})


def _into_day(day: date, moment: datetime) -> timedelta:
    """How far into ``day`` the wall clock shows ``moment``: an all-day event's alarm."""
    return moment.replace(tzinfo=None) - datetime.combine(day, time(0))


def _event(shared: _Shared, milestone: str, summary: str, start: date | datetime) -> Event:
    # Values go in already typed: ``add`` would infer each type again, a third of the time;
    # and as vDatetime or vDate, as vDDDTypes would make one of those each time it is written.
    event = Event()
    event["UID"] = vText(f"{shared.uid_prefix}-{_UID_UNSAFE.sub('-', milestone)}@aftercare")
    event["DTSTAMP"] = shared.stamp
    event["SEQUENCE"] = _SEQUENCE
    event["SUMMARY"] = vText(summary)
    event["DTSTART"] = vDatetime(start) if isinstance(start, datetime) else _day_value(start)
    event["TRANSP"] = _TRANSPARENT
    return event


def _alarm(text: str, trigger: timedelta) -> Alarm:
    alarm = Alarm()
    alarm["ACTION"] = _DISPLAY
    alarm["DESCRIPTION"] = vText(text)
    alarm["TRIGGER"] = vDuration(trigger)
    return alarm


def _contact(subject: Subject) -> str:
    """'\\n\\nAlpha Clinic: 020 7946 0001', after a description; '' when unknown."""
    name, phone = _visible(subject.clinic.name), _visible(subject.clinic.phone)
    return f"\n\n{name}: {phone}" if name and phone else ""


def _uid_prefix(subject: Subject) -> str:
    """The treatment's id, or a digest of its moment and zone when it has none."""
    treatment = _UID_UNSAFE.sub("-", subject.treatment_id).strip("-")
    if not treatment:
        moment = f"{subject.treated_at.astimezone(UTC).isoformat()} {subject.zone_name}"
        treatment = hashlib.sha256(moment.encode()).hexdigest()[:20]
    return f"treatment-{treatment}"


def _later(start: datetime, length: timedelta) -> datetime:
    """``length`` of real time after ``start``, shown in its zone."""
    return (start.astimezone(UTC) + length).astimezone(start.tzinfo)


def _to_ical(calendar: Calendar) -> bytes:
    """``calendar.to_ical(sorted=False)``: the same bytes, with less work per line.

    Each property still becomes a content line through icalendar, which escapes the value
    and folds the line. What is skipped: folding a line under 75 octets (it would stay as
    it is), an empty parameter list made for every line, and writing again the line of a
    value every event shares (the stamp, SEQUENCE, TRANSP, BEGIN:VEVENT and the like).
    """
    written: dict[tuple[str, object], bytes] = {}
    lines = []
    for name, value in calendar.property_items(sorted=False):
        # BEGIN and END come as fresh bytes; other values are the components' own objects,
        # alive until the file is written, so their identity names them.
        key = (name, value if isinstance(value, bytes) else id(value))
        line = written.get(key)
        if line is None:
            line = written[key] = _content_line(name, value)
        lines.append(line)
    return b"".join(lines)


def _content_line(name: str, value: object) -> bytes:
    params = getattr(value, "params", None)
    if not isinstance(params, Parameters):
        params = _NO_PARAMETERS
    line: Contentline = Contentline.from_parts(name, params, value, sorted=False)
    data = line.encode()
    if len(data) >= _FOLD_AT:
        # icalendar's own folding; the method is not annotated there.
        data = bytes(line.to_ical())  # type: ignore[no-untyped-call]
    return data + b"\r\n"


def _last_year(events: list[Event]) -> int:
    """The year of the latest start: the VTIMEZONE must cover every event."""
    starts = (event["DTSTART"] for event in events)
    return max(start.dt.year for start in starts if isinstance(start, (vDatetime, vDate)))


@lru_cache(maxsize=64)
def _vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    # Whole years, so standard and daylight time are both defined around every event.
    first, last = date(first_year, 1, 1), date(last_year + 1, 1, 1)
    return Timezone.from_tzid(zone_name, first_date=first, last_date=last)


def _visible(text: str) -> str:
    """``text`` on one line, without control, bidi or zero-width characters."""
    kept = "".join(
        " " if character.isspace() else character
        for character in text
        if character.isspace()
        or character in _KEPT_FORMAT_CHARACTERS
        or unicodedata.category(character) not in _DROPPED_CATEGORIES
    )
    return " ".join(kept.split())
