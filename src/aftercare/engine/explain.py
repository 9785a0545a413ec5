"""Render engine results for people: the one place patient-facing words are built.

The clinical words come from the protocol; the words that place them ("day 14", "Until
Sat 5 Dec, 10:30: …", weekday and month names) come from the phrase table of the
protocol's language (``protocols/phrases/<language>.yaml``). This module only fills them
in from the engine's results, so the wording can never drift from the windows the engine
computed, and pages, the leaflet, the calendar, the API and the CLI only lay it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from aftercare.engine.check import CheckResult, Verdict
from aftercare.engine.errors import InputError
from aftercare.engine.headings import (
    allowed_heading,
    change_heading,
    ended_sentence,
    every_day_until,
    plan_intro,
    protocol_line,
    routine_ends_heading,
    why_line,
    zone_name,
)
from aftercare.engine.moments import (
    after_treatment,
    day_heading,
    day_phrase,
    duration_phrase,
    format_clock,
    format_day,
    format_moment,
    format_short_day,
    hours_phrase,
    moment_phrase,
    repeated_time_note,
    treated_on,
)
from aftercare.protocols.phrasebook import phrases_for
from aftercare.protocols.schema import ActivityRule, Protocol, RuleKind

# Only named in annotations (and AskOutcome inside ask_sentence): explaining a check need
# not load question reading, the course planner and the timeline.
if TYPE_CHECKING:
    from aftercare.engine.ask import AskResult
    from aftercare.engine.course import Verdict as SessionVerdict
    from aftercare.engine.timeline import Plan, PlanEntry

__all__ = [
    "after_treatment",
    "allowed_heading",
    "ask_sentence",
    "calendar_name",
    "calendar_title",
    "change_heading",
    "course_terms",
    "day_heading",
    "day_phrase",
    "describe_ask",
    "describe_check",
    "describe_entry",
    "describe_plan",
    "describe_rule",
    "duration_phrase",
    "ended_sentence",
    "entry_labels",
    "entry_with_reason",
    "entry_words",
    "every_day_until",
    "format_clock",
    "format_day",
    "format_moment",
    "format_short_day",
    "headline",
    "hours_phrase",
    "later_than_usual",
    "lower_first",
    "moment_phrase",
    "offset_phrase",
    "plan_intro",
    "protocol_line",
    "repeated_time_note",
    "routine_ends_heading",
    "session_verdict",
    "treated_on",
    "why_line",
]


def offset_phrase(protocol: Protocol, rule: ActivityRule) -> str:
    """When a rule applies, in hours after any treatment: 'For the first 14 days (336
    hours)', 'From 3 days (72 hours) after treatment', 'Always'."""
    language = protocol.language
    offsets = phrases_for(language).offsets
    start = duration_phrase(rule.allowed_from_hours, language)
    if rule.kind is RuleKind.NEVER:
        return offsets.never
    if rule.kind is RuleKind.AVOID:
        return offsets.avoid.format(duration=start)
    if rule.kind is RuleKind.ALLOWED_FROM:
        if rule.allowed_from_hours == 0:
            return offsets.allowed_now
        return offsets.allowed_from.format(duration=start)
    until = duration_phrase(rule.required_until_hours or 0, language)
    if rule.allowed_from_hours == 0:
        return offsets.do_from_start.format(until=until)
    return offsets.do.format(duration=start, until=until)


def describe_rule(protocol: Protocol, rule: ActivityRule) -> str:
    """A rule as the clinic's leaflet lists it, in hours after any treatment: 'For the
    first 14 days (336 hours): <the protocol's words> Only once … SPF 50 or higher.'"""
    index = protocol.index
    gate = (rule.gate,) if rule.gate else ()
    needs = tuple(i for i in rule.requirements if i in index.requirements)
    words = " ".join((rule.text, *_conditions(protocol, (*gate, *needs), rule.min_spf)))
    entry = phrases_for(protocol.language).entry
    if rule.then_text:
        words = entry.after_that.format(words=words, then=rule.then_text)
    return entry.starts.format(start=offset_phrase(protocol, rule), words=words)


def entry_words(protocol: Protocol, entry: PlanEntry) -> str:
    """The protocol's words for a plan entry, with its conditions, without its time; a
    routine kept up as a habit says what to keep doing after its window."""
    rule = entry.rule
    gate = (rule.gate,) if rule.gate else ()
    words = " ".join((rule.text, *_conditions(protocol, (*gate, *rule.requirements), rule.min_spf)))
    if rule.then_text:
        return phrases_for(protocol.language).entry.after_that.format(
            words=words, then=rule.then_text
        )
    return words


def describe_entry(protocol: Protocol, entry: PlanEntry) -> str:
    """One line of the timeline: when it changes, then the protocol's own words.

    A skin-state gate goes with the moment ("From Sun 22 Nov, 10:30, once the redness has
    gone …"), so that no line reads as a bare yes; a 'never' rule is "Always", never "Until";
    a routine kept up as a habit says what to keep doing after its window."""
    rule, phrases = entry.rule, phrases_for(protocol.language).entry
    allowed_from = rule.kind is RuleKind.ALLOWED_FROM
    gate = (rule.gate,) if rule.gate and not allowed_from else ()
    words = " ".join((rule.text, *_conditions(protocol, (*gate, *rule.requirements), rule.min_spf)))
    if rule.is_never:
        return phrases.always.format(words=words)
    when = format_moment(entry.changes_at, protocol.language)
    if not allowed_from:
        if rule.then_text:
            words = phrases.after_that.format(words=words, then=rule.then_text)
        return phrases.until.format(moment=when, words=words)
    start = phrases.now if entry.changes_after_hours == 0 else phrases.from_.format(moment=when)
    if rule.gate:
        gate_words = protocol.index.skin_states[rule.gate].text
        start = phrases.with_gate.format(start=start, gate=gate_words)
    return phrases.starts.format(start=start, words=words)


def entry_with_reason(protocol: Protocol, entry: PlanEntry) -> str:
    """The timeline line, then 'Why: <the protocol's reason>' on a line of its own."""
    return f"{describe_entry(protocol, entry)}\n{why_line(protocol, entry.rule.reason)}"


def entry_labels(protocol: Protocol, entry: PlanEntry) -> list[str]:
    """The activities an entry allows, each with the skin-state gate that still holds it
    back: 'Makeup (once the redness has gone and the skin has settled)'."""
    rule, activities = entry.rule, protocol.index.activities
    if not rule.gate:
        return [activities[a].label for a in rule.activities]
    gate, with_gate = protocol.index.skin_states[rule.gate].text, phrases_for(protocol.language)
    return [
        with_gate.entry.label_with_gate.format(label=activities[a].label, gate=gate)
        for a in rule.activities
    ]


def describe_plan(protocol: Protocol, result: Plan) -> str:
    """The whole plan as text: grouped as patients think, then what changes each day."""
    language = protocol.language
    words = phrases_for(language).plan
    lines = [
        words.title.format(
            moment=format_moment(result.treated_at, language), zone=zone_name(result.treated_at)
        ),
        protocol_line(protocol, result.protocol_id, result.protocol_version),
    ]
    for group in result.groups:
        if group.entries:
            lines += ["", group.label.upper()]
            lines += [f"  - {describe_entry(protocol, entry)}" for entry in group.entries]
    lines += ["", words.changes]
    for change in result.changes:
        lines.append(f"  {change_heading(protocol, change)}:")
        allowed = [e for e in change.entries if e.kind is not RuleKind.DO]
        routines = [e for e in change.entries if e.kind is RuleKind.DO]
        if allowed:
            labels = ", ".join(label for e in allowed for label in entry_labels(protocol, e))
            lines.append(f"    {words.allowed.format(labels=labels)}")
        if ended := [e for e in routines if not e.rule.then_text]:
            labels = ", ".join(label for e in ended for label in entry_labels(protocol, e))
            lines.append(f"    {words.routine_ends.format(labels=labels)}")
        lines += [f"    {e.rule.then_text}" for e in routines if e.rule.then_text]
    return "\n".join(lines)


def describe_check(protocol: Protocol, result: CheckResult) -> str:
    """The answer to "can I …?", for a person: the verdict, when, and why."""
    rule, verdict, language = result.rule, result.verdict, protocol.language
    words = phrases_for(language).check
    lines = [words.headline.format(subject=result.label, verdict=_verdict_words(protocol, result))]
    start = result.allowed_from_hours
    if start is not None:
        when = moment_phrase(start, result.allowed_from, language)
        if result.hours_after < start:
            lines.append(words.from_.format(when=when))
        elif verdict in _YES and start > 0:
            lines.append(words.since.format(when=when))
    if verdict is Verdict.REQUIRED and rule.required_until_hours is not None:
        until = moment_phrase(rule.required_until_hours, result.required_until, language)
        lines.append(words.keep_until.format(when=until))
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
        lines.append(words.why.format(reason=rule.reason))
    if result.note:
        lines.append(words.leaflets_differ.format(note=lower_first(result.note)))
    return "\n".join(lines)


def headline(protocol: Protocol, result: CheckResult, subject: str | None = None) -> str:
    """The answer to "can I …?" in one line: 'Sauna: not yet, from Sat 5 Dec, 10:30 (day 3).'
    when it is not yet time, 'Makeup: yes. <why the skin holds it back>' when a skin-state
    gate blocks it, else 'Sauna: yes.'; ``subject`` names it otherwise ('Sauna on …')."""
    words = phrases_for(protocol.language).check
    subject = result.label if subject is None else subject
    verdict = _verdict_words(protocol, result)
    start = result.allowed_from_hours
    if start is not None and result.hours_after < start:
        when = moment_phrase(start, result.allowed_from, protocol.language)
        return words.headline_from.format(subject=subject, verdict=verdict, when=when)
    if result.blocking_condition is not None and result.rule.gate is not None:
        blocking = protocol.index.skin_states[result.rule.gate].blocking_text
        return words.headline_blocked.format(subject=subject, verdict=verdict, blocking=blocking)
    return words.headline.format(subject=subject, verdict=verdict)


_YES = frozenset({Verdict.ALLOWED, Verdict.ALLOWED_IF})


def _verdict_words(protocol: Protocol, result: CheckResult) -> str:
    """'yes', 'not yet', or 'yes, once the redness has gone …' for a gate not yet known."""
    phrases = phrases_for(protocol.language)
    words = str(getattr(phrases.verdicts, result.verdict.value))
    if result.gate is not None:
        gate = protocol.index.skin_states[result.gate].text
        return phrases.check.verdict_with_gate.format(verdict=words, gate=gate)
    return words


def _conditions(protocol: Protocol, ids: tuple[str, ...], min_spf: int | None) -> list[str]:
    """Skin-state gates ("Only once the redness has gone."), SPF, then requirements."""
    index, phrases = protocol.index, phrases_for(protocol.language).entry
    words = [
        phrases.only_when.format(gate=index.skin_states[i].text)
        for i in ids
        if i in index.skin_states
    ]
    if min_spf is not None:
        words.append(phrases.min_spf.format(spf=min_spf))
    words += [index.requirements[i].text for i in ids if i in index.requirements]
    return words


def calendar_title(protocol: Protocol, day: date, labels: Sequence[str], more: int = 0) -> str:
    """What a moment allows, as a calendar event's title: 'From Sat 21 Nov: sauna; steam
    room; and 3 more' (``more``: how many labels the title leaves to the description)."""
    words = phrases_for(protocol.language).calendar
    items = [lower_first(label) for label in labels]
    if more:
        items.append(words.more.format(count=more))
    shown_day = format_short_day(day, protocol.language)
    return words.from_.format(day=shown_day, items=words.item_separator.join(items))


def calendar_name(protocol: Protocol, patient_name: str) -> str:
    """'Aftercare for Jane Smith', or 'Aftercare' without a name."""
    words = phrases_for(protocol.language).calendar
    return words.name.format(name=patient_name) if patient_name else words.unnamed


def session_verdict(protocol: Protocol, verdict: SessionVerdict) -> str:
    """Where today stands in the window for the next session: 'Too early today.'"""
    return str(getattr(phrases_for(protocol.language).course, verdict.value))


def later_than_usual(protocol: Protocol, day: str) -> str:
    """'Sat 5 Dec 2026 (later than usual)': a session after the protocol's longest gap."""
    return phrases_for(protocol.language).course.later_than_usual.format(day=day)


def course_terms(protocol: Protocol) -> str:
    """'A course is 3 to 6 sessions (usually 3), 28 to 42 days apart; then maintenance
    every 6 to 12 months.': the protocol's course in numbers."""
    course = protocol.course
    return phrases_for(protocol.language).course.terms.format(
        min_sessions=course.min_sessions,
        max_sessions=course.max_sessions,
        default_sessions=course.default_sessions,
        min_gap_days=course.min_gap_days,
        max_gap_days=course.max_gap_days,
        maintenance_min_months=course.maintenance_min_months,
        maintenance_max_months=course.maintenance_max_months,
    )


def lower_first(text: str) -> str:
    """'Sauna' → 'sauna', but 'IPL hair removal' stays as written."""
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def ask_sentence(protocol: Protocol, result: AskResult) -> str:
    """The answer to a typed question in one sentence, the one a patient reads first."""
    from aftercare.engine.ask import AskOutcome  # see the note on the imports above

    if protocol.asking is None:
        raise InputError("this protocol has no 'asking' section, so it cannot read questions")
    phrases = protocol.asking.phrases
    if result.outcome is AskOutcome.URGENT:
        symptoms = protocol.index.symptoms
        labels = [lower_first(symptoms[flag].label) for flag in result.red_flags]
        and_word = phrases_for(protocol.language).check.and_word
        return phrases.urgent.format(symptoms=_either(labels, and_word))
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
    if result.asked_for is None:
        return headline(protocol, found)
    moment = format_moment(result.asked_for, protocol.language)
    on = phrases_for(protocol.language).check.subject_on
    return headline(protocol, found, on.format(subject=found.label, moment=moment))


def _label(protocol: Protocol, item: str) -> str:
    if item in protocol.index.activities:
        return protocol.index.activities[item].label
    return protocol.index.topics[item].label


def _either(labels: list[str], joiner: str) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {joiner} {labels[-1]}"
