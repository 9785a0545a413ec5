from __future__ import annotations

import argparse
import shlex
from datetime import date
from typing import Any

import pytest

from aftercare.cli import screening
from aftercare.cli.common import protocol_from_args as real_protocol_from_args
from aftercare.engine.screening import CURRENT, NEVER, Answer
from aftercare.protocols.load import DEFAULT_PROTOCOL
from aftercare.protocols.schema import Protocol
from tests.cli.test_clinical_cli import Capsys, one_line_error, run, run_json
from tests.screening_answers import answered

REVIEW, NOT_YET, NOT_SUITABLE = "clinician_review", "not_yet", "not_suitable"
WASHOUT, BABY = "after_isotretinoin_washout", "after_pregnancy_and_breastfeeding"
RESOLVED, CONTROLLED = "when_resolved", "when_diabetes_controlled"
ON = "--on 2026-11-21"


@pytest.fixture(autouse=True)
def _protocol_loaded_once(monkeypatch: pytest.MonkeyPatch, protocol: Protocol) -> None:
    def from_args(args: argparse.Namespace) -> Protocol:
        if args.protocol == DEFAULT_PROTOCOL and args.overlay is None:
            return protocol
        return real_protocol_from_args(args)

    monkeypatch.setattr(screening, "protocol_from_args", from_args)


def _flag(question: str, answer: Answer) -> str:
    flag = "--" + question.replace("_", "-")
    if answer is True:
        return flag
    if answer is False:
        return f"--no-{flag[2:]}"
    if answer in (NEVER, CURRENT):
        return f"{flag}-{answer}"
    if isinstance(answer, date):
        return f"{flag}-on {answer.isoformat()}"
    return f"{flag} {shlex.quote(str(answer))}"


def flags(**changes: Answer) -> str:
    """Every question answered, nothing found, but for ``changes`` (None: not given)."""
    given = answered(**changes)
    return " ".join(_flag(q, a) for q, a in given.items() if a is not None)


def test_it_screens_isotretinoin_last_taken_on_16_march(capsys: Capsys) -> None:
    data = run_json(capsys, f"screen {flags(isotretinoin=date(2026, 3, 16))} --on 2026-06-15")
    leaflet = {
        "leaflet": "004_c9e6a56256457567.txt",
        "quote": "Roaccutane (isotretinoin)has been used within the last 3 months",
    }
    # fmt: off
    assert data == {
        "eligible": False, "status": "not_yet", "recheck": None, "cautions": [],
        "earliest_date": "2026-06-16", "earliest_days_from_now": 1,
        "reasons": [{
            "rule": "SC-isotretinoin-recent", "outcome": "not_yet",
            "text": "Isotretinoin (Roaccutane) was taken too recently.",
            "recheck": None, "recheck_text": None, "earliest": "2026-06-16", "cautions": [],
            "sources": [leaflet, data["reasons"][0]["sources"][1]],
        }],
        "unanswered": [],
        "on": "2026-06-15", "protocol": data["protocol"],
    }
    # fmt: on
    assert data["reasons"][0]["sources"][1]["literature"].startswith("Waldman et al.")
    later = run_json(capsys, f"screen {flags(isotretinoin=date(2026, 3, 16))} --on 2026-06-16")
    assert (later["status"], later["eligible"]) == ("eligible", True)


def test_it_waits_a_calendar_year_after_radiotherapy(capsys: Capsys) -> None:
    line = f"screen {flags(radiation=date(2027, 6, 16))} --on 2028-06-15"
    assert run(capsys, line) == (
        0,
        "Not yet. Earliest: Fri 16 Jun 2028 (in 1 day).\n"
        "- not yet: Radiotherapy to the skin in the last year. (until Fri 16 Jun 2028)\n",
        "",
    )


# fmt: off
SCREEN = [
    (flags(), True, "eligible", None, None, []),
    (flags(isotretinoin=None) + " --isotretinoin-days-ago 92", True, "eligible", None, None, []),
    (flags(isotretinoin=None) + " --isotretinoin-days-ago 91",
     False, NOT_YET, "2026-11-22", None, []),
    (flags(isotretinoin=CURRENT), False, NOT_SUITABLE, None, WASHOUT, []),
    (flags(radiation=None) + " --radiation-days-ago 364", False, NOT_YET, "2026-11-22", None, []),
    (flags(radiation=None) + " --radiation-days-ago 365", True, "eligible", None, None, []),
    (flags(pregnant=True, radiation=date(2026, 11, 11)), False, NOT_SUITABLE, None, BABY, []),
    (flags(breastfeeding=True), False, NOT_SUITABLE, None, BABY, []),
    (flags(open_wound=True), False, NOT_SUITABLE, None, "when_healed", []),
    (flags(skin_infection=True), False, NOT_SUITABLE, None, RESOLVED, []),
    (flags(active_herpes=True), False, NOT_SUITABLE, None, RESOLVED, []),
    (flags(active_skin_condition="acne"), False, NOT_SUITABLE, None, RESOLVED, []),
    (flags(active_skin_condition="N/A"), True, "eligible", None, None, []),
    (flags(active_skin_condition="nil"), True, "eligible", None, None, []),
    (flags(skin_cancer=True), False, NOT_SUITABLE, None, "with_specialist_agreement", []),
    (flags(diabetes="uncontrolled"), False, NOT_SUITABLE, None, CONTROLLED, []),
    (flags(diabetes="Controlled"), REVIEW, REVIEW, None, None, []),
    (flags(anticoagulant=True), REVIEW, REVIEW, None, None,
     ["bleeding_risk", "extended_bruising", "petechiae"]),
    (flags(keloid_history=True), REVIEW, REVIEW, None, None, []),
    (flags(autoimmune=True), REVIEW, REVIEW, None, None, []),
    (flags(immunosuppressed=True), REVIEW, REVIEW, None, None, []),
    (flags(metal_allergy=True), REVIEW, REVIEW, None, None, []),
    (flags(platelet_medication=True), True, "eligible", None, None,
     ["extended_bruising", "petechiae"]),
    (flags(cold_sore_history=True), True, "eligible", None, None, ["cold_sore_flare"]),
    (flags(fitzpatrick="IV"), True, "eligible", None, None, ["pigmentation_risk"]),
    (flags(fitzpatrick="3"), True, "eligible", None, None, []),
    (flags(numbing_cream_allergy=True), REVIEW, REVIEW, None, None, []),
    (flags(implants=True), REVIEW, REVIEW, None, None, []),
    (flags(sunburn=True), False, NOT_YET, None, "when_sunburn_healed", []),
    (flags(other_skin_treatment=date(2026, 11, 10)), False, NOT_YET, "2026-11-24", None, []),
    (flags(other_skin_treatment=date(2026, 11, 7)), True, "eligible", None, None, []),
    (flags(other_skin_treatment=None) + " --other-skin-treatment-days-ago 13",
     False, NOT_YET, "2026-11-22", None, []),
    (flags(toxin_or_filler=date(2026, 11, 20)), False, NOT_YET, "2026-12-04", None, []),
    (flags(pregnant=None), False, "incomplete", None, None, []),
    ("--no-pregnant", False, "incomplete", None, None, []),
    ("", False, "incomplete", None, None, []),
]
# fmt: on


@pytest.mark.parametrize("row", SCREEN)
def test_it_screens_each_answer(capsys: Capsys, row: tuple[Any, ...]) -> None:
    line, *expected = row
    data = run_json(capsys, f"screen {line} {ON}")
    keys = ("eligible", "status", "earliest_date", "recheck", "cautions")
    assert [data[key] for key in keys] == expected


def test_it_answers_only_the_flags_given(capsys: Capsys, protocol: Protocol) -> None:
    data = run_json(capsys, f"screen --no-pregnant --radiation-never {ON}")
    assert data["status"] == "incomplete"
    asked = {"pregnant", "radiation"}
    assert data["unanswered"] == [
        {"question": q.id, "text": q.text}
        for q in protocol.screening.questions
        if q.id not in asked
    ]


def test_it_names_the_questions_still_to_ask(capsys: Capsys) -> None:
    line = flags(pregnant=None, numbing_cream_allergy=None, other_skin_treatment=None)
    assert run(capsys, f"screen {line} {ON}") == (
        0,
        "Incomplete.\n"
        "Still to ask: Are you pregnant?\n"
        "Still to ask: Are you allergic to numbing cream, or to lidocaine or another local "
        "anaesthetic?\n"
        "Still to ask: Have you had another skin treatment on the area, such as laser, IPL, a "
        "chemical peel, dermaplaning or microdermabrasion? If so, when was the last one?\n",
        "",
    )


# fmt: off
SCREEN_TEXT = [
    (flags(pregnant=True, isotretinoin=date(2026, 10, 22)),
     "Not suitable.\n"
     "- not yet: Isotretinoin (Roaccutane) was taken too recently. (until Fri 22 Jan 2027)\n"
     "- not suitable: Pregnancy.\n"
     "Screen again after the pregnancy and once breastfeeding has ended.\n"),
    (flags(radiation=date(2025, 11, 22), platelet_medication=True),
     "Not yet. Earliest: Sun 22 Nov 2026 (in 1 day).\n"
     "- not yet: Radiotherapy to the skin in the last year. (until Sun 22 Nov 2026)\n"
     "- caution: A medicine or supplement that affects platelets.\n"
     "Caution: Bruising may last longer and be more marked; petechiae may appear.\n"
     "Caution: Small red or purple spots (petechiae) may appear; "
     "they are expected for the first week.\n"),
    (flags(sunburn=True, toxin_or_filler=date(2026, 11, 20)),
     "Not yet.\n"
     "- not yet: Sunburn on the area.\n"
     "- not yet: Anti-wrinkle injections (botulinum toxin) or dermal filler in the area in the "
     "last 2 weeks. (until Fri 4 Dec 2026)\n"
     "Screen again once the sunburn has fully healed.\n"),
    (flags(), "Eligible.\n"),
]
# fmt: on


@pytest.mark.parametrize(("line", "out"), SCREEN_TEXT)
def test_it_prints_screening_for_people(capsys: Capsys, line: str, out: str) -> None:
    assert run(capsys, f"screen {line} {ON}") == (0, out, "")


def test_it_screens_on_today_in_the_uk_by_default(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screening, "_today", lambda: date(2026, 11, 21))
    line = flags(isotretinoin=None) + " --isotretinoin-days-ago 30"
    data = run_json(capsys, f"screen {line}")
    dates = (data["on"], data["earliest_date"], data["earliest_days_from_now"])
    assert dates == ("2026-11-21", "2027-01-22", 62)


def test_its_flags_are_built_from_the_protocol(capsys: Capsys, protocol: Protocol) -> None:
    code, out, _ = run(capsys, "screen --help")
    assert code == 0
    help_text = " ".join(out.split())
    for line in (
        "--numbing-cream-allergy, --no-numbing-cream-allergy Are you allergic to numbing "
        "cream, or to lidocaine or another local anaesthetic?",
        "--sunburn, --no-sunburn Is the skin on the area to be treated sunburnt now?",
        "--other-skin-treatment-on DATE Have you had another skin treatment on the area",
        "--toxin-or-filler-on DATE Have you had anti-wrinkle injections",
        "--implants, --no-implants Are there gold threads or other implants",
        "--isotretinoin-current or: taking it now",
        "--radiation-never or: never",
    ):
        assert line in help_text
    for question in protocol.screening.questions:
        assert "--" + question.id.replace("_", "-") in out


# fmt: off
BAD_SCREEN = [
    ("--isotretinoin-days-ago -1", "argument --isotretinoin-days-ago: '-1' cannot be negative"),
    ("--radiation-days-ago soon", "argument --radiation-days-ago: 'soon' is not a whole number"),
    ("--isotretinoin-current --isotretinoin-days-ago 3",
     "argument --isotretinoin-days-ago: not allowed with argument --isotretinoin-current"),
    ("--radiation-never --radiation-on 2026-01-01",
     "argument --radiation-on: not allowed with argument --radiation-never"),
    ("--other-skin-treatment-on 2026-11-22 --on 2026-11-21",
     "the answer to 'other_skin_treatment' (2026-11-22) is in the future"),
    ("--on 21/11/2026", "argument --on: '21/11/2026' is not a date; use YYYY-MM-DD"),
    ("--diabetes maybe --on 2026-11-21",
     "the answer to 'diabetes' must be one of: no, controlled, uncontrolled"),
    ("--fitzpatrick VII --on 2026-11-21",
     "the answer to 'fitzpatrick' must be one of: i, ii, iii, iv, v, vi"),
    ("--pregnant yes", "unrecognized arguments: yes"),
]
# fmt: on


@pytest.mark.parametrize(("line", "error"), BAD_SCREEN)
def test_it_refuses_bad_screening_input_in_one_line(capsys: Capsys, line: str, error: str) -> None:
    assert run(capsys, f"screen {line}") == (2, "", one_line_error("screen", error))
