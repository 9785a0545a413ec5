"""The command line's words for what is never advised, what goes on as a habit, and what
waits on the skin (issue 14, "Answers and wording")."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_plan_cli import run

GATE = "once the redness has gone and the skin has settled"


def test_ask_says_picking_is_never_advised(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "can I pick the flakes", "--hours-after", "400")
    assert code == 0
    assert out.splitlines()[:2] == [
        "Picking at flakes or scabs: no, this is never advised.",
        "Do not pick, scratch or peel off flakes or scabs; let them come away on their own.",
    ]


def test_check_picking_as_json_is_never_and_has_no_moment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", "picking", "--hours-after", "400", "--json")
    answer = json.loads(out)
    assert (code, answer["verdict"], answer["allowed_from_hours"]) == (0, "never", None)
    assert answer["answer"] == "Picking at flakes or scabs: no, this is never advised."


@pytest.mark.parametrize(
    ("flags", "first_line"),
    [
        ((), f"Makeup: yes, {GATE}."),
        (("--redness-resolved",), "Makeup: yes."),
        (("--still-red",), "Makeup: not yet."),
    ],
)
def test_check_gives_no_bare_yes_while_the_skin_is_unknown(
    capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], first_line: str
) -> None:
    code, out, _ = run(capsys, "check", "eyeliner", "--hours-after", "30", *flags)
    assert (code, out.splitlines()[0]) == (0, first_line)


def test_ask_gives_the_gate_in_its_first_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "can I wear eyeliner", "--hours-after", "30", "--json")
    answer = json.loads(out)
    assert (code, answer["verdict"], answer["answer"]) == (0, "allowed_if", f"Makeup: yes, {GATE}.")


def test_ask_says_a_warm_shower_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "can I have a warm shower", "--hours-after", "2")
    assert code == 0
    assert out.splitlines() == [
        "Warm shower: yes.",
        "You can shower as usual; keep the water warm or lukewarm, not very hot.",
    ]


def test_the_plan_never_allows_picking_and_keeps_sunscreen_going(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "plan", "--treated-at", "2026-11-21 10:30", "--tz", "Europe/London")
    lines = out.splitlines()
    assert code == 0
    assert (
        "  - Always: Do not pick, scratch or peel off flakes or scabs; "
        "let them come away on their own."
    ) in lines
    day_14 = lines.index("  Day 14, Sat 5 Dec, 10:30:")
    assert "Picking" not in lines[day_14 + 1]
    assert lines[day_14 + 2 :] == [
        "    the daily routine ends for: Gentle non-foaming cleanser, Moisturiser",
        "    Keep using sunscreen every day, as a habit.",
    ]


def test_the_plan_as_json_marks_picking_never(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--treated-at", "2026-11-21 10:30", "--format", "json")
    items = {item["id"]: item for item in json.loads(out)["items"]}
    assert code == 0
    assert items["AC-picking"]["kind"] == "never"
    assert (items["AC-picking"]["allowed_from_hours"], items["AC-picking"]["allowed_from"]) == (
        None,
        None,
    )
    assert items["AC-sunscreen"]["text"] == "Wear sunscreen every day."
