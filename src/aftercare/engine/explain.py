"""Render engine results for people, in UK English.

The words come from the protocol; this module only places them and renders times
("Sat 5 Dec, 10:30 (day 14)") and numbers ("SPF 50 or higher") from the data, so
the wording can never drift from the windows the engine computed.
"""

from __future__ import annotations

from datetime import datetime

from aftercare.engine.check import CheckResult, Verdict
from aftercare.engine.localtime import format_moment
from aftercare.engine.timeline import Plan, PlanEntry
from aftercare.protocols.schema import Protocol, RuleKind

__all__ = [
    "describe_check",
    "describe_entry",
    "describe_plan",
    "hours_phrase",
    "moment_phrase",
]


def hours_phrase(hours: float) -> str:
    """'straight away', 'day 3' (for whole days) or '30 hours'."""
    if hours <= 0:
        return "straight away"
    if hours % 24 == 0:
        return f"day {int(hours // 24)}"
    return f"{hours:g} hours"


def moment_phrase(hours: int, moment: datetime | None) -> str:
    """'Sat 5 Dec, 10:30 (day 14)', or 'day 14 (336 hours)' when no date is known."""
    if moment is None:
        return (
            f"{hours_phrase(hours)} ({hours} hours)"
            if hours % 24 == 0 and hours
            else (hours_phrase(hours))
        )
    return f"{format_moment(moment)} ({hours_phrase(hours)})"


def describe_entry(protocol: Protocol, entry: PlanEntry) -> str:
    """One line of the timeline: when it changes, then the protocol's own words."""
    rule = entry.rule
    gate = (rule.gate,) if rule.gate else ()
    words = " ".join((rule.text, *_conditions(protocol, (*gate, *rule.requirements), rule.min_spf)))
    when = format_moment(entry.changes_at)
    if rule.kind is not RuleKind.ALLOWED_FROM:
        return f"Until {when}: {words}"
    if entry.changes_after_hours == 0:
        return f"Now: {words}"
    return f"From {when}: {words}"


def describe_plan(protocol: Protocol, result: Plan) -> str:
    """The whole plan as text: grouped as patients think, then what changes each day."""
    lines = [
        f"Aftercare plan: treatment ended {format_moment(result.treated_at)} "
        f"({_zone_name(result.treated_at)})",
        f"Protocol {result.protocol_id}, version {result.protocol_version}",
    ]
    for group in result.groups:
        if group.entries:
            lines += ["", group.label.upper()]
            lines += [f"  - {describe_entry(protocol, entry)}" for entry in group.entries]
    lines += ["", "WHAT CHANGES WHEN"]
    for change in result.changes:
        lines.append(f"  Day {change.day}, {format_moment(change.at)}:")
        allowed = _labels(protocol, [e for e in change.entries if e.kind is not RuleKind.DO])
        ended = _labels(protocol, [e for e in change.entries if e.kind is RuleKind.DO])
        if allowed:
            lines.append(f"    allowed from now: {allowed}")
        if ended:
            lines.append(f"    the daily routine ends for: {ended}")
    return "\n".join(lines)


def _labels(protocol: Protocol, entries: list[PlanEntry]) -> str:
    activities = protocol.index.activities
    return ", ".join(activities[a].label for entry in entries for a in entry.rule.activities)


def describe_check(protocol: Protocol, result: CheckResult) -> str:
    """The answer to "can I …?", for a person: the verdict, when, and why."""
    rule = result.rule
    lines = [f"{result.label}: {_VERDICT_WORDS[result.verdict]}"]
    when = moment_phrase(result.allowed_from_hours, result.allowed_from)
    if result.hours_after < result.allowed_from_hours:
        lines.append(f"From {when}.")
    elif result.verdict is Verdict.ALLOWED and result.allowed_from_hours > 0:
        lines.append(f"Allowed since {when}.")
    if result.verdict is Verdict.REQUIRED and rule.required_until_hours is not None:
        until = moment_phrase(rule.required_until_hours, result.required_until)
        lines.append(f"Keep this up until at least {until}.")
    if result.blocking_condition is not None and rule.gate is not None:
        lines.append(protocol.index.skin_states[rule.gate].blocking_text)
    if result.verdict is not Verdict.ALLOWED or rule.kind is not RuleKind.AVOID:
        lines.append(rule.text)
    lines += _conditions(protocol, result.requirements, result.min_spf)
    if result.verdict is not Verdict.ALLOWED:
        lines.append(f"Why: {rule.reason}")
    if result.note:
        lines.append(f"Note: the leaflets differ here; {_lower_first(result.note)}")
    return "\n".join(lines)


_VERDICT_WORDS = {
    Verdict.ALLOWED: "yes.",
    Verdict.NOT_YET: "not yet.",
    Verdict.REQUIRED: "yes, and you need to: every day for now.",
}


def _conditions(protocol: Protocol, ids: tuple[str, ...], min_spf: int | None) -> list[str]:
    """Skin-state gates ("Only once the redness has gone."), SPF, then requirements."""
    index = protocol.index
    words = [f"Only {index.skin_states[i].text}." for i in ids if i in index.skin_states]
    if min_spf is not None:
        words.append(f"SPF {min_spf} or higher.")
    words += [index.requirements[i].text for i in ids if i in index.requirements]
    return words


def _zone_name(moment: datetime) -> str:
    return str(getattr(moment.tzinfo, "key", moment.tzname()))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
