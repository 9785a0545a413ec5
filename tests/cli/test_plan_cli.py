from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aftercare.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_the_plan_in_local_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--treated-at", "2026-11-21 10:30")
    assert code == 0
    assert out.splitlines()[0] == (
        "Aftercare plan: treatment ended Sat 21 Nov, 10:30 (Europe/London)"
    )
    assert "  - Until Sat 5 Dec, 10:30: Avoid extreme heat" in out


def test_it_prints_the_plan_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "plan", "--treated-at", "2026-11-21 10:30", "--format", "json", "--age", "70"
    )
    data = json.loads(out)
    makeup = next(item for item in data["items"] if item["id"] == "AC-makeup")
    assert code == 0
    assert data["time_zone"] == "Europe/London"
    assert data["protocol"]["id"] == "microneedling"
    assert (makeup["allowed_from"], makeup["gate"], makeup["group"]) == (
        "2026-11-22T10:30:00+00:00",
        "redness_resolved",
        "tomorrow",
    )
    assert makeup["sources"][0]["leaflet"] == "001_6bdbabf99514e05f.txt"


def test_it_answers_can_i_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "check",
        "foundation",
        "--treated-at",
        "2026-11-21 10:30",
        "--at",
        "2026-11-22 09:00",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert {
        key: data[key]
        for key in (
            "activity",
            "verdict",
            "allowed_from_hours",
            "allowed_from",
            "blocking_condition",
            "requirements",
            "min_spf",
            "required_until_hours",
        )
    } == {
        "activity": "makeup",
        "verdict": "not_yet",
        "allowed_from_hours": 24,
        "allowed_from": "2026-11-22T10:30:00+00:00",
        "blocking_condition": None,
        "requirements": ["redness_resolved", "clean_brushes_and_sponges"],
        "min_spf": None,
        "required_until_hours": None,
    }
    assert data["note"].startswith("One leaflet allows makeup the next day")
    assert [s["leaflet"] for s in data["sources"]] == [
        "001_6bdbabf99514e05f.txt",
        "000_12476f0732dd14f5.txt",
    ]


@pytest.mark.parametrize(
    ("flag", "verdict", "blocking", "requirements"),
    [
        ("--still-red", "not_yet", "redness_not_resolved", ["clean_brushes_and_sponges"]),
        ("--redness-resolved", "allowed", None, ["clean_brushes_and_sponges"]),
    ],
)
def test_it_takes_the_skin_state(
    capsys: pytest.CaptureFixture[str],
    flag: str,
    verdict: str,
    blocking: str | None,
    requirements: list[str],
) -> None:
    code, out, _ = run(capsys, "check", "makeup", "--hours-after", "30", flag, "--json")
    data = json.loads(out)
    assert (code, data["verdict"], data["blocking_condition"]) == (0, verdict, blocking)
    assert data["requirements"] == requirements
    assert data["allowed_from"] is None


def test_it_answers_sunscreen_as_required(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "spf", "--hours-after", "5", "--json")
    data = json.loads(out)
    assert (data["verdict"], data["min_spf"], data["required_until_hours"]) == (
        "required",
        50,
        336,
    )


def test_it_answers_in_words_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "check", "gym", "--treated-at", "2026-11-21 10:30", "--at", "2026-11-22 10:30"
    )
    assert code == 0
    assert out.splitlines()[:2] == [
        "Strenuous exercise or heavy sweating: not yet.",
        "From Tue 24 Nov, 10:30 (day 3).",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["check", "saunna", "--hours-after", "1"],
            "unknown activity 'saunna'; did you mean sauna?",
        ),
        (["check", "sauna", "--hours-after", "-1"], "--hours-after must be a number, 0 or more"),
        (
            ["check", "sauna"],
            "give either --hours-after H, or both --treated-at TIME and --at TIME",
        ),
        (
            ["check", "sauna", "--hours-after", "3", "--at", "2026-11-21 10:00"],
            "give either --hours-after H, or both --treated-at TIME and --at TIME",
        ),
        (
            ["check", "sauna", "--treated-at", "2026-11-21 10:00", "--at", "2026-11-20 10:00"],
            "--at is before --treated-at",
        ),
        (
            ["plan", "--treated-at", "2026-03-29 01:30"],
            "2026-03-29 01:30 does not exist in Europe/London (the clocks go forward)",
        ),
        (
            ["plan", "--treated-at", "2026-02-30 10:00"],
            "'2026-02-30 10:00' is not a date and time; use the form 2026-11-21 10:30",
        ),
        (
            ["plan", "--treated-at", "2026-11-21 10:30", "--tz", "Mars/Olympus"],
            "unknown time zone 'Mars/Olympus'; use a name such as Europe/London",
        ),
        (["plan", "--treated-at", "2026-11-21 10:30", "--area", "elbow"], "unknown area 'elbow'"),
        (
            ["plan", "--treated-at", "2026-11-21 10:30", "--needle-depth", "9"],
            "needle depth must be more than 0 and at most 5.0 mm",
        ),
        (
            ["plan", "--treated-at", "2026-11-21 10:30", "--age", "x"],
            "argument --age: 'x' is not a whole number",
        ),
        (["plan"], "the following arguments are required: --treated-at"),
    ],
)
def test_it_rejects_bad_input_in_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.strip().endswith(message)


def test_the_installed_command_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("aftercare")
    done = subprocess.run(
        [str(script), "check", "steam", "--hours-after", "400", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "allowed"


def test_it_answers_a_question_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "ask",
        "can i have a glass of wine 2moro morning?",
        "--treated-at",
        "2026-10-23 10:30",
        "--at",
        "2026-10-24 16:30",
    )
    assert code == 0
    assert out.splitlines() == [
        "Alcohol on Sun 25 Oct, 09:00: not yet, from Sun 25 Oct, 09:30 (day 2).",
        "Avoid alcohol.",
        "Why: Alcohol widens blood vessels, which can add to redness, swelling and bruising.",
    ]


def test_it_answers_a_question_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "Can I go to the GYM?", "--hours-after", "80", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["understood"], data["activity"], data["verdict"]) == (
        True,
        "strenuous_exercise_heavy_sweating",
        "allowed",
    )
    assert (data["allowed_from_hours"], data["asked_for"], data["suggestions"]) == (72, None, [])
    assert data["topic"] is None
    assert data["answer"] == "Strenuous exercise or heavy sweating: yes."


def test_it_exits_0_when_it_does_not_understand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "can I fly?", "--hours-after", "5", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["understood"], data["activity"], data["verdict"], data["topic"]) == (
        True,
        None,
        None,
        "flying",
    )
    code, out, _ = run(capsys, "ask", "spicy food", "--hours-after", "5", "--json")
    assert code == 0
    assert json.loads(out)["understood"] is False


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (("--hours-after", "-2"), "aftercare: error: --hours-after must be a number, 0 or more\n"),
        (
            ("--treated-at", "2026-03-29 01:30", "--at", "2026-03-30 09:00"),
            "aftercare: error: 2026-03-29 01:30 does not exist in Europe/London "
            "(the clocks go forward)\n",
        ),
        (
            ("--hours-after", "5", "--still-red", "--redness-resolved"),
            "aftercare ask: error: argument --redness-resolved: not allowed with argument "
            "--still-red\n",
        ),
    ],
)
def test_it_exits_2_on_bad_flags_or_impossible_times(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], error: str
) -> None:
    code, out, err = run(capsys, "ask", "makeup", *argv)
    assert (code, out, err) == (2, "", error)
