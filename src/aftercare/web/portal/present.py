"""Engine results laid out for the portal's pages: what applies now, what comes next.

The words are the protocol's, rendered by the engine where it has a renderer
(``describe_entry``); this module only sorts them by what the patient can do now and
renders times in the treatment's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from aftercare.engine.ask import AskOutcome, AskResult
from aftercare.engine.course import MaintenanceWindow, SessionCheck, course_outlook
from aftercare.engine.explain import (
    allowed_heading,
    ask_sentence,
    day_heading,
    describe_ask,
    describe_entry,
    entry_words,
    every_day_until,
    format_day,
    format_short_day,
    later_than_usual,
    lower_first,
    plan_intro,
    routine_ends_heading,
    treated_on,
    why_line,
)
from aftercare.engine.headings import first_labels, not_yet_heading, until_then
from aftercare.engine.sentences import maintenance_due, next_between, session_of
from aftercare.engine.timeline import DayChanges, Plan, PlanEntry
from aftercare.exports.markup import marked, strong
from aftercare.exports.plan_view import change_view
from aftercare.protocols.schema import Protocol, RuleKind
from aftercare.web.care.current import Care
from aftercare.web.phones import tel_href
from aftercare.web.protocol import aftercare_horizon_hours

__all__ = [
    "AskView",
    "CourseView",
    "Moment",
    "NotYet",
    "TimelineDay",
    "TimelineLine",
    "TodayView",
    "ask_view",
    "course_view",
    "tel_href",
    "timeline_days",
    "timeline_intro",
    "today_view",
]


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment of the plan as a line on a page: when, what it allows again (labels, each
    with the skin-state gate that still holds it back), which daily routines end then, and
    what to keep doing as a habit (sunscreen never "ends"); each list under the heading
    explain words for it ("Since 12:30 you can:")."""

    when: str
    day: int
    has_passed: bool
    allowed: tuple[str, ...]
    ended: tuple[str, ...]
    kept: tuple[str, ...] = ()
    allowed_heading: str = ""
    ended_heading: str = ""


@dataclass(frozen=True, slots=True)
class NotYet:
    """A later moment in Today's "Not yet" list: 'From Tue 24 Nov, 10:30:' in bold, then
    what it allows, the first three of a long list and how many more."""

    heading: str
    labels: str


@dataclass(frozen=True, slots=True)
class TodayView:
    """Today at a glance: how far through the plan, what changes today, what to do, and
    what is not allowed yet with the moment it is."""

    day: int
    days: int
    changes_today: tuple[Moment, ...]
    do_today: tuple[str, ...]
    not_yet: tuple[NotYet, ...]
    allowed_again: tuple[str, ...]
    # What is never advised, at any time: never among what is allowed.
    always_avoid: tuple[str, ...] = ()
    # "Day 3 of 14" and "after your treatment on Wed 18 Nov", as explain words them.
    heading: str = ""
    treated_on: str = ""

    @property
    def is_over(self) -> bool:
        return self.day >= self.days

    @property
    def progress(self) -> int:
        return min(self.day, self.days)


def today_view(care: Care, result: Plan) -> TodayView:
    """The plan at ``care.at``: the moments of today's date, the routines that apply now,
    and the later moments, each with what it allows."""
    status, today = result.status_at(care.at), care.at.date()
    moments = [_moment(care, change) for change in result.changes]
    dates = [change.at.date() for change in result.changes]
    do_today = tuple(_doing(care.protocol, e) for e in status.doing) + tuple(
        # a routine kept up as a habit, once its window is over
        e.rule.then_text
        for e in status.kept
        if e.rule.then_text
    )
    day, days = status.day or 0, aftercare_horizon_hours(care.protocol) // 24
    return TodayView(
        day=day,
        days=days,
        heading=day_heading(day, days, care.protocol.language),
        treated_on=treated_on(care.treated_at, care.protocol.language),
        changes_today=tuple(m for m, d in zip(moments, dates, strict=True) if d == today),
        do_today=do_today,
        not_yet=tuple(
            _not_yet(care.protocol, m, c)
            for m, c in zip(moments, result.changes, strict=True)
            if c.at.date() > today and m.allowed
        ),
        allowed_again=tuple(label for m in moments if m.has_passed for label in m.allowed),
        always_avoid=_always(care.protocol, result),
    )


def _doing(protocol: Protocol, entry: PlanEntry) -> str:
    """A routine of today in the protocol's words; one kept up as a habit after its window
    says until when ("Until Sat 19 Dec, 10:30: … After that: …"), so "after that" never
    hangs without the moment it follows."""
    return describe_entry(protocol, entry) if entry.rule.then_text else entry_words(protocol, entry)


def _not_yet(protocol: Protocol, moment: Moment, change: DayChanges) -> NotYet:
    return NotYet(not_yet_heading(protocol, change.at), first_labels(protocol, moment.allowed))


def _always(protocol: Protocol, result: Plan) -> tuple[str, ...]:
    return tuple(entry_words(protocol, e) for e in result.entries if e.rule.is_never)


def _moment(care: Care, change: DayChanges, *, with_day: bool = False) -> Moment:
    """The moment as Today heads it ("Since 12:30 you can:" once it has passed), or, with
    its day, as the timeline does ("From 19:00 (day 2) you can:", past days included)."""
    protocol, shown, has_passed = (
        care.protocol,
        change_view(care.protocol, change),
        change.at <= care.at,
    )
    day = change.day if with_day else None
    since = has_passed and not with_day  # the timeline heads past days "From …" too
    return Moment(
        when=shown.when,
        day=change.day,
        has_passed=has_passed,
        allowed=tuple(lower_first(label) for label in shown.allowed),
        ended=tuple(lower_first(label) for label in shown.ended),
        kept=shown.kept,
        allowed_heading=allowed_heading(protocol, change.at, day, since=since),
        ended_heading=routine_ends_heading(protocol, change.at, day, since=since),
    )


@dataclass(frozen=True, slots=True)
class TimelineLine:
    """One rule: its words, and the protocol's reason for it (``why``: as a line reads it,
    "Why: …"); ``detail``: the words as the day's details read them ("Until then: …" for
    an 'avoid' or 'do' rule, which applies until its day rather than from it)."""

    text: str
    reason: str
    label: str = ""
    detail: str = ""
    why: str = ""


@dataclass(frozen=True, slots=True)
class TimelineDay:
    """One day of the plan: its moments, and the rules behind them (shown on demand).
    The first day also carries the daily routines and what is fine from the start."""

    day: int
    date: str
    is_today: bool
    has_passed: bool
    moments: tuple[Moment, ...]
    lines: tuple[TimelineLine, ...]
    routines: tuple[TimelineLine, ...] = ()
    from_start: tuple[TimelineLine, ...] = ()
    always_avoid: tuple[TimelineLine, ...] = ()
    # "Every day until Fri 4 Dec, 08:30:", or "" without routines.
    routines_heading: str = ""


def timeline_days(care: Care, result: Plan) -> tuple[TimelineDay, ...]:
    """The plan by day: the day of treatment, each day on which something changes, and
    today (even when nothing changes on it)."""
    protocol, today = care.protocol, care.at.date()
    first = result.treated_at.date()
    by_date: dict[date, list[DayChanges]] = {}
    for change in result.changes:
        by_date.setdefault(change.at.date(), []).append(change)
    routines = [e for e in result.entries if e.kind is RuleKind.DO]
    days = [
        TimelineDay(
            day=0,
            date=format_short_day(first, protocol.language),
            is_today=first == today,
            has_passed=first < today,
            moments=(),
            lines=(),
            routines=tuple(_line(protocol, e) for e in routines),
            from_start=tuple(
                _line(protocol, e)
                for e in result.entries
                if e.kind is RuleKind.ALLOWED_FROM and e.changes_after_hours == 0
            ),
            routines_heading=_until(protocol, routines),
            always_avoid=tuple(_line(protocol, e) for e in result.entries if e.rule.is_never),
        )
    ]
    dates = sorted(set(by_date) | ({today} if today > first else set()))
    for day in dates:
        changes = by_date.get(day, [])
        days.append(
            TimelineDay(
                day=changes[0].day if changes else result.day_at(care.at) or 0,
                date=format_short_day(day, protocol.language),
                is_today=day == today,
                has_passed=day < today,
                moments=tuple(_moment(care, c, with_day=True) for c in changes),
                lines=tuple(_line(protocol, e) for c in changes for e in c.entries),
            )
        )
    return tuple(days)


def _until(protocol: Protocol, routines: list[PlanEntry]) -> str:
    """Until when the daily routines go on (the last one's end), or "" without routines."""
    if not routines:
        return ""
    return every_day_until(protocol, max(e.changes_at for e in routines))


def timeline_intro(care: Care) -> str:
    """'Microneedling on Sat 21 Nov. Times are Europe/London time.'"""
    return plan_intro(care.protocol, care.treated_at, care.treatment.time_zone)


def _line(protocol: Protocol, entry: PlanEntry) -> TimelineLine:
    activities = protocol.index.activities
    label = ", ".join(activities[a].label for a in entry.rule.activities)
    text, reason = entry_words(protocol, entry), entry.rule.reason
    applies_until = entry.kind is not RuleKind.ALLOWED_FROM
    detail = until_then(protocol, text) if applies_until else text
    return TimelineLine(text, reason, label, detail, why_line(protocol, reason))


@dataclass(frozen=True, slots=True)
class AskView:
    """The answer to a typed question: one sentence first, the reasons on demand, and
    what to offer when the resolver was unsure (labels to tap, as questions)."""

    question: str
    outcome: str
    sentence: str
    details: tuple[str, ...]
    suggestions: tuple[str, ...]
    urgent: bool


def ask_view(protocol: Protocol, result: AskResult) -> AskView:
    index = protocol.index
    labels = tuple(
        index.activities[i].label if i in index.activities else index.topics[i].label
        for i in result.suggestions
    )
    return AskView(
        question=result.question,
        outcome=result.outcome.value,
        sentence=ask_sentence(protocol, result),
        details=tuple(describe_ask(protocol, result).splitlines()[1:]),
        suggestions=labels,
        urgent=result.outcome is AskOutcome.URGENT,
    )


@dataclass(frozen=True, slots=True)
class CourseView:
    """The course on the portal: ``heading`` 'Session 2 of 3'; ``next_window`` 'Between …
    and ….' and ``maintenance`` 'A maintenance session is due between … and ….', each as
    HTML with its dates in bold."""

    text: str
    sessions: tuple[str, ...]
    next_earliest: str | None
    next_latest: str | None
    next_status: str
    maintenance_earliest: str
    maintenance_latest: str
    planned: int = 0
    # The protocol's id and the procedure's name, for a patient on more than one course.
    procedure_id: str = ""
    procedure: str = ""
    heading: str = ""
    # "Microneedling: session 2 of 3", where the patient is on more than one course.
    procedure_heading: str = ""
    next_window: str = ""
    maintenance: str = ""


def course_view(
    protocol: Protocol, session_days: list[date], today: date, chosen: int | None = None
) -> CourseView:
    """The next session's window after the last one, and maintenance after the course of
    the length ``chosen`` for the patient, as the staff pages and the leaflet have them.

    Once the sessions complete the course, only maintenance is shown, as the reminders do."""
    outlook = course_outlook(protocol, session_days, today, chosen)
    gap, late = outlook.next_session, set(outlook.late)
    next_earliest, next_latest = _days(gap)
    upkeep_earliest, upkeep_latest = _days(outlook.maintenance)
    return CourseView(
        text=protocol.course.text,
        sessions=tuple(
            later_than_usual(protocol, format_day(day)) if day in late else format_day(day)
            for day in sorted(session_days)
        ),
        next_earliest=next_earliest or None,
        next_latest=next_latest or None,
        next_status="" if gap is None else gap.verdict.value,
        maintenance_earliest=upkeep_earliest,
        maintenance_latest=upkeep_latest,
        planned=outlook.planned,
        procedure_id=protocol.id,
        procedure=protocol.procedure,
        heading=session_of(protocol, len(session_days), outlook.planned),
        procedure_heading=session_of(
            protocol, len(session_days), outlook.planned, procedure=protocol.procedure
        ),
        next_window=marked(
            partial(next_between, protocol), start=strong(next_earliest), end=strong(next_latest)
        ),
        maintenance=marked(
            partial(maintenance_due, protocol, planned=None if gap is None else outlook.planned),
            start=strong(upkeep_earliest),
            end=strong(upkeep_latest),
        ),
    )


def _days(window: SessionCheck | MaintenanceWindow | None) -> tuple[str, str]:
    """A window's first and last days as a page shows them, or two blanks without one."""
    return ("", "") if window is None else (format_day(window.earliest), format_day(window.latest))
