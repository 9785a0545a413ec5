"""Triage a symptom check-in: expected, contact the clinic, contact the clinic now, or
call 999 now.

Each symptom is judged on its own against its expected window (widened by the
patient's factors), its trend and its severity; the report takes the most urgent
level of its symptoms (C11, C12, C15). What the patient writes is always read: the
symptoms its red-flag phrases report are judged as if ticked, and text that matches
none is passed to a person at the protocol's free-text level. The wording comes from
the protocol.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from aftercare.engine.errors import InputError
from aftercare.engine.model import Factors, active_modifiers
from aftercare.engine.names import resolve
from aftercare.engine.red_flags import match_red_flags, visible_words
from aftercare.protocols.schema import Citation, Level, Protocol, Symptom

__all__ = [
    "FREE_TEXT",
    "Basis",
    "Severity",
    "SymptomReport",
    "SymptomResult",
    "Trend",
    "TriageResult",
    "distinct_reports",
    "symptom_report",
    "triage",
]


class Trend(StrEnum):
    IMPROVING = "improving"
    STABLE = "stable"
    WORSENING = "worsening"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Basis(StrEnum):
    """What decided a symptom's level; names the reason text the protocol gives for it."""

    EXPECTED = "expected"
    BEYOND = "beyond"
    WORSENING = "worsening"
    SEVERE = "severe"
    UNMATCHED_TEXT = "unmatched_text"


# The id of the result that stands for free text no phrase matched; never a symptom id.
FREE_TEXT = "free_text"


@dataclass(frozen=True, slots=True)
class SymptomReport:
    """One symptom as the patient reports it; ``symptom`` is a canonical symptom id."""

    symptom: str
    trend: Trend | None = None
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class SymptomResult:
    symptom: str
    label: str
    level: Level
    basis: Basis
    reason: str
    expected_until_hours: int | None
    widened_by: tuple[str, ...]
    advice: str | None
    sources: tuple[Citation, ...]
    # The phrase of the patient's free text that reported it; None when it was ticked.
    found_in_text: str | None = None


@dataclass(frozen=True, slots=True)
class TriageResult:
    level: Level
    hours_after: float
    symptoms: tuple[SymptomResult, ...]
    advice: str
    sources: tuple[Citation, ...]


NO_FACTORS = Factors()


@dataclass(frozen=True, slots=True)
class _Treated:
    """What of the patient's treatment a window depends on."""

    modifiers: frozenset[str]
    areas: frozenset[str]


def symptom_report(
    protocol: Protocol,
    name: str,
    trend: Trend | None = None,
    severity: Severity | None = None,
) -> SymptomReport:
    """A report for the symptom that ``name`` stands for ("red skin", "puffy")."""
    symptom = resolve("symptom", name, protocol.index.symptom_names)
    return SymptomReport(symptom, trend, severity)


def distinct_reports(reports: Iterable[SymptomReport]) -> list[SymptomReport]:
    """One report per symptom, in the order first reported, each the last report of it:
    for people who name a symptom twice ("red skin", "redness")."""
    return list({report.symptom: report for report in reports}.values())


def triage(
    protocol: Protocol,
    reports: Sequence[SymptomReport],
    hours_after: float,
    factors: Factors = NO_FACTORS,
    text: str = "",
) -> TriageResult:
    """Triage the reported symptoms and the patient's free ``text``, ``hours_after`` the
    end of treatment."""
    _check_input(reports, text, hours_after)
    treated = _Treated(
        active_modifiers(protocol, factors), factors.areas or frozenset({protocol.default_area})
    )
    symptoms = protocol.index.symptoms
    results = [
        _judge(_symptom(symptoms, report.symptom), report, hours_after, treated)
        for report in reports
    ]
    results += _read(protocol, text, {report.symptom for report in reports}, hours_after, treated)
    level = max((result.level for result in results), key=_rank)
    return TriageResult(
        level=level,
        hours_after=hours_after,
        symptoms=tuple(results),
        advice=_advice(protocol, level, results),
        sources=_sources(protocol, level, results),
    )


def _check_input(reports: Sequence[SymptomReport], text: str, hours_after: float) -> None:
    if not reports and not visible_words(text):
        raise InputError("report at least one symptom, or write what you notice")
    if not math.isfinite(hours_after):
        raise InputError("hours after treatment must be a number")
    if hours_after < 0:
        raise InputError("hours after treatment cannot be negative")


def _read(
    protocol: Protocol,
    text: str,
    reported: set[str],
    hours_after: float,
    treated: _Treated,
) -> list[SymptomResult]:
    """The symptoms ``text`` reports that were not ticked, judged as if ticked; or, when it
    has words but matches no phrase, the free-text result a person reads."""
    if not visible_words(text):
        return []
    matches = match_red_flags(protocol, text)
    if not matches:
        return [_unmatched(protocol)]
    symptoms = protocol.index.symptoms
    return [
        replace(
            _judge(symptoms[match.symptom], SymptomReport(match.symptom), hours_after, treated),
            found_in_text=match.phrase,
        )
        for match in matches
        if match.symptom not in reported
    ]


def _unmatched(protocol: Protocol) -> SymptomResult:
    free_text = protocol.triage.free_text
    return SymptomResult(
        symptom=FREE_TEXT,
        label=free_text.label,
        level=free_text.level,
        basis=Basis.UNMATCHED_TEXT,
        reason=free_text.reason,
        expected_until_hours=None,
        widened_by=(),
        advice=free_text.reason,
        sources=protocol.triage.sources,
    )


def _symptom(symptoms: dict[str, Symptom], symptom_id: str) -> Symptom:
    symptom = symptoms.get(symptom_id)
    if symptom is None:
        raise InputError(f"unknown symptom id '{symptom_id}'")
    return symptom


def _judge(
    symptom: Symptom, report: SymptomReport, hours_after: float, treated: _Treated
) -> SymptomResult:
    until, widened_by = _window(symptom, treated)
    if until is None or hours_after >= until:
        level, basis = symptom.level, Basis.BEYOND
    else:
        level, basis = Level.EXPECTED, Basis.EXPECTED
    if report.trend is Trend.WORSENING:
        level, basis = _escalate(level, basis, symptom.if_worsening, Basis.WORSENING)
    if report.severity is Severity.SEVERE:
        level, basis = _escalate(level, basis, symptom.if_severe, Basis.SEVERE)
    return SymptomResult(
        symptom=symptom.id,
        label=symptom.label,
        level=level,
        basis=basis,
        reason=_reason(symptom, basis),
        expected_until_hours=until,
        widened_by=widened_by,
        advice=symptom.advice,
        sources=symptom.sources,
    )


def _window(symptom: Symptom, treated: _Treated) -> tuple[int | None, tuple[str, ...]]:
    """Until when the symptom is expected (None for a red flag), and what widened it.

    A widening never goes past what a leaflet states for the symptom in a treated area
    (its ``area_limits``): around the eyes, bruising lasts the days that leaflet gives.
    """
    expected = symptom.expected
    if expected is None:
        return None, ()
    widened_by = tuple(m for m in expected.widened_by if m in treated.modifiers)
    until = expected.widened_hours if widened_by and expected.widened_hours else expected.hours
    limits = [hours for area, hours in expected.area_limits.items() if area in treated.areas]
    if limits and min(limits) < until:
        return max(expected.hours, min(limits)), ()
    return until, widened_by if until > expected.hours else ()


def _escalate(level: Level, basis: Basis, to: Level | None, because: Basis) -> tuple[Level, Basis]:
    """Raise the level when ``to`` is more urgent; the escalation then decides the reason."""
    if to is not None and to.rank > level.rank:
        return to, because
    return level, basis


def _reason(symptom: Symptom, basis: Basis) -> str:
    # Basis values name fields of SymptomReasons; a missing text falls back to 'beyond'.
    text: str | None = getattr(symptom.reasons, basis.value, None)
    return text or symptom.reasons.beyond


def _rank(level: Level) -> int:
    return level.rank


def _advice(protocol: Protocol, level: Level, results: Iterable[SymptomResult]) -> str:
    """The level's advice; below 'contact now', each symptom's own self-care advice too.

    An urgent message is left on its own so that nothing dilutes it.
    """
    advice = protocol.triage.advice[level]
    if level.is_urgent:
        return advice
    extra = dict.fromkeys(result.advice for result in results if result.advice)
    return " ".join((advice, *extra))


def _sources(
    protocol: Protocol, level: Level, results: Iterable[SymptomResult]
) -> tuple[Citation, ...]:
    """The triage sources and those of the symptoms that set the report's level."""
    unique: dict[tuple[str | None, ...], Citation] = {}
    for sources in (protocol.triage.sources, *(r.sources for r in results if r.level is level)):
        for source in sources:
            # A plain key: hashing the models themselves costs several times more.
            key = (source.leaflet, source.quote, source.literature, source.note)
            unique.setdefault(key, source)
    return tuple(unique.values())
