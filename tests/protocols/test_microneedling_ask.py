"""The microneedling protocol as patients ask it: the names they type, the words they read,
its red-flag phrases and topics. How questions are read is tested on the mini protocol in
tests/engine/test_ask.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from aftercare.engine.ask import AskOutcome, AskResult, ask
from aftercare.engine.explain import ask_sentence, describe_ask
from aftercare.engine.localtime import hours_between, parse_local, zone
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")
# Fri 23 Oct 2026, 10:30 BST; the UK clocks go back at 02:00 on Sun 25 Oct.
AUTUMN = parse_local("2026-10-23 10:30", LONDON)
# Fri 26 Mar 2027, 10:30 GMT; the UK clocks go forward at 01:00 on Sun 28 Mar.
SPRING = parse_local("2027-03-26 10:30", LONDON)


def asked_at(protocol: Protocol, question: str, treated_at: datetime, at: str) -> AskResult:
    hours = hours_between(treated_at, parse_local(at, LONDON))
    return ask(protocol, question, hours, treated_at=treated_at)


@pytest.mark.parametrize(
    ("question", "activity"),
    [
        ("can I wear makeup", "makeup"),
        ("can i go swimming", "swimming_pool_chlorinated"),
        ("exercise tomorrow", "strenuous_exercise_heavy_sweating"),
        ("can I use my normal moisturiser", "moisturiser"),
        ("can i have a glass of wine tonight", "alcohol"),
        ("go for a run", "strenuous_exercise_heavy_sweating"),
        ("take a shower", "shower"),
        ("Makeup?", "makeup"),
        ("MAKE-UP!!", "makeup"),
        ("can I use my moisturizer", "moisturiser"),
        ("sunbeds", "sunbed"),
        ("can i go swiming", "swimming_pool_chlorinated"),
        ("can I work out 2moro", "strenuous_exercise_heavy_sweating"),
        ("my glycolic toner", "glycolic_acid_product"),
        ("can i get my eyebrows threaded", "waxing_treated_area"),
    ],
)
def test_it_reads_the_questions_patients_type(
    protocol: Protocol, question: str, activity: str
) -> None:
    result = ask(protocol, question, 30)
    assert result.outcome is AskOutcome.ANSWERED
    assert result.check is not None
    assert result.check.activity == activity


def test_it_answers_in_one_sentence_first(protocol: Protocol) -> None:
    result = asked_at(protocol, "can i have a glass of wine tonight", AUTUMN, "2026-10-23 18:00")
    assert ask_sentence(protocol, result) == (
        "Alcohol on Fri 23 Oct, 20:00: not yet, from Sun 25 Oct, 09:30 (day 2)."
    )
    assert describe_ask(protocol, result).splitlines()[1:] == [
        "Avoid alcohol.",
        "Why: Alcohol widens blood vessels, which can add to redness, swelling and bruising.",
    ]


@pytest.mark.parametrize(
    ("question", "flags"),
    [
        # A check-in's red-flag phrases, read in a question as in a check-in's words.
        ("it's all weeping, is it ok to shower", ("discharge",)),
        ("the redness has spread, can I use my moisturiser", ("spreading_redness",)),
        ("I can't breathe properly, can I take an antihistamine", ("severe_allergic_reaction",)),
        # And the symptoms' names, typed fast.
        ("is the dischage normal, can i wash", ("discharge",)),
    ],
)
def test_it_reads_a_question_for_red_flags_as_a_check_in_is_read(
    protocol: Protocol, question: str, flags: tuple[str, ...]
) -> None:
    result = ask(protocol, question, 30)
    assert (result.outcome, result.red_flags) == (AskOutcome.URGENT, flags)


def test_spreading_a_cream_on_is_not_a_red_flag(protocol: Protocol) -> None:
    result = ask(protocol, "can I spread moisturiser on my face", 30)
    assert result.outcome is AskOutcome.ANSWERED
    assert result.check is not None
    assert result.check.activity == "moisturiser"


def test_it_does_not_read_a_symptom_inside_a_longer_name(protocol: Protocol) -> None:
    result = ask(protocol, "can I take a pain killer", 30)
    assert result.outcome is AskOutcome.TOPIC
    assert result.topic == "painkillers"


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("can I fly", "Your aftercare leaflets don't cover flying. Ask your clinic."),
        (
            "can i sleep on my side",
            "Your aftercare leaflets don't cover how to sleep. Ask your clinic.",
        ),
        (
            "can I dye my hair",
            "Your aftercare leaflets don't cover hair dye or tints. Ask your clinic.",
        ),
        ("spray tan?", "Your aftercare leaflets don't cover fake tan. Ask your clinic."),
        (
            "can i take paracetamol",
            "Your aftercare leaflets don't cover painkillers. Ask your clinic or a pharmacist.",
        ),
        ("can i have a cigarette", "Your aftercare leaflets don't cover smoking. Ask your clinic."),
    ],
)
def test_it_answers_known_uncovered_topics_honestly(
    protocol: Protocol, question: str, text: str
) -> None:
    result = ask(protocol, question, 30)
    assert result.outcome is AskOutcome.TOPIC
    assert result.understood
    assert ask_sentence(protocol, result) == text


def test_it_asks_back_about_a_peel(protocol: Protocol) -> None:
    result = ask(protocol, "can I have a peel?", 30)
    assert result.outcome is AskOutcome.ASK_BACK
    assert not result.understood
    assert result.suggestions == ("other_facial_procedure", "peeling_agent")
    assert ask_sentence(protocol, result) == (
        "Did you mean a chemical peel done by a practitioner, or a peeling product you use at home?"
    )
