"""Engine results laid out for the portal's pages: what applies now, what comes next.

The words are the protocol's, rendered by the engine where it has a renderer
(``describe_entry``); this module only sorts them by what the patient can do now and
renders times in the treatment's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aftercare.engine.check import CheckResult, Verdict
from aftercare.engine.course import check_session, completes_course, maintenance_window
from aftercare.engine.explain import describe_entry, moment_phrase
from aftercare.engine.localtime import format_day, format_moment
from aftercare.engine.timeline import Plan, PlanEntry
from aftercare.exports.plan_view import ChangeView, change_view
from aftercare.protocols.schema import Protocol, RuleKind
from aftercare.web.phones import e164
from aftercare.web.portal.care import Care

__all__ = [
    "Answer",
    "CourseView",
    "TimelineGroup",
    "TimelineLine",
    "TodayView",
    "answer",
    "course_view",
    "tel_href",
    "timeline_groups",
    "today_view",
]


def tel_href(phone: str) -> str:
    """A tap-to-call address: 'tel:+442079460002' for '020 7946 0002'."""
    number = e164(phone)
    if number is not None:
        return f"tel:{number}"
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


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
class Answer:
    """The answer to "can I …?": a headline, then the protocol's words."""

    label: str
    headline: str
    details: tuple[str, ...]
    reason: str | None


def answer(protocol: Protocol, result: CheckResult) -> Answer:
    index = protocol.index
    gates = [index.skin_states[i].text for i in result.requirements if i in index.skin_states]
    return Answer(
        label=result.label,
        headline=_headline(result, gates),
        details=_details(protocol, result, gates),
        reason=None if result.verdict is Verdict.ALLOWED else result.rule.reason,
    )


def _details(protocol: Protocol, result: CheckResult, gates: list[str]) -> tuple[str, ...]:
    """The rule's words, as ``describe_check`` places them, without the verdict line."""
    rule, index = result.rule, protocol.index
    allowed = result.verdict is Verdict.ALLOWED
    details = [] if allowed and rule.kind is RuleKind.AVOID else [rule.text]
    details += [f"Only {text}." for text in gates if result.verdict is Verdict.NOT_YET]
    if rule.min_spf is not None:
        details.append(f"SPF {rule.min_spf} or higher.")
    details += [index.requirements[i].text for i in result.requirements if i in index.requirements]
    if allowed and result.allowed_from is not None and rule.allowed_from_hours:
        since = moment_phrase(rule.allowed_from_hours, result.allowed_from)
        details.append(f"Allowed since {since}.")
    return tuple(details)


def _headline(result: CheckResult, gates: list[str]) -> str:
    if result.verdict is Verdict.NOT_YET and result.allowed_from is not None:
        return f"Not yet — from {format_moment(result.allowed_from)}"
    if result.verdict is Verdict.NOT_YET:
        return "Not yet"
    if gates:
        return f"Only {gates[0]}"
    if result.verdict is Verdict.REQUIRED and result.required_until is not None:
        return f"Yes — and every day until {format_moment(result.required_until)}"
    return "Yes"


@dataclass(frozen=True, slots=True)
class CourseView:
    text: str
    sessions: tuple[str, ...]
    next_earliest: str | None
    next_latest: str | None
    next_status: str
    maintenance_earliest: str
    maintenance_latest: str


def course_view(protocol: Protocol, session_days: list[date], today: date) -> CourseView:
    """The next session's window after the last one, and maintenance after the course.

    Once the sessions make the protocol's usual course, only maintenance is shown, as the
    reminders and the staff pages have it."""
    last = session_days[-1]
    maintenance = maintenance_window(protocol, last)
    earliest = latest = None
    status = ""
    if not completes_course(protocol, len(session_days)):
        gap = check_session(protocol, last, max(today, last))
        earliest, latest = format_day(gap.earliest), format_day(gap.latest)
        status = gap.verdict.value
    return CourseView(
        text=protocol.course.text,
        sessions=tuple(format_day(day) for day in session_days),
        next_earliest=earliest,
        next_latest=latest,
        next_status=status,
        maintenance_earliest=format_day(maintenance.earliest),
        maintenance_latest=format_day(maintenance.latest),
    )
