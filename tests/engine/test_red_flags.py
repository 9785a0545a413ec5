"""Reading what a patient writes for the red-flag phrases of a protocol, on the mini
protocol. The microneedling phrases are pinned in
tests/protocols/test_microneedling_red_flags.py."""

from __future__ import annotations

import pytest

from aftercare.engine.red_flags import match_red_flags, visible_words
from aftercare.protocols.schema import Level, Protocol


# text: (symptom, the phrase found), most urgent first
@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my skin is oozing, can I wear makeup?", [("pus", "oozing")]),
        ("there is pus on my cheek", [("pus", "pus")]),
        ("a blister came up", [("blister", "blister")]),
        ("I CAN\u2019T BREATHE", [("breathless", "can't breathe")]),
        ("cant breathe", [("breathless", "can't breathe")]),
        ("my lips are swollen", [("breathless", "lips swollen")]),
        # The words of a phrase come in its order.
        ("swollen lips", []),
        (
            "my skin is oozing and my lips are swollen",
            [("breathless", "lips swollen"), ("pus", "oozing")],
        ),
        # Negation is not understood: a person reads it rather than the engine guessing.
        ("no pus", [("pus", "pus")]),
        # Hidden characters cannot split a word away from the reader.
        ("p\u200bus", [("pus", "pus")]),
        ("\u202eoozing", [("pus", "oozing")]),
        # A symptom that is not a red flag may have phrases too.
        ("my eyes have swollen up", [("puffiness", "swollen up")]),
        ("Feeling fine, a bit dry", []),
        ("", []),
        ("   ", []),
    ],
)
def test_it_finds_the_symptoms_a_patient_writes_about(
    mini: Protocol, text: str, found: list[tuple[str, str]]
) -> None:
    matches = match_red_flags(mini, text)
    assert [(match.symptom, match.phrase) for match in matches] == found


def test_it_allows_at_most_three_words_between_the_words_of_a_phrase(mini: Protocol) -> None:
    assert match_red_flags(mini, "lips one two three swollen")
    assert not match_red_flags(mini, "lips one two three four swollen")


def test_it_gives_the_level_of_the_symptom_outside_its_window(mini: Protocol) -> None:
    (match,) = match_red_flags(mini, "my lips are swollen")
    assert (match.level, match.label) == (Level.CALL_999, "Breathless")
    assert match_red_flags(mini, "oozing")[0].level is Level.CONTACT_CLINIC_NOW


def test_it_reads_words_without_case_apostrophes_or_invisible_characters() -> None:
    assert visible_words("Can\u2019t\u200b BREATHE!\n\u202eok") == ("cant", "breathe", "ok")


def test_every_phrase_reports_its_own_symptom(mini: Protocol) -> None:
    for symptom in mini.symptoms:
        for phrase in symptom.phrases:
            found = [match.symptom for match in match_red_flags(mini, phrase)]
            assert symptom.id in found, phrase
