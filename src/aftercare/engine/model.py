"""Values the engine takes: patient factors, and what they switch on in a protocol."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from aftercare.engine.errors import InputError
from aftercare.engine.names import resolve
from aftercare.protocols.schema import AGE_ID, Factor, FactorKind, FactorValue, Modifier, Protocol

__all__ = [
    "Factors",
    "active_modifiers",
    "age_on",
    "check_factors",
    "factor_problem",
    "resolve_areas",
]


@dataclass(frozen=True, slots=True)
class Factors:
    """What is known about the patient and the treatment that changes their plan.

    ``areas`` holds canonical area ids (see :func:`resolve_areas` for names people type).
    An empty ``areas`` means the protocol's default area. ``age`` is computed from the date
    of birth; ``values`` holds the protocol's own factors by id (``needle_depth_mm``,
    ``sensitive_skin``): what a factor means, and its bounds, are the protocol's
    (:func:`check_factors`).
    """

    areas: frozenset[str] = field(default_factory=frozenset)
    age: int | None = None
    values: Mapping[str, FactorValue] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # A read-only copy: the caller's dict cannot change a frozen value afterwards.
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def value(self, factor_id: str) -> FactorValue | None:
        """The factor's value, the age included; None when it is not known."""
        return self.age if factor_id == AGE_ID else self.values.get(factor_id)


def age_on(born: date, on: date) -> int:
    """Age in whole years on ``on`` (someone born on 29 February turns a year older on
    1 March in years without one)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def resolve_areas(protocol: Protocol, names: Iterable[str]) -> frozenset[str]:
    """Area ids for the names people type ("décolletage", "under eyes")."""
    return frozenset(resolve("area", name, protocol.index.area_names) for name in names)


def check_factors(protocol: Protocol, factors: Factors) -> Factors:
    """``factors`` when every value is one of ``protocol``'s factors and within its bounds;
    otherwise InputError naming the first that is not."""
    checked = {AGE_ID: factors.age} | dict(factors.values)
    for factor_id, value in checked.items():
        factor = protocol.factor_index.get(factor_id)
        if factor is None or (factor_id == AGE_ID and factor_id in factors.values):
            raise InputError(unknown_factor(protocol, factor_id))
        problem = factor_problem(factor, value)
        if problem is not None:
            raise InputError(problem)
    return factors


def unknown_factor(protocol: Protocol, factor_id: str) -> str:
    """The message for a factor ``protocol`` does not record."""
    known = ", ".join(factor.id for factor in protocol.recorded_factors) or "none"
    return f"the {protocol.id} protocol has no factor '{factor_id}'; it has: {known}"


def factor_problem(factor: Factor, value: object) -> str | None:
    """Why ``value`` is not an answer to ``factor``, or None when it is (or is not known)."""
    if value is None:
        return None
    name = factor.name
    if factor.kind == FactorKind.YES_NO:
        return None if isinstance(value, bool) else f"{name} must be yes or no (true or false)"
    if factor.kind == FactorKind.CHOICE:
        # True == 1 in Python: a yes is not skin type I.
        if any(o.value == value and type(o.value) is type(value) for o in factor.options):
            return None
        offered = ", ".join(f"{option.label} ({option.value})" for option in factor.options)
        return f"{name} must be one of: {offered}"
    return _number_problem(factor, name, value)


def _number_problem(factor: Factor, name: str, value: object) -> str | None:
    whole = factor.kind == FactorKind.WHOLE_NUMBER
    unit = f" {factor.unit}" if factor.unit else ""
    if factor.above is not None:
        bounds = f"more than {factor.above} and at most {factor.max}{unit}"
    else:
        bounds = f"between {factor.min} and {factor.max}{unit}"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
        or not _within(factor, value)
    ):
        return f"{name} must be {'a whole number ' if whole else ''}{bounds}"
    return None


def _within(factor: Factor, number: float) -> bool:
    """Whether ``number`` keeps to the number factor's bounds (NaN never does; nor does a
    whole number too big to be a float)."""
    try:
        value = float(number)
    except OverflowError:
        return False
    high = factor.max if factor.max is not None else float("inf")
    if factor.above is not None:
        return factor.above < value <= high
    low = factor.min if factor.min is not None else float("-inf")
    return low <= value <= high


def active_modifiers(protocol: Protocol, factors: Factors) -> frozenset[str]:
    """The ids of the protocol's modifiers that hold for this patient; InputError when a
    factor is not the protocol's, or out of its bounds."""
    check_factors(protocol, factors)
    areas = factors.areas or frozenset({protocol.default_area})
    return frozenset(
        modifier.id for modifier in protocol.modifiers if _holds(modifier, factors, areas)
    )


def _holds(modifier: Modifier, factors: Factors, areas: frozenset[str]) -> bool:
    if modifier.area is not None:
        return modifier.area in areas
    value = factors.value(modifier.factor or "")
    if isinstance(value, bool) or modifier.threshold is None:
        return value is True
    if not isinstance(value, int | float):
        return False
    if modifier.over is not None:
        return value > modifier.over
    return value >= modifier.threshold
