from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftercare.engine.check import Verdict, check
from aftercare.engine.errors import UnknownNameError
from aftercare.engine.explain import describe_check
from aftercare.engine.localtime import parse_local, zone
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")

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


@pytest.mark.parametrize(
    ("skin", "hours", "verdict", "blocking", "requirements"),
    [
        (None, 23, Verdict.NOT_YET, None, ("redness_resolved", "clean_brushes_and_sponges")),
        (None, 24, Verdict.ALLOWED_IF, None, ("redness_resolved", "clean_brushes_and_sponges")),
        (False, 24, Verdict.NOT_YET, "redness_not_resolved", ("clean_brushes_and_sponges",)),
        (False, 200, Verdict.NOT_YET, "redness_not_resolved", ("clean_brushes_and_sponges",)),
        (True, 23, Verdict.NOT_YET, None, ("clean_brushes_and_sponges",)),
        (True, 24, Verdict.ALLOWED, None, ("clean_brushes_and_sponges",)),
    ],
)
def test_it_needs_both_the_time_and_the_skin_state_for_makeup(
    protocol: Protocol,
    skin: bool | None,
    hours: int,
    verdict: Verdict,
    blocking: str | None,
    requirements: tuple[str, ...],
) -> None:
    state = None if skin is None else {"redness_resolved": skin}
    result = check(protocol, "makeup", hours, skin=state)
    assert (result.verdict, result.blocking_condition) == (verdict, blocking)
    assert result.requirements == requirements


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


@pytest.mark.parametrize(
    ("typed", "suggestions"),
    [("saunna", ("sauna",)), ("makup", ("makeup",)), ("xylophone", ())],
)
def test_it_suggests_close_matches_and_never_guesses(
    protocol: Protocol, typed: str, suggestions: tuple[str, ...]
) -> None:
    with pytest.raises(UnknownNameError) as raised:
        check(protocol, typed, 10)
    assert raised.value.suggestions == suggestions


@pytest.mark.parametrize(
    ("treated_at", "activity", "expected"),
    [
        # Evening before the clocks go forward: day 14 is 336 real hours, 21:00 BST.
        ("2026-03-28 20:00", "sauna", "2026-04-11T21:00:00+01:00"),
        ("2026-03-28 20:00", "makeup", "2026-03-29T21:00:00+01:00"),
        # Evening before the clocks go back: day 14 falls at 19:00 GMT.
        ("2026-10-24 20:00", "sauna", "2026-11-07T19:00:00+00:00"),
        ("2026-10-24 20:00", "makeup", "2026-10-25T19:00:00+00:00"),
        ("2026-11-21 10:30", "sauna", "2026-12-05T10:30:00+00:00"),
    ],
)
def test_it_counts_elapsed_hours_across_clock_changes(
    protocol: Protocol, treated_at: str, activity: str, expected: str
) -> None:
    result = check(protocol, activity, 0, treated_at=parse_local(treated_at, LONDON))
    assert result.allowed_from is not None
    assert result.allowed_from.isoformat() == expected


@functools.cache
def _protocol() -> Protocol:
    """Hypothesis tests cannot take function-scoped fixtures; load once."""
    return load_protocol()


activities = st.sampled_from(sorted(WINDOWS))
hours = st.floats(min_value=-500, max_value=1000, allow_nan=False)
skin_states = st.sampled_from([None, {"redness_resolved": True}, {"redness_resolved": False}])


@given(activity=activities, at=hours, skin=skin_states)
def test_it_is_deterministic(activity: str, at: float, skin: dict[str, bool] | None) -> None:
    protocol = _protocol()
    assert check(protocol, activity, at, skin=skin) == check(protocol, activity, at, skin=skin)


@given(activity=activities, at=st.floats(max_value=-1e-9, min_value=-1e6), skin=skin_states)
def test_it_never_allows_anything_before_the_treatment(
    activity: str, at: float, skin: dict[str, bool] | None
) -> None:
    assert check(_protocol(), activity, at, skin=skin).verdict is Verdict.NOT_YET


@given(activity=activities, first=hours, later=hours, skin=skin_states, later_skin=skin_states)
def test_once_allowed_it_stays_allowed_unless_the_skin_holds_it(
    activity: str,
    first: float,
    later: float,
    skin: dict[str, bool] | None,
    later_skin: dict[str, bool] | None,
) -> None:
    earlier, after = sorted((first, later))
    protocol = _protocol()
    if check(protocol, activity, earlier, skin=skin).verdict is Verdict.NOT_YET:
        return
    result = check(protocol, activity, after, skin=later_skin)
    assert result.verdict is not Verdict.NOT_YET or result.blocking_condition is not None


@given(at=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), skin=skin_states)
def test_it_never_allows_picking_at_any_time(at: float, skin: dict[str, bool] | None) -> None:
    result = check(_protocol(), "pick the flaky bits", at, skin=skin)
    assert (result.verdict, result.allowed_from_hours, result.allowed_from) == (
        Verdict.NEVER,
        None,
        None,
    )


@pytest.mark.parametrize("hours", [0, 335, 336, 10_000])
def test_it_says_picking_is_never_advised(protocol: Protocol, hours: int) -> None:
    result = check(protocol, "picking", hours)
    assert describe_check(protocol, result).splitlines()[:3] == [
        "Picking at flakes or scabs: no, this is never advised.",
        "Do not pick, scratch or peel off flakes or scabs; let them come away on their own.",
        "Why: Picking can cause infection, marks and pigmentation.",
    ]


@pytest.mark.parametrize(
    ("skin", "first_line"),
    [
        (None, "Makeup: yes, once the redness has gone and the skin has settled."),
        ({"redness_resolved": True}, "Makeup: yes."),
        ({"redness_resolved": False}, "Makeup: not yet."),
    ],
)
def test_a_skin_gate_is_never_a_bare_yes(
    protocol: Protocol, skin: dict[str, bool] | None, first_line: str
) -> None:
    lines = describe_check(protocol, check(protocol, "eyeliner", 30, skin=skin)).splitlines()
    assert lines[0] == first_line
    assert "Only once the redness has gone and the skin has settled." not in lines[1:]


def test_it_says_to_keep_using_sunscreen_after_day_14(protocol: Protocol) -> None:
    result = check(protocol, "sunscreen", 336)
    assert describe_check(protocol, result).splitlines()[:3] == [
        "Sunscreen: yes.",
        "Wear sunscreen every day.",
        "Keep using sunscreen every day, as a habit.",
    ]
