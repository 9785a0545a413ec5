"""Moments and durations in words: 'Sat 5 Dec, 10:30', 'day 14', '30 hours', and the note
for a wall-clock time that happens twice.

Part of the explain layer (``engine/explain`` re-exports these, and pages call them from
there); the words come from the phrase table of the language asked for.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, phrases_for

__all__ = [
    "after_treatment",
    "day_heading",
    "day_phrase",
    "duration_phrase",
    "format_clock",
    "format_day",
    "format_moment",
    "format_short_day",
    "hours_phrase",
    "moment_phrase",
    "repeated_time_note",
    "treated_on",
]


def format_moment(moment: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sat 5 Dec, 10:30', on the clock ``moment`` carries."""
    phrases = phrases_for(language)
    return phrases.moment.format(
        **_day_parts(moment, language), time=format_clock(moment, language)
    )


def format_day(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sat 5 Dec 2026'."""
    return phrases_for(language).date.format(**_day_parts(day, language), year=day.year)


def format_short_day(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sat 21 Nov': the day, as patients read it, without the year or the time."""
    return phrases_for(language).short_date.format(**_day_parts(day, language))


def _day_parts(day: date, language: str) -> dict[str, object]:
    phrases = phrases_for(language)
    return {
        "weekday": phrases.weekdays[day.weekday()],
        "day": day.day,
        "month": phrases.months[day.month - 1],
    }


def format_clock(moment: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """'10:30': the time of day on the clock ``moment`` carries."""
    return phrases_for(language).clock.format(hour=moment.hour, minute=moment.minute)


def day_phrase(day: int, language: str = DEFAULT_LANGUAGE) -> str:
    """'day 3': day N of the plan (see ``Plan.day_at``)."""
    return phrases_for(language).day.format(day=day)


def day_heading(day: int, days: int | None = None, language: str = DEFAULT_LANGUAGE) -> str:
    """'Day 3 of 14' through a plan of ``days`` days, and 'Day 20' once it is over; 'Day 3'
    where the length of the plan goes without saying (a staff list's column)."""
    phrases = phrases_for(language)
    return (
        phrases.day_heading.format(day=day)
        if days is None or day >= days
        else phrases.day_of.format(day=day, days=days)
    )


def treated_on(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """'after your treatment on Wed 18 Nov', under the heading of the patient's day."""
    return phrases_for(language).treated_on.format(day=format_short_day(day, language))


def after_treatment(moment: datetime, day: int, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sat 21 Nov, 12:30 (day 3 after treatment)': when something happened, for staff."""
    phrases = phrases_for(language)
    when = phrases.after_treatment.format(day=day_phrase(day, language))
    return phrases.moment_with_day.format(moment=format_moment(moment, language), when=when)


def hours_phrase(hours: float, language: str = DEFAULT_LANGUAGE) -> str:
    """'straight away', 'day 3' (for whole days) or '30 hours'."""
    phrases = phrases_for(language)
    if hours <= 0:
        return phrases.straight_away
    if hours % 24 == 0:
        return day_phrase(int(hours // 24), language)
    if hours == 1:
        return phrases.hour_count.of(1, hours=1)
    return phrases.hours.format(hours=f"{hours:g}")


def moment_phrase(hours: int, moment: datetime | None, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sat 5 Dec, 10:30 (day 14)', or 'day 14 (336 hours)' when no date is known."""
    phrases, when = phrases_for(language), hours_phrase(hours, language)
    if moment is None:
        if hours % 24 == 0 and hours:
            return phrases.day_with_hours.format(day=when, hours=hours)
        return when
    return phrases.moment_with_day.format(moment=format_moment(moment, language), when=when)


def duration_phrase(hours: int, language: str = DEFAULT_LANGUAGE) -> str:
    """'14 days (336 hours)', '1 day (24 hours)' or '8 hours'."""
    phrases = phrases_for(language)
    if hours and hours % 24 == 0:
        days = hours // 24
        return phrases.days_with_hours.of(days, days=days, hours=hours)
    return phrases.hour_count.of(hours, hours=hours)


def repeated_time_note(naive: datetime, tz: ZoneInfo, language: str = DEFAULT_LANGUAGE) -> str:
    """'2026-10-25 01:30 happens twice in Europe/London (the clocks go back)'."""
    repeated = phrases_for(language).clock_changes.repeated
    return repeated.format(time=f"{naive:%Y-%m-%d %H:%M}", zone=tz.key)
