from __future__ import annotations

from datetime import datetime

import pytest

from aftercare.engine.ask import AskOutcome, ask
from aftercare.engine.check import Verdict
from aftercare.engine.errors import InputError
from aftercare.engine.explain import ask_sentence, describe_ask
from aftercare.engine.localtime import hours_between, parse_local, zone
from aftercare.protocols.schema import Protocol

LONDON = zone("Europe/London")
# Fri 23 Oct 2026, 10:30 BST; the UK clocks go back at 02:00 on Sun 25 Oct.
AUTUMN = parse_local("2026-10-23 10:30", LONDON)
# Fri 26 Mar 2027, 10:30 GMT; the UK clocks go forward at 01:00 on Sun 28 Mar.
SPRING = parse_local("2027-03-26 10:30", LONDON)


def asked_at(protocol: Protocol, question: str, treated_at: datetime, at: str):  # type: ignore[no-untyped-def]
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


def test_it_places_tomorrow_morning_across_the_clocks_going_back(protocol: Protocol) -> None:
    # 48 real hours after 10:30 BST Friday is 09:30 GMT Sunday, not 10:30.
    morning = asked_at(protocol, "wine tomorrow morning", AUTUMN, "2026-10-24 16:30")
    assert morning.asked_for == parse_local("2026-10-25 09:00", LONDON)
    assert morning.asked_for_hours == 47.5
    assert morning.check is not None
    assert morning.check.verdict is Verdict.NOT_YET
    assert ask_sentence(protocol, morning) == (
        "Alcohol on Sun 25 Oct, 09:00: not yet, from Sun 25 Oct, 09:30 (day 2)."
    )
    afternoon = asked_at(protocol, "wine tomorrow afternoon", AUTUMN, "2026-10-24 16:30")
    assert afternoon.check is not None
    assert afternoon.check.verdict is Verdict.ALLOWED


def test_it_places_next_week_across_the_clocks_going_back(protocol: Protocol) -> None:
    # Monday 09:00 GMT is 71.5 real hours after Friday 10:30 BST: the gym is 72.
    result = asked_at(protocol, "can i go to the gym next week", AUTUMN, "2026-10-24 16:30")
    assert result.asked_for == parse_local("2026-10-26 09:00", LONDON)
    assert result.check is not None
    assert result.check.verdict is Verdict.NOT_YET
    assert ask_sentence(protocol, result).endswith("not yet, from Mon 26 Oct, 09:30 (day 3).")


def test_it_places_tomorrow_across_the_clocks_going_forward(protocol: Protocol) -> None:
    # Sunday 09:00 BST is 08:00 UTC: 45.5 real hours after Friday 10:30 GMT.
    result = asked_at(protocol, "can i have a drink 2moro morning", SPRING, "2027-03-27 12:00")
    assert result.asked_for_hours == 45.5
    assert result.check is not None
    assert result.check.verdict is Verdict.NOT_YET
    assert ask_sentence(protocol, result).endswith("from Sun 28 Mar, 11:30 (day 2).")


@pytest.mark.parametrize(
    ("question", "at", "asked_for"),
    [
        ("makeup on saturday", "2026-10-23 12:00", "2026-10-24 09:00"),
        ("makeup this weekend", "2026-10-24 16:30", "2026-10-24 16:30"),
        ("makeup on sunday", "2026-10-23 12:00", "2026-10-25 09:00"),
        ("makeup next week", "2026-10-26 08:00", "2026-11-02 09:00"),
        ("makeup tonight", "2026-10-23 22:15", "2026-10-23 22:15"),
    ],
)
def test_it_turns_time_words_into_a_local_moment_never_in_the_past(
    protocol: Protocol, question: str, at: str, asked_for: str
) -> None:
    result = asked_at(protocol, question, AUTUMN, at)
    assert result.asked_for == parse_local(asked_for, LONDON)


def test_it_answers_for_now_when_a_time_word_cannot_be_placed(protocol: Protocol) -> None:
    result = ask(protocol, "wine on saturday", 30)
    assert result.asked_for is None
    assert result.time_unplaced
    assert describe_ask(protocol, result).splitlines()[:2] == [
        "Alcohol: not yet, from day 2 (48 hours).",
        "I can't tell when “on saturday” is without the date of your treatment, "
        "so this answer is for now.",
    ]


def test_it_gives_the_urgent_advice_before_anything_else(protocol: Protocol) -> None:
    result = ask(protocol, "my skin is oozing, can I wear makeup?", 400)
    assert result.outcome is AskOutcome.URGENT
    assert result.check is None
    assert result.red_flags == ("discharge",)
    assert describe_ask(protocol, result).splitlines() == [
        "You mentioned discharge or weeping. Please read this first:",
        "Contact your clinic now. If you cannot reach them and you feel unwell, "
        "call NHS 111, or 999 in an emergency.",
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


def test_it_asks_back_when_two_rules_compete(protocol: Protocol) -> None:
    result = ask(protocol, "makeup after the gym", 30)
    assert result.outcome is AskOutcome.ASK_BACK
    assert result.suggestions == ("makeup", "strenuous_exercise_heavy_sweating")
    assert ask_sentence(protocol, result) == (
        "Did you mean “Makeup” or “Strenuous exercise or heavy sweating”?"
    )


def test_it_answers_two_names_that_share_one_rule(protocol: Protocol) -> None:
    result = ask(protocol, "can i go in the sauna or steam room", 30)
    assert result.check is not None
    assert result.check.rule_id == "AC-extreme-heat"


def test_it_asks_back_below_the_threshold_and_never_guesses(protocol: Protocol) -> None:
    result = ask(protocol, "sauner", 400)
    assert result.outcome is AskOutcome.ASK_BACK
    assert result.check is None
    assert ask_sentence(protocol, result) == "Did you mean “Sauna”?"


def test_it_says_when_it_does_not_know(protocol: Protocol) -> None:
    result = ask(protocol, "can I eat spicy food?", 30)
    assert result.outcome is AskOutcome.NOT_UNDERSTOOD
    assert ask_sentence(protocol, result) == (
        "Sorry, I don't know “can I eat spicy food?” yet. Try one or two words, such as "
        "“gym” or “makeup”, or send the question to your clinic."
    )


def test_it_keeps_the_skin_gate_in_the_first_sentence(protocol: Protocol) -> None:
    unknown = ask(protocol, "makeup", 30)
    assert ask_sentence(protocol, unknown) == (
        "Makeup: yes, once the redness has gone and the skin has settled."
    )
    red = ask(protocol, "makeup", 30, skin={"redness_resolved": False})
    assert ask_sentence(protocol, red) == (
        "Makeup: not yet. Your skin is still red. Wait until the redness has gone and the "
        "skin has settled."
    )


def test_it_refuses_negative_hours(protocol: Protocol) -> None:
    with pytest.raises(InputError, match="cannot be negative"):
        ask(protocol, "makeup", -1)
