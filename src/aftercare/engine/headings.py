"""The words that head a list on a page or in the leaflet: 'Day 14, Sat 5 Dec, 10:30',
'Since 12:30 you can:', 'Every day until Fri 4 Dec, 08:30:', 'Why: …'.

Part of the explain layer (``engine/explain`` re-exports these, and pages call them from
there); the words come from the phrase table of the protocol's language, and a template
only sets them in bold before the list they head.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from aftercare.engine.moments import day_phrase, format_clock, format_moment, format_short_day
from aftercare.protocols.phrasebook import phrases_for
from aftercare.protocols.schema import Protocol

if TYPE_CHECKING:
    from aftercare.engine.timeline import DayChanges

__all__ = [
    "allowed_heading",
    "change_heading",
    "ended_sentence",
    "every_day_until",
    "first_labels",
    "not_yet_heading",
    "plan_intro",
    "protocol_line",
    "routine_ends_heading",
    "until_then",
    "why_line",
    "zone_name",
]


def change_heading(protocol: Protocol, change: DayChanges) -> str:
    """'Day 14, Sat 5 Dec, 10:30': when a change happens, as the plan heads it."""
    moment = format_moment(change.at, protocol.language)
    return phrases_for(protocol.language).plan.change.format(day=change.day, moment=moment)


def allowed_heading(
    protocol: Protocol, at: datetime, day: int | None = None, *, since: bool = False
) -> str:
    """The heading before what a moment allows: 'From 19:00 you can:', with its ``day``
    'From 19:00 (day 2) you can:', and 'Since 12:30 you can:' once it has passed today."""
    words = phrases_for(protocol.language).changes
    phrase = words.allowed_since if since else words.allowed_from
    return phrase.format(when=_clock_with_day(at, day, protocol.language))


def routine_ends_heading(
    protocol: Protocol, at: datetime, day: int | None = None, *, since: bool = False
) -> str:
    """'From 13:30 you can stop the daily routine for:', with its ``day`` '… (day 14) …',
    and 'Since 13:30 …' once it has passed today."""
    words = phrases_for(protocol.language).changes
    phrase = words.routine_ended if since else words.routine_ends
    return phrase.format(when=_clock_with_day(at, day, protocol.language))


def not_yet_heading(protocol: Protocol, at: datetime) -> str:
    """'From Tue 24 Nov, 10:30:', before what a later moment allows."""
    moment = format_moment(at, protocol.language)
    return phrases_for(protocol.language).changes.not_yet_from.format(moment=moment)


def first_labels(protocol: Protocol, labels: Sequence[str], shown: int = 3) -> str:
    """'sauna, swimming, exercise and 2 more': the first ``shown`` labels of a long list
    (one more than ``shown`` is listed whole: "and 1 more" would take its place)."""
    if len(labels) <= shown + 1:
        return ", ".join(labels)
    more = phrases_for(protocol.language).calendar.more.format(count=len(labels) - shown)
    return f"{', '.join(labels[:shown])} {more}"


def until_then(protocol: Protocol, words: str) -> str:
    """'Until then: avoid the sauna.': a rule of a day that holds until that day."""
    return phrases_for(protocol.language).entry.until_then.format(words=words)


def _clock_with_day(at: datetime, day: int | None, language: str) -> str:
    """'19:00', or '19:00 (day 2)' with a day."""
    clock = format_clock(at, language)
    if day is None:
        return clock
    return phrases_for(language).moment_with_day.format(
        moment=clock, when=day_phrase(day, language)
    )


def every_day_until(protocol: Protocol, at: datetime) -> str:
    """'Every day until Fri 4 Dec, 08:30:', before the daily routines."""
    moment = format_moment(at, protocol.language)
    return phrases_for(protocol.language).changes.every_day_until.format(moment=moment)


def why_line(protocol: Protocol, reason: str) -> str:
    """'Why: <the protocol's reason>'."""
    return phrases_for(protocol.language).check.why.format(reason=reason)


def ended_sentence(protocol: Protocol, treated_at: datetime) -> str:
    """'Treatment ended Sat 21 Nov, 10:30 (Europe/London).', at the top of the plan."""
    moment = format_moment(treated_at, protocol.language)
    return phrases_for(protocol.language).plan.ended.format(
        moment=moment, zone=zone_name(treated_at)
    )


def protocol_line(protocol: Protocol, protocol_id: str, version: str) -> str:
    """'Protocol microneedling, version 3f9a…': the protocol a plan was made from."""
    return phrases_for(protocol.language).plan.protocol.format(id=protocol_id, version=version)


def plan_intro(protocol: Protocol, treated_on: date, zone: str) -> str:
    """'Microneedling on Sat 21 Nov. Times are Europe/London time.', above the timeline."""
    day = format_short_day(treated_on, protocol.language)
    return phrases_for(protocol.language).plan.intro.format(
        procedure=protocol.procedure, day=day, zone=zone
    )


def zone_name(moment: datetime) -> str:
    """'Europe/London': the zone ``moment`` is shown in."""
    return str(getattr(moment.tzinfo, "key", moment.tzname()))
