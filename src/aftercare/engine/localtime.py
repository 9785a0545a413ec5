"""Local wall-clock time at the edges: parse it, refuse the times clocks skip or repeat.

Inside the engine every instant is an aware datetime; elapsed time is measured on the
UTC timeline, so "day 14" is 336 real hours even across a clock change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftercare.engine.errors import InputError, LocalTimeError
from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, phrases_for

__all__ = [
    "DEFAULT_ZONE",
    "elapsed",
    "hours_between",
    "is_repeated",
    "local_datetime",
    "parse_local",
    "zone",
]

DEFAULT_ZONE = "Europe/London"


def zone(name: str) -> ZoneInfo:
    """The named IANA time zone, or an InputError saying so."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone '{name}'; use a name such as Europe/London") from None


def local_datetime(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time, refusing one that is skipped or repeated there."""
    if naive.tzinfo is not None:
        raise InputError("expected a wall-clock time without a UTC offset")
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    shown = naive.strftime("%Y-%m-%d %H:%M")
    if first.utcoffset() == second.utcoffset():
        return first
    # The words come from the phrase table, as explain.repeated_time_note has them.
    words = phrases_for(DEFAULT_LANGUAGE).clock_changes
    if is_repeated(naive, tz):
        early, late = (_offset(first), _offset(second))
        raise LocalTimeError(
            f"{words.repeated.format(time=shown, zone=tz.key)}; "
            f"add the offset to say which: {shown}{early} or {shown}{late}"
        )
    raise LocalTimeError(words.skipped.format(time=shown, zone=tz.key))


def parse_local(text: str, tz: ZoneInfo) -> datetime:
    """Read '2026-11-21 10:30' (local to ``tz``) or an ISO time with an offset.

    An offset picks one of two repeated times; an offset that is not ``tz``'s at that
    moment is refused rather than silently shifted.
    """
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"'{text}' is not a date and time; use the form 2026-11-21 10:30"
        ) from None
    if parsed.tzinfo is None:
        return local_datetime(parsed, tz)
    local = parsed.astimezone(tz)
    if local.replace(tzinfo=None) != parsed.replace(tzinfo=None):
        raise LocalTimeError(f"'{text}' is not a time that clocks in {tz.key} show")
    return local


def elapsed(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` real hours after ``start``, shown in ``start``'s zone.

    Python adds to an aware datetime on the wall clock; elapsed time must be added
    on the UTC line, or "24 hours" across a clock change would be 23 or 25.
    """
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)


def hours_between(start: datetime, end: datetime) -> float:
    """Elapsed hours from ``start`` to ``end`` (negative when ``end`` is earlier).

    Both need a time zone: a naive time would be read as the machine's local time.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("both times need a time zone")
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)


def is_repeated(naive: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall-clock time ``naive`` happens twice in ``tz`` (the clocks go back).

    Both readings of a repeated time come back unchanged from UTC, with different offsets;
    a time the clocks skip comes back from neither.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    return first.utcoffset() != second.utcoffset() and _round_trips(first)


def _round_trips(moment: datetime) -> bool:
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == (
        moment.replace(tzinfo=None)
    )


def _offset(moment: datetime) -> str:
    return moment.isoformat()[-6:]
