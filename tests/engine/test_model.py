"""Patient factors: age in whole years on a given day, and the protocol's own factors:
which modifiers they switch on, and the bounds they are checked against."""

from __future__ import annotations

from datetime import date

import pytest

from aftercare.engine.errors import InputError
from aftercare.engine.model import Factors, active_modifiers, age_on, check_factors
from aftercare.protocols.registry import packaged_protocols
from aftercare.protocols.schema import Protocol


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1960, 11, 21), date(2025, 11, 20), 64),
        (date(1960, 11, 21), date(2025, 11, 21), 65),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(2000, 2, 29), date(2028, 2, 29), 28),
    ],
)
def test_age_counts_whole_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


# --- factors: the protocol says what each is and where its bounds are --------------------

MICRONEEDLING = packaged_protocols().load("microneedling")
PEEL = packaged_protocols().load("chemical-peel")


@pytest.mark.parametrize(
    ("factors", "active"),
    [
        (Factors(), set()),
        (Factors(values={"sensitive_skin": True}), {"sensitive_skin"}),
        (Factors(values={"sensitive_skin": False}), set()),
        (Factors(age=64), set()),
        (Factors(age=65), {"older_patient"}),
        (Factors(values={"needle_depth_mm": 1.0}), set()),
        (Factors(values={"needle_depth_mm": 1.01}), {"deep_needling"}),
        (
            Factors(values={"anticoagulant": True, "platelet_medication": True}),
            {"anticoagulant", "platelet_medication"},
        ),
        (Factors(values={"fitzpatrick": 6, "cold_sore_history": True}), set()),
        (Factors(areas=frozenset({"eyes"})), {"eye_area"}),
    ],
)
def test_modifiers_hold_by_factor_id(factors: Factors, active: set[str]) -> None:
    assert active_modifiers(MICRONEEDLING, factors) == active


@pytest.mark.parametrize(
    ("protocol", "factors", "message"),
    [
        (
            MICRONEEDLING,
            Factors(values={"needle_depth_mm": 0}),
            "needle depth must be more than 0 and at most 5.0 mm",
        ),
        (
            MICRONEEDLING,
            Factors(values={"needle_depth_mm": 5.01}),
            "needle depth must be more than 0 and at most 5.0 mm",
        ),
        (
            MICRONEEDLING,
            Factors(values={"needle_depth_mm": float("nan")}),
            "needle depth must be more than 0 and at most 5.0 mm",
        ),
        (MICRONEEDLING, Factors(age=131), "age must be a whole number between 0 and 130 years"),
        (MICRONEEDLING, Factors(age=10**400), "age must be a whole number between 0 and 130 years"),
        (
            MICRONEEDLING,
            Factors(values={"fitzpatrick": 7}),
            "skin type (Fitzpatrick) must be one of: I (1), II (2), III (3), IV (4), V (5), VI (6)",
        ),
        (
            MICRONEEDLING,
            Factors(values={"fitzpatrick": True}),
            "skin type (Fitzpatrick) must be one of: I (1), II (2), III (3), IV (4), V (5), VI (6)",
        ),
        (
            MICRONEEDLING,
            Factors(values={"sensitive_skin": "yes"}),
            "sensitive skin must be yes or no (true or false)",
        ),
        (
            PEEL,
            Factors(values={"needle_depth_mm": 1.0}),
            "the chemical-peel protocol has no factor 'needle_depth_mm'; "
            "it has: peel_depth, cold_sore_history",
        ),
        (
            PEEL,
            Factors(values={"peel_depth": "deep"}),
            "peel depth must be one of: Very superficial (very_superficial), "
            "Superficial (superficial)",
        ),
    ],
)
def test_it_refuses_a_factor_outside_the_protocols_bounds(
    protocol: Protocol, factors: Factors, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        active_modifiers(protocol, factors)
    assert str(raised.value) == message


def test_a_peel_depth_is_recorded_and_switches_nothing_on() -> None:
    factors = Factors(values={"peel_depth": "superficial", "cold_sore_history": True})

    assert check_factors(PEEL, factors) is factors
    assert active_modifiers(PEEL, factors) == frozenset()


def test_factors_keep_their_values_when_the_callers_dict_changes() -> None:
    given = {"sensitive_skin": True}
    factors = Factors(values=given)
    given["sensitive_skin"] = False

    assert factors.value("sensitive_skin") is True
