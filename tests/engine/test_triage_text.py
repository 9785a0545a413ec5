"""Triage of what a patient writes, on the mini protocol: free text alone, symptoms found in
it judged as if ticked, text that matches nothing read by a person, and the emergency
level. Ticked symptoms and their windows are in tests/engine/test_triage.py."""

from __future__ import annotations

import pytest

from aftercare.engine.errors import InputError
from aftercare.engine.triage import SymptomReport, Trend, symptom_report, triage
from aftercare.protocols.schema import Level, Protocol

EXPECTED, CLINIC, NOW = Level.EXPECTED, Level.CONTACT_CLINIC, Level.CONTACT_CLINIC_NOW
CALL_999 = Level.CALL_999


def test_it_accepts_a_check_in_of_free_text_only(mini: Protocol) -> None:
    result = triage(mini, [], 30, text="my skin is oozing")
    assert result.level is NOW
    assert [(s.symptom, s.found_in_text, s.reason) for s in result.symptoms] == [
        ("pus", "oozing", "Pus needs advice now.")
    ]


def test_it_judges_a_symptom_found_in_text_as_if_ticked(mini: Protocol) -> None:
    early = triage(mini, [], 10, text="my eyes have swollen up")
    late = triage(mini, [], 30, text="my eyes have swollen up")
    assert (early.level, late.level) == (EXPECTED, CLINIC)
    assert late.symptoms[0].reason == "Puffiness has lasted too long."


def test_it_raises_the_level_of_ticked_symptoms_by_what_the_patient_writes(
    mini: Protocol,
) -> None:
    result = triage(mini, [SymptomReport("redness")], 30, text="and there is pus")
    assert result.level is NOW
    assert [(s.symptom, s.level) for s in result.symptoms] == [
        ("redness", EXPECTED),
        ("pus", NOW),
    ]


def test_it_keeps_the_ticked_report_of_a_symptom_the_text_also_names(mini: Protocol) -> None:
    result = triage(mini, [SymptomReport("blister", Trend.WORSENING)], 30, text="a blister")
    assert [(s.symptom, s.level, s.found_in_text) for s in result.symptoms] == [
        ("blister", NOW, None)
    ]


def test_text_that_matches_nothing_goes_to_a_person(mini: Protocol) -> None:
    result = triage(mini, [SymptomReport("redness")], 30, text="I'm worried about a mark")
    assert result.level is CLINIC
    assert result.symptoms[-1].label == "What you wrote"
    assert result.symptoms[-1].reason == "A person reads it."
    assert result.advice == "Contact the clinic. Keep cool. A person reads it."


def test_blank_or_invisible_text_is_no_text(mini: Protocol) -> None:
    result = triage(mini, [SymptomReport("redness")], 30, text=" \u200b\n")
    assert [s.symptom for s in result.symptoms] == ["redness"]
    with pytest.raises(InputError, match="report at least one symptom, or write what you notice"):
        triage(mini, [], 30, text="\u202e ")


@pytest.mark.parametrize("text", ["I can't breathe", "my lips are swollen"])
def test_a_phrase_of_a_999_symptom_means_call_999(mini: Protocol, text: str) -> None:
    reports = [SymptomReport("redness"), SymptomReport("pus")]
    result = triage(mini, reports, 2, text=text)
    assert result.level is CALL_999
    assert result.advice == "Call 999."
    assert result.symptoms[-1].reason == "Call for help."


def test_the_emergency_ranks_above_contact_the_clinic_now() -> None:
    assert [level.rank for level in (EXPECTED, CLINIC, NOW, CALL_999)] == [0, 1, 2, 3]
    assert [level.is_urgent for level in (EXPECTED, CLINIC, NOW, CALL_999)] == [
        False,
        False,
        True,
        True,
    ]


def test_the_emergency_cites_its_symptoms_sources(mini: Protocol) -> None:
    result = triage(mini, [symptom_report(mini, "breathlessness")], 1)
    literature = [source.literature for source in result.sources if source.literature]
    assert "Invented source for emergencies" in literature
