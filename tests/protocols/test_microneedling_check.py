"""The microneedling protocol's windows, as the check answers them: the medicine, pinned
against the analysis. The check's mechanisms are tested on the mini protocol in
tests/engine/test_check.py."""

from __future__ import annotations

import pytest

from aftercare.engine.check import Verdict, check
from aftercare.protocols.schema import Protocol

# From the analysis (A.6 and section B), not from the protocol file: a change to the
# data that disagrees with the analysis fails here.
# activity: (allowed from hour, gated on redness, required until hour or None)
WINDOWS: dict[str, tuple[int, bool, int | None]] = {
    "sauna": (336, False, None),
    "steam_room": (336, False, None),
    "very_hot_shower": (336, False, None),
    "sunbed": (336, False, None),
    "intensive_sun": (336, False, None),
    "extreme_weather": (336, False, None),
    "swimming_pool_chlorinated": (336, False, None),
    "open_water_swimming": (336, False, None),
    "hot_tub": (336, False, None),
    "chlorinated_cleaning_products": (336, False, None),
    "strenuous_exercise_heavy_sweating": (72, False, None),
    "heated_exercise": (336, False, None),
    "light_activity": (0, False, None),
    "shower": (0, False, None),
    "alcohol": (48, False, None),
    "touching_treated_area": (144, False, None),
    "makeup": (24, True, None),
    "soap_or_foaming_cleanser": (72, True, None),
    "gentle_cleanser": (0, False, 336),
    "moisturiser": (0, False, 336),
    "hyaluronic_serum": (0, False, None),
    "cold_compress": (0, False, None),
    "sunscreen": (0, False, 336),
    "vitamin_c_serum": (72, False, None),
    "hydrating_mask": (72, False, None),
    "clay_or_peel_off_mask": (336, False, None),
    "facial_oil": (168, False, None),
    "fragrance_facial_product": (120, False, None),
    "gentle_exfoliating_cleanser": (120, False, None),
    "exfoliating_scrub_or_enzyme_mask": (168, False, None),
    "peeling_agent": (168, True, None),
    "retinol_product": (168, False, None),
    "glycolic_acid_product": (168, True, None),
    "benzoyl_peroxide_product": (168, True, None),
    "peptide_serum": (120, False, None),
    "eye_cream": (120, False, None),
    "waxing_treated_area": (72, False, None),
    "depilatory_cream_treated_area": (72, False, None),
    "electrolysis_treated_area": (72, False, None),
    "laser_hair_removal_treated_area": (72, False, None),
    "shaving_treated_area": (72, False, None),
    "other_facial_procedure": (336, False, None),
    "harsh_skincare_product": (336, False, None),
}


# Never advised, at any time: no window ends (C13; issue 14).
NEVER = {"picking_flakes_or_scabs"}


def test_it_has_a_window_for_every_activity_of_the_protocol(protocol: Protocol) -> None:
    assert {activity.id for activity in protocol.activities} == set(WINDOWS) | NEVER


@pytest.mark.parametrize(("activity", "window"), WINDOWS.items())
def test_it_answers_each_activity_an_hour_before_at_and_after_its_boundary(
    protocol: Protocol, activity: str, window: tuple[int, bool, int | None]
) -> None:
    allowed_from, gated, required_until = window
    first = Verdict.REQUIRED if required_until else Verdict.ALLOWED
    if gated:
        first = Verdict.ALLOWED_IF
    assert check(protocol, activity, allowed_from - 1).verdict is Verdict.NOT_YET
    at = check(protocol, activity, allowed_from)
    assert (at.verdict, at.allowed_from_hours) == (first, allowed_from)
    assert check(protocol, activity, allowed_from + 1).verdict is first
    assert ("redness_resolved" in at.requirements) is gated
    assert at.required_until_hours == required_until
    if required_until:
        assert check(protocol, activity, required_until - 1).verdict is Verdict.REQUIRED
        assert check(protocol, activity, required_until).verdict is Verdict.ALLOWED


# Each reconciled conflict that decides an activity: the rule, and what the check says.
CONFLICTS = [
    ("C1", "gentle_exfoliating_cleanser", 120),
    ("C1", "exfoliating_scrub_or_enzyme_mask", 168),
    ("C2", "glycolic_acid_product", 168),
    ("C3", "retinol_product", 168),
    ("C4", "sunscreen", 0),
    ("C5", "makeup", 24),
    ("C6", "soap_or_foaming_cleanser", 72),
    ("C8", "hot_tub", 336),
    ("C8", "swimming_pool_chlorinated", 336),
    ("C8", "open_water_swimming", 336),
    ("C9", "intensive_sun", 336),
    ("C10", "strenuous_exercise_heavy_sweating", 72),
    ("C10", "heated_exercise", 336),
    ("C13", "touching_treated_area", 144),
    ("C13", "picking_flakes_or_scabs", 336),
    ("C16", "moisturiser", 0),
    ("C18", "vitamin_c_serum", 72),
    ("C7", "harsh_skincare_product", 336),
]


@pytest.mark.parametrize(("conflict", "activity", "allowed_from"), CONFLICTS)
def test_it_carries_the_reconciliation_of_each_conflict(
    protocol: Protocol, conflict: str, activity: str, allowed_from: int
) -> None:
    result = check(protocol, activity, allowed_from)
    assert result.rule.reconciliation is not None
    assert result.rule.reconciliation.conflict == conflict
    assert result.note == result.rule.reconciliation.note
    assert len(result.sources) >= 2


def test_it_asks_for_spf_50_every_day_for_two_weeks(protocol: Protocol) -> None:
    result = check(protocol, "sun cream", 100)
    assert (result.activity, result.verdict, result.min_spf) == ("sunscreen", Verdict.REQUIRED, 50)
    assert result.required_until_hours == 336


@pytest.mark.parametrize(
    ("typed", "activity"),
    [
        ("gym", "strenuous_exercise_heavy_sweating"),
        ("hot yoga", "heated_exercise"),
        ("steam", "steam_room"),
        ("swimming", "swimming_pool_chlorinated"),
        ("foundation", "makeup"),
        ("Make-Up", "makeup"),
        ("  HOT   tub ", "hot_tub"),
        ("retin-a", "retinol_product"),
        ("sauna", "sauna"),
    ],
)
def test_it_understands_what_people_type(protocol: Protocol, typed: str, activity: str) -> None:
    assert check(protocol, typed, 0).activity == activity
