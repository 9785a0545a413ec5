"""Values the engine takes: patient factors, and what they switch on in a protocol."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from aftercare.engine.errors import InputError
from aftercare.engine.names import resolve
from aftercare.protocols.schema import Modifier, Protocol

__all__ = ["Factors", "active_modifiers", "age_on", "resolve_areas"]

MAX_NEEDLE_DEPTH_MM = 5.0
MAX_AGE_YEARS = 130


@dataclass(frozen=True, slots=True)
class Factors:
    """What is known about the patient and the treatment that changes their plan.

    ``areas`` holds canonical area ids (see :func:`resolve_areas` for names people type).
    An empty ``areas`` means the protocol's default area.
    """

    areas: frozenset[str] = field(default_factory=frozenset)
    needle_depth_mm: float | None = None
    sensitive_skin: bool = False
    age: int | None = None
    fitzpatrick: int | None = None
    platelet_medication: bool = False
    anticoagulant: bool = False
    cold_sore_history: bool = False

    def __post_init__(self) -> None:
        if self.needle_depth_mm is not None and not 0 < self.needle_depth_mm <= MAX_NEEDLE_DEPTH_MM:
            raise InputError(
                f"needle depth must be more than 0 and at most {MAX_NEEDLE_DEPTH_MM} mm"
            )
        if self.age is not None and not 0 <= self.age <= MAX_AGE_YEARS:
            raise InputError(f"age must be between 0 and {MAX_AGE_YEARS} years")
        if self.fitzpatrick is not None and not 1 <= self.fitzpatrick <= 6:
            raise InputError("Fitzpatrick skin type must be I to VI (1 to 6)")


def age_on(born: date, on: date) -> int:
    """Age in whole years on ``on`` (someone born on 29 February turns a year older on
    1 March in years without one)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def resolve_areas(protocol: Protocol, names: Iterable[str]) -> frozenset[str]:
    """Area ids for the names people type ("décolletage", "under eyes")."""
    return frozenset(resolve("area", name, protocol.index.area_names) for name in names)


def active_modifiers(protocol: Protocol, factors: Factors) -> frozenset[str]:
    """The ids of the protocol's modifiers that hold for this patient."""
    areas = factors.areas or frozenset({protocol.default_area})
    return frozenset(
        modifier.id for modifier in protocol.modifiers if _holds(modifier, factors, areas)
    )


def _holds(modifier: Modifier, factors: Factors, areas: frozenset[str]) -> bool:
    if modifier.area is not None:
        return modifier.area in areas
    if modifier.flag is not None:
        return bool(getattr(factors, modifier.flag))
    if modifier.age_at_least is not None:
        return factors.age is not None and factors.age >= modifier.age_at_least
    if modifier.needle_depth_over_mm is not None:
        depth = factors.needle_depth_mm
        return depth is not None and depth > modifier.needle_depth_over_mm
    threshold = modifier.fitzpatrick_at_least
    return (
        factors.fitzpatrick is not None
        and threshold is not None
        and (factors.fitzpatrick >= threshold)
    )
