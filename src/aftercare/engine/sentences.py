"""Sentences around dates and counts: 'Sat 5 Dec to Sat 19 Dec', 'Session 2 of 3',
'A maintenance session is due between Mon 7 Jun 2027 and Tue 7 Dec 2027.'.

Part of the explain layer: the words come from the phrase table of the protocol's
language. The values come in as the strings a page shows (a page may set them in bold),
so a renderer only puts them in their places.
"""

from __future__ import annotations

from datetime import date

from aftercare.engine.moments import format_day
from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, phrases_for
from aftercare.protocols.schema import Protocol

__all__ = ["day_span", "late_after", "maintenance_due", "next_between", "session_of"]


def day_span(earliest: date, latest: date, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sat 5 Dec 2026 to Sat 19 Dec 2026', or the one day when both are the same."""
    shown = format_day(earliest, language)
    if earliest == latest:
        return shown
    return phrases_for(language).span.format(start=shown, end=format_day(latest, language))


def session_of(protocol: Protocol, done: int, planned: int, procedure: str = "") -> str:
    """'Session 2 of 3': how far through the course the patient is; with the course's
    ``procedure``, 'Microneedling: session 2 of 3'."""
    words = phrases_for(protocol.language).course
    if procedure:
        return words.procedure_session.format(procedure=procedure, done=done, planned=planned)
    return words.session_of.format(done=done, planned=planned)


def next_between(protocol: Protocol, start: str, end: str) -> str:
    """'Between Sat 19 Dec 2026 and Sat 2 Jan 2027.': the next session's window."""
    return phrases_for(protocol.language).course.next_between.format(start=start, end=end)


def maintenance_due(protocol: Protocol, start: str, end: str, planned: int | None = None) -> str:
    """'A maintenance session is due between … and ….', or, while the course of
    ``planned`` sessions is still going on, 'Once your course of 3 sessions is complete, a
    maintenance session is due between … and ….'."""
    words = phrases_for(protocol.language).course
    if planned is None:
        return words.maintenance_due.format(start=start, end=end)
    return words.maintenance_after.format(planned=planned, start=start, end=end)


def late_after(protocol: Protocol, day: date, before: date) -> str:
    """'Sat 21 Nov 2026, 50 days after the session before': a session on ``day`` that
    came late, ``before`` being the session before it."""
    days = (day - before).days
    shown = format_day(day, protocol.language)
    return phrases_for(protocol.language).course.late_after.of(days, day=shown, days=days)
