"""The protocol's items described for the people who keep it: windows, sources, triggers.

Shared by ``aftercare protocol show`` and the clinic's protocol settings page, so that
both say the same of a rule. Patients' wording is not here: ``engine.explain`` owns it.
"""

from __future__ import annotations

from aftercare.protocols.schema import (
    ActivityRule,
    Cited,
    Course,
    Protocol,
    RuleKind,
    ScreeningRule,
    Symptom,
    Trigger,
)

__all__ = [
    "calendar_text",
    "course_line",
    "moment_text",
    "rule_window",
    "screening_line",
    "sources_line",
    "symptom_window",
    "trigger_text",
]


def rule_window(protocol: Protocol, rule: ActivityRule) -> str:
    """An aftercare rule's window in words: "avoid until day 14 (336 h)"."""
    if rule.kind is RuleKind.NEVER:
        text = "never advised, at any time"
    elif rule.kind is RuleKind.AVOID:
        text = f"avoid until {moment_text(rule.allowed_from_hours)}"
    elif rule.kind is RuleKind.ALLOWED_FROM:
        text = f"allowed from {moment_text(rule.allowed_from_hours)}"
    else:
        until = moment_text(rule.required_until_hours or 0)
        text = f"do from {moment_text(rule.allowed_from_hours)} until {until}"
    if rule.min_spf is not None:
        text += f", SPF {rule.min_spf} or higher"
    if rule.gate is not None:
        state = protocol.index.skin_states.get(rule.gate)
        text += f", {state.text if state else rule.gate}"
    if rule.requirements:
        text += f"; needs {', '.join(rule.requirements)}"
    return text


def symptom_window(symptom: Symptom) -> str:
    """How long a symptom counts as expected, and what happens after."""
    expected = symptom.expected
    if expected is None:
        return f"red flag, {symptom.level}"
    text = (
        "not expected" if expected.hours == 0 else f"expected up to {moment_text(expected.hours)}"
    )
    if expected.widened_hours is not None:
        widened_by = ", ".join(expected.widened_by)
        text += f"; up to {moment_text(expected.widened_hours)} with {widened_by}"
    return f"{text}; then {symptom.level}"


def moment_text(hours: int) -> str:
    """Hours after treatment for people who maintain the protocol: 'day 3 (72 h)'."""
    if hours == 0:
        return "the start"
    return f"day {hours // 24} ({hours} h)" if hours % 24 == 0 else f"{hours} h"


def screening_line(rule: ScreeningRule) -> str:
    """A screening rule in one line: its outcome, when it applies, and its text."""
    return f"{rule.id}: {rule.outcome} when {trigger_text(rule.trigger)} - {rule.text}"


def trigger_text(trigger: Trigger) -> str:
    """When a screening rule applies: 'isotretinoin within 90 days'."""
    if trigger.within_days is not None:
        calendar = calendar_text(trigger)
        later = f" or {calendar}, whichever ends later" if calendar else ""
        return f"{trigger.question} within {trigger.within_days} days{later}"
    if trigger.one_of:
        return f"{trigger.question} is one of {', '.join(trigger.one_of)}"
    if trigger.answered:
        return f"{trigger.question} is answered"
    equals = str(trigger.equals).lower() if isinstance(trigger.equals, bool) else trigger.equals
    return f"{trigger.question} is {equals}"


def calendar_text(trigger: Trigger) -> str | None:
    """A washout's calendar length beside its days: '3 months'; None when it has none."""
    for count, unit in ((trigger.within_months, "month"), (trigger.within_years, "year")):
        if count is not None:
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return None


def course_line(course: Course) -> str:
    """The course's numbers in one line."""
    return (
        f"{course.min_sessions} to {course.max_sessions} sessions "
        f"({course.default_sessions} by default), "
        f"{course.min_gap_days} to {course.max_gap_days} days apart; maintenance every "
        f"{course.maintenance_min_months} to {course.maintenance_max_months} months"
    )


def sources_line(item: Cited) -> str:
    """Provenance and sources in one line: "reconciled (C5); sources: 001_….txt, literature"."""
    names: list[str] = []
    for source in item.sources:
        name = source.leaflet or "literature"
        if name not in names:
            names.append(name)
    how = str(item.provenance)
    if item.reconciliation is not None:
        how += f" ({item.reconciliation.conflict})"
    return f"{how}; sources: {', '.join(names)}"
