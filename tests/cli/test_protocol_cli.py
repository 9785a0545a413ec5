from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aftercare.cli import main
from aftercare.protocols.load import default_protocol_path, load_protocol, to_plain
from aftercare.protocols.schema import (
    ActivityRule,
    Course,
    OverlayRecord,
    Protocol,
    ScreeningRule,
    Symptom,
)

OVERLAYS = Path(__file__).parents[1] / "fixtures" / "overlays"
HARBOUR = OVERLAYS / "harbour-clinic.yaml"
NO_REASON = OVERLAYS / "spf30-without-reason.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Exit status, stdout lines and stderr lines of `aftercare ARGV`."""
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, [])
    return json.loads("\n".join(out))


# --- validate --------------------------------------------------------------------


def test_it_validates_the_built_in_protocol(
    capsys: pytest.CaptureFixture[str], protocol: Protocol
) -> None:
    path = str(default_protocol_path())

    assert run(capsys, "protocol", "validate", path) == (
        0,
        [
            f"{path}: valid (id microneedling, version {protocol.version}, "
            f"{len(protocol.activities)} activities, {len(protocol.aftercare)} rules, "
            f"{len(protocol.symptoms)} symptoms)"
        ],
        [],
    )


def test_it_validates_a_protocol_with_its_overlay(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(default_protocol_path())
    effective = load_protocol(overlay=HARBOUR)
    activities, rules = len(effective.activities), len(effective.aftercare)

    assert run(capsys, "protocol", "validate", path, "--overlay", str(HARBOUR)) == (
        0,
        [
            f"{path}: valid (id microneedling+harbour-clinic, version {effective.version}, "
            f"{activities} activities, {rules} rules, {len(effective.symptoms)} symptoms)"
        ],
        [],
    )


def broken_copy(tmp_path: Path, *edits: tuple[str, str]) -> tuple[Path, str]:
    """The built-in protocol with targeted edits, written to a file; and its text."""
    text = default_protocol_path().read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def line_of_text(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_it_lists_every_error_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, protocol: Protocol
) -> None:
    path, text = broken_copy(
        tmp_path,
        ("language: en-GB\n", "language: en-GB\ncolour: amber\n"),
        ("allowed_from_hours: 48\n", "allowed_from_hours: -48\n"),
    )
    alcohol = [rule.id for rule in protocol.aftercare].index("AC-alcohol")

    assert run(capsys, "protocol", "validate", str(path)) == (
        1,
        [
            f"{path}: 2 errors",
            f"aftercare[{alcohol}].allowed_from_hours: Input should be greater than or equal "
            f"to 0 (line {line_of_text(text, 'allowed_from_hours: -48')})",
            f"colour: Extra inputs are not permitted (line {line_of_text(text, 'colour:')})",
        ],
        [],
    )


def test_it_lists_every_reference_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, protocol: Protocol
) -> None:
    path, text = broken_copy(
        tmp_path,
        ("activities: [alcohol]", "activities: [alcohol, karaoke]"),
        (
            "gate: redness_resolved\n    requirements: [clean_brushes",
            "gate: settled\n    requirements: [clean_brushes",
        ),
    )
    rules = [rule.id for rule in protocol.aftercare]

    assert run(capsys, "protocol", "validate", str(path)) == (
        1,
        [
            f"{path}: 2 errors",
            f"aftercare[{rules.index('AC-alcohol')}].activities[1]: unknown activity 'karaoke' "
            f"(line {line_of_text(text, 'karaoke')})",
            f"aftercare[{rules.index('AC-makeup')}].gate: unknown skin state 'settled' "
            f"(line {line_of_text(text, 'gate: settled')})",
        ],
        [],
    )


def test_it_lists_the_errors_of_an_overlay(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(default_protocol_path())

    assert run(capsys, "protocol", "validate", path, "--overlay", str(NO_REASON)) == (
        1,
        [
            f"{NO_REASON}: 1 error",
            "changes[0].set.min_spf: relaxes 'AC-sunscreen' (min_spf 50 -> 30); "
            "a change that relaxes the protocol needs a reason (line 8)",
        ],
        [],
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["protocol", "validate", "missing.yaml"], "aftercare: error: missing.yaml: no such file"),
        (
            ["protocol", "validate", "{protocol}", "--overlay", "gone.yaml"],
            "aftercare: error: gone.yaml: no such file",
        ),
        (
            ["protocol", "show", "--overlay", str(NO_REASON)],
            f"aftercare: error: {NO_REASON}: 1 error; first: changes[0].set.min_spf: relaxes "
            "'AC-sunscreen' (min_spf 50 -> 30); a change that relaxes the protocol needs a "
            "reason (line 8)",
        ),
        (
            ["protocol"],
            "aftercare protocol: error: the following arguments are required: COMMAND",
        ),
    ],
)
def test_it_exits_2_with_one_line_for_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [arg.replace("{protocol}", str(default_protocol_path())) for arg in argv]

    assert run(capsys, *argv) == (2, [], [message])


# --- schema ----------------------------------------------------------------------


def test_it_prints_the_json_schema_of_a_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    schema = run_json(capsys, "protocol", "schema")

    assert schema == Protocol.model_json_schema()
    assert {"aftercare", "symptoms", "conflicts", "overlay"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


# --- show ------------------------------------------------------------------------

SHOWN = [
    "Medical microneedling aftercare",
    "Aftercare",
    "  sauna, steam_room, very_hot_shower, sunbed: avoid until day 14 (336 h)",
    "    AC-extreme-heat; leaflet; sources: 000_12476f0732dd14f5.txt",
    "  light_activity: allowed from the start",
    "  makeup: allowed from day 1 (24 h), once the redness has gone and the skin has settled; "
    "needs clean_brushes_and_sponges",
    "    AC-makeup; reconciled (C5); sources: 001_6bdbabf99514e05f.txt, 000_12476f0732dd14f5.txt",
    "  sunscreen: do from the start until day 14 (336 h), SPF 50 or higher; needs broad_spectrum",
    "  alcohol: avoid until day 2 (48 h)",
    "    AC-alcohol; literature; sources: literature",
    "Symptoms",
    "  redness: expected up to day 4 (96 h); up to day 7 (168 h) with sensitive_skin, "
    "older_patient, deep_needling; then contact_clinic",
    "  bruising_with_petechiae: not expected; up to day 7 (168 h) with platelet_medication, "
    "anticoagulant; then contact_clinic",
    "  pain: red flag, contact_clinic_now",
    "Screening",
    "  SC-isotretinoin-recent: not_yet when isotretinoin within 90 days or 3 months, whichever "
    "ends later - "
    "Isotretinoin (Roaccutane) was taken too recently.",
    "  SC-pregnant: not_suitable when pregnant is true - Pregnancy.",
    "  SC-darker-skin: caution when fitzpatrick is one of iv, v, vi - Skin type IV to VI.",
    "Course",
    "  1 to 6 sessions (3 by default), 28 to 42 days apart; maintenance every 6 to 12 months",
]


def test_it_shows_each_item_with_its_window_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "protocol", "show")

    assert code == 0
    assert [line for line in SHOWN if line not in out] == []


def test_it_shows_the_overlay_and_its_changes(capsys: pytest.CaptureFixture[str]) -> None:
    version = load_protocol(overlay=HARBOUR).version

    code, out, _ = run(capsys, "protocol", "show", "--overlay", str(HARBOUR))

    assert code == 0
    assert out[:5] == [
        "Medical microneedling aftercare",
        f"  id microneedling+harbour-clinic, version {version}",
        "  overlay harbour-clinic: Harbour Clinic house rules",
        "    SC-isotretinoin-recent trigger.within_days 90 -> 180 (tightens)",
        "    AC-sunscreen min_spf 50 -> 30 (relaxes: We supply a mineral SPF30 and ask patients "
        "to reapply every two hours.)",
    ]
    assert (
        "  sunscreen: do from the start until day 14 (336 h), SPF 30 or higher; "
        "needs broad_spectrum"
    ) in out


def test_it_round_trips_the_items_through_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    effective = load_protocol(overlay=HARBOUR)

    shown = run_json(capsys, "protocol", "show", "--json", "--overlay", str(HARBOUR))

    assert (shown["id"], shown["effective_id"], shown["version"]) == (
        "microneedling",
        "microneedling+harbour-clinic",
        effective.version,
    )
    assert tuple(_without_window(ActivityRule, shown["aftercare"])) == effective.aftercare
    assert tuple(_without_window(Symptom, shown["symptoms"])) == effective.symptoms
    screening = tuple(ScreeningRule.model_validate(to_plain(r)) for r in shown["screening_rules"])
    assert screening == effective.screening.rules
    assert Course.model_validate(to_plain(shown["course"])) == effective.course
    assert OverlayRecord.model_validate(to_plain(shown["overlay"])) == effective.overlay
    assert shown["aftercare"][0]["window"] == "avoid until day 14 (336 h)"


def _without_window(model: Any, entries: list[dict[str, Any]]) -> list[Any]:
    return [
        model.model_validate(to_plain({k: v for k, v in entry.items() if k != "window"}))
        for entry in entries
    ]


def test_it_shows_no_overlay_for_the_base_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    shown = run_json(capsys, "protocol", "show", "--json")

    assert (shown["effective_id"], shown["overlay"]) == ("microneedling", None)


# --- conflicts -------------------------------------------------------------------

CONFLICTS = [f"C{number}" for number in range(1, 23)]


def test_it_lists_every_conflict_with_the_items_citing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = run_json(capsys, "protocol", "conflicts", "--json")

    assert [conflict["id"] for conflict in shown["conflicts"]] == CONFLICTS
    assert all(conflict["cited_by"] for conflict in shown["conflicts"])
    by_id = {conflict["id"]: conflict for conflict in shown["conflicts"]}
    assert by_id["C4"]["cited_by"] == ["AC-sunscreen"]
    assert by_id["C14"]["cited_by"] == ["course"]
    assert by_id["C20"]["statements"][0]["leaflet"] == "004_c9e6a56256457567.txt"


def test_it_describes_each_conflict_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "protocol", "conflicts")

    assert code == 0
    assert [line.split(" ")[0] for line in out if line.startswith("C")] == CONFLICTS
    c5 = out.index("C5 Makeup")
    assert out[c5 : c5 + 6] == [
        "C5 Makeup",
        "  001_6bdbabf99514e05f.txt: Makeup as usual on the next day.",
        "  000_12476f0732dd14f5.txt: Makeup once the skin has settled, with cleaned brushes "
        "and sponges.",
        "  outcome: From 24 hours and only once the redness has gone, with clean brushes and "
        "sponges.",
        "  rule: Conjunction of a time gate and a skin-state gate.",
        "  cited by: AC-makeup",
    ]
    assert "  literature (Clinic sources): 12 to 36 hours." in out
