"""Cross-reference checks: every id a protocol names must exist, once, where it should."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from aftercare.protocols.document import format_path
from aftercare.protocols.factor_references import factor_issues
from aftercare.protocols.index import normalise_name
from aftercare.protocols.schema import (
    Activity,
    Area,
    Citation,
    Cited,
    Protocol,
    RuleKind,
    Symptom,
    Trigger,
)

__all__ = ["reference_issues"]

Loc = tuple[int | str, ...]
Issue = tuple[Loc, str, str]
Named = Activity | Symptom | Area


def reference_issues(protocol: Protocol) -> list[Issue]:
    """Every broken reference in ``protocol``, as (location, path, message)."""
    checks = (
        _unique_ids,
        _aftercare_references,
        _activities_covered_once,
        _names_unambiguous,
        _modifier_references,
        factor_issues,
        _screening_references,
        _reminder_references,
        _asking_references,
        _citations,
    )
    return [
        (loc, format_path(loc), message) for check in checks for loc, message in check(protocol)
    ]


def _unique_ids(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    sections: dict[str, Iterable[tuple[Loc, str]]] = {
        "areas": ((("areas", i), a.id) for i, a in enumerate(protocol.areas)),
        "activities": ((("activities", i), a.id) for i, a in enumerate(protocol.activities)),
        "symptoms": ((("symptoms", i), s.id) for i, s in enumerate(protocol.symptoms)),
        "modifiers": ((("modifiers", i), m.id) for i, m in enumerate(protocol.modifiers)),
        "skin_states": ((("skin_states", i), s.id) for i, s in enumerate(protocol.skin_states)),
        "requirements": ((("requirements", i), r.id) for i, r in enumerate(protocol.requirements)),
        "timeline_groups": (
            (("timeline_groups", i), g.id) for i, g in enumerate(protocol.timeline_groups)
        ),
        "rules": _rule_ids(protocol),
        "questions": (
            (("screening", "questions", i), q.id)
            for i, q in enumerate(protocol.screening.questions)
        ),
        "cautions": (
            (("screening", "cautions", i), c.id) for i, c in enumerate(protocol.screening.cautions)
        ),
        "rechecks": (
            (("screening", "rechecks", i), r.id) for i, r in enumerate(protocol.screening.rechecks)
        ),
        "conflicts": ((("conflicts", i), c.id) for i, c in enumerate(protocol.conflicts)),
        "leaflets": (
            (("leaflets", i), leaflet.file) for i, leaflet in enumerate(protocol.leaflets)
        ),
    }
    for entries in sections.values():
        seen: set[str] = set()
        for loc, entry_id in entries:
            if entry_id in seen:
                yield (*loc, "id"), f"'{entry_id}' is defined more than once"
            seen.add(entry_id)


def _rule_ids(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    yield from ((("aftercare", i), rule.id) for i, rule in enumerate(protocol.aftercare))
    yield from (
        (("screening", "rules", i), rule.id) for i, rule in enumerate(protocol.screening.rules)
    )
    yield from ((("information", i), item.id) for i, item in enumerate(protocol.information))
    yield from ((("reminders", i), item.id) for i, item in enumerate(protocol.reminders))


def _aftercare_references(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    activities = {activity.id for activity in protocol.activities}
    states = {state.id for state in protocol.skin_states}
    requirements = {requirement.id for requirement in protocol.requirements}
    for i, rule in enumerate(protocol.aftercare):
        for j, activity in enumerate(rule.activities):
            if activity not in activities:
                yield ("aftercare", i, "activities", j), f"unknown activity '{activity}'"
        if rule.gate is not None and rule.gate not in states:
            yield ("aftercare", i, "gate"), f"unknown skin state '{rule.gate}'"
        for j, requirement in enumerate(rule.requirements):
            if requirement not in requirements:
                yield ("aftercare", i, "requirements", j), f"unknown requirement '{requirement}'"
    if protocol.default_area not in {area.id for area in protocol.areas}:
        yield ("default_area",), f"unknown area '{protocol.default_area}'"


def _activities_covered_once(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    counts = Counter(activity for rule in protocol.aftercare for activity in rule.activities)
    for i, activity in enumerate(protocol.activities):
        if counts[activity.id] != 1:
            yield (
                ("activities", i, "id"),
                f"activity '{activity.id}' is named by {counts[activity.id]} aftercare rules; "
                "it needs exactly one",
            )


def _names_unambiguous(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    """An alias that people type must lead to one activity (or symptom, or area) only."""
    groups: tuple[tuple[str, tuple[Named, ...]], ...] = (
        ("activities", protocol.activities),
        ("symptoms", protocol.symptoms),
        ("areas", protocol.areas),
    )
    for section, entries in groups:
        owner: dict[str, str] = {}
        for i, entry in enumerate(entries):
            for name in (entry.id, entry.label, *entry.aliases):
                key = normalise_name(name)
                if owner.setdefault(key, entry.id) != entry.id:
                    yield (
                        (section, i, "aliases"),
                        f"'{name}' already names '{owner[key]}'",
                    )


def _modifier_references(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    areas = {area.id for area in protocol.areas}
    modifiers = {modifier.id for modifier in protocol.modifiers}
    for i, modifier in enumerate(protocol.modifiers):
        if modifier.area is not None and modifier.area not in areas:
            yield ("modifiers", i, "area"), f"unknown area '{modifier.area}'"
    for i, symptom in enumerate(protocol.symptoms):
        for j, modifier_id in enumerate(symptom.expected.widened_by if symptom.expected else ()):
            if modifier_id not in modifiers:
                yield (
                    ("symptoms", i, "expected", "widened_by", j),
                    f"unknown modifier '{modifier_id}'",
                )


def _screening_references(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    screening = protocol.screening
    questions = {question.id: question for question in screening.questions}
    cautions = {caution.id for caution in screening.cautions}
    rechecks = {recheck.id for recheck in screening.rechecks}
    for i, rule in enumerate(screening.rules):
        loc: Loc = ("screening", "rules", i)
        question = questions.get(rule.trigger.question)
        if question is None:
            yield (*loc, "trigger", "question"), f"unknown question '{rule.trigger.question}'"
        else:
            problem = _trigger_problem(rule.trigger, question.kind, question.choices)
            if problem:
                yield (*loc, "trigger"), problem
        if rule.recheck is not None and rule.recheck not in rechecks:
            yield (*loc, "recheck"), f"unknown recheck '{rule.recheck}'"
        for j, caution in enumerate(rule.cautions):
            if caution not in cautions:
                yield (*loc, "cautions", j), f"unknown caution '{caution}'"


def _reminder_references(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    """One reminder of each kind; a sunscreen reminder names the 'do' rule that sets its SPF."""
    rules = {rule.id: rule for rule in protocol.aftercare}
    kinds: set[str] = set()
    for i, item in enumerate(protocol.reminders):
        if item.kind in kinds:
            yield ("reminders", i, "kind"), f"there is already a '{item.kind}' reminder"
        kinds.add(item.kind)
        if item.rule is None:
            continue
        rule = rules.get(item.rule)
        if rule is None:
            yield ("reminders", i, "rule"), f"unknown aftercare rule '{item.rule}'"
        elif rule.kind is not RuleKind.DO or rule.min_spf is None:
            yield ("reminders", i, "rule"), f"'{item.rule}' is not a 'do' rule with a min_spf"


def _asking_references(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    """Ask-back entries name known activities; a topic is not also an activity; and no
    name, once folded as questions are, leads to two different things."""
    asking = protocol.asking
    vocabulary = protocol.index.vocabulary
    if asking is None or vocabulary is None:
        return
    activities = {activity.id for activity in protocol.activities}
    for i, entry in enumerate(asking.ask_back):
        for j, activity in enumerate(entry.activities):
            if activity not in activities:
                yield ("asking", "ask_back", i, "activities", j), f"unknown activity '{activity}'"
    for i, topic in enumerate(asking.topics):
        if topic.id in activities:
            yield ("asking", "topics", i, "id"), f"'{topic.id}' is already an activity"
    for name, first, second in vocabulary.clashes:
        yield (
            ("asking",),
            f"'{name}' reads as {first.kind} '{first.id}' and as {second.kind} '{second.id}'",
        )


def _trigger_problem(trigger: Trigger, kind: str, choices: tuple[str, ...]) -> str | None:
    fits = {
        "yes_no": isinstance(trigger.equals, bool),
        "date": trigger.within_days is not None,
        "date_or_current": trigger.within_days is not None or trigger.equals == "current",
        "choice": (isinstance(trigger.equals, str) and trigger.equals in choices)
        or (bool(trigger.one_of) and set(trigger.one_of) <= set(choices)),
        "text": trigger.answered,
    }
    return None if fits[kind] else f"this test does not fit a '{kind}' question"


def _cited_items(protocol: Protocol) -> Iterator[tuple[Loc, Cited]]:
    yield from ((("modifiers", i), item) for i, item in enumerate(protocol.modifiers))
    yield from ((("aftercare", i), item) for i, item in enumerate(protocol.aftercare))
    yield from ((("symptoms", i), item) for i, item in enumerate(protocol.symptoms))
    yield ("triage",), protocol.triage
    yield from (
        (("screening", "rules", i), item) for i, item in enumerate(protocol.screening.rules)
    )
    yield ("course",), protocol.course
    yield from ((("information", i), item) for i, item in enumerate(protocol.information))
    yield from ((("reminders", i), item) for i, item in enumerate(protocol.reminders))
    topics = protocol.asking.topics if protocol.asking else ()
    yield from ((("asking", "topics", i), item) for i, item in enumerate(topics))


def _citations(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    leaflets = {leaflet.file for leaflet in protocol.leaflets}
    conflicts = {conflict.id for conflict in protocol.conflicts}
    cited: set[str] = set()
    for loc, item in _cited_items(protocol):
        yield from _citation_problems(loc, item.sources, leaflets)
        cited.update(source.leaflet for source in item.sources if source.leaflet)
        if item.reconciliation and item.reconciliation.conflict not in conflicts:
            conflict_id = item.reconciliation.conflict
            yield (*loc, "reconciliation", "conflict"), f"unknown conflict '{conflict_id}'"
    for i, conflict in enumerate(protocol.conflicts):
        for j, statement in enumerate(conflict.statements):
            if statement.leaflet is not None and statement.leaflet not in leaflets:
                yield ("conflicts", i, "statements", j), f"unknown leaflet '{statement.leaflet}'"
    for i, leaflet in enumerate(protocol.leaflets):
        if leaflet.file not in cited:
            yield ("leaflets", i), f"leaflet '{leaflet.file}' is listed but never cited"


def _citation_problems(
    loc: Loc, sources: tuple[Citation, ...], leaflets: set[str]
) -> Iterator[tuple[Loc, str]]:
    for j, source in enumerate(sources):
        if source.leaflet is not None and source.leaflet not in leaflets:
            yield (*loc, "sources", j, "leaflet"), f"unknown leaflet '{source.leaflet}'"
