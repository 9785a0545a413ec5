"""The check's mechanisms, on the mini protocol: windows, skin-state gates, 'do' rules,
'never' rules, names people type and clock changes. The microneedling windows are pinned
in tests/protocols/test_microneedling_check.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftercare.engine.check import Verdict, check, parse_skin_state
from aftercare.engine.errors import InputError, UnknownNameError
from aftercare.engine.explain import describe_check
from aftercare.engine.localtime import parse_local, zone
from aftercare.protocols.schema import Protocol
from tests.engine.mini import mini_protocol

LONDON = zone("Europe/London")

# activity: (allowed from hour, gated on the skin, required until hour or None)
WINDOWS: dict[str, tuple[int, bool, int | None]] = {
    "sauna": (48, False, None),
    "steam_room": (48, False, None),
    "hot_tub": (48, False, None),
    "hot_bath": (48, False, None),
    "swimming": (168, False, None),
    "makeup": (24, True, None),
    "cold_compress": (0, False, None),
    "moisturiser": (0, False, 168),
    "sunscreen": (0, False, 168),
}
NEVER = {"picking"}


def test_it_has_a_window_for_every_activity_of_the_protocol(mini: Protocol) -> None:
    assert {activity.id for activity in mini.activities} == set(WINDOWS) | NEVER


@pytest.mark.parametrize(("activity", "window"), WINDOWS.items())
def test_it_answers_each_activity_an_hour_before_at_and_after_its_boundary(
    mini: Protocol, activity: str, window: tuple[int, bool, int | None]
) -> None:
    allowed_from, gated, required_until = window
    first = Verdict.REQUIRED if required_until else Verdict.ALLOWED
    if gated:
        first = Verdict.ALLOWED_IF
    assert check(mini, activity, allowed_from - 1).verdict is Verdict.NOT_YET
    at = check(mini, activity, allowed_from)
    assert (at.verdict, at.allowed_from_hours) == (first, allowed_from)
    assert check(mini, activity, allowed_from + 1).verdict is first
    assert ("skin_calm" in at.requirements) is gated
    assert at.required_until_hours == required_until
    if required_until:
        assert check(mini, activity, required_until - 1).verdict is Verdict.REQUIRED
        assert check(mini, activity, required_until).verdict is Verdict.ALLOWED


@pytest.mark.parametrize(
    ("skin", "hours", "verdict", "blocking", "requirements"),
    [
        (None, 23, Verdict.NOT_YET, None, ("skin_calm", "clean_brushes")),
        (None, 24, Verdict.ALLOWED_IF, None, ("skin_calm", "clean_brushes")),
        (False, 24, Verdict.NOT_YET, "skin_not_calm", ("clean_brushes",)),
        (False, 200, Verdict.NOT_YET, "skin_not_calm", ("clean_brushes",)),
        (True, 23, Verdict.NOT_YET, None, ("clean_brushes",)),
        (True, 24, Verdict.ALLOWED, None, ("clean_brushes",)),
    ],
)
def test_it_needs_both_the_time_and_the_skin_state_for_a_gated_activity(
    mini: Protocol,
    skin: bool | None,
    hours: int,
    verdict: Verdict,
    blocking: str | None,
    requirements: tuple[str, ...],
) -> None:
    state = None if skin is None else {"skin_calm": skin}
    result = check(mini, "makeup", hours, skin=state)
    assert (result.verdict, result.blocking_condition) == (verdict, blocking)
    assert result.requirements == requirements


def test_a_skin_state_the_protocol_lacks_is_refused_not_ignored(mini: Protocol) -> None:
    # Another procedure's state would otherwise leave the answer as if nothing were known.
    with pytest.raises(
        InputError,
        match="the mini protocol has no skin state 'redness_resolved'; it has: skin_calm",
    ):
        check(mini, "makeup", 30, skin={"redness_resolved": True})


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("skin_calm=yes", ("skin_calm", True)), (" skin_calm = NO ", ("skin_calm", False))],
)
def test_it_reads_a_skin_state_as_typed(text: str, parsed: tuple[str, bool]) -> None:
    assert parse_skin_state(text) == parsed


@pytest.mark.parametrize("text", ["skin_calm", "skin_calm=maybe", "=yes", ""])
def test_it_refuses_a_skin_state_it_cannot_read(text: str) -> None:
    with pytest.raises(InputError, match="is not STATE=yes or STATE=no"):
        parse_skin_state(text)


def test_it_carries_the_reconciliation_that_decided_a_window(mini: Protocol) -> None:
    result = check(mini, "sauna", 48)
    assert result.rule.reconciliation is not None
    assert result.rule.reconciliation.conflict == "C1"
    assert result.note == "One day against two days; the longer wins."
    assert len(result.sources) == 2


def test_it_asks_for_the_spf_of_a_do_rule_until_its_window_ends(mini: Protocol) -> None:
    result = check(mini, "sun cream", 100)
    assert (result.activity, result.verdict, result.min_spf) == ("sunscreen", Verdict.REQUIRED, 30)
    assert result.required_until_hours == 168


@pytest.mark.parametrize(
    ("typed", "activity"),
    [
        ("steam", "steam_room"),
        ("Jacuzzi", "hot_tub"),
        ("foundation", "makeup"),
        ("Make-Up", "makeup"),
        ("  ICE   pack ", "cold_compress"),
        ("sauna", "sauna"),
    ],
)
def test_it_understands_what_people_type(mini: Protocol, typed: str, activity: str) -> None:
    assert check(mini, typed, 0).activity == activity


@pytest.mark.parametrize(
    ("typed", "suggestions"),
    [("saunna", ("sauna",)), ("makup", ("makeup",)), ("xylophone", ())],
)
def test_it_suggests_close_matches_and_never_guesses(
    mini: Protocol, typed: str, suggestions: tuple[str, ...]
) -> None:
    with pytest.raises(UnknownNameError) as raised:
        check(mini, typed, 10)
    assert raised.value.suggestions == suggestions


@pytest.mark.parametrize(
    ("treated_at", "activity", "expected"),
    [
        # Evening before the clocks go forward: 48 real hours end at 21:00 BST.
        ("2026-03-28 20:00", "sauna", "2026-03-30T21:00:00+01:00"),
        ("2026-03-28 20:00", "makeup", "2026-03-29T21:00:00+01:00"),
        # Evening before the clocks go back: they end at 19:00 GMT.
        ("2026-10-24 20:00", "sauna", "2026-10-26T19:00:00+00:00"),
        ("2026-10-24 20:00", "makeup", "2026-10-25T19:00:00+00:00"),
        ("2026-11-21 10:30", "sauna", "2026-11-23T10:30:00+00:00"),
    ],
)
def test_it_counts_elapsed_hours_across_clock_changes(
    mini: Protocol, treated_at: str, activity: str, expected: str
) -> None:
    result = check(mini, activity, 0, treated_at=parse_local(treated_at, LONDON))
    assert result.allowed_from is not None
    assert result.allowed_from.isoformat() == expected


activities = st.sampled_from(sorted(WINDOWS))
hours = st.floats(min_value=-500, max_value=1000, allow_nan=False)
skin_states = st.sampled_from([None, {"skin_calm": True}, {"skin_calm": False}])


@given(activity=activities, at=hours, skin=skin_states)
def test_it_is_deterministic(activity: str, at: float, skin: dict[str, bool] | None) -> None:
    mini = mini_protocol()
    assert check(mini, activity, at, skin=skin) == check(mini, activity, at, skin=skin)


@given(activity=activities, at=st.floats(max_value=-1e-9, min_value=-1e6), skin=skin_states)
def test_it_never_allows_anything_before_the_treatment(
    activity: str, at: float, skin: dict[str, bool] | None
) -> None:
    assert check(mini_protocol(), activity, at, skin=skin).verdict is Verdict.NOT_YET


@given(activity=activities, first=hours, later=hours, skin=skin_states, later_skin=skin_states)
def test_once_allowed_it_stays_allowed_unless_the_skin_holds_it(
    activity: str,
    first: float,
    later: float,
    skin: dict[str, bool] | None,
    later_skin: dict[str, bool] | None,
) -> None:
    earlier, after = sorted((first, later))
    mini = mini_protocol()
    if check(mini, activity, earlier, skin=skin).verdict is Verdict.NOT_YET:
        return
    result = check(mini, activity, after, skin=later_skin)
    assert result.verdict is not Verdict.NOT_YET or result.blocking_condition is not None


@given(at=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), skin=skin_states)
def test_it_never_allows_picking_at_any_time(at: float, skin: dict[str, bool] | None) -> None:
    result = check(mini_protocol(), "scratching", at, skin=skin)
    assert (result.verdict, result.allowed_from_hours, result.allowed_from) == (
        Verdict.NEVER,
        None,
        None,
    )


@pytest.mark.parametrize("hours", [0, 167, 168, 10_000])
def test_it_says_picking_is_never_advised(mini: Protocol, hours: int) -> None:
    result = check(mini, "picking", hours)
    assert describe_check(mini, result).splitlines()[:3] == [
        "Picking: no, this is never advised.",
        "Do not pick.",
        "Why: Picking marks the skin.",
    ]


@pytest.mark.parametrize(
    ("skin", "first_line"),
    [
        (None, "Makeup: yes, once the skin is calm."),
        ({"skin_calm": True}, "Makeup: yes."),
        ({"skin_calm": False}, "Makeup: not yet."),
    ],
)
def test_a_skin_gate_is_never_a_bare_yes(
    mini: Protocol, skin: dict[str, bool] | None, first_line: str
) -> None:
    lines = describe_check(mini, check(mini, "foundation", 30, skin=skin)).splitlines()
    assert lines[0] == first_line
    assert "Only once the skin is calm." not in lines[1:]


def test_it_says_to_keep_using_sunscreen_after_its_window(mini: Protocol) -> None:
    result = check(mini, "sunscreen", 168)
    assert describe_check(mini, result).splitlines()[:3] == [
        "Sunscreen: yes.",
        "Wear sunscreen every day.",
        "Keep wearing sunscreen.",
    ]
