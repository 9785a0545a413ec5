"""The microneedling protocol's red-flag phrases, as read in what a patient writes. How
phrases are read is tested on the mini protocol in tests/engine/test_red_flags.py."""

from __future__ import annotations

import pytest

from aftercare.engine.red_flags import match_red_flags
from aftercare.protocols.schema import Level, Protocol


# text: (symptom, the phrase found), most urgent first
@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my skin is oozing, can I wear makeup?", [("discharge", "oozing")]),
        ("It's weeping a bit", [("discharge", "weeping")]),
        ("there is pus on my cheek", [("pus", "pus")]),
        ("it smells", [("pus", "smells")]),
        ("the skin is hot to the touch", [("warmth", "hot to the touch")]),
        ("the redness is spreading", [("spreading_redness", "spreading")]),
        ("it has spread to my neck", [("spreading_redness", "has spread")]),
        ("the red patch spread overnight", [("spreading_redness", "red spread")]),
        # Spreading a cream on is not redness spreading.
        ("I spread the serum on as told", []),
        ("I have a fever", [("fever", "fever")]),
        ("a blister came up", [("blistering", "blister")]),
        ("I can't breathe properly", [("severe_allergic_reaction", "can't breathe")]),
        ("I CAN\u2019T BREATHE", [("severe_allergic_reaction", "can't breathe")]),
        ("cant breathe", [("severe_allergic_reaction", "can't breathe")]),
        ("I feel short of breath", [("severe_allergic_reaction", "short of breath")]),
        ("my lips are swollen", [("severe_allergic_reaction", "lips swollen")]),
        ("swelling of my tongue", [("severe_allergic_reaction", "swelling tongue")]),
        ("my throat is swelling up", [("severe_allergic_reaction", "throat swelling")]),
        ("I feel faint", [("severe_allergic_reaction", "faint")]),
        (
            "my skin is oozing and my lips are swollen",
            [("severe_allergic_reaction", "lips swollen"), ("discharge", "oozing")],
        ),
        # Negation is not understood: a person reads it rather than the engine guessing.
        ("no pus", [("pus", "pus")]),
        # Hidden characters cannot split a word away from the reader.
        ("p\u200bus", [("pus", "pus")]),
        ("\u202eoozing", [("discharge", "oozing")]),
        ("Feeling fine, a bit dry", []),
        ("my lips feel dry; my tongue is fine", []),
        ("swelling around my eyes", []),
        ("", []),
        ("   ", []),
    ],
)
def test_it_finds_the_symptoms_a_patient_writes_about(
    protocol: Protocol, text: str, found: list[tuple[str, str]]
) -> None:
    matches = match_red_flags(protocol, text)
    assert [(match.symptom, match.phrase) for match in matches] == found


def test_it_gives_the_level_of_the_symptom_outside_its_window(protocol: Protocol) -> None:
    (match,) = match_red_flags(protocol, "my lips are swollen")
    assert match.level is Level.CALL_999
    assert match.label == (
        "Difficulty breathing, swelling of the lips, tongue or throat, or feeling faint"
    )
    assert match_red_flags(protocol, "oozing")[0].level is Level.CONTACT_CLINIC_NOW


def test_every_phrase_reports_its_own_symptom(protocol: Protocol) -> None:
    for symptom in protocol.symptoms:
        for phrase in symptom.phrases:
            found = [match.symptom for match in match_red_flags(protocol, phrase)]
            assert symptom.id in found, phrase
