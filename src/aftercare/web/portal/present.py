"""Engine results laid out for the portal's pages: what applies now, what comes next.

The words are the protocol's, rendered by the engine where it has a renderer
(``describe_entry``); this module only sorts them by what the patient can do now and
renders times in the treatment's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aftercare.engine.ask import AskOutcome, AskResult
from aftercare.engine.course import course_outlook
from aftercare.engine.explain import ask_sentence, describe_ask, describe_entry
from aftercare.engine.localtime import format_day
from aftercare.engine.timeline import Plan, PlanEntry
from aftercare.exports.plan_view import ChangeView, change_view
from aftercare.protocols.schema import Protocol, RuleKind
from aftercare.web.phones import tel_href
from aftercare.web.portal.care import Care

__all__ = [
    "AskView",
    "CourseView",
    "TimelineGroup",
    "TimelineLine",
    "TodayView",
    "ask_view",
    "course_view",
    "tel_href",
    "timeline_groups",
    "today_view",
]


@dataclass(frozen=True, slots=True)
class TodayView:
    do_now: tuple[str, ...]
    avoid_now: tuple[str, ...]
    allowed_now: tuple[str, ...]
    next_change: ChangeView | None


def today_view(care: Care, result: Plan) -> TodayView:
    """The plan sorted by what applies at ``care.at``, and the next moment it changes."""
    hours = care.hours_after
    do_now, avoid_now, allowed_now = [], [], []
    for entry in result.entries:
        text = describe_entry(care.protocol, entry)
        if entry.kind is RuleKind.DO:
            if entry.rule.allowed_from_hours <= hours < entry.changes_after_hours:
                do_now.append(text)
        elif entry.kind is RuleKind.AVOID:
            if hours < entry.changes_after_hours:
                avoid_now.append(text)
        elif hours < entry.rule.allowed_from_hours:
            avoid_now.append(text)
        else:
            allowed_now.append(text)
    return TodayView(tuple(do_now), tuple(avoid_now), tuple(allowed_now), _next(care, result))


def _next(care: Care, result: Plan) -> ChangeView | None:
    change = next((c for c in result.changes if c.at > care.at), None)
    return None if change is None else change_view(care.protocol, change)


@dataclass(frozen=True, slots=True)
class TimelineLine:
    text: str
    reason: str
    status: str


@dataclass(frozen=True, slots=True)
class TimelineGroup:
    label: str
    lines: tuple[TimelineLine, ...]


def timeline_groups(care: Care, result: Plan) -> tuple[TimelineGroup, ...]:
    """The engine's groups, each line with its reason and whether it is behind the patient."""
    return tuple(
        TimelineGroup(
            group.label,
            tuple(
                TimelineLine(describe_entry(care.protocol, e), e.rule.reason, _status(care, e))
                for e in group.entries
            ),
        )
        for group in result.groups
        if group.entries
    )


def _status(care: Care, entry: PlanEntry) -> str:
    if entry.kind is RuleKind.ALLOWED_FROM:
        return "Allowed now" if entry.allowed_from <= care.at else ""
    return "Done" if entry.changes_at <= care.at else ""


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
    text: str
    sessions: tuple[str, ...]
    next_earliest: str | None
    next_latest: str | None
    next_status: str
    maintenance_earliest: str
    maintenance_latest: str
    planned: int = 0


def course_view(
    protocol: Protocol, session_days: list[date], today: date, chosen: int | None = None
) -> CourseView:
    """The next session's window after the last one, and maintenance after the course of
    the length ``chosen`` for the patient, as the staff pages and the leaflet have them.

    Once the sessions complete the course, only maintenance is shown, as the reminders do."""
    outlook = course_outlook(protocol, session_days, today, chosen)
    gap, maintenance = outlook.next_session, outlook.maintenance
    late = set(outlook.late)
    return CourseView(
        text=protocol.course.text,
        sessions=tuple(
            format_day(day) + (" (later than usual)" if day in late else "")
            for day in sorted(session_days)
        ),
        next_earliest=None if gap is None else format_day(gap.earliest),
        next_latest=None if gap is None else format_day(gap.latest),
        next_status="" if gap is None else gap.verdict.value,
        maintenance_earliest="" if maintenance is None else format_day(maintenance.earliest),
        maintenance_latest="" if maintenance is None else format_day(maintenance.latest),
        planned=outlook.planned,
    )
