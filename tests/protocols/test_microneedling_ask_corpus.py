"""The resolver against a corpus of patients' questions about microneedling
(microneedling_ask_corpus.yaml): a table test.

Each row is graded: right, asked back (a fair answer when the words are unclear), not
known, or wrong. Nothing may be wrong, and above all nothing may say "yes" too early.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from aftercare.engine.ask import AskOutcome, AskResult, ask
from aftercare.engine.check import Verdict
from aftercare.engine.localtime import hours_between, parse_local, zone
from aftercare.protocols.schema import Protocol

CORPUS = Path(__file__).with_name("microneedling_ask_corpus.yaml")
ROWS: list[dict[str, Any]] = YAML(typ="safe").load(CORPUS.read_text(encoding="utf-8"))
LONDON = zone("Europe/London")
# The share of the corpus answered right; the rest may only be asked back or not known.
MIN_RIGHT = 0.9


def answer(protocol: Protocol, row: dict[str, Any]) -> AskResult:
    if "treated_at" in row:
        treated_at = parse_local(row["treated_at"], LONDON)
        hours = hours_between(treated_at, parse_local(row["at"], LONDON))
        return ask(protocol, row["q"], hours, treated_at=treated_at)
    return ask(protocol, row["q"], row["hours"])


def grade(row: dict[str, Any], result: AskResult) -> str:
    """right, asked_back, not_known, wrong or yes_too_early."""
    outcome = result.outcome
    if "expect" in row:
        found = result.check
        if found is not None and found.activity == row["expect"]:
            right = found.verdict == row["verdict"] and (
                "asked_hours" not in row or result.asked_for_hours == row["asked_hours"]
            )
            if right:
                return "right"
        if found is not None and _says_yes(found.verdict) and row["verdict"] in _NOT_A_YES:
            return "yes_too_early"
        if found is None and outcome is AskOutcome.ASK_BACK:
            return "asked_back" if row["expect"] in result.suggestions else "wrong"
        if outcome is AskOutcome.NOT_UNDERSTOOD:
            return "not_known"
        return "wrong"
    if "topic" in row:
        return "right" if result.topic == row["topic"] else _fallback(outcome)
    if row.get("urgent"):
        return "right" if outcome is AskOutcome.URGENT else "wrong"
    if "ask_back" in row:
        expected = set(row["ask_back"])
        return (
            "right"
            if outcome is AskOutcome.ASK_BACK and set(result.suggestions) == expected
            else "wrong"
        )
    return "right" if outcome is AskOutcome.NOT_UNDERSTOOD else _fallback(outcome)


_NOT_A_YES = {"not_yet", "never"}


def _says_yes(verdict: Verdict) -> bool:
    return verdict in {Verdict.ALLOWED, Verdict.ALLOWED_IF, Verdict.REQUIRED}


def _fallback(outcome: AskOutcome) -> str:
    if outcome is AskOutcome.ASK_BACK:
        return "asked_back"
    return "not_known" if outcome is AskOutcome.NOT_UNDERSTOOD else "wrong"


def corpus_grades(protocol: Protocol) -> Counter[str]:
    return Counter(grade(row, answer(protocol, row)) for row in ROWS)


def test_it_holds_at_least_200_questions() -> None:
    assert len(ROWS) >= 200


@pytest.mark.parametrize("row", ROWS, ids=[row["q"] for row in ROWS])
def test_it_never_answers_a_corpus_question_wrongly(
    protocol: Protocol, row: dict[str, Any]
) -> None:
    result = answer(protocol, row)
    assert grade(row, result) in {"right", "asked_back", "not_known"}, result


def test_it_answers_most_of_the_corpus_right(protocol: Protocol) -> None:
    grades = corpus_grades(protocol)
    assert grades["yes_too_early"] == 0
    assert grades["right"] / len(ROWS) >= MIN_RIGHT, grades
