"""`--protocol ID` on every command, and `aftercare protocol list`: the chemical peel is
answered from its own rules, and a bad id is one line and exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from aftercare.cli import main
from aftercare.protocols.registry import PACKAGED_DIRECTORY

Capsys = pytest.CaptureFixture[str]
MINI = Path(__file__).parents[1] / "engine" / "fixtures" / "mini.yaml"
PEEL = ("--protocol", "chemical-peel")


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: Capsys, *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    return json.loads(out)


def test_it_lists_both_packaged_protocols_as_json(capsys: Capsys) -> None:
    listed = run_json(capsys, "protocol", "list", "--json")
    assert [(p["id"], p["title"], p["language"], p["sign_off"]) for p in listed] == [
        (
            "chemical-peel",
            "Superficial chemical peel aftercare",
            "en-GB",
            "needs clinical sign-off",
        ),
        ("microneedling", "Medical microneedling aftercare", "en-GB", "needs clinical sign-off"),
    ]
    assert all(len(p["version"]) == 16 and p["effective_id"] == p["id"] for p in listed)


def test_it_lists_the_protocols_for_people(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "protocol", "list")
    versions = {p["id"]: p["version"] for p in run_json(capsys, "protocol", "list", "--json")}
    assert code == 0
    assert out.splitlines() == [
        "chemical-peel: Superficial chemical peel aftercare "
        f"(version {versions['chemical-peel']}, en-GB; needs clinical sign-off)",
        "microneedling: Medical microneedling aftercare "
        f"(version {versions['microneedling']}, en-GB; needs clinical sign-off)",
    ]


def test_it_plans_a_chemical_peel_as_json(capsys: Capsys) -> None:
    data = run_json(capsys, "plan", *PEEL, "--treated-at", "2026-12-07 10:30", "--format", "json")
    items = {item["id"]: item for item in data["items"]}
    sunscreen = items["AC-sunscreen"]
    assert data["protocol"]["id"] == "chemical-peel"
    assert (sunscreen["min_spf"], sunscreen["required_until"]) == (
        50,
        "2026-12-28T10:30:00+00:00",
    )
    assert (items["AC-picking"]["kind"], items["AC-soap"]["gate"]) == ("never", "peeling_complete")
    assert sunscreen["sources"][0] == {
        "literature": "lisahendersonlashartist.co.uk, Chemical Peel Aftercare "
        "(www.lisahendersonlashartist.co.uk/chemicalpeelaftercare)",
        "quote": "Use SPF50 daily for a minimum of 2 weeks",
    }
    assert "AC-redness" not in items and "AC-hyaluronic-serum" not in items


def test_it_checks_a_sauna_after_a_peel_with_its_sources(capsys: Capsys) -> None:
    data = run_json(capsys, "check", "sauna", *PEEL, "--hours-after", "30", "--json")
    assert (data["verdict"], data["rule"], data["allowed_from_hours"]) == (
        "not_yet",
        "AC-heat",
        72,
    )
    assert [source["literature"].split(",")[0] for source in data["sources"]] == [
        "lisahendersonlashartist.co.uk",
        "lisahendersonlashartist.co.uk",
        "theglamfairies.co.uk",
    ]
    assert data["sources"][2]["quote"] == (
        "Avoid strenuous exercise, saunas, sunbeds, and exposure to heat for 72 hours after "
        "treatment."
    )


def test_it_answers_swimming_from_the_peels_rules(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "ask", "can I go swimming", *PEEL, "--hours-after", "30")
    assert code == 0
    assert out.splitlines()[:2] == [
        "Swimming pool: not yet, from day 14 (336 hours).",
        "Avoid chlorinated water - swimming pools, and bleach or chlorine cleaning products on "
        "your skin (wear gloves if you must clean).",
    ]
    _, microneedling, _ = run(capsys, "ask", "can I go swimming", "--hours-after", "30")
    assert "The tiny channels" not in out and microneedling != out


def test_it_reads_the_peels_skin_states(capsys: Capsys) -> None:
    code, out, _ = run(
        capsys, "check", "soap", *PEEL, "--hours-after", "30", "--skin", "peeling_complete=no"
    )
    assert code == 0
    assert out.splitlines()[:2] == [
        "Soap or foaming cleanser: not yet.",
        "Your skin is still peeling or sensitive. Wait until the peeling has finished and your "
        "skin feels normal again.",
    ]


def test_it_triages_after_a_peel(capsys: Capsys) -> None:
    data = run_json(capsys, "triage", "flaking", "redness", *PEEL, "--hours-after", "100", "--json")
    assert data["protocol"]["id"] == "chemical-peel"
    assert data["triage"] == "contact_clinic"
    assert {s["id"]: s["level"] for s in data["symptoms"]} == {
        "peeling": "expected",
        "redness": "contact_clinic",
    }


def test_it_screens_with_the_peels_own_questions(capsys: Capsys) -> None:
    code, out, _ = run(
        capsys, "screen", *PEEL, "--immunity", "--allergies", "aspirin", "--on", "2026-12-07"
    )
    assert code == 0
    assert out.splitlines()[:5] == [
        "Incomplete.",
        "- clinician review: An allergy, which the practitioner checks against the peel's "
        "ingredients.",
        "- caution: Poor health or a weakened immune system.",
        "Caution: Healing may take longer than usual; tell the patient so and review the skin "
        "at each check-in.",
        "Still to ask: Have you taken isotretinoin (Roaccutane, Accutane)? If so, when was your "
        "last dose, or are you taking it now?",
    ]


def test_it_plans_a_course_of_peels(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "course", *PEEL, "--first", "2026-12-07")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Course of 4 sessions, 21 to 35 days apart:",
        "- Session 1: Mon 7 Dec 2026",
        "- Session 2: Mon 28 Dec 2026 to Mon 11 Jan 2027",
    ]


def test_it_validates_a_packaged_protocol_by_id(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "protocol", "validate", *PEEL)
    assert code == 0
    assert out.startswith("chemical-peel: valid (id chemical-peel, version ")
    assert out.rstrip().endswith("27 activities, 22 rules, 12 symptoms)")


@pytest.mark.parametrize(
    "argv",
    [
        ("plan", "--treated-at", "2026-12-07 10:30"),
        ("check", "sauna", "--hours-after", "30"),
        ("ask", "sauna?", "--hours-after", "30"),
        ("triage", "redness", "--hours-after", "30"),
        ("screen", "--on", "2026-12-07"),
        ("course", "--first", "2026-12-07"),
        ("protocol", "show"),
        ("protocol", "validate"),
    ],
)
def test_an_unknown_protocol_is_one_line_and_exit_2(capsys: Capsys, argv: tuple[str, ...]) -> None:
    code, out, err = run(capsys, *argv, "--protocol", "botox")
    assert (code, out) == (2, "")
    assert err == (
        "aftercare: error: unknown protocol 'botox'; there are: chemical-peel, microneedling\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("check", "soap", *PEEL, "--hours-after", "3", "--still-red"),
            "the chemical-peel protocol has no skin state 'redness_resolved'; "
            "it has: peeling_complete, skin_settled",
        ),
        (
            ("screen", *PEEL, "--radiation-days-ago", "3", "--on", "2026-12-07"),
            "the chemical-peel protocol does not ask 'radiation'",
        ),
        (
            ("screen", "--immunity", "--on", "2026-12-07"),
            "the microneedling protocol does not ask 'immunity'",
        ),
        (
            ("protocol", "validate", str(PACKAGED_DIRECTORY / "microneedling.yaml"), *PEEL),
            "give a protocol FILE or --protocol ID, not both",
        ),
        (
            ("check", "sauna", "--protocol", "nowhere/p.yaml", "--hours-after", "3"),
            "nowhere/p.yaml: no such file",
        ),
    ],
)
def test_a_question_the_protocol_does_not_have_is_one_line_and_exit_2(
    capsys: Capsys, argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", f"aftercare: error: {message}\n")


# --- factor flags come from the chosen protocol -------------------------------------------


@pytest.mark.parametrize("flags", [("--needle-depth-mm", "1"), ("--needle-depth", "1")])
def test_a_needle_depth_for_a_peel_is_one_line_and_exit_2(
    capsys: Capsys, flags: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, "triage", "redness", "--hours-after", "1", *PEEL, *flags)

    assert (code, out) == (2, "")
    assert err == (
        f"aftercare triage: error: unrecognized arguments: {' '.join(flags)}; "
        "the chemical-peel protocol's factors are: --peel-depth, --cold-sore-history\n"
    )


def test_the_peel_takes_its_own_depth(capsys: Capsys) -> None:
    data = run_json(
        capsys,
        "triage",
        "redness",
        "--hours-after",
        "1",
        "--peel-depth",
        "Superficial",
        *PEEL,
        "--json",
    )
    assert data["triage"] == "expected"


def test_a_peel_depth_it_does_not_know_is_one_line_and_exit_2(capsys: Capsys) -> None:
    code, out, err = run(
        capsys, "plan", "--treated-at", "2026-11-21 10:30", *PEEL, "--peel-depth", "deep"
    )

    assert (code, out) == (2, "")
    assert err == (
        "aftercare plan: error: argument --peel-depth: 'deep' is not a peel depth; "
        "use one of: Very superficial, Superficial\n"
    )


def test_the_help_lists_the_chosen_protocols_factors(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "check", "sauna", *PEEL, "--help")

    assert code == 0
    assert "--peel-depth very_superficial|superficial" in out
    assert "--needle-depth" not in out


def test_a_clinics_own_protocol_file_is_listed_and_answers(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(MINI, tmp_path / "mini.yaml")
    monkeypatch.setenv("AFTERCARE_PROTOCOLS_DIR", str(tmp_path))
    listed = run_json(capsys, "protocol", "list", "--json")
    assert [p["id"] for p in listed] == ["chemical-peel", "microneedling", "mini"]
    answer = run_json(
        capsys, "check", "sauna", "--protocol", "mini", "--hours-after", "30", "--json"
    )
    assert (answer["verdict"], answer["allowed_from_hours"]) == ("not_yet", 48)


def test_a_protocols_directory_that_is_not_there_is_one_line(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_PROTOCOLS_DIR", str(tmp_path / "nowhere"))
    code, out, err = run(capsys, "protocol", "list")
    assert (code, out) == (2, "")
    assert err == (
        f"aftercare: error: {tmp_path / 'nowhere'}: 1 error; first: (top level): "
        "AFTERCARE_PROTOCOLS_DIR names no directory\n"
    )
