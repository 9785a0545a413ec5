"""How "can I ...?" questions are read, on the mini protocol: time words placed on the
local clock across clock changes, urgent words first, asking back rather than guessing, and
the skin gate in the first sentence. The microneedling questions and words are pinned in
tests/protocols/test_microneedling_ask*.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from aftercare.engine.ask import AskOutcome, AskResult, ask
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


def asked_at(protocol: Protocol, question: str, treated_at: datetime, at: str) -> AskResult:
    hours = hours_between(treated_at, parse_local(at, LONDON))
    return ask(protocol, question, hours, treated_at=treated_at)


@pytest.mark.parametrize(
    ("question", "activity"),
    [
        ("can I wear makeup", "makeup"),
        ("Makeup?", "makeup"),
        ("MAKE-UP!!", "makeup"),
        ("can i go swiming", "swimming"),
        ("jacuzzi tomorrow", "hot_tub"),
    ],
)
def test_it_reads_the_questions_patients_type(mini: Protocol, question: str, activity: str) -> None:
    result = ask(mini, question, 30)
    assert result.outcome is AskOutcome.ANSWERED
    assert result.check is not None
    assert result.check.activity == activity


def test_it_answers_in_one_sentence_first(mini: Protocol) -> None:
    result = asked_at(mini, "sauna tonight", AUTUMN, "2026-10-23 18:00")
    assert ask_sentence(mini, result) == (
        "Sauna on Fri 23 Oct, 20:00: not yet, from Sun 25 Oct, 09:30 (day 2)."
    )
    assert describe_ask(mini, result).splitlines()[1:] == [
        "Avoid heat.",
        "Why: Heat.",
        "Note: the leaflets differ here; one day against two days; the longer wins.",
    ]


def test_it_places_tomorrow_morning_across_the_clocks_going_back(mini: Protocol) -> None:
    # 48 real hours after 10:30 BST Friday is 09:30 GMT Sunday, not 10:30.
    morning = asked_at(mini, "sauna tomorrow morning", AUTUMN, "2026-10-24 16:30")
    assert morning.asked_for == parse_local("2026-10-25 09:00", LONDON)
    assert morning.asked_for_hours == 47.5
    assert morning.check is not None
    assert morning.check.verdict is Verdict.NOT_YET
    assert ask_sentence(mini, morning) == (
        "Sauna on Sun 25 Oct, 09:00: not yet, from Sun 25 Oct, 09:30 (day 2)."
    )
    afternoon = asked_at(mini, "sauna tomorrow afternoon", AUTUMN, "2026-10-24 16:30")
    assert afternoon.check is not None
    assert afternoon.check.verdict is Verdict.ALLOWED


def test_it_places_next_week_across_the_clocks_going_back(mini: Protocol) -> None:
    # Monday 09:00 GMT is 71.5 real hours after Friday 10:30 BST.
    result = asked_at(mini, "can i go swimming next week", AUTUMN, "2026-10-24 16:30")
    assert result.asked_for == parse_local("2026-10-26 09:00", LONDON)
    assert result.asked_for_hours == 71.5
    assert result.check is not None
    assert result.check.verdict is Verdict.NOT_YET
    assert ask_sentence(mini, result).endswith("not yet, from Fri 30 Oct, 09:30 (day 7).")


def test_it_places_tomorrow_across_the_clocks_going_forward(mini: Protocol) -> None:
    # Sunday 09:00 BST is 08:00 UTC: 45.5 real hours after Friday 10:30 GMT.
    result = asked_at(mini, "can i have a sauna 2moro morning", SPRING, "2027-03-27 12:00")
    assert result.asked_for_hours == 45.5
    assert result.check is not None
    assert result.check.verdict is Verdict.NOT_YET
    assert ask_sentence(mini, result).endswith("from Sun 28 Mar, 11:30 (day 2).")


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
    mini: Protocol, question: str, at: str, asked_for: str
) -> None:
    result = asked_at(mini, question, AUTUMN, at)
    assert result.asked_for == parse_local(asked_for, LONDON)


def test_it_answers_for_now_when_a_time_word_cannot_be_placed(mini: Protocol) -> None:
    result = ask(mini, "sauna on saturday", 30)
    assert result.asked_for is None
    assert result.time_unplaced
    assert describe_ask(mini, result).splitlines()[:2] == [
        "Sauna: not yet, from day 2 (48 hours).",
        "I can't place “on saturday”; this answer is for now.",
    ]


def test_it_gives_the_urgent_advice_before_anything_else(mini: Protocol) -> None:
    result = ask(mini, "my skin is oozing, can I wear makeup?", 400)
    assert result.outcome is AskOutcome.URGENT
    assert result.check is None
    assert result.red_flags == ("pus",)
    assert describe_ask(mini, result).splitlines() == [
        "You mentioned pus. Read this first:",
        "Contact the clinic now.",
    ]


@pytest.mark.parametrize(
    ("question", "flags"),
    [
        # A check-in's red-flag phrases, read in a question as in a check-in's words.
        ("it's all oozing, is it ok to use an ice pack", ("pus",)),
        # And the symptoms' names.
        ("can I have a blister, can i swim", ("blister",)),
    ],
)
def test_it_reads_a_question_for_red_flags_as_a_check_in_is_read(
    mini: Protocol, question: str, flags: tuple[str, ...]
) -> None:
    result = ask(mini, question, 30)
    assert (result.outcome, result.red_flags) == (AskOutcome.URGENT, flags)


def test_it_answers_a_topic_the_protocol_does_not_cover_honestly(mini: Protocol) -> None:
    result = ask(mini, "can I fly", 30)
    assert result.outcome is AskOutcome.TOPIC
    assert result.understood
    assert ask_sentence(mini, result) == "Ask your clinic about flying."


def test_it_asks_back_about_a_word_that_names_two_activities(mini: Protocol) -> None:
    result = ask(mini, "can I have some heat?", 30)
    assert result.outcome is AskOutcome.ASK_BACK
    assert not result.understood
    assert result.suggestions == ("sauna", "hot_bath")
    assert ask_sentence(mini, result) == "Did you mean a sauna or a hot bath?"


def test_it_asks_back_when_two_rules_compete(mini: Protocol) -> None:
    result = ask(mini, "makeup after the sauna", 30)
    assert result.outcome is AskOutcome.ASK_BACK
    assert result.suggestions == ("makeup", "sauna")
    assert ask_sentence(mini, result) == "Did you mean “Makeup” or “Sauna”?"


def test_it_answers_two_names_that_share_one_rule(mini: Protocol) -> None:
    result = ask(mini, "can i go in the sauna or steam room", 30)
    assert result.check is not None
    assert result.check.rule_id == "AC-sauna"


def test_it_asks_back_below_the_threshold_and_never_guesses(mini: Protocol) -> None:
    result = ask(mini, "sauner", 400)
    assert result.outcome is AskOutcome.ASK_BACK
    assert result.check is None
    assert ask_sentence(mini, result) == "Did you mean “Sauna”?"


def test_it_says_when_it_does_not_know(mini: Protocol) -> None:
    result = ask(mini, "can I eat spicy food?", 30)
    assert result.outcome is AskOutcome.NOT_UNDERSTOOD
    assert ask_sentence(mini, result) == "Sorry, I don't know “can I eat spicy food?”."


def test_it_keeps_the_skin_gate_in_the_first_sentence(mini: Protocol) -> None:
    unknown = ask(mini, "makeup", 30)
    assert ask_sentence(mini, unknown) == "Makeup: yes, once the skin is calm."
    not_calm = ask(mini, "makeup", 30, skin={"skin_calm": False})
    assert ask_sentence(mini, not_calm) == (
        "Makeup: not yet. The skin is not calm yet. Wait until it is."
    )


def test_it_refuses_negative_hours(mini: Protocol) -> None:
    with pytest.raises(InputError, match="cannot be negative"):
        ask(mini, "makeup", -1)
