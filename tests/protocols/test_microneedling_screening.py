"""The microneedling screening: each rule, washout and question as the protocol words it.
Screening's mechanisms are tested on the mini protocol in tests/engine/test_screening.py."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare.engine.screening import (
    CURRENT,
    NEVER,
    Answer,
    OpenQuestion,
    ScreeningResult,
    Status,
    screen,
)
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol, Question
from tests.screening_answers import NOTHING_FOUND, answered

ON = date(2026, 11, 21)
ELIGIBLE, NOT_YET = Status.ELIGIBLE, Status.NOT_YET
NOT_SUITABLE, REVIEW = Status.NOT_SUITABLE, Status.CLINICIAN_REVIEW
INCOMPLETE = Status.INCOMPLETE
WASHOUT, BABY = "after_isotretinoin_washout", "after_pregnancy_and_breastfeeding"
HEALED, RESOLVED = "when_healed", "when_resolved"
CONTROLLED, SPECIALIST = "when_diabetes_controlled", "with_specialist_agreement"
SUNBURN = "when_sunburn_healed"
PLATELETS = ["extended_bruising", "petechiae"]
BLEEDING = ["bleeding_risk", "extended_bruising", "petechiae"]


def ago(days: int) -> date:
    return ON - timedelta(days=days)


def _screen(protocol: Protocol, **answers: Answer) -> ScreeningResult:
    """Screen with every other question answered and nothing found."""
    return screen(protocol, answered(**answers), ON)


# question, answer, status, rules that fire, recheck, cautions
# fmt: off
RULES = [
    ("isotretinoin", CURRENT, NOT_SUITABLE, ["SC-isotretinoin-current"], WASHOUT, []),
    ("isotretinoin", ago(30), NOT_YET, ["SC-isotretinoin-recent"], None, []),
    ("radiation", ago(30), NOT_YET, ["SC-radiation"], None, []),
    ("pregnant", True, NOT_SUITABLE, ["SC-pregnant"], BABY, []),
    ("pregnant", False, ELIGIBLE, [], None, []),
    ("pregnant", None, INCOMPLETE, [], None, []),
    ("isotretinoin", NEVER, ELIGIBLE, [], None, []),
    ("isotretinoin", None, INCOMPLETE, [], None, []),
    ("breastfeeding", True, NOT_SUITABLE, ["SC-breastfeeding"], BABY, []),
    ("open_wound", True, NOT_SUITABLE, ["SC-open-wound"], HEALED, []),
    ("skin_infection", True, NOT_SUITABLE, ["SC-skin-infection"], RESOLVED, []),
    ("active_herpes", True, NOT_SUITABLE, ["SC-active-herpes"], RESOLVED, []),
    ("active_skin_condition", "acne", NOT_SUITABLE, ["SC-skin-condition"], RESOLVED, []),
    ("active_skin_condition", "", INCOMPLETE, [], None, []),
    ("active_skin_condition", "  ", INCOMPLETE, [], None, []),
    ("active_skin_condition", None, INCOMPLETE, [], None, []),
    ("active_skin_condition", "none", ELIGIBLE, [], None, []),
    ("active_skin_condition", "None.", ELIGIBLE, [], None, []),
    ("active_skin_condition", "N/A", ELIGIBLE, [], None, []),
    ("active_skin_condition", " n/a ", ELIGIBLE, [], None, []),
    ("active_skin_condition", "No", ELIGIBLE, [], None, []),
    ("active_skin_condition", "nil", ELIGIBLE, [], None, []),
    ("active_skin_condition", "-", ELIGIBLE, [], None, []),
    ("active_skin_condition", "none known", ELIGIBLE, [], None, []),
    ("active_skin_condition", "no acne", NOT_SUITABLE, ["SC-skin-condition"], RESOLVED, []),
    ("active_skin_condition", "-eczema", NOT_SUITABLE, ["SC-skin-condition"], RESOLVED, []),
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
    ("fitzpatrick", None, INCOMPLETE, [], None, []),
    ("numbing_cream_allergy", True, REVIEW, ["SC-numbing-cream-allergy"], None, []),
    ("sunburn", True, NOT_YET, ["SC-sunburn"], SUNBURN, []),
    ("other_skin_treatment", ago(13), NOT_YET, ["SC-other-skin-treatment"], None, []),
    ("other_skin_treatment", ago(14), ELIGIBLE, [], None, []),
    ("toxin_or_filler", ago(13), NOT_YET, ["SC-toxin-or-filler"], None, []),
    ("toxin_or_filler", ago(14), ELIGIBLE, [], None, []),
    ("implants", True, REVIEW, ["SC-implants"], None, []),
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


# question, last date, screened on, status, earliest date. "Within the last 3 months" and
# "within the last year" end at the later of the calendar date and 90 or 365 days.
# fmt: off
WASHOUTS = [
    # The example: the calendar (16 June) is later than 90 days (14 June).
    ("isotretinoin", date(2026, 3, 16), date(2026, 6, 15), NOT_YET, date(2026, 6, 16)),
    ("isotretinoin", date(2026, 3, 16), date(2026, 6, 16), ELIGIBLE, None),
    ("isotretinoin", date(2026, 3, 16), date(2026, 3, 16), NOT_YET, date(2026, 6, 16)),
    # Three months from 10 February is 89 days: the 90 days are later, and win.
    ("isotretinoin", date(2026, 2, 10), date(2026, 5, 10), NOT_YET, date(2026, 5, 11)),
    ("isotretinoin", date(2026, 2, 10), date(2026, 5, 11), ELIGIBLE, None),
    # The day of the month is clamped to the month's end: 31 May to 31 August ...
    ("isotretinoin", date(2026, 5, 31), date(2026, 8, 30), NOT_YET, date(2026, 8, 31)),
    # ... and 30 November to 29 February in a leap year (90 days is the 28th).
    ("isotretinoin", date(2027, 11, 30), date(2028, 2, 28), NOT_YET, date(2028, 2, 29)),
    ("isotretinoin", date(2027, 11, 30), date(2028, 2, 29), ELIGIBLE, None),
    # The example: a year containing 29 February is 366 days.
    ("radiation", date(2027, 6, 16), date(2028, 6, 15), NOT_YET, date(2028, 6, 16)),
    ("radiation", date(2027, 6, 16), date(2028, 6, 16), ELIGIBLE, None),
    ("radiation", date(2026, 1, 10), date(2027, 1, 9), NOT_YET, date(2027, 1, 10)),
    ("radiation", date(2026, 1, 10), date(2027, 1, 10), ELIGIBLE, None),
    # 29 February plus a year is clamped to 28 February (365 days, the same).
    ("radiation", date(2028, 2, 29), date(2029, 2, 27), NOT_YET, date(2029, 2, 28)),
    ("radiation", date(2028, 2, 29), date(2029, 2, 28), ELIGIBLE, None),
    # Two weeks are 14 days.
    ("other_skin_treatment", date(2026, 6, 1), date(2026, 6, 14), NOT_YET, date(2026, 6, 15)),
    ("other_skin_treatment", date(2026, 6, 1), date(2026, 6, 15), ELIGIBLE, None),
    ("toxin_or_filler", date(2026, 6, 1), date(2026, 6, 14), NOT_YET, date(2026, 6, 15)),
    ("toxin_or_filler", date(2026, 6, 1), date(2026, 6, 15), ELIGIBLE, None),
]
# fmt: on


@pytest.mark.parametrize(("question", "last", "on", "status", "earliest"), WASHOUTS)
def test_it_waits_out_each_washout_by_the_calendar_and_the_day_count(
    protocol: Protocol, question: str, last: date, on: date, status: Status, earliest: date | None
) -> None:
    result = screen(protocol, answered(**{question: last}), on)
    assert result.status is status
    assert result.earliest_date == earliest
    assert [reason.earliest for reason in result.reasons] == (
        [] if earliest is None else [earliest]
    )


def test_it_reads_the_washout_units_from_the_protocol(protocol: Protocol) -> None:
    triggers = {rule.id: rule.trigger for rule in protocol.screening.rules}
    isotretinoin, radiation = triggers["SC-isotretinoin-recent"], triggers["SC-radiation"]
    assert (isotretinoin.within_days, isotretinoin.within_months) == (90, 3)
    assert (radiation.within_days, radiation.within_years) == (365, 1)
    months_only = isotretinoin.model_copy(update={"within_months": None, "within_days": 90})
    rules = tuple(
        rule.model_copy(update={"trigger": months_only})
        if rule.id == "SC-isotretinoin-recent"
        else rule
        for rule in protocol.screening.rules
    )
    by_days = protocol.model_copy(
        update={"screening": protocol.screening.model_copy(update={"rules": rules})}
    )
    answers = answered(isotretinoin=date(2026, 3, 16))
    assert screen(by_days, answers, date(2026, 6, 14)).status is ELIGIBLE
    assert screen(protocol, answers, date(2026, 6, 14)).earliest_date == date(2026, 6, 16)


def test_it_says_when_isotretinoin_taken_on_16_march_clears(protocol: Protocol) -> None:
    result = screen(protocol, answered(isotretinoin=date(2026, 3, 16)), date(2026, 6, 1))
    assert (result.eligible, result.earliest_date) == (False, date(2026, 6, 16))
    (reason,) = result.reasons
    assert reason.text == "Isotretinoin (Roaccutane) was taken too recently."
    assert reason.earliest == date(2026, 6, 16)
    assert reason.recheck_text is None


def test_it_carries_the_recheck_text_and_sources(protocol: Protocol) -> None:
    (reason,) = _screen(protocol, isotretinoin=CURRENT).reasons
    assert reason.recheck_text == (
        "Screen again once the course of isotretinoin has ended and the waiting period after "
        "the last dose has passed. Never stop a prescribed medicine to have this treatment."
    )
    assert reason.sources[0].leaflet == "004_c9e6a56256457567.txt"


def test_the_nothing_found_answers_answer_every_question(protocol: Protocol) -> None:
    assert list(NOTHING_FOUND) == [q.id for q in protocol.screening.questions]
    assert screen(protocol, NOTHING_FOUND, ON).status is ELIGIBLE


def test_it_names_each_open_question_by_its_text(protocol: Protocol) -> None:
    answers = answered(pregnant=None, active_skin_condition="  ", radiation=None)
    answers.pop("implants")
    result = screen(protocol, answers, ON)
    assert result.status is INCOMPLETE
    assert result.unanswered == (
        OpenQuestion("radiation", "Have you had radiotherapy to the skin? If so, when did it end?"),
        OpenQuestion("pregnant", "Are you pregnant?"),
        OpenQuestion(
            "active_skin_condition",
            "Is there another current skin condition on the area, such as active acne or an "
            "eczema flare? Which?",
        ),
        OpenQuestion(
            "implants", "Are there gold threads or other implants in the area to be treated?"
        ),
    )
    assert screen(protocol, NOTHING_FOUND, ON).unanswered == ()


def test_it_words_the_new_questions_and_reasons(protocol: Protocol) -> None:
    questions = protocol.index.questions
    assert questions["open_wound"].text == (
        "Is there an open wound, cut or graze anywhere on the skin?"
    )
    assert questions["numbing_cream_allergy"].text == (
        "Are you allergic to numbing cream, or to lidocaine or another local anaesthetic?"
    )
    result = _screen(
        protocol,
        numbing_cream_allergy=True,
        sunburn=True,
        other_skin_treatment=ago(3),
        toxin_or_filler=ago(10),
        implants=True,
    )
    assert [(r.outcome.value, r.text, r.earliest) for r in result.reasons] == [
        (
            "clinician_review",
            "An allergy to numbing cream, lidocaine or another local anaesthetic.",
            None,
        ),
        ("not_yet", "Sunburn on the area.", None),
        (
            "not_yet",
            "Another skin treatment on the area (laser, IPL, a chemical peel, dermaplaning or "
            "microdermabrasion) in the last 2 weeks.",
            ON + timedelta(11),
        ),
        (
            "not_yet",
            "Anti-wrinkle injections (botulinum toxin) or dermal filler in the area in the last "
            "2 weeks.",
            ON + timedelta(4),
        ),
        ("clinician_review", "Gold threads or other implants in the area.", None),
    ]
    assert (result.status, result.earliest_date) == (NOT_YET, None)
    assert result.reasons[1].recheck_text == "Screen again once the sunburn has fully healed."


# --- never advise stopping a prescribed medicine -------------------------------

PROTOCOL = load_protocol()
ALLOWED_STOP = re.compile(r"never advise stopping|never stop", re.IGNORECASE)


def _answer(question: Question) -> st.SearchStrategy[Answer]:
    dates = st.dates(min_value=ON - timedelta(days=800), max_value=ON)
    by_kind: dict[str, st.SearchStrategy[Answer]] = {
        "yes_no": st.booleans(),
        "date": dates | st.just(NEVER),
        "date_or_current": dates | st.just(CURRENT) | st.just(NEVER),
        "choice": st.sampled_from(question.choices),
        "text": st.sampled_from(["acne", "eczema flare", "", "none", "N/A"]),
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
