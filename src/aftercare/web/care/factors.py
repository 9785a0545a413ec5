"""A treatment's factors as the clinic keeps them: read back, and started from screening.

A treatment row keeps its factors as JSON, by the protocol's factor ids (``needle_depth_mm``
for microneedling, ``peel_depth`` for a peel), with the patient's age on the day. What the
JSON holds is read through the protocol that recorded it, so a value the protocol does not
know, or no longer allows, is left out rather than trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aftercare.engine.model import Factors, factor_problem
from aftercare.protocols.schema import AGE_ID, Factor, FactorKind, FactorValue, Protocol

__all__ = [
    "decimal_places",
    "factor_words",
    "recorded_values",
    "screening_values",
    "stored_factors",
]


def recorded_values(protocol: Protocol, stored: object) -> dict[str, FactorValue]:
    """The values of ``protocol``'s factors in a treatment's stored JSON, each within its
    bounds; anything else in the JSON (the age it was recorded with) is left out."""
    if not isinstance(stored, Mapping):
        return {}
    values: dict[str, FactorValue] = {}
    for factor in protocol.recorded_factors:
        value = stored.get(factor.id)
        if value is not None and factor_problem(factor, value) is None:
            values[factor.id] = value
    return values


def stored_factors(factors: Factors) -> dict[str, Any]:
    """The JSON a treatment row keeps: the factors' values, and the age on the day."""
    return {**factors.values, AGE_ID: factors.age}


def screening_values(protocol: Protocol, answers: object) -> dict[str, FactorValue]:
    """The factors the screening answers fill in, by the protocol's ``from_screening``."""
    if not isinstance(answers, Mapping):
        return {}
    values: dict[str, FactorValue] = {}
    for factor in protocol.recorded_factors:
        if factor.from_screening is None:
            continue
        answer = answers.get(factor.from_screening)
        if factor.kind == FactorKind.YES_NO:
            values[factor.id] = answer is True
        elif isinstance(answer, str):
            mapped = factor.answers.get(answer, answer)
            if factor_problem(factor, mapped) is None:
                values[factor.id] = mapped
    return values


def factor_words(protocol: Protocol, values: Mapping[str, FactorValue]) -> list[str]:
    """What staff read for each recorded factor: "Needle depth 1.5 mm", "Sensitive skin",
    "Skin type (Fitzpatrick) IV"; a yes-or-no factor answered no says nothing."""
    words: list[str] = []
    for factor in protocol.recorded_factors:
        value = values.get(factor.id)
        if value is None or value is False:
            continue
        words.append(_words(factor, value))
    return words


def _words(factor: Factor, value: FactorValue) -> str:
    if factor.kind == FactorKind.YES_NO:
        return factor.label
    if factor.kind == FactorKind.CHOICE:
        return f"{factor.label} {factor.option_label(value) or value}"
    unit = f" {factor.unit}" if factor.unit else ""
    return (
        f"{factor.label} {value:g}{unit}"
        if isinstance(value, float)
        else f"{factor.label} {value}{unit}"
    )


def decimal_places(factor: Factor) -> int:
    """How many decimal places a number factor keeps: those of its step (0.01 keeps 2)."""
    if factor.step is None:
        return 2
    exponent = Decimal(str(factor.step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 2
