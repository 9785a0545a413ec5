"""The ``factors`` section: each broken factor, or a modifier testing one wrongly, is refused
with its path and its line; the packaged protocols name their own factors."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftercare.protocols.load import (
    ProtocolIssue,
    default_protocol_path,
)
from aftercare.protocols.registry import packaged_protocols
from aftercare.protocols.schema import FactorKind
from tests.protocols.edits import edited, issues_of, line_of_text

DEPTH = "  - {id: needle_depth_mm, kind: number, label: Needle depth, unit: mm, above: 0, max: 5.0,"
SENSITIVE = "  - {id: sensitive_skin, kind: yes_no, label: Sensitive skin}\n"


@pytest.fixture(scope="module")
def text() -> str:
    return default_protocol_path().read_text(encoding="utf-8")


FACTOR_IDS = (
    "age, needle_depth_mm, sensitive_skin, fitzpatrick, platelet_medication, anticoagulant, "
    "cold_sore_history"
)

# (what is edited, what it becomes, the path, the message, the text on the reported line)
# fmt: off
BROKEN = [
    ("    factor: sensitive_skin\n", "    factor: sensitve_skin\n", "modifiers[1].factor",
     f"unknown factor 'sensitve_skin'; the protocol has: {FACTOR_IDS}", "factor: sensitve_skin"),
    ("    factor: needle_depth_mm\n    over: 1.0\n", "    factor: needle_depth_mm\n",
     "modifiers[3].factor", "'needle_depth_mm' takes a threshold: give 'over' or 'at_least'",
     "factor: needle_depth_mm"),
    ("    factor: needle_depth_mm\n    over: 1.0\n", "    factor: needle_depth_mm\n    over: 6\n",
     "modifiers[3].over", "6 is outside 'needle_depth_mm' (0 to 5.0)", "over: 6"),
    ("    factor: age\n    at_least: 65\n", "    factor: age\n    at_least: 65.5\n",
     "modifiers[2].at_least", "'age' is a whole number: the threshold must be one",
     "at_least: 65.5"),
    ("    factor: sensitive_skin\n", "    factor: sensitive_skin\n    over: 0.5\n",
     "modifiers[1].over",
     "'sensitive_skin' is not a number or an ordered choice: it takes no over", "over: 0.5"),
    (SENSITIVE, SENSITIVE + "  - {id: sensitive_skin, kind: yes_no, label: Delicate skin}\n",
     "factors[2].id", "'sensitive_skin' is defined more than once", "label: Delicate skin"),
    (SENSITIVE, SENSITIVE + "  - {id: age, kind: whole_number, label: Age, min: 0, max: 99}\n",
     "factors[2].id", "'age' is built in (from the date of birth); use another id",
     "{id: age, kind"),
    ("from_screening: cold_sore_history}", "from_screening: cold_sores}",
     "factors[5].from_screening", "unknown question 'cold_sores'", "from_screening: cold_sores"),
    ("from_screening: anticoagulant}", "from_screening: diabetes}",
     "factors[4].from_screening", "'diabetes' is not a yes-or-no question",
     "from_screening: diabetes"),
    ("answers: {i: 1, ii: 2,", "answers: {i: 1, ii: 7,", "factors[2].answers.ii",
     "7 is not an option of 'fitzpatrick'", "answers: {i: 1, ii: 7,"),
    (DEPTH, DEPTH.replace("above: 0", "above: 6"), "factors[0]",
     "the lower bound 6 is not below the 'max' 5.0", "{id: needle_depth_mm"),
    (DEPTH, DEPTH.replace("above: 0", "min: 0, above: 0"), "factors[0]",
     "a number factor has a 'max' and one lower bound, 'min' or 'above'",
     "{id: needle_depth_mm"),
    (SENSITIVE, SENSITIVE.replace("yes_no", "choice"), "factors[1]",
     "a 'choice' factor, and only that, lists options", "{id: sensitive_skin"),
    ("    factor: age\n", "    factor: age\n    area: eyes\n", "modifiers[2]",
     "a modifier tests exactly one thing: an 'area' or a 'factor'",
     "- id: older_patient"),
]
# fmt: on


@pytest.mark.parametrize(("old", "new", "path", "message", "on_line"), BROKEN)
def test_it_refuses_a_broken_factor_with_its_path_and_line(
    tmp_path: Path, text: str, old: str, new: str, path: str, message: str, on_line: str
) -> None:
    broken = edited(text, old, new)

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(path, message, line_of_text(broken, on_line)),
    )


def test_microneedling_records_the_factors_it_did_before() -> None:
    protocol = packaged_protocols().load("microneedling")
    kinds = {factor.id: factor.kind for factor in protocol.recorded_factors}
    depth = protocol.factor_index["needle_depth_mm"]

    assert kinds == {
        "needle_depth_mm": FactorKind.NUMBER,
        "sensitive_skin": FactorKind.YES_NO,
        "fitzpatrick": FactorKind.CHOICE,
        "platelet_medication": FactorKind.YES_NO,
        "anticoagulant": FactorKind.YES_NO,
        "cold_sore_history": FactorKind.YES_NO,
    }
    assert (depth.above, depth.max, depth.unit) == (0, 5.0, "mm")
    assert [(m.id, m.factor, m.threshold) for m in protocol.modifiers if m.factor] == [
        ("sensitive_skin", "sensitive_skin", None),
        ("older_patient", "age", 65),
        ("deep_needling", "needle_depth_mm", 1.0),
        ("platelet_medication", "platelet_medication", None),
        ("anticoagulant", "anticoagulant", None),
    ]


def test_the_peel_records_its_depth_and_no_needle() -> None:
    protocol = packaged_protocols().load("chemical-peel")
    depth = protocol.factor_index["peel_depth"]

    assert [factor.id for factor in protocol.recorded_factors] == [
        "peel_depth",
        "cold_sore_history",
    ]
    assert [(option.value, option.label) for option in depth.options] == [
        ("very_superficial", "Very superficial"),
        ("superficial", "Superficial"),
    ]
    assert protocol.modifiers == ()
