from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from typing import Any

import pytest

from aftercare.cli import clinical, main
from aftercare.cli.common import protocol_from_args as real_protocol_from_args
from aftercare.protocols.load import DEFAULT_PROTOCOL
from aftercare.protocols.schema import Protocol

Capsys = pytest.CaptureFixture[str]
OK, CLINIC, NOW = "expected", "contact_clinic", "contact_clinic_now"

TRIAGE_QUOTES = (
    "If you have any concerns, please contact me immediately.",
    "please call the clinic immediately for advice",
    "Urgent advice when the clinic cannot be reached.",
)
NOW_ADVICE = (
    "Contact your clinic now. If you cannot reach them and you feel unwell, "
    "call NHS 111, or 999 in an emergency."
)


@pytest.fixture(autouse=True)
def _protocol_loaded_once(monkeypatch: pytest.MonkeyPatch, protocol: Protocol) -> None:
    """Read the built-in protocol once (it takes ~0.4 s); the last test runs the real thing."""

    def from_args(args: argparse.Namespace) -> Protocol:
        if args.protocol == DEFAULT_PROTOCOL and args.overlay is None:
            return protocol
        return real_protocol_from_args(args)

    monkeypatch.setattr(clinical, "protocol_from_args", from_args)


def run(capsys: Capsys, line: str) -> tuple[int, str, str]:
    """Run ``aftercare LINE``, the line split as a shell would."""
    try:
        code = main(shlex.split(line))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(command: str, message: str) -> str:
    """What stderr holds: argparse names the command; our own checks say 'aftercare'."""
    prog = f"aftercare {command}" if message.startswith("argument ") else "aftercare"
    return f"{prog}: error: {message}\n"


def run_json(capsys: Capsys, line: str, code: int = 0) -> Any:
    actual, out, err = run(capsys, f"{line} --json")
    assert (actual, err) == (code, "")
    return json.loads(out)


# --- triage --------------------------------------------------------------------


def test_it_triages_worsening_redness_as_contact_now(capsys: Capsys) -> None:
    data = run_json(capsys, "triage redness --hours-after 1 --trend worsening")
    assert data["triage"] == "contact_clinic_now"
    assert data["advice"] == NOW_ADVICE
    keys = ("id", "level", "expected_until_hours", "reason")
    assert [{key: symptom[key] for key in keys} for symptom in data["symptoms"]] == [
        {
            "id": "redness",
            "level": "contact_clinic_now",
            "expected_until_hours": 96,
            "reason": "Redness that is getting worse can be a sign of infection.",
        }
    ]
    assert data["sources"][:3] == [
        {"leaflet": "000_12476f0732dd14f5.txt", "quote": TRIAGE_QUOTES[0]},
        {"leaflet": "001_6bdbabf99514e05f.txt", "quote": TRIAGE_QUOTES[1]},
        {"literature": "NHS, When to use 111 (nhs.uk)", "note": TRIAGE_QUOTES[2]},
    ]
    assert data["protocol"]["id"] == "microneedling"


# fmt: off
TRIAGE = [
    ("'red skin' puffy --hours-after 100", CLINIC, [CLINIC, CLINIC], [96, 96]),
    ("'red skin' puffy --hours-after 100 --sensitive-skin", OK, [OK, OK], [168, 168]),
    ("bruising --hours-after 100 --age 64", CLINIC, [CLINIC], [96]),
    ("bruising --hours-after 100 --age 65", OK, [OK], [168]),
    ("bruising --hours-after 100 --needle-depth 1.0", CLINIC, [CLINIC], [96]),
    ("bruising --hours-after 100 --needle-depth 1.1", OK, [OK], [168]),
    ("bruising --hours-after 100 --platelet-medication", OK, [OK], [168]),
    ("bruising --hours-after 100 --anticoagulant", OK, [OK], [168]),
    ("bruising --hours-after 95 --area eyes", OK, [OK], [96]),
    ("bruising --hours-after 120 --area eyes", CLINIC, [CLINIC], [96]),
    ("pain itchy --hours-after 0", NOW, [NOW, OK], [None, 96]),
    ("pain --hours-after 0 --sensitive-skin --age 90 --needle-depth 2", NOW, [NOW], [None]),
    ("tender --hours-after 1 --severity severe", NOW, [NOW], [96]),
    ("redness --hours-after 1 --trend improving --severity mild", OK, [OK], [96]),
    # The same symptom named twice is triaged once.
    ("red redness --hours-after 1", OK, [OK], [96]),
]
# fmt: on


@pytest.mark.parametrize(("line", "level", "levels", "until"), TRIAGE)
def test_it_triages_symptoms_as_json(
    capsys: Capsys, line: str, level: str, levels: list[str], until: list[int | None]
) -> None:
    data = run_json(capsys, f"triage {line}")
    assert data["triage"] == level
    assert [s["level"] for s in data["symptoms"]] == levels
    assert [s["expected_until_hours"] for s in data["symptoms"]] == until


def test_it_counts_hours_from_local_times_across_a_clock_change(capsys: Capsys) -> None:
    data = run_json(
        capsys, "triage redness --treated-at '2026-03-28 10:00' --at '2026-03-29 10:00'"
    )
    assert (data["hours_after"], data["triage"]) == (23.0, "expected")


def test_it_prints_triage_for_people(capsys: Capsys) -> None:
    code, out, err = run(capsys, "triage redness bruising --hours-after 1 --trend worsening")
    assert (code, err) == (0, "")
    assert out == (
        f"{NOW_ADVICE}\n"
        "\n"
        "- Redness or flushing: contact clinic now. "
        "Redness that is getting worse can be a sign of infection.\n"
        "- Bruising: contact clinic. Bruising that is spreading should be checked by your clinic.\n"
    )


def test_it_reads_the_patients_words(capsys: Capsys) -> None:
    code, out, err = run(capsys, 'triage --hours-after 30 --text "my skin is oozing"')
    assert (code, err) == (0, "")
    assert out == (
        f"{NOW_ADVICE}\n"
        "\n"
        "- Discharge or weeping: contact clinic now. "
        "Discharge is not normal and can be a sign of infection.\n"
    )


def test_it_says_call_999_first_for_a_severe_allergic_reaction(capsys: Capsys) -> None:
    data = run_json(capsys, "triage redness --hours-after 1 --text 'my lips are swollen'")
    assert data["triage"] == "call_999"
    assert data["advice"] == (
        "Call 999 now: this can be a severe allergic reaction. Then tell your clinic."
    )
    assert [(s["id"], s["found_in_text"]) for s in data["symptoms"]] == [
        ("redness", None),
        ("severe_allergic_reaction", "lips swollen"),
    ]


def test_it_passes_words_that_match_nothing_to_the_clinic(capsys: Capsys) -> None:
    code, out, _ = run(capsys, "triage --hours-after 30 --text 'a small mark on my chin'")
    assert code == 0
    assert out.endswith(
        "- What you wrote: contact clinic. "
        "Your clinic will read what you wrote and contact you if they need to.\n"
    )


EITHER = "give either --hours-after H, or both --treated-at TIME and --at TIME"
# fmt: off
BAD_TRIAGE = [
    ("redd --hours-after 1", "unknown symptom 'redd'; did you mean redness?"),
    ("redness", EITHER),
    ("redness --hours-after 1 --at '2026-11-21 10:00'", EITHER),
    ("redness --treated-at '2026-11-21 10:00'", "--treated-at and --at go together"),
    ("redness --treated-at '2026-11-21 10:00' --at '2026-11-21 09:00'",
     "--at is before --treated-at"),
    ("redness --treated-at '2026-03-29 01:30' --at '2026-03-29 05:00'",
     "2026-03-29 01:30 does not exist in Europe/London (the clocks go forward)"),
    ("redness --treated-at '2026-11-21 10:00' --at '2026-11-22 10:00' --tz Mars/Base",
     "unknown time zone 'Mars/Base'; use a name such as Europe/London"),
    ("redness --hours-after -1", "--hours-after must be a number, 0 or more"),
    ("redness --hours-after nan", "--hours-after must be a number, 0 or more"),
    ("redness --hours-after soon", "argument --hours-after: invalid float value: 'soon'"),
    ("redness --hours-after 1 --trend up",
     "argument --trend: invalid choice: 'up' (choose from 'improving', 'stable', 'worsening')"),
    ("redness --hours-after 1 --area knee", "unknown area 'knee'"),
    ("--hours-after 1", "report at least one symptom, or write what you notice"),
    ("--hours-after 1 --text ' '", "report at least one symptom, or write what you notice"),
]
# fmt: on


@pytest.mark.parametrize(("line", "error"), BAD_TRIAGE)
def test_it_refuses_bad_triage_input_in_one_line(capsys: Capsys, line: str, error: str) -> None:
    assert run(capsys, f"triage {line}") == (2, "", one_line_error("triage", error))


# --- course --------------------------------------------------------------------


def test_it_plans_the_default_course(capsys: Capsys) -> None:
    data = run_json(capsys, "course --first 2026-12-05")
    # fmt: off
    assert data == {
        "valid": True, "requested_sessions": 3, "min_sessions": 1, "max_sessions": 6,
        "min_gap_days": 28, "max_gap_days": 42,
        "sessions": [
            {"number": 1, "earliest": "2026-12-05", "latest": "2026-12-05"},
            {"number": 2, "earliest": "2027-01-02", "latest": "2027-01-16"},
            {"number": 3, "earliest": "2027-01-30", "latest": "2027-02-27"},
        ],
        "maintenance_earliest": "2027-07-30", "maintenance_latest": "2028-02-27",
    }
    # fmt: on


@pytest.mark.parametrize(
    ("sessions", "code", "valid"),
    [("0", 1, False), ("1", 0, True), ("6", 0, True), ("7", 1, False)],
)
def test_it_exits_1_for_a_course_that_is_too_long_or_empty(
    capsys: Capsys, sessions: str, code: int, valid: bool
) -> None:
    data = run_json(capsys, f"course --first 2026-12-05 --sessions {sessions}", code=code)
    assert data["valid"] is valid
    assert len(data["sessions"]) == (int(sessions) if valid else 0)
    assert (data["maintenance_earliest"] is not None) is valid


@pytest.mark.parametrize(
    ("proposed", "verdict", "allowed"),
    [
        ("2027-01-01", "too_early", False),
        ("2027-01-02", "within_window", True),
        ("2027-01-16", "within_window", True),
        ("2027-01-17", "late", True),
    ],
)
def test_it_checks_the_next_session(
    capsys: Capsys, proposed: str, verdict: str, allowed: bool
) -> None:
    data = run_json(capsys, f"course --previous 2026-12-05 --proposed {proposed}")
    assert (data["verdict"], data["allowed"], data["earliest"]) == (verdict, allowed, "2027-01-02")


def test_it_finds_maintenance_at_the_end_of_february(capsys: Capsys) -> None:
    data = run_json(capsys, "course --completed 2026-08-31 --maintenance")
    assert data == {"maintenance_earliest": "2027-02-28", "maintenance_latest": "2027-08-31"}


# fmt: off
COURSE_TEXT = [
    ("--first 2026-12-05 --sessions 2", 0,
     "Course of 2 sessions, 28 to 42 days apart:\n"
     "- Session 1: Sat 5 Dec 2026\n"
     "- Session 2: Sat 2 Jan 2027 to Sat 16 Jan 2027\n"
     "Maintenance: Fri 2 Jul 2027 to Sun 16 Jan 2028\n"),
    ("--first 2026-12-05 --sessions 7", 1,
     "Not a valid course: 7 sessions; a course has 1 to 6.\n"),
    ("--previous 2026-12-05 --proposed 2027-01-01", 0,
     "Too early: 27 days after the previous session; "
     "the window is Sat 2 Jan 2027 to Sat 16 Jan 2027.\n"),
    ("--previous 2026-12-05 --proposed 2027-03-01", 0,
     "Late: 86 days after the previous session; "
     "the window is Sat 2 Jan 2027 to Sat 16 Jan 2027.\n"),
    ("--completed 2026-08-31 --maintenance", 0,
     "Maintenance: Sun 28 Feb 2027 to Tue 31 Aug 2027\n"),
]
# fmt: on


@pytest.mark.parametrize(("line", "code", "out"), COURSE_TEXT)
def test_it_prints_the_course_for_people(capsys: Capsys, line: str, code: int, out: str) -> None:
    assert run(capsys, f"course {line}") == (code, out, "")


GIVE_ONE = (
    "give one of: --first DATE [--sessions N]; "
    "--previous DATE --proposed DATE; --completed DATE --maintenance"
)
# fmt: off
BAD_COURSE = [
    ("", GIVE_ONE),
    ("--first 2026-12-05 --completed 2026-12-05", GIVE_ONE),
    ("--sessions 3", "--sessions needs --first DATE"),
    ("--previous 2026-12-05", "--previous and --proposed go together"),
    ("--maintenance", "--completed and --maintenance go together"),
    ("--completed 2026-12-05", "--completed and --maintenance go together"),
    ("--first 2026-02-30", "argument --first: '2026-02-30' is not a date; use YYYY-MM-DD"),
    ("--first 2026-12-05 --sessions -2", "argument --sessions: '-2' cannot be negative"),
    ("--previous 2026-12-05 --proposed 2026-12-04",
     "the proposed session cannot be before the previous one"),
]
# fmt: on


@pytest.mark.parametrize(("line", "error"), BAD_COURSE)
def test_it_refuses_bad_course_input_in_one_line(capsys: Capsys, line: str, error: str) -> None:
    assert run(capsys, f"course {line}") == (2, "", one_line_error("course", error))


# --- the real command ------------------------------------------------------------


def test_it_runs_as_a_module() -> None:
    argv = [sys.executable, "-m", "aftercare", "triage", "pus", "--hours-after", "30", "--json"]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    assert (completed.returncode, completed.stderr) == (0, "")
    assert json.loads(completed.stdout)["triage"] == "contact_clinic_now"
