"""Render engine results for people, in UK English.

The words come from the protocol; this module only places them and renders times
("Sat 5 Dec, 10:30 (day 14)") and numbers ("SPF 50 or higher") from the data, so
the wording can never drift from the windows the engine computed.
"""

from __future__ import annotations

from datetime import datetime

from aftercare.engine.ask import AskOutcome, AskResult
from aftercare.engine.check import CheckResult, Verdict
from aftercare.engine.errors import InputError
from aftercare.engine.localtime import format_moment
from aftercare.engine.timeline import Plan, PlanEntry
from aftercare.protocols.schema import Protocol, RuleKind

__all__ = [
    "ask_sentence",
    "describe_ask",
    "describe_check",
    "describe_entry",
    "describe_plan",
    "entry_labels",
    "entry_words",
    "hours_phrase",
    "lower_first",
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


def entry_words(protocol: Protocol, entry: PlanEntry) -> str:
    """The protocol's words for a plan entry, with its conditions, without its time; a
    routine kept up as a habit says what to keep doing after its window."""
    rule = entry.rule
    gate = (rule.gate,) if rule.gate else ()
    words = " ".join((rule.text, *_conditions(protocol, (*gate, *rule.requirements), rule.min_spf)))
    return f"{words} After that: {rule.then_text}" if rule.then_text else words


def describe_entry(protocol: Protocol, entry: PlanEntry) -> str:
    """One line of the timeline: when it changes, then the protocol's own words.

    A skin-state gate goes with the moment ("From Sun 22 Nov, 10:30, once the redness has
    gone …"), so that no line reads as a bare yes; a 'never' rule is "Always", never "Until";
    a routine kept up as a habit says what to keep doing after its window."""
    rule = entry.rule
    allowed_from = rule.kind is RuleKind.ALLOWED_FROM
    gate = (rule.gate,) if rule.gate and not allowed_from else ()
    words = " ".join((rule.text, *_conditions(protocol, (*gate, *rule.requirements), rule.min_spf)))
    if rule.is_never:
        return f"Always: {words}"
    when = format_moment(entry.changes_at)
    if not allowed_from:
        after = f" After that: {rule.then_text}" if rule.then_text else ""
        return f"Until {when}: {words}{after}"
    start = "Now" if entry.changes_after_hours == 0 else f"From {when}"
    if rule.gate:
        start = f"{start}, {protocol.index.skin_states[rule.gate].text}"
    return f"{start}: {words}"


def entry_labels(protocol: Protocol, entry: PlanEntry) -> list[str]:
    """The activities an entry allows, each with the skin-state gate that still holds it
    back: 'Makeup (once the redness has gone and the skin has settled)'."""
    rule = entry.rule
    gate = f" ({protocol.index.skin_states[rule.gate].text})" if rule.gate else ""
    return [f"{protocol.index.activities[a].label}{gate}" for a in rule.activities]


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
        allowed = [e for e in change.entries if e.kind is not RuleKind.DO]
        routines = [e for e in change.entries if e.kind is RuleKind.DO]
        if allowed:
            labels = ", ".join(label for e in allowed for label in entry_labels(protocol, e))
            lines.append(f"    allowed from now: {labels}")
        if ended := [e for e in routines if not e.rule.then_text]:
            labels = ", ".join(label for e in ended for label in entry_labels(protocol, e))
            lines.append(f"    the daily routine ends for: {labels}")
        lines += [f"    {e.rule.then_text}" for e in routines if e.rule.then_text]
    return "\n".join(lines)


def describe_check(protocol: Protocol, result: CheckResult) -> str:
    """The answer to "can I …?", for a person: the verdict, when, and why."""
    rule = result.rule
    verdict = result.verdict
    lines = [f"{result.label}: {_verdict_words(protocol, result)}."]
    start = result.allowed_from_hours
    if start is not None:
        when = moment_phrase(start, result.allowed_from)
        if result.hours_after < start:
            lines.append(f"From {when}.")
        elif verdict in _YES and start > 0:
            lines.append(f"Allowed since {when}.")
    if verdict is Verdict.REQUIRED and rule.required_until_hours is not None:
        until = moment_phrase(rule.required_until_hours, result.required_until)
        lines.append(f"Keep this up until at least {until}.")
    if result.blocking_condition is not None and rule.gate is not None:
        lines.append(protocol.index.skin_states[rule.gate].blocking_text)
    if verdict not in _YES or rule.kind is not RuleKind.AVOID:
        lines.append(rule.text)
    if rule.then_text and verdict is Verdict.ALLOWED:
        lines.append(rule.then_text)
    said = {result.gate} if result.gate else set()
    lines += _conditions(
        protocol, tuple(i for i in result.requirements if i not in said), result.min_spf
    )
    if verdict not in _YES:
        lines.append(f"Why: {rule.reason}")
    if result.note:
        lines.append(f"Note: the leaflets differ here; {lower_first(result.note)}")
    return "\n".join(lines)


_VERDICT_WORDS = {
    Verdict.ALLOWED: "yes",
    Verdict.ALLOWED_IF: "yes",
    Verdict.NOT_YET: "not yet",
    Verdict.REQUIRED: "yes, and you need to: every day for now",
    Verdict.NEVER: "no, this is never advised",
}
_YES = frozenset({Verdict.ALLOWED, Verdict.ALLOWED_IF})


def _verdict_words(protocol: Protocol, result: CheckResult) -> str:
    """'yes', 'not yet', or 'yes, once the redness has gone …' for a gate not yet known."""
    words = _VERDICT_WORDS[result.verdict]
    if result.gate is not None:
        return f"{words}, {protocol.index.skin_states[result.gate].text}"
    return words


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


def lower_first(text: str) -> str:
    """'Sauna' → 'sauna', but 'IPL hair removal' stays as written."""
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def ask_sentence(protocol: Protocol, result: AskResult) -> str:
    """The answer to a typed question in one sentence, the one a patient reads first."""
    if protocol.asking is None:
        raise InputError("this protocol has no 'asking' section, so it cannot read questions")
    phrases = protocol.asking.phrases
    if result.outcome is AskOutcome.URGENT:
        symptoms = protocol.index.symptoms
        labels = [lower_first(symptoms[flag].label) for flag in result.red_flags]
        return phrases.urgent.format(symptoms=_either(labels, "and"))
    if result.outcome is AskOutcome.TOPIC and result.topic is not None:
        return protocol.index.topics[result.topic].text
    if result.outcome is AskOutcome.ASK_BACK:
        if result.ask_back_text is not None:
            return result.ask_back_text
        labels = [f"“{_label(protocol, i)}”" for i in result.suggestions]
        return phrases.ask_back.format(options=_either(labels, phrases.or_word))
    if result.check is None:
        return phrases.not_understood.format(question=result.question.strip())
    return _check_sentence(protocol, result, result.check)


def describe_ask(protocol: Protocol, result: AskResult) -> str:
    """The answer for a person: the sentence first, then the reasons and the advice."""
    lines = [ask_sentence(protocol, result)]
    asking = protocol.asking
    if result.time_unplaced and result.time_words and asking is not None:
        lines.append(asking.phrases.time_unplaced.format(words=result.time_words))
    if result.urgent_level is not None:
        lines.append(protocol.triage.advice[result.urgent_level])
    if result.check is not None:
        details = describe_check(protocol, result.check).splitlines()[1:]
        said = lines[0].casefold()
        lines += [line for line in details if line.rstrip(".").casefold() not in said]
    return "\n".join(lines)


def _check_sentence(protocol: Protocol, result: AskResult, found: CheckResult) -> str:
    subject = found.label
    if result.asked_for is not None:
        subject = f"{subject} on {format_moment(result.asked_for)}"
    verdict = _verdict_words(protocol, found)
    start = found.allowed_from_hours
    if start is not None and found.hours_after < start:
        return f"{subject}: {verdict}, from {moment_phrase(start, found.allowed_from)}."
    if found.blocking_condition is not None and found.rule.gate is not None:
        return f"{subject}: {verdict}. {protocol.index.skin_states[found.rule.gate].blocking_text}"
    return f"{subject}: {verdict}."


def _label(protocol: Protocol, item: str) -> str:
    if item in protocol.index.activities:
        return protocol.index.activities[item].label
    return protocol.index.topics[item].label


def _either(labels: list[str], joiner: str) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {joiner} {labels[-1]}"
