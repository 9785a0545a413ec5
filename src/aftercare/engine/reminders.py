"""When to send what: the protocol's reminder schedule, on one treatment, in local time.

Pure, like the rest of the engine: given the protocol, the end of treatment, the patient's
zone and the clinic's quiet hours, it lists every message with its due moment in UTC.

Days are the patient's local calendar days after the treatment's local date (day 1 is the
next day), and each message is due at a wall-clock time on the patient's clock, so a daily
reminder stays at 08:00 across a clock change while its UTC moment shifts by an hour. A
wall time the clocks skip moves forward to the first instant that exists; a repeated one
takes its first occurrence. Quiet hours then move a message to the end of the quiet window.

Nothing is ever due before the treatment ended. Whether a message is already in the past
(a treatment recorded late) is the caller's concern, not the engine's: the schedule is the
same whenever it is computed, so the caller decides what to skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aftercare.engine.course import maintenance_window
from aftercare.engine.errors import InputError, LocalTimeError
from aftercare.engine.explain import (
    describe_entry,
    format_clock,
    format_day,
    format_moment,
    lower_first,
)
from aftercare.engine.localtime import is_repeated, local_datetime, zone
from aftercare.engine.timeline import Plan, PlanEntry, plan
from aftercare.protocols.phrasebook import phrases_for
from aftercare.protocols.schema import Protocol, ReminderItem, ReminderKind, RuleKind

__all__ = ["COMBINED", "PlannedReminder", "QuietHours", "schedule"]

# The item of a day's combined message: "day:3" (the day's number after treatment).
COMBINED = "day"

# A text message names this many activities of a change, then "and N more".
_SMS_NAMES = 3
# Real clock changes skip at most a few hours; a day bounds the search for a valid wall time.
_MAX_GAP_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No message is due from ``start`` to ``end`` on the patient's clock (may span midnight).

    ``start == end`` means no quiet hours at all.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InputError("quiet hours are wall-clock times, without a time zone")

    def contains(self, clock: time) -> bool:
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    # The schedule item's id and occurrence, stable across edits: "RM-sunscreen:3".
    item: str
    # welcome | change | sunscreen | check_in | next_session | maintenance
    kind: str
    # Aware, UTC, already outside quiet hours.
    due_at: datetime
    # The message as the patient reads it, from the protocol's wording, dates rendered.
    text: str
    # The same for a text message: shorter, to fit in two segments where it can.
    short_text: str = ""

    @property
    def sms(self) -> str:
        return self.short_text or self.text


def schedule(
    protocol: Protocol,
    treated_at: datetime,
    zone_name: str,
    quiet: QuietHours,
    *,
    course_complete: bool = False,
    combine: bool = True,
) -> tuple[PlannedReminder, ...]:
    """Every message for a treatment that ended at ``treated_at``, sorted by due moment.

    The maintenance window is announced only when this treatment completed the course, and
    the next session's window only when it did not. The items the protocol marks to
    ``combine`` go out as one message a day ("day:3"); ``combine=False`` lists each
    item's own occurrences instead ("RM-sunscreen:3").
    """
    if treated_at.tzinfo is None or treated_at.utcoffset() is None:
        raise InputError("the treatment time needs a time zone")
    calendar = _Calendar(protocol, treated_at, zone(zone_name), quiet)
    planned = [
        (item, reminder)
        for item in protocol.reminders
        if item.kind is not _NOT_AFTER[course_complete]
        for reminder in _OCCURRENCES[item.kind](protocol, item, calendar)
        if reminder.due_at >= treated_at
    ]
    if not combine:
        return tuple(sorted((r for _, r in planned), key=lambda r: (r.due_at, r.item)))
    alone = [reminder for item, reminder in planned if not item.combine]
    combined = _combined([(i, r) for i, r in planned if i.combine], calendar)
    return tuple(sorted([*alone, *combined], key=lambda r: (r.due_at, r.item)))


def _combined(
    planned: list[tuple[ReminderItem, PlannedReminder]], calendar: _Calendar
) -> Iterator[PlannedReminder]:
    """One message per local day for the items that combine, at the earliest of their
    times, in the protocol's order; a day with only riders (not sent alone) has none."""
    by_day: dict[int, list[tuple[ReminderItem, PlannedReminder]]] = {}
    for item, reminder in planned:
        by_day.setdefault(calendar.day_number(reminder.due_at), []).append((item, reminder))
    for number, parts in sorted(by_day.items()):
        if not any(item.alone for item, _ in parts):
            continue
        reminders = [reminder for _, reminder in parts]
        yield PlannedReminder(
            item=f"{COMBINED}:{number}",
            kind=reminders[0].kind,
            due_at=min(r.due_at for r in reminders),
            text="\n".join(r.text for r in reminders),
            short_text=" ".join(r.sms for r in reminders),
        )


# Which kind a treatment does not announce: maintenance mid-course, a next session after it.
_NOT_AFTER = {False: ReminderKind.MAINTENANCE, True: ReminderKind.NEXT_SESSION}


class _Calendar:
    """The patient's clock for one treatment: its plan, local days, wall times, quiet hours."""

    def __init__(
        self, protocol: Protocol, treated_at: datetime, tz: ZoneInfo, quiet: QuietHours
    ) -> None:
        self.tz = tz
        self.treated_at = treated_at.astimezone(tz)
        self.first_day = self.treated_at.date()
        self.quiet = quiet
        self.plan: Plan = plan(protocol, self.treated_at)

    def day(self, number: int) -> date:
        return self.first_day + timedelta(days=number)

    def day_number(self, moment: datetime) -> int:
        return (moment.astimezone(self.tz).date() - self.first_day).days

    def at(self, day: date, clock: time) -> datetime:
        """``clock`` on ``day`` on the patient's clock, out of quiet hours, in UTC."""
        return self.allowed(_wall(day, clock, self.tz))

    def allowed(self, moment: datetime) -> datetime:
        """``moment``, or the end of the quiet hours it falls in, in UTC."""
        local = moment.astimezone(self.tz)
        if not self.quiet.contains(local.time()):
            return moment.astimezone(UTC)
        day = local.date()
        if self.quiet.start > self.quiet.end and local.time() >= self.quiet.start:
            day += timedelta(days=1)
        return _wall(day, self.quiet.end, self.tz).astimezone(UTC)


def _wall(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """``clock`` on ``day``: a time the clocks skip moves forward; a repeated one is the first."""
    naive = datetime.combine(day, clock)
    for _ in range(_MAX_GAP_MINUTES):
        try:
            return local_datetime(naive, tz)
        except LocalTimeError:
            if is_repeated(naive, tz):
                return naive.replace(tzinfo=tz, fold=0)
        naive = (naive + timedelta(minutes=1)).replace(second=0, microsecond=0)
    raise InputError(f"no wall time near {day} {clock:%H:%M} exists in {tz.key}")


def _planned(
    item: ReminderItem,
    due_at: datetime,
    text: str,
    day: int | None = None,
    short_text: str | None = None,
) -> PlannedReminder:
    occurrence = item.id if day is None else f"{item.id}:{day}"
    return PlannedReminder(
        occurrence, item.kind.value, due_at, text, short_text or item.sms_text or text
    )


def _clock(item: ReminderItem) -> time:
    clock = item.local_time
    if clock is None:
        raise InputError(f"reminder '{item.id}' has no local time")
    return clock


def _welcome(
    protocol: Protocol, item: ReminderItem, calendar: _Calendar
) -> Iterator[PlannedReminder]:
    yield _planned(item, calendar.allowed(calendar.treated_at), item.text)


def _changes(
    protocol: Protocol, item: ReminderItem, calendar: _Calendar
) -> Iterator[PlannedReminder]:
    """One morning message on each later local day on which a rule changes."""
    by_day: dict[int, list[PlanEntry]] = {}
    for change in calendar.plan.changes:
        number = calendar.day_number(change.at)
        if number > 0:
            by_day.setdefault(number, []).extend(change.entries)
    for number, entries in sorted(by_day.items()):
        text = "\n".join((item.text, *_change_lines(protocol, item, entries)))
        short = " ".join((item.sms_text or item.text, *_short_lines(protocol, item, entries)))
        due_at = calendar.at(calendar.day(number), _clock(item))
        yield _planned(item, due_at, text, number, short)


def _change_lines(protocol: Protocol, item: ReminderItem, entries: list[PlanEntry]) -> list[str]:
    """What becomes allowed, in each rule's words; then what no longer needs avoiding or doing,
    and what to keep doing as a habit (sunscreen never "ends")."""
    phrases = phrases_for(protocol.language).reminders
    lines = [describe_entry(protocol, e) for e in entries if e.kind is RuleKind.ALLOWED_FROM]
    ended = ((RuleKind.AVOID, item.avoid_ended_text), (RuleKind.DO, item.routine_ended_text))
    for kind, words in ended:
        for moment in sorted({e.changes_at for e in _ending(entries, kind)}):
            names = ", ".join(
                protocol.index.activities[activity].label
                for e in _ending(entries, kind)
                if e.changes_at == moment
                for activity in e.rule.activities
            )
            shown = format_moment(moment, protocol.language)
            lines.append(phrases.change.format(moment=shown, words=words, names=names))
    return lines + [e.rule.then_text for e in entries if e.rule.then_text]


def _ending(entries: list[PlanEntry], kind: RuleKind) -> list[PlanEntry]:
    """The entries of ``kind`` that end, without the routines kept up as a habit."""
    return [e for e in entries if e.kind is kind and not e.rule.then_text]


def _short_lines(protocol: Protocol, item: ReminderItem, entries: list[PlanEntry]) -> list[str]:
    """The day's changes for a text message: the activities' names, by the time they change,
    a skin-state gate beside the names it holds back, and no rule wording."""
    phrases, lines = phrases_for(protocol.language).reminders, []
    for moment in sorted({e.changes_at for e in entries}):
        at = [e for e in entries if e.changes_at == moment]
        allowed = [e for e in at if e.kind is RuleKind.ALLOWED_FROM]
        words = [_names(protocol, item, [e for e in allowed if not e.rule.gate])]
        for gate in sorted({e.rule.gate for e in allowed if e.rule.gate}):
            gated = [e for e in allowed if e.rule.gate == gate]
            gate_words = protocol.index.skin_states[gate].text
            words.append(phrases.gated.format(names=_names(protocol, item, gated), gate=gate_words))
        ended = ((RuleKind.AVOID, item.avoid_ended_text), (RuleKind.DO, item.routine_ended_text))
        for kind, phrase in ended:
            names = _names(protocol, item, _ending(at, kind))
            if names:
                words.append(phrases.named.format(words=phrase, names=names))
        words += [lower_first(e.rule.then_text).rstrip(".") for e in at if e.rule.then_text]
        items = phrases.short_separator.join(w for w in words if w)
        lines.append(
            phrases.short_change.format(time=format_clock(moment, protocol.language), items=items)
        )
    return lines


def _names(protocol: Protocol, item: ReminderItem, entries: list[PlanEntry]) -> str:
    """The entries' activities by name, at most ``_SMS_NAMES`` of them and "and N more"."""
    labels = [
        lower_first(protocol.index.activities[activity].label)
        for entry in entries
        for activity in entry.rule.activities
    ]
    if len(labels) <= _SMS_NAMES or item.sms_more_text is None:
        return ", ".join(labels)
    more = item.sms_more_text.format(count=len(labels) - _SMS_NAMES)
    return f"{', '.join(labels[:_SMS_NAMES])} {more}"


def _sunscreen(
    protocol: Protocol, item: ReminderItem, calendar: _Calendar
) -> Iterator[PlannedReminder]:
    """Every morning from ``first_day`` to ``last_day``, while the sunscreen rule applies."""
    entry = next(e for e in calendar.plan.entries if e.id == item.rule)
    text = item.text.format(spf=entry.rule.min_spf)
    short = (item.sms_text or item.text).format(spf=entry.rule.min_spf)
    for number in range(item.first_day or 1, (item.last_day or 0) + 1):
        due_at = calendar.at(calendar.day(number), _clock(item))
        if due_at < entry.changes_at:
            yield _planned(item, due_at, text, number, short)


def _check_ins(
    protocol: Protocol, item: ReminderItem, calendar: _Calendar
) -> Iterator[PlannedReminder]:
    for number in item.days:
        yield _planned(item, calendar.at(calendar.day(number), _clock(item)), item.text, number)


def _next_session(
    protocol: Protocol, item: ReminderItem, calendar: _Calendar
) -> Iterator[PlannedReminder]:
    course = protocol.course
    earliest = calendar.day(course.min_gap_days)
    latest = calendar.day(course.max_gap_days)
    language = protocol.language
    text = item.text.format(
        earliest=format_day(earliest, language), latest=format_day(latest, language)
    )
    yield _planned(item, calendar.at(earliest, _clock(item)), text)


def _maintenance(
    protocol: Protocol, item: ReminderItem, calendar: _Calendar
) -> Iterator[PlannedReminder]:
    window = maintenance_window(protocol, calendar.first_day)
    language = protocol.language
    text = item.text.format(
        earliest=format_day(window.earliest, language), latest=format_day(window.latest, language)
    )
    yield _planned(item, calendar.at(window.earliest, _clock(item)), text)


_Occurrences = Callable[[Protocol, ReminderItem, _Calendar], Iterator[PlannedReminder]]

_OCCURRENCES: dict[ReminderKind, _Occurrences] = {
    ReminderKind.WELCOME: _welcome,
    ReminderKind.CHANGE: _changes,
    ReminderKind.SUNSCREEN: _sunscreen,
    ReminderKind.CHECK_IN: _check_ins,
    ReminderKind.NEXT_SESSION: _next_session,
    ReminderKind.MAINTENANCE: _maintenance,
}
