"""What patients type for the activities that used to resolve to the wrong rule, and the exact
sentence they read first (issue 14, "Answers and wording"; decisions D-OTHER-TREATMENT,
D-ACIDS, D-RETINOIDS, D-MASKS and D-SHOWER in docs/clinical-safety/decisions.md)."""

from __future__ import annotations

import pytest

from aftercare.engine.ask import AskOutcome, ask
from aftercare.engine.explain import ask_sentence, describe_ask
from aftercare.protocols.schema import Protocol

OTHER_TREATMENT = "Another skin treatment on the area: not yet, from day 14 (336 hours)."
ACIDS = "Glycolic, salicylic or other acid product (AHA, BHA): not yet, from day 7 (168 hours)."
RETINOIDS = "Retinol, retinoid or vitamin A product: not yet, from day 7 (168 hours)."


@pytest.mark.parametrize(
    ("question", "activity", "sentence"),
    [
        ("can I have laser", "other_facial_procedure", OTHER_TREATMENT),
        ("IPL?", "other_facial_procedure", OTHER_TREATMENT),
        ("can I have a laser facial", "other_facial_procedure", OTHER_TREATMENT),
        ("can I have an IPL facial", "other_facial_procedure", OTHER_TREATMENT),
        ("can I have a chemical peel", "other_facial_procedure", OTHER_TREATMENT),
        ("can I have dermaplaning", "other_facial_procedure", OTHER_TREATMENT),
        ("microdermabrasion", "other_facial_procedure", OTHER_TREATMENT),
        ("can I have anti-wrinkle injections", "other_facial_procedure", OTHER_TREATMENT),
        ("fillers", "other_facial_procedure", OTHER_TREATMENT),
        ("can I get lip filler", "other_facial_procedure", OTHER_TREATMENT),
        ("can I use salicylic acid", "glycolic_acid_product", ACIDS),
        ("BHA", "glycolic_acid_product", ACIDS),
        ("can I use azelaic acid", "glycolic_acid_product", ACIDS),
        ("can I use adapalene", "retinol_product", RETINOIDS),
        ("Differin", "retinol_product", RETINOIDS),
        ("tretinoin", "retinol_product", RETINOIDS),
        ("can I use facial oil", "facial_oil", "Facial oil: not yet, from day 7 (168 hours)."),
        (
            "can I use a clay mask",
            "clay_or_peel_off_mask",
            "Clay or peel-off mask: not yet, from day 14 (336 hours).",
        ),
        (
            "peel-off mask",
            "clay_or_peel_off_mask",
            "Clay or peel-off mask: not yet, from day 14 (336 hours).",
        ),
        ("can I have a warm shower", "shower", "Warm shower: yes."),
        (
            "can I have a hot shower",
            "very_hot_shower",
            "Very hot shower or bath: not yet, from day 14 (336 hours).",
        ),
        (
            "laser hair removal",
            "laser_hair_removal_treated_area",
            "Laser or IPL hair removal on the treated area: not yet, from day 3 (72 hours).",
        ),
    ],
)
def test_it_answers_each_with_its_own_rule(
    protocol: Protocol, question: str, activity: str, sentence: str
) -> None:
    result = ask(protocol, question, 30)
    assert result.outcome is AskOutcome.ANSWERED
    assert result.check is not None
    assert result.check.activity == activity
    assert ask_sentence(protocol, result) == sentence


@pytest.mark.parametrize(
    "question",
    ["laser", "IPL", "laser facial", "chemical peel", "dermaplaning", "microdermabrasion"],
)
def test_it_never_reads_a_skin_treatment_as_hair_removal_shaving_or_a_product(
    protocol: Protocol, question: str
) -> None:
    result = ask(protocol, question, 100)
    assert result.check is not None
    assert result.check.activity == "other_facial_procedure"
    assert result.check.allowed_from_hours == 336


def test_it_says_a_warm_shower_is_fine_and_to_keep_it_lukewarm(protocol: Protocol) -> None:
    result = ask(protocol, "can I have a warm shower", 2)
    assert describe_ask(protocol, result).splitlines() == [
        "Warm shower: yes.",
        "You can shower as usual; keep the water warm or lukewarm, not very hot.",
    ]


def test_it_does_not_read_injections_as_infection(protocol: Protocol) -> None:
    result = ask(protocol, "can I have anti-wrinkle injections", 30)
    assert result.outcome is AskOutcome.ANSWERED
    assert result.red_flags == ()


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "face mask?",
            "Which kind of mask - a calming, hydrating mask, a clay or peel-off mask, "
            "or an exfoliating or enzyme mask?",
        ),
        (
            "can I have a peel",
            "Did you mean a chemical peel done by a practitioner, "
            "or a peeling product you use at home?",
        ),
    ],
)
def test_it_asks_back_when_the_kind_is_not_said(
    protocol: Protocol, question: str, sentence: str
) -> None:
    result = ask(protocol, question, 100)
    assert result.outcome is AskOutcome.ASK_BACK
    assert ask_sentence(protocol, result) == sentence
