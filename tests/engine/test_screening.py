from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare.engine.errors import InputError
from aftercare.engine.screening import CURRENT, Answer, ScreeningResult, Status, screen
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol, Question

ON = date(2026, 11, 21)
ELIGIBLE, NOT_YET = Status.ELIGIBLE, Status.NOT_YET
NOT_SUITABLE, REVIEW = Status.NOT_SUITABLE, Status.CLINICIAN_REVIEW
WASHOUT, BABY = "after_isotretinoin_washout", "after_pregnancy_and_breastfeeding"
HEALED, RESOLVED = "when_healed", "when_resolved"
CONTROLLED, SPECIALIST = "when_diabetes_controlled", "with_specialist_agreement"
PLATELETS = ["extended_bruising", "petechiae"]
BLEEDING = ["bleeding_risk", "extended_bruising", "petechiae"]


def ago(days: int) -> date:
    return ON - timedelta(days=days)


def _screen(protocol: Protocol, **answers: Answer) -> ScreeningResult:
    return screen(protocol, answers, ON)


# question, answer, status, rules that fire, recheck, cautions
# fmt: off
RULES = [
    ("isotretinoin", CURRENT, NOT_SUITABLE, ["SC-isotretinoin-current"], WASHOUT, []),
    ("isotretinoin", ago(30), NOT_YET, ["SC-isotretinoin-recent"], None, []),
    ("radiation", ago(30), NOT_YET, ["SC-radiation"], None, []),
    ("pregnant", True, NOT_SUITABLE, ["SC-pregnant"], BABY, []),
    ("pregnant", False, ELIGIBLE, [], None, []),
    ("breastfeeding", True, NOT_SUITABLE, ["SC-breastfeeding"], BABY, []),
    ("open_wound", True, NOT_SUITABLE, ["SC-open-wound"], HEALED, []),
    ("skin_infection", True, NOT_SUITABLE, ["SC-skin-infection"], RESOLVED, []),
    ("active_herpes", True, NOT_SUITABLE, ["SC-active-herpes"], RESOLVED, []),
    ("active_skin_condition", "acne", NOT_SUITABLE, ["SC-skin-condition"], RESOLVED, []),
    ("active_skin_condition", "", ELIGIBLE, [], None, []),
    ("active_skin_condition", "  ", ELIGIBLE, [], None, []),
    ("active_skin_condition", None, ELIGIBLE, [], None, []),
    ("skin_cancer", True, NOT_SUITABLE, ["SC-skin-cancer"], SPECIALIST, []),
    ("cold_sore_history", True, ELIGIBLE, ["SC-cold-sore-history"], None, ["cold_sore_flare"]),
    ("anticoagulant", True, REVIEW, ["SC-anticoagulant"], None, BLEEDING),
    ("platelet_medication", True, ELIGIBLE, ["SC-platelet-medication"], None, PLATELETS),
    ("keloid_history", True, REVIEW, ["SC-keloid"], None, []),
    ("autoimmune", True, REVIEW, ["SC-autoimmune"], None, []),
    ("diabetes", "no", ELIGIBLE, [], None, []),
    ("diabetes", "controlled", REVIEW, ["SC-diabetes-controlled"], None, []),
    ("diabetes", "uncontrolled", NOT_SUITABLE, ["SC-diabetes-uncontrolled"], CONTROLLED, []),
    ("immunosuppressed", True, REVIEW, ["SC-immunosuppressed"], None, []),
    ("metal_allergy", True, REVIEW, ["SC-metal-allergy"], None, []),
    ("fitzpatrick", "iii", ELIGIBLE, [], None, []),
    ("fitzpatrick", "iv", ELIGIBLE, ["SC-darker-skin"], None, ["pigmentation_risk"]),
    ("fitzpatrick", "v", ELIGIBLE, ["SC-darker-skin"], None, ["pigmentation_risk"]),
    ("fitzpatrick", "vi", ELIGIBLE, ["SC-darker-skin"], None, ["pigmentation_risk"]),
]
# fmt: on


def test_it_has_a_row_for_every_rule(protocol: Protocol) -> None:
    covered = {rule for row in RULES for rule in row[3]}
    assert covered == {rule.id for rule in protocol.screening.rules}


@pytest.mark.parametrize(("question", "answer", "status", "rules", "recheck", "cautions"), RULES)
def test_it_applies_each_rule(
    protocol: Protocol,
    question: str,
    answer: Answer,
    status: Status,
    rules: list[str],
    recheck: str | None,
    cautions: list[str],
) -> None:
    result = _screen(protocol, **{question: answer})
    assert result.status is status
    assert [reason.rule for reason in result.reasons] == rules
    assert result.recheck == recheck
    assert list(result.cautions) == cautions


# question, days ago, status, earliest (days from the screening day)
BOUNDARIES = [
    ("isotretinoin", 0, NOT_YET, 90),
    ("isotretinoin", 1, NOT_YET, 89),
    ("isotretinoin", 89, NOT_YET, 1),
    ("isotretinoin", 90, ELIGIBLE, None),
    ("isotretinoin", 91, ELIGIBLE, None),
    ("isotretinoin", 400, ELIGIBLE, None),
    ("radiation", 0, NOT_YET, 365),
    ("radiation", 364, NOT_YET, 1),
    ("radiation", 365, ELIGIBLE, None),
    ("radiation", 366, ELIGIBLE, None),
]


@pytest.mark.parametrize(("question", "days_ago", "status", "days_to_wait"), BOUNDARIES)
def test_it_waits_out_each_washout_to_the_day(
    protocol: Protocol, question: str, days_ago: int, status: Status, days_to_wait: int | None
) -> None:
    result = _screen(protocol, **{question: ago(days_ago)})
    assert result.status is status
    assert result.earliest_days_from_now == days_to_wait
    expected_date = None if days_to_wait is None else ON + timedelta(days=days_to_wait)
    assert result.earliest_date == expected_date


def test_it_says_tomorrow_for_isotretinoin_89_days_ago(protocol: Protocol) -> None:
    result = _screen(protocol, isotretinoin=ago(89))
    assert (result.eligible, result.earliest_date) == (False, date(2026, 11, 22))
    (reason,) = result.reasons
    assert reason.text == "Isotretinoin (Roaccutane) was taken too recently."
    assert reason.earliest == date(2026, 11, 22)
    assert reason.recheck_text is None


def test_it_re_checks_dates_when_screening_before_a_later_session(protocol: Protocol) -> None:
    answers: dict[str, Answer] = {"isotretinoin": date(2026, 10, 1), "radiation": date(2026, 1, 1)}
    first = screen(protocol, answers, ON)
    assert (first.status, first.earliest_date) == (NOT_YET, date(2027, 1, 1))
    assert screen(protocol, answers, date(2026, 12, 31)).status is NOT_YET
    assert screen(protocol, answers, date(2027, 1, 1)).status is ELIGIBLE


# answers, status, eligible (JSON), earliest date, recheck
PRECEDENCE: list[tuple[dict[str, Answer], Status, object, date | None, str | None]] = [
    ({}, ELIGIBLE, True, None, None),
    ({"cold_sore_history": True, "fitzpatrick": "v"}, ELIGIBLE, True, None, None),
    ({"anticoagulant": True, "platelet_medication": True}, REVIEW, "clinician_review", None, None),
    ({"anticoagulant": True, "isotretinoin": ago(30)}, NOT_YET, False, ON + timedelta(60), None),
    (
        {"isotretinoin": ago(30), "radiation": ago(300)},
        NOT_YET,
        False,
        ON + timedelta(65),
        None,
    ),
    # Not suitable wins, and then no date is promised.
    (
        {"pregnant": True, "isotretinoin": ago(30), "keloid_history": True},
        NOT_SUITABLE,
        False,
        None,
        BABY,
    ),
    # The first not-suitable rule in the protocol's order names the recheck.
    ({"open_wound": True, "pregnant": True}, NOT_SUITABLE, False, None, BABY),
    ({"diabetes": "uncontrolled", "isotretinoin": CURRENT}, NOT_SUITABLE, False, None, WASHOUT),
]


@pytest.mark.parametrize(("answers", "status", "eligible", "earliest", "recheck"), PRECEDENCE)
def test_it_lets_the_strictest_outcome_decide(
    protocol: Protocol,
    answers: dict[str, Answer],
    status: Status,
    eligible: object,
    earliest: date | None,
    recheck: str | None,
) -> None:
    result = screen(protocol, answers, ON)
    assert (result.status, result.eligible) == (status, eligible)
    assert (result.earliest_date, result.recheck) == (earliest, recheck)


def test_it_keeps_the_not_yet_date_on_its_reason_when_not_suitable(protocol: Protocol) -> None:
    result = _screen(protocol, pregnant=True, isotretinoin=ago(30))
    assert [(r.rule, r.earliest) for r in result.reasons] == [
        ("SC-isotretinoin-recent", ON + timedelta(60)),
        ("SC-pregnant", None),
    ]
    assert result.earliest_days_from_now is None


def test_it_lists_each_caution_once_in_rule_order(protocol: Protocol) -> None:
    result = _screen(protocol, anticoagulant=True, platelet_medication=True, cold_sore_history=True)
    assert result.cautions == ("cold_sore_flare", "bleeding_risk", "extended_bruising", "petechiae")


def test_it_carries_the_recheck_text_and_sources(protocol: Protocol) -> None:
    (reason,) = _screen(protocol, isotretinoin=CURRENT).reasons
    assert reason.recheck_text == (
        "Screen again once the course of isotretinoin has ended and the waiting period after "
        "the last dose has passed. Never stop a prescribed medicine to have this treatment."
    )
    assert reason.sources[0].leaflet == "004_c9e6a56256457567.txt"


TOMORROW = ON + timedelta(1)
# fmt: off
BAD = [
    ({"pregnancy": True}, "unknown screening question 'pregnancy'; did you mean pregnant?"),
    ({"pregnant": "yes"}, "the answer to 'pregnant' must be yes or no (true or false)"),
    ({"pregnant": 1}, "the answer to 'pregnant' must be yes or no (true or false)"),
    ({"isotretinoin": "yesterday"}, "the answer to 'isotretinoin' must be a date or 'current'"),
    ({"isotretinoin": True}, "the answer to 'isotretinoin' must be a date or 'current'"),
    ({"radiation": CURRENT}, "the answer to 'radiation' must be a date"),
    ({"radiation": datetime(2026, 1, 1, 10, 0)}, "the answer to 'radiation' must be a date"),  # noqa: DTZ001
    ({"radiation": TOMORROW}, "the answer to 'radiation' (2026-11-22) is in the future"),
    ({"isotretinoin": TOMORROW}, "the answer to 'isotretinoin' (2026-11-22) is in the future"),
    ({"diabetes": "?"}, "the answer to 'diabetes' must be one of: no, controlled, uncontrolled"),
    ({"fitzpatrick": "IV"}, "the answer to 'fitzpatrick' must be one of: i, ii, iii, iv, v, vi"),
    ({"active_skin_condition": True}, "the answer to 'active_skin_condition' must be a text"),
]
# fmt: on


@pytest.mark.parametrize(("answers", "message"), BAD)
def test_it_refuses_bad_answers(
    protocol: Protocol, answers: dict[str, Answer], message: str
) -> None:
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        screen(protocol, answers, ON)


def test_it_refuses_a_screening_day_with_a_time(protocol: Protocol) -> None:
    with pytest.raises(InputError, match="must be a date"):
        screen(protocol, {}, datetime(2026, 11, 21, 9, 0))  # noqa: DTZ001


def test_it_accepts_an_answer_dated_on_the_screening_day(protocol: Protocol) -> None:
    assert _screen(protocol, radiation=ON).earliest_date == ON + timedelta(365)


# --- never advise stopping a prescribed medicine -------------------------------

PROTOCOL = load_protocol()
ALLOWED_STOP = re.compile(r"never advise stopping|never stop", re.IGNORECASE)


def _answer(question: Question) -> st.SearchStrategy[Answer]:
    dates = st.dates(min_value=ON - timedelta(days=800), max_value=ON)
    by_kind: dict[str, st.SearchStrategy[Answer]] = {
        "yes_no": st.booleans(),
        "date": dates,
        "date_or_current": dates | st.just(CURRENT),
        "choice": st.sampled_from(question.choices),
        "text": st.sampled_from(["acne", "eczema flare", ""]),
    }
    return st.none() | by_kind[question.kind]


answers_strategy = st.fixed_dictionaries(
    {question.id: _answer(question) for question in PROTOCOL.screening.questions}
)


def _texts(result: ScreeningResult) -> list[str]:
    texts = [PROTOCOL.index.cautions[caution].text for caution in result.cautions]
    for reason in result.reasons:
        texts += [reason.text, reason.recheck_text or ""]
        texts += [source.quote or source.note or "" for source in reason.sources]
    return texts


@settings(max_examples=300)
@given(answers_strategy)
def test_it_never_advises_stopping_a_prescribed_medicine(answers: dict[str, Answer]) -> None:
    for text in _texts(screen(PROTOCOL, answers, ON)):
        assert "stop" not in ALLOWED_STOP.sub("", text).lower(), text


@given(answers_strategy)
def test_it_gives_the_same_answer_every_time(answers: dict[str, Answer]) -> None:
    assert screen(PROTOCOL, answers, ON) == screen(PROTOCOL, answers, ON)


@given(answers_strategy, st.integers(min_value=0, max_value=800))
def test_it_only_ever_gets_less_strict_later(answers: dict[str, Answer], days: int) -> None:
    rank = {ELIGIBLE: 0, REVIEW: 1, NOT_YET: 2, NOT_SUITABLE: 3}
    now = screen(PROTOCOL, answers, ON)
    later = screen(PROTOCOL, answers, ON + timedelta(days))
    assert rank[later.status] <= rank[now.status]
