"""Screening's mechanisms, on the mini protocol: rules by answer, dates by the calendar and
the day count, the strictest outcome, open questions, and bad answers. The microneedling
screening is pinned in tests/protocols/test_microneedling_screening.py."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftercare.engine.errors import InputError
from aftercare.engine.screening import (
    CURRENT,
    NEVER,
    Answer,
    OpenQuestion,
    ScreeningResult,
    Status,
    screen,
)
from aftercare.protocols.schema import Protocol, Question
from tests.engine.mini import mini_protocol

ON = date(2026, 11, 21)
ELIGIBLE, NOT_YET = Status.ELIGIBLE, Status.NOT_YET
NOT_SUITABLE, REVIEW = Status.NOT_SUITABLE, Status.CLINICIAN_REVIEW
INCOMPLETE = Status.INCOMPLETE
AFTER_PILLS, AFTER_BABY, HEALED = "after_pills", "after_baby", "when_healed"

# Every mini question asked, and nothing found.
NOTHING_FOUND: dict[str, Answer] = {
    "acne_pills": NEVER,
    "peel": NEVER,
    "filler": NEVER,
    "pregnant": False,
    "sunburn": False,
    "cold_sores": False,
    "skin_type": "light",
    "allergies": "none",
}


def answered(**changes: Answer) -> dict[str, Answer]:
    return {**NOTHING_FOUND, **changes}


def ago(days: int) -> date:
    return ON - timedelta(days=days)


def _screen(protocol: Protocol, **answers: Answer) -> ScreeningResult:
    """Screen with every other question answered and nothing found."""
    return screen(protocol, answered(**answers), ON)


def test_the_nothing_found_answers_answer_every_question(mini: Protocol) -> None:
    assert list(NOTHING_FOUND) == [q.id for q in mini.screening.questions]
    assert screen(mini, NOTHING_FOUND, ON).status is ELIGIBLE


# question, answer, status, rules that fire, recheck, cautions
# fmt: off
RULES = [
    ("acne_pills", CURRENT, NOT_SUITABLE, ["SC-pills-current"], AFTER_PILLS, []),
    ("acne_pills", ago(30), NOT_YET, ["SC-pills-recent"], None, []),
    ("acne_pills", NEVER, ELIGIBLE, [], None, []),
    ("acne_pills", None, INCOMPLETE, [], None, []),
    ("peel", ago(30), NOT_YET, ["SC-peel"], None, []),
    ("filler", ago(13), NOT_YET, ["SC-filler"], None, []),
    ("filler", ago(14), ELIGIBLE, [], None, []),
    ("pregnant", True, NOT_SUITABLE, ["SC-pregnant"], AFTER_BABY, []),
    ("pregnant", False, ELIGIBLE, [], None, []),
    ("pregnant", None, INCOMPLETE, [], None, []),
    # A 'not yet' without a date says what to wait for.
    ("sunburn", True, NOT_YET, ["SC-sunburn"], HEALED, []),
    ("cold_sores", True, ELIGIBLE, ["SC-cold-sores"], None, ["flare"]),
    ("skin_type", "dark", ELIGIBLE, ["SC-dark-skin"], None, ["marks", "flare"]),
    ("skin_type", "light", ELIGIBLE, [], None, []),
    ("skin_type", None, INCOMPLETE, [], None, []),
    ("allergies", "nuts", REVIEW, ["SC-allergies"], None, []),
    ("allergies", "", INCOMPLETE, [], None, []),
    ("allergies", "  ", INCOMPLETE, [], None, []),
    ("allergies", None, INCOMPLETE, [], None, []),
    # The protocol's none_answers, compared case-blind, without spaces or a closing stop.
    ("allergies", "none", ELIGIBLE, [], None, []),
    ("allergies", "None.", ELIGIBLE, [], None, []),
    ("allergies", " N/A ", ELIGIBLE, [], None, []),
    # ... and only those: "nil" is not one of the mini protocol's.
    ("allergies", "nil", REVIEW, ["SC-allergies"], None, []),
    ("allergies", "no nuts", REVIEW, ["SC-allergies"], None, []),
]
# fmt: on


def test_it_has_a_row_for_every_rule(mini: Protocol) -> None:
    covered = {rule for row in RULES for rule in row[3]}
    assert covered == {rule.id for rule in mini.screening.rules}


@pytest.mark.parametrize(("question", "answer", "status", "rules", "recheck", "cautions"), RULES)
def test_it_applies_each_rule(
    mini: Protocol,
    question: str,
    answer: Answer,
    status: Status,
    rules: list[str],
    recheck: str | None,
    cautions: list[str],
) -> None:
    result = _screen(mini, **{question: answer})
    assert result.status is status
    assert [reason.rule for reason in result.reasons] == rules
    assert result.recheck == recheck
    assert list(result.cautions) == cautions


# question, last date, screened on, status, earliest date. "Within 3 months" and "within a
# year" end at the later of the calendar date and 90 or 365 days.
# fmt: off
WASHOUTS = [
    # The calendar (16 June) is later than 90 days (14 June).
    ("acne_pills", date(2026, 3, 16), date(2026, 6, 15), NOT_YET, date(2026, 6, 16)),
    ("acne_pills", date(2026, 3, 16), date(2026, 6, 16), ELIGIBLE, None),
    ("acne_pills", date(2026, 3, 16), date(2026, 3, 16), NOT_YET, date(2026, 6, 16)),
    # Three months from 10 February is 89 days: the 90 days are later, and win.
    ("acne_pills", date(2026, 2, 10), date(2026, 5, 10), NOT_YET, date(2026, 5, 11)),
    ("acne_pills", date(2026, 2, 10), date(2026, 5, 11), ELIGIBLE, None),
    # The day of the month is clamped to the month's end: 31 May to 31 August ...
    ("acne_pills", date(2026, 5, 31), date(2026, 8, 30), NOT_YET, date(2026, 8, 31)),
    # ... and 30 November to 29 February in a leap year (90 days is the 28th).
    ("acne_pills", date(2027, 11, 30), date(2028, 2, 28), NOT_YET, date(2028, 2, 29)),
    ("acne_pills", date(2027, 11, 30), date(2028, 2, 29), ELIGIBLE, None),
    # A year containing 29 February is 366 days.
    ("peel", date(2027, 6, 16), date(2028, 6, 15), NOT_YET, date(2028, 6, 16)),
    ("peel", date(2027, 6, 16), date(2028, 6, 16), ELIGIBLE, None),
    ("peel", date(2026, 1, 10), date(2027, 1, 9), NOT_YET, date(2027, 1, 10)),
    ("peel", date(2026, 1, 10), date(2027, 1, 10), ELIGIBLE, None),
    # 29 February plus a year is clamped to 28 February (365 days, the same).
    ("peel", date(2028, 2, 29), date(2029, 2, 27), NOT_YET, date(2029, 2, 28)),
    ("peel", date(2028, 2, 29), date(2029, 2, 28), ELIGIBLE, None),
    # Days alone: 14 days.
    ("filler", date(2026, 6, 1), date(2026, 6, 14), NOT_YET, date(2026, 6, 15)),
    ("filler", date(2026, 6, 1), date(2026, 6, 15), ELIGIBLE, None),
]
# fmt: on


@pytest.mark.parametrize(("question", "last", "on", "status", "earliest"), WASHOUTS)
def test_it_waits_out_each_washout_by_the_calendar_and_the_day_count(
    mini: Protocol, question: str, last: date, on: date, status: Status, earliest: date | None
) -> None:
    result = screen(mini, answered(**{question: last}), on)
    assert result.status is status
    assert result.earliest_date == earliest
    assert [reason.earliest for reason in result.reasons] == (
        [] if earliest is None else [earliest]
    )


def test_it_reads_the_washout_units_from_the_protocol(mini: Protocol) -> None:
    days_only = mini.screening.rules[1].trigger.model_copy(update={"within_months": None})
    rules = tuple(
        rule.model_copy(update={"trigger": days_only}) if rule.id == "SC-pills-recent" else rule
        for rule in mini.screening.rules
    )
    by_days = mini.model_copy(
        update={"screening": mini.screening.model_copy(update={"rules": rules})}
    )
    answers = answered(acne_pills=date(2026, 3, 16))
    assert screen(by_days, answers, date(2026, 6, 14)).status is ELIGIBLE
    assert screen(mini, answers, date(2026, 6, 14)).earliest_date == date(2026, 6, 16)


def test_it_says_when_a_dated_answer_clears(mini: Protocol) -> None:
    result = screen(mini, answered(acne_pills=date(2026, 3, 16)), date(2026, 6, 1))
    assert (result.eligible, result.earliest_date) == (False, date(2026, 6, 16))
    (reason,) = result.reasons
    assert (reason.text, reason.earliest) == ("Acne pills too recently.", date(2026, 6, 16))
    assert reason.recheck_text is None


def test_it_re_checks_dates_when_screening_before_a_later_session(mini: Protocol) -> None:
    answers: dict[str, Answer] = {"acne_pills": date(2026, 10, 1), "peel": date(2026, 1, 1)}
    first = screen(mini, answered(**answers), ON)
    assert (first.status, first.earliest_date) == (NOT_YET, date(2027, 1, 1))
    assert screen(mini, answered(**answers), date(2026, 12, 31)).status is NOT_YET
    assert screen(mini, answered(**answers), date(2027, 1, 1)).status is ELIGIBLE


# answers, status, eligible (JSON), earliest date, recheck
PRECEDENCE: list[tuple[dict[str, Answer], Status, object, date | None, str | None]] = [
    ({}, ELIGIBLE, True, None, None),
    ({"cold_sores": True, "skin_type": "dark"}, ELIGIBLE, True, None, None),
    ({"allergies": "nuts", "cold_sores": True}, REVIEW, "clinician_review", None, None),
    # Three calendar months from 22 October (22 January) are later than 90 days.
    ({"allergies": "nuts", "acne_pills": ago(30)}, NOT_YET, False, date(2027, 1, 22), None),
    # The latest date of several decides.
    ({"acne_pills": ago(30), "peel": ago(300)}, NOT_YET, False, ON + timedelta(65), None),
    # Not suitable wins, and then no date is promised.
    (
        {"pregnant": True, "acne_pills": ago(30), "allergies": "nuts"},
        NOT_SUITABLE,
        False,
        None,
        AFTER_BABY,
    ),
    # The first not-suitable rule in the protocol's order names the recheck.
    ({"pregnant": True, "acne_pills": CURRENT}, NOT_SUITABLE, False, None, AFTER_PILLS),
    # An open question outranks every milder outcome, and no date is promised ...
    ({"pregnant": None}, INCOMPLETE, False, None, None),
    ({"pregnant": None, "acne_pills": ago(30)}, INCOMPLETE, False, None, None),
    ({"peel": None, "allergies": "nuts"}, INCOMPLETE, False, None, None),
    # ... but not "not suitable": no answer still to come could make that eligible.
    ({"pregnant": True, "skin_type": None}, NOT_SUITABLE, False, None, AFTER_BABY),
    # A not-yet reason without a date (sunburn) leaves the earliest date open.
    ({"sunburn": True, "acne_pills": ago(30)}, NOT_YET, False, None, HEALED),
]


@pytest.mark.parametrize(("answers", "status", "eligible", "earliest", "recheck"), PRECEDENCE)
def test_it_lets_the_strictest_outcome_decide(
    mini: Protocol,
    answers: dict[str, Answer],
    status: Status,
    eligible: object,
    earliest: date | None,
    recheck: str | None,
) -> None:
    result = screen(mini, answered(**answers), ON)
    assert (result.status, result.eligible) == (status, eligible)
    assert (result.earliest_date, result.recheck) == (earliest, recheck)


def test_it_keeps_the_not_yet_date_on_its_reason_when_not_suitable(mini: Protocol) -> None:
    result = _screen(mini, pregnant=True, acne_pills=ago(30))
    assert [(r.rule, r.earliest) for r in result.reasons] == [
        ("SC-pills-recent", date(2027, 1, 22)),
        ("SC-pregnant", None),
    ]
    assert result.earliest_days_from_now is None


def test_it_lists_each_caution_once_in_rule_order(mini: Protocol) -> None:
    result = _screen(mini, skin_type="dark", cold_sores=True)
    assert result.cautions == ("flare", "marks")


def test_it_carries_the_recheck_text_and_sources(mini: Protocol) -> None:
    (reason,) = _screen(mini, acne_pills=CURRENT).reasons
    assert reason.recheck_text == "Screen again after the pills."
    assert reason.sources[0].literature == "Invented for the engine tests"


TOMORROW = ON + timedelta(1)
DATE_OR_CURRENT = "a date, 'current' or 'never'"
# fmt: off
BAD = [
    ({"pregnancy": True}, "unknown screening question 'pregnancy'; did you mean pregnant?"),
    ({"pregnant": "yes"}, "the answer to 'pregnant' must be yes or no (true or false)"),
    ({"pregnant": 1}, "the answer to 'pregnant' must be yes or no (true or false)"),
    ({"pregnant": NEVER}, "the answer to 'pregnant' must be yes or no (true or false)"),
    ({"acne_pills": "yesterday"}, f"the answer to 'acne_pills' must be {DATE_OR_CURRENT}"),
    ({"acne_pills": True}, f"the answer to 'acne_pills' must be {DATE_OR_CURRENT}"),
    ({"peel": CURRENT}, "the answer to 'peel' must be a date or 'never'"),
    ({"peel": datetime(2026, 1, 1, 10, 0)}, "the answer to 'peel' must be a date or 'never'"),  # noqa: DTZ001
    ({"peel": TOMORROW}, "the answer to 'peel' (2026-11-22) is in the future"),
    ({"acne_pills": TOMORROW}, "the answer to 'acne_pills' (2026-11-22) is in the future"),
    ({"skin_type": "?"}, "the answer to 'skin_type' must be one of: light, dark"),
    ({"skin_type": "Dark"}, "the answer to 'skin_type' must be one of: light, dark"),
    ({"allergies": True}, "the answer to 'allergies' must be a text"),
]
# fmt: on


@pytest.mark.parametrize(("answers", "message"), BAD)
def test_it_refuses_bad_answers(mini: Protocol, answers: dict[str, Answer], message: str) -> None:
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        screen(mini, answers, ON)


def test_it_refuses_a_screening_day_with_a_time(mini: Protocol) -> None:
    with pytest.raises(InputError, match="must be a date"):
        screen(mini, {}, datetime(2026, 11, 21, 9, 0))  # noqa: DTZ001


def test_it_accepts_an_answer_dated_on_the_screening_day(mini: Protocol) -> None:
    assert _screen(mini, peel=ON).earliest_date == ON + timedelta(365)


# --- nothing unasked is recorded as "No" ----------------------------------------


def test_it_never_reads_a_missing_answer_as_no(mini: Protocol) -> None:
    result = screen(mini, {}, ON)
    assert (result.status, result.eligible) == (INCOMPLETE, False)
    assert [q.question for q in result.unanswered] == [q.id for q in mini.screening.questions]


def test_it_names_each_open_question_by_its_text(mini: Protocol) -> None:
    answers = answered(pregnant=None, allergies="  ", peel=None)
    answers.pop("skin_type")
    result = screen(mini, answers, ON)
    assert result.status is INCOMPLETE
    assert result.unanswered == (
        OpenQuestion("peel", "A peel? When?"),
        OpenQuestion("pregnant", "Pregnant?"),
        OpenQuestion("skin_type", "Skin type?"),
        OpenQuestion("allergies", "Allergies?"),
    )
    assert screen(mini, NOTHING_FOUND, ON).unanswered == ()


# --- properties -------------------------------------------------------------------

PROTOCOL = mini_protocol()


def _answer(question: Question) -> st.SearchStrategy[Answer]:
    dates = st.dates(min_value=ON - timedelta(days=800), max_value=ON)
    by_kind: dict[str, st.SearchStrategy[Answer]] = {
        "yes_no": st.booleans(),
        "date": dates | st.just(NEVER),
        "date_or_current": dates | st.just(CURRENT) | st.just(NEVER),
        "choice": st.sampled_from(question.choices),
        "text": st.sampled_from(["nuts", "", "none", "N/A"]),
    }
    return st.none() | by_kind[question.kind]


answers_strategy = st.fixed_dictionaries(
    {question.id: _answer(question) for question in PROTOCOL.screening.questions}
)


@given(answers_strategy)
def test_it_gives_the_same_answer_every_time(answers: dict[str, Answer]) -> None:
    assert screen(PROTOCOL, answers, ON) == screen(PROTOCOL, answers, ON)


@given(answers_strategy, st.integers(min_value=0, max_value=800))
def test_it_only_ever_gets_less_strict_later(answers: dict[str, Answer], days: int) -> None:
    rank = {ELIGIBLE: 0, REVIEW: 1, NOT_YET: 2, INCOMPLETE: 3, NOT_SUITABLE: 4}
    now = screen(PROTOCOL, answers, ON)
    later = screen(PROTOCOL, answers, ON + timedelta(days))
    assert rank[later.status] <= rank[now.status]


@given(answers_strategy)
def test_it_is_never_eligible_with_a_question_open(answers: dict[str, Answer]) -> None:
    result = screen(PROTOCOL, answers, ON)
    questions = PROTOCOL.screening.questions
    open_questions = [q.id for q in questions if answers[q.id] is None or answers[q.id] == ""]
    assert [q.question for q in result.unanswered] == open_questions
    if open_questions:
        assert result.status in (INCOMPLETE, NOT_SUITABLE)
        assert result.eligible is False


def test_a_choice_reads_as_its_label_or_as_its_id_in_words() -> None:
    question = Question(
        id="skin",
        kind="choice",
        text="Skin?",
        choices=("iv", "very_dry"),
        choice_labels={"iv": "IV"},
    )
    assert [question.choice_label(c) for c in question.choices] == ["IV", "Very dry"]
    with pytest.raises(ValueError, match="choice_labels names what is not a choice: v"):
        Question(id="skin", kind="choice", text="Skin?", choices=("iv",), choice_labels={"v": "V"})
