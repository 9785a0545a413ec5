from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from aftercare.cli import clinical, main
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

Capsys = pytest.CaptureFixture[str]
OK, CLINIC, NOW = "expected", "contact_clinic", "contact_clinic_now"
REVIEW, NOT_YET, NOT_SUITABLE = "clinician_review", "not_yet", "not_suitable"

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
        if args.protocol is None and args.overlay is None:
            return protocol
        return load_protocol(args.protocol, args.overlay)

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


# --- screen --------------------------------------------------------------------


def test_it_screens_isotretinoin_89_days_ago_as_not_yet(capsys: Capsys) -> None:
    data = run_json(capsys, "screen --isotretinoin-days-ago 89 --on 2026-11-21")
    leaflet = {
        "leaflet": "004_c9e6a56256457567.txt",
        "quote": "Roaccutane (isotretinoin)has been used within the last 3 months",
    }
    # fmt: off
    assert data == {
        "eligible": False, "status": "not_yet", "recheck": None, "cautions": [],
        "earliest_date": "2026-11-22", "earliest_days_from_now": 1,
        "reasons": [{
            "rule": "SC-isotretinoin-recent", "outcome": "not_yet",
            "text": "Isotretinoin (Roaccutane) was taken too recently.",
            "recheck": None, "recheck_text": None, "earliest": "2026-11-22", "cautions": [],
            "sources": [leaflet, data["reasons"][0]["sources"][1]],
        }],
        "on": "2026-11-21", "protocol": data["protocol"],
    }
    # fmt: on
    assert data["reasons"][0]["sources"][1]["literature"].startswith("Waldman et al.")


WASHOUT, BABY = "after_isotretinoin_washout", "after_pregnancy_and_breastfeeding"
RESOLVED, CONTROLLED = "when_resolved", "when_diabetes_controlled"
# fmt: off
SCREEN = [
    ("", True, "eligible", None, None, []),
    ("--isotretinoin-days-ago 90", True, "eligible", None, None, []),
    ("--isotretinoin-current", False, NOT_SUITABLE, None, WASHOUT, []),
    ("--radiation-days-ago 364", False, NOT_YET, "2026-11-22", None, []),
    ("--radiation-days-ago 365", True, "eligible", None, None, []),
    ("--pregnant --radiation-days-ago 10", False, NOT_SUITABLE, None, BABY, []),
    ("--breastfeeding", False, NOT_SUITABLE, None, BABY, []),
    ("--open-wound", False, NOT_SUITABLE, None, "when_healed", []),
    ("--skin-infection", False, NOT_SUITABLE, None, RESOLVED, []),
    ("--active-herpes", False, NOT_SUITABLE, None, RESOLVED, []),
    ("--active-skin-condition acne", False, NOT_SUITABLE, None, RESOLVED, []),
    ("--skin-cancer", False, NOT_SUITABLE, None, "with_specialist_agreement", []),
    ("--diabetes uncontrolled", False, NOT_SUITABLE, None, CONTROLLED, []),
    ("--diabetes Controlled", REVIEW, REVIEW, None, None, []),
    ("--diabetes no", True, "eligible", None, None, []),
    ("--anticoagulant", REVIEW, REVIEW, None, None,
     ["bleeding_risk", "extended_bruising", "petechiae"]),
    ("--keloid-history", REVIEW, REVIEW, None, None, []),
    ("--autoimmune", REVIEW, REVIEW, None, None, []),
    ("--immunosuppressed", REVIEW, REVIEW, None, None, []),
    ("--metal-allergy", REVIEW, REVIEW, None, None, []),
    ("--platelet-medication", True, "eligible", None, None, ["extended_bruising", "petechiae"]),
    ("--cold-sore-history", True, "eligible", None, None, ["cold_sore_flare"]),
    ("--fitzpatrick IV", True, "eligible", None, None, ["pigmentation_risk"]),
    ("--fitzpatrick 3", True, "eligible", None, None, []),
]
# fmt: on


@pytest.mark.parametrize("row", SCREEN, ids=[row[0] for row in SCREEN])
def test_it_screens_each_answer(capsys: Capsys, row: tuple[Any, ...]) -> None:
    line, *expected = row
    data = run_json(capsys, f"screen {line} --on 2026-11-21")
    keys = ("eligible", "status", "earliest_date", "recheck", "cautions")
    assert [data[key] for key in keys] == expected


def test_it_screens_on_today_in_the_uk_by_default(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clinical, "_today", lambda: date(2026, 11, 21))
    data = run_json(capsys, "screen --isotretinoin-days-ago 30")
    dates = (data["on"], data["earliest_date"], data["earliest_days_from_now"])
    assert dates == ("2026-11-21", "2027-01-20", 60)


# fmt: off
SCREEN_TEXT = [
    ("--pregnant --isotretinoin-days-ago 30",
     "Not suitable.\n"
     "- not yet: Isotretinoin (Roaccutane) was taken too recently. (until Wed 20 Jan 2027)\n"
     "- not suitable: Pregnancy.\n"
     "Screen again after the pregnancy and once breastfeeding has ended.\n"),
    ("--radiation-days-ago 364 --platelet-medication",
     "Not yet. Earliest: Sun 22 Nov 2026 (in 1 day).\n"
     "- not yet: Radiotherapy to the skin in the last year. (until Sun 22 Nov 2026)\n"
     "- caution: A medicine or supplement that affects platelets.\n"
     "Caution: Bruising may last longer and be more marked; petechiae may appear.\n"
     "Caution: Small red or purple spots (petechiae) may appear; "
     "they are expected for the first week.\n"),
    ("", "Eligible.\n"),
]
# fmt: on


@pytest.mark.parametrize(("line", "out"), SCREEN_TEXT)
def test_it_prints_screening_for_people(capsys: Capsys, line: str, out: str) -> None:
    assert run(capsys, f"screen {line} --on 2026-11-21") == (0, out, "")


# fmt: off
BAD_SCREEN = [
    ("--isotretinoin-days-ago -1", "argument --isotretinoin-days-ago: '-1' cannot be negative"),
    ("--radiation-days-ago soon", "argument --radiation-days-ago: 'soon' is not a whole number"),
    ("--isotretinoin-current --isotretinoin-days-ago 3",
     "argument --isotretinoin-days-ago: not allowed with argument --isotretinoin-current"),
    ("--on 21/11/2026", "argument --on: '21/11/2026' is not a date; use YYYY-MM-DD"),
    ("--diabetes maybe --on 2026-11-21",
     "the answer to 'diabetes' must be one of: no, controlled, uncontrolled"),
    ("--fitzpatrick VII", "argument --fitzpatrick: 'VII' is not a skin type; use I to VI"),
    ("--pregnant yes", "unrecognized arguments: yes"),
]
# fmt: on


@pytest.mark.parametrize(("line", "error"), BAD_SCREEN)
def test_it_refuses_bad_screening_input_in_one_line(capsys: Capsys, line: str, error: str) -> None:
    assert run(capsys, f"screen {line}") == (2, "", one_line_error("screen", error))


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
