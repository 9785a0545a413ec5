from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftercare.protocols.load import ProtocolError, ProtocolIssue, load_protocol
from aftercare.protocols.overlay import (
    SETTABLE_FIELDS,
    Direction,
    Overlay,
    apply_overlay,
    apply_overlay_file,
    apply_overlay_text,
    change_effect,
)
from aftercare.protocols.schema import AppliedChange, Protocol, RuleKind

OVERLAYS = Path(__file__).parents[1] / "fixtures" / "overlays"

HEADER = "id: harbour-clinic\nprotocol: microneedling\ntitle: Harbour Clinic\nchanges:\n"
NEEDS_REASON = "a change that relaxes the protocol needs a reason"
SETTABLE_ON_RULES = "settable: allowed_from_hours, required_until_hours, min_spf, gate"


def _screening_rule(protocol: Protocol, rule_id: str) -> Any:
    return next(rule for rule in protocol.screening.rules if rule.id == rule_id)


def _rule(protocol: Protocol, rule_id: str) -> Any:
    return next(rule for rule in protocol.aftercare if rule.id == rule_id)


def _issues(protocol: Protocol, path: Path) -> tuple[ProtocolIssue, ...]:
    with pytest.raises(ProtocolError) as raised:
        apply_overlay_file(protocol, path)
    assert raised.value.source == str(path)
    return raised.value.issues


def test_it_raises_the_isotretinoin_washout_to_180_days() -> None:
    effective = load_protocol(overlay=OVERLAYS / "harbour-clinic.yaml")

    assert _screening_rule(effective, "SC-isotretinoin-recent").trigger.within_days == 180
    assert effective.overlay is not None
    assert effective.overlay.changes[0] == AppliedChange(
        item="SC-isotretinoin-recent",
        field="trigger.within_days",
        old=90,
        new=180,
        effect="tightens",
    )


def test_it_records_a_relaxing_change_with_its_reason() -> None:
    effective = load_protocol(overlay=OVERLAYS / "harbour-clinic.yaml")

    assert _rule(effective, "AC-sunscreen").min_spf == 30
    assert effective.overlay is not None
    assert effective.overlay.changes[1] == AppliedChange(
        item="AC-sunscreen",
        field="min_spf",
        old=50,
        new=30,
        effect="relaxes",
        reason="We supply a mineral SPF30 and ask patients to reapply every two hours.",
    )


def test_it_refuses_to_relax_without_a_reason(protocol: Protocol) -> None:
    issues = _issues(protocol, OVERLAYS / "spf30-without-reason.yaml")

    assert [str(issue) for issue in issues] == [
        "changes[0].set.min_spf: relaxes 'AC-sunscreen' (min_spf 50 -> 30); "
        f"{NEEDS_REASON} (line 8)"
    ]


def test_it_needs_no_reason_to_tighten() -> None:
    effective = load_protocol(overlay=OVERLAYS / "tighter-clinic.yaml")

    assert effective.overlay is not None
    assert {change.effect for change in effective.overlay.changes} == {"tightens"}
    assert _rule(effective, "AC-retinol").gate == "redness_resolved"
    assert effective.course.max_sessions == 5


def test_it_names_the_protocol_and_the_overlay_in_the_effective_id(protocol: Protocol) -> None:
    effective = load_protocol(overlay=OVERLAYS / "harbour-clinic.yaml")

    assert (protocol.effective_id, effective.effective_id) == (
        "microneedling",
        "microneedling+harbour-clinic",
    )
    assert effective.id == "microneedling"


def test_it_gives_the_effective_protocol_its_own_stable_version(protocol: Protocol) -> None:
    first = load_protocol(overlay=OVERLAYS / "harbour-clinic.yaml")
    second = load_protocol(overlay=OVERLAYS / "harbour-clinic.yaml")

    assert first.version == second.version
    assert first.version != protocol.version
    assert protocol.version == load_protocol().version
    assert len(protocol.version) == 16
    assert int(protocol.version, 16) >= 0


# One row per broken overlay: the changes (after HEADER, so the first change is on line 5)
# and every issue, in file order.
BROKEN = [
    pytest.param(
        "  - item: AC-karaoke\n    set: {allowed_from_hours: 400}\n",
        [
            "changes[0].item: unknown item 'AC-karaoke'; name an aftercare rule, symptom, "
            "screening rule or modifier id, or 'course' (line 5)"
        ],
        id="unknown item",
    ),
    pytest.param(
        "  - item: AC-alcohol\n    set: {text: Drink water.}\n",
        [
            "changes[0].set.text: 'text' cannot be set on aftercare rule 'AC-alcohol'; "
            f"{SETTABLE_ON_RULES} (line 6)"
        ],
        id="unknown field",
    ),
    pytest.param(
        "  - item: redness\n    set: {level: expected}\n",
        [
            "changes[0].set.level: 'level' cannot be set on symptom 'redness'; "
            "settable: expected.hours, expected.widened_hours (line 6)"
        ],
        id="field of another kind",
    ),
    pytest.param(
        "  - item: AC-alcohol\n    set: {allowed_from_hours: -24}\n    reason: Old habits.\n",
        ["changes[0].set.allowed_from_hours: Input should be greater than or equal to 0 (line 6)"],
        id="negative hours",
    ),
    pytest.param(
        "  - item: AC-gentle-cleanser\n    set: {allowed_from_hours: 400}\n",
        [
            "changes[0].set.allowed_from_hours: AC-gentle-cleanser: required_until_hours must "
            "come after allowed_from_hours (line 6)"
        ],
        id="window turned inside out",
    ),
    pytest.param(
        "  - item: course\n    set: {max_gap_days: 21}\n",
        ["changes[0].set.max_gap_days: course: min_gap_days cannot exceed max_gap_days (line 6)"],
        id="course gaps crossed",
    ),
    pytest.param(
        "  - item: older_patient\n    set: {age_at_least: 70.5}\n",
        [
            "changes[0].set.age_at_least: 'age' is a whole number: the threshold must be one"
            " (line 6)"
        ],
        id="age not whole",
    ),
    pytest.param(
        "  - item: AC-soap\n    set: {allowed_from_hours: seventy}\n",
        ["changes[0].set.allowed_from_hours: Input should be a valid integer (line 6)"],
        id="not a number",
    ),
    pytest.param(
        "  - item: AC-retinol\n    set: {gate: sunburnt}\n",
        ["changes[0].set.gate: unknown skin state 'sunburnt' (line 6)"],
        id="unknown gate",
    ),
    pytest.param(
        "  - item: pain\n    set: {expected.hours: 24}\n",
        ["changes[0].set.expected.hours: 'pain' has no 'expected' to change (line 6)"],
        id="red flag has no window",
    ),
    pytest.param(
        "  - item: course\n    set: {max_sessions: 8}\n"
        "  - item: AC-makeup\n    set: {gate: null}\n"
        "  - item: AC-alcohol\n    set: {allowed_from_hours: 72}\n"
        "  - item: AC-alcohol\n    set: {allowed_from_hours: 96}\n",
        [
            f"changes[0].set.max_sessions: relaxes 'course' (max_sessions 6 -> 8); {NEEDS_REASON} "
            "(line 6)",
            "changes[1].set.gate: relaxes 'AC-makeup' (gate redness_resolved -> none); "
            f"{NEEDS_REASON} (line 8)",
            "changes[3].set.allowed_from_hours: 'allowed_from_hours' of 'AC-alcohol' is already "
            "set by changes[2] (line 12)",
        ],
        id="every problem at once",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), BROKEN)
def test_it_reports_every_problem_with_its_path_and_line(
    protocol: Protocol, tmp_path: Path, changes: str, expected: list[str]
) -> None:
    path = tmp_path / "overlay.yaml"
    path.write_text(HEADER + changes, encoding="utf-8")

    assert [str(issue) for issue in _issues(protocol, path)] == expected


def test_it_applies_an_overlay_kept_as_text(protocol: Protocol) -> None:
    text = HEADER + "  - item: deep_needling\n    set: {needle_depth_over_mm: 1.5}\n"

    effective = apply_overlay_text(protocol, text, source="clinic harbour-clinic")

    assert effective.effective_id == "microneedling+harbour-clinic"
    assert [
        modifier.over for modifier in effective.modifiers if modifier.id == "deep_needling"
    ] == [1.5]


def test_it_names_the_source_of_an_overlay_kept_as_text(protocol: Protocol) -> None:
    with pytest.raises(ProtocolError) as raised:
        apply_overlay_text(protocol, HEADER + "  - item: [\n", source="clinic harbour-clinic")

    assert str(raised.value) == "clinic harbour-clinic: 1 error"
    assert raised.value.issues[0].line == 6


def test_it_refuses_an_overlay_for_another_protocol(protocol: Protocol, tmp_path: Path) -> None:
    path = tmp_path / "overlay.yaml"
    text = HEADER.replace("protocol: microneedling", "protocol: dermaplaning")
    path.write_text(text + "  - item: course\n    set: {min_gap_days: 35}\n", encoding="utf-8")

    assert _issues(protocol, path) == (
        ProtocolIssue("protocol", "this overlay is for 'dermaplaning', not 'microneedling'", 2),
    )


def test_it_checks_the_shape_of_the_overlay_file(protocol: Protocol, tmp_path: Path) -> None:
    path = tmp_path / "overlay.yaml"
    path.write_text(HEADER + "  - item: course\n    sets: {min_gap_days: 35}\n", "utf-8")

    assert [str(issue) for issue in _issues(protocol, path)] == [
        "changes[0].set: Field required (line 5)",
        "changes[0].sets: Extra inputs are not permitted (line 6)",
    ]


def test_it_applies_one_overlay_only(protocol: Protocol) -> None:
    effective = load_protocol(overlay=OVERLAYS / "harbour-clinic.yaml")

    issues = _issues(effective, OVERLAYS / "tighter-clinic.yaml")

    assert issues[0] == ProtocolIssue(
        "", "'microneedling+harbour-clinic' already has an overlay", 2
    )


EFFECTS = [
    (Direction.HIGHER, 72, 96, "tightens"),
    (Direction.HIGHER, 72, 48, "relaxes"),
    (Direction.HIGHER, 72, 72, "same"),
    (Direction.HIGHER, None, 30, "tightens"),
    (Direction.HIGHER, 50, None, "relaxes"),
    (Direction.HIGHER, 1.0, 1.5, "tightens"),
    (Direction.LOWER, 96, 72, "tightens"),
    (Direction.LOWER, 96, 168, "relaxes"),
    (Direction.LOWER, 96, None, "relaxes"),
    (Direction.GATE, None, "redness_resolved", "tightens"),
    (Direction.GATE, "redness_resolved", None, "relaxes"),
    (Direction.GATE, "redness_resolved", "healed", "relaxes"),
    (Direction.GATE, "redness_resolved", "redness_resolved", "same"),
    (Direction.HIGHER, 72, "seventy", None),
    (Direction.HIGHER, 72, True, None),
    (Direction.GATE, None, 3, None),
]


@pytest.mark.parametrize(("direction", "old", "new", "effect"), EFFECTS)
def test_it_knows_which_way_a_change_goes(
    direction: Direction, old: object, new: object, effect: str | None
) -> None:
    assert change_effect(direction, old, new) == effect


def test_it_says_which_way_is_stricter_for_every_settable_field() -> None:
    assert {kind: sorted(fields) for kind, fields in SETTABLE_FIELDS.items()} == {
        "aftercare rule": ["allowed_from_hours", "gate", "min_spf", "required_until_hours"],
        "symptom": ["expected.hours", "expected.widened_hours"],
        "screening rule": ["trigger.within_days"],
        "modifier": ["at_least", "over"],
        "course": [
            "maintenance_max_months",
            "maintenance_min_months",
            "max_gap_days",
            "max_sessions",
            "min_gap_days",
        ],
    }
    assert SETTABLE_FIELDS["symptom"]["expected.hours"] is Direction.LOWER
    assert SETTABLE_FIELDS["modifier"]["at_least"] is Direction.HIGHER


# --- the property: tightening never allows anything earlier ------------------------------


def _numeric_fields(protocol: Protocol) -> list[tuple[str, str]]:
    # A 'never' rule has no window to move: an overlay that gives it one is refused.
    fields = [(rule.id, "allowed_from_hours") for rule in protocol.aftercare if not rule.is_never]
    for rule in protocol.aftercare:
        if rule.kind is RuleKind.DO:
            fields.append((rule.id, "required_until_hours"))
        if rule.min_spf is not None:
            fields.append((rule.id, "min_spf"))
    return fields


def _overlay(changes: tuple[dict[str, Any], ...]) -> Overlay:
    return Overlay.model_validate(
        {"id": "tighter", "protocol": "microneedling", "title": "Tighter", "changes": changes}
    )


@given(data=st.data())
def test_it_never_allows_an_activity_earlier_when_it_only_tightens(
    protocol: Protocol, data: st.DataObject
) -> None:
    fields = st.sampled_from(_numeric_fields(protocol))
    chosen = data.draw(st.lists(fields, min_size=1, unique=True))
    changes = []
    for rule_id, field in chosen:
        old = getattr(_rule(protocol, rule_id), field)
        increase = data.draw(st.integers(0, 50 if field == "min_spf" else 200))
        changes.append({"item": rule_id, "set": {field: old + increase}})

    effective = apply_overlay(protocol, _overlay(tuple(changes)))

    base, after = protocol.index.activity_rules, effective.index.activity_rules
    for activity in base:
        assert after[activity].allowed_from_hours >= base[activity].allowed_from_hours
        assert (after[activity].required_until_hours or 0) >= (
            base[activity].required_until_hours or 0
        )
        assert (after[activity].min_spf or 0) >= (base[activity].min_spf or 0)
    assert effective.overlay is not None
    assert {change.effect for change in effective.overlay.changes} <= {"tightens", "same"}
