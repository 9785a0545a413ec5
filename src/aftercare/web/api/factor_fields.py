"""The factors a treatment sent to the API carries, checked against its protocol.

The API took microneedling's factors as top-level fields before each protocol named its
own (``needle_depth_mm``, ``sensitive_skin``, ``fitzpatrick``, ...); clinic systems still
send them, so they keep working, and any protocol's factors may also be sent by id in
``factors``. Either way a factor is checked against the protocol of the treatment's
procedure: one it does not have is refused (a needle depth for a peel), and its bounds are
the protocol's.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from aftercare.engine.model import factor_problem
from aftercare.protocols.schema import FactorValue, Protocol

__all__ = ["DEPTH", "DEPTH_PLACES", "NAMED_FACTORS", "Problem", "factor_values"]

# The top-level fields the API has always taken, each the id of a microneedling factor.
NAMED_FACTORS = (
    "needle_depth_mm",
    "sensitive_skin",
    "fitzpatrick",
    "platelet_medication",
    "anticoagulant",
    "cold_sore_history",
)
DEPTH = "needle_depth_mm"
# The API has always shown a needle depth with two decimal places ("1.50").
DEPTH_PLACES = 2

Problem = tuple[tuple[str, ...], str]


def factor_values(
    protocol: Protocol,
    named: Mapping[str, object],
    by_id: Mapping[str, FactorValue],
    prefix: tuple[str, ...],
    by_id_field: str = "factors",
) -> tuple[dict[str, FactorValue], list[Problem]]:
    """The values sent for ``protocol``'s factors, and a problem for each field that is
    not one of its factors, or is out of its bounds. A named field left at its default
    (false, or empty) says nothing, so a peel may be sent ``sensitive_skin: false``."""
    values: dict[str, FactorValue] = {}
    problems: list[Problem] = []
    given = [((*prefix, name), name, value) for name, value in named.items()]
    given += [((*prefix, by_id_field, key), key, value) for key, value in by_id.items()]
    for loc, factor_id, value in given:
        factor = protocol.factor_index.get(factor_id)
        if factor is None or factor_id not in {f.id for f in protocol.recorded_factors}:
            if value not in (None, False):
                problems.append((loc, f"the {protocol.id} protocol does not use {factor_id}"))
            continue
        if value is None:
            continue
        plain = float(value) if isinstance(value, Decimal) else value
        problem = factor_problem(factor, plain)
        if problem is not None:
            problems.append((loc, problem))
        elif isinstance(plain, bool | int | float | str):
            values[factor_id] = plain
    return values, problems
