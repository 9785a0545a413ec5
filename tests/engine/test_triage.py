"""Triage's mechanisms, on the mini protocol: expected windows and what widens them, the
area limit on widening, red flags, escalation, free text and the emergency level. The
microneedling symptoms are pinned in tests/protocols/test_microneedling_triage.py."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare.engine.errors import InputError, UnknownNameError
from aftercare.engine.localtime import hours_between, parse_local
from aftercare.engine.model import Factors
from aftercare.engine.triage import (
    Basis,
    Severity,
    SymptomReport,
    Trend,
    symptom_report,
    triage,
)
from aftercare.protocols.schema import Level, Protocol, SymptomReasons
from tests.engine.mini import mini_protocol

EXPECTED, CLINIC, NOW = Level.EXPECTED, Level.CONTACT_CLINIC, Level.CONTACT_CLINIC_NOW
CALL_999 = Level.CALL_999
NONE = Factors()
EYES = frozenset({"eyes"})

# One modifier at a time: by an area treated, and by a flag of the patient.
WIDENING = {
    "eye_area": Factors(areas=EYES),
    "sensitive_skin": Factors(values={"sensitive_skin": True}),
}
# ... and factors the mini protocol has no modifier for: these never widen anything.
NOT_WIDENING = {
    "face": Factors(areas=frozenset({"face"})),
    "older": Factors(age=90),
    "anticoagulant": Factors(values={"anticoagulant": True}),
}
ALL_FACTORS = Factors(areas=frozenset({"eyes", "face"}), age=80, values={"sensitive_skin": True})

# symptom: (expected hours, widened hours, what widens it, level beyond the window)
WINDOWS: dict[str, tuple[int, int, tuple[str, ...], Level]] = {
    "redness": (48, 96, ("eye_area", "sensitive_skin"), CLINIC),
    # Puffiness around the eyes is held to 48 hours by the area limit: see below.
    "puffiness": (24, 96, ("sensitive_skin",), CLINIC),
}
# red flag: (level at any time, level when worsening)
RED_FLAGS: dict[str, tuple[Level, Level]] = {
    "breathless": (CALL_999, CALL_999),
    "pus": (NOW, NOW),
    "blister": (CLINIC, NOW),
}


def _window_rows() -> list[object]:
    """For each symptom: the hour before, at and after its window, with each factor."""
    rows = []
    for symptom, (hours, widened, widened_by, beyond) in WINDOWS.items():
        cases = [("no factors", NONE, hours)]
        cases += [(name, WIDENING[name], widened) for name in widened_by]
        cases += [(name, f, hours) for name, f in WIDENING.items() if name not in widened_by]
        cases += [(name, f, hours) for name, f in NOT_WIDENING.items()]
        for factor, factors, until in cases:
            for hour, level in ((until - 1, EXPECTED), (until, beyond), (until + 1, beyond)):
                rows.append(
                    pytest.param(
                        symptom, factors, hour, level, until, id=f"{symptom}-{factor}-{hour}h"
                    )
                )
    return rows


def test_it_knows_the_window_of_every_symptom_in_the_protocol(mini: Protocol) -> None:
    assert set(WINDOWS) | set(RED_FLAGS) == {symptom.id for symptom in mini.symptoms}
    assert set(RED_FLAGS) == {symptom.id for symptom in mini.symptoms if symptom.red_flag}


def test_it_has_a_reason_for_every_escalation(mini: Protocol) -> None:
    # The engine reads them by name; free text that matches nothing has the protocol's own.
    assert set(Basis) - {Basis.UNMATCHED_TEXT} == set(SymptomReasons.model_fields)
    for symptom in mini.symptoms:
        assert (symptom.if_worsening is None) == (symptom.reasons.worsening is None), symptom.id
        assert (symptom.if_severe is None) == (symptom.reasons.severe is None), symptom.id


@pytest.mark.parametrize(("symptom", "factors", "hours", "level", "until"), _window_rows())
def test_it_expects_a_symptom_until_its_window_ends(
    mini: Protocol, symptom: str, factors: Factors, hours: int, level: Level, until: int
) -> None:
    result = triage(mini, [SymptomReport(symptom)], hours, factors)
    assert result.level is level
    assert result.symptoms[0].expected_until_hours == until


@pytest.mark.parametrize(
    ("factors", "until", "widened_by"),
    [
        (
            Factors(areas=frozenset({"face"}), values={"sensitive_skin": True}),
            96,
            ("sensitive_skin",),
        ),
        # The area limit caps a widening at 48 hours, and then nothing is said to widen it.
        (Factors(areas=EYES, values={"sensitive_skin": True}), 48, ()),
        (Factors(areas=frozenset({"eyes", "face"}), values={"sensitive_skin": True}), 48, ()),
        # The limit never shortens the window itself.
        (Factors(areas=EYES), 24, ()),
    ],
)
def test_it_never_widens_a_window_beyond_the_limit_of_a_treated_area(
    mini: Protocol, factors: Factors, until: int, widened_by: tuple[str, ...]
) -> None:
    for hours, level in ((until - 1, EXPECTED), (until, CLINIC)):
        result = triage(mini, [SymptomReport("puffiness")], hours, factors)
        assert result.level is level
        assert result.symptoms[0].expected_until_hours == until
        assert result.symptoms[0].widened_by == widened_by


@pytest.mark.parametrize("symptom", sorted(RED_FLAGS))
@pytest.mark.parametrize("factors", [NONE, ALL_FACTORS], ids=["no factors", "all factors"])
@pytest.mark.parametrize("hours", [0, 0.5, 96, 500])
def test_it_never_expects_a_red_flag(
    mini: Protocol, symptom: str, factors: Factors, hours: float
) -> None:
    result = triage(mini, [SymptomReport(symptom)], hours, factors)
    assert result.level is RED_FLAGS[symptom][0]
    assert result.symptoms[0].expected_until_hours is None
    assert result.symptoms[0].widened_by == ()


@pytest.mark.parametrize("symptom", sorted(RED_FLAGS))
def test_it_escalates_a_worsening_red_flag(mini: Protocol, symptom: str) -> None:
    report = SymptomReport(symptom, Trend.WORSENING)
    assert triage(mini, [report], 0).level is RED_FLAGS[symptom][1]


# fmt: off
REASONS = [
    ("redness", 1, None, None, EXPECTED, Basis.EXPECTED, "Redness is expected."),
    ("redness", 48, None, None, CLINIC, Basis.BEYOND, "Redness has lasted too long."),
    ("redness", 1, Trend.WORSENING, None, NOW, Basis.WORSENING, "Redness is getting worse."),
    ("redness", 1, Trend.IMPROVING, None, EXPECTED, Basis.EXPECTED, "Redness is expected."),
    ("redness", 1, Trend.STABLE, Severity.SEVERE, CLINIC, Basis.SEVERE, "Very red skin."),
    ("redness", 1, Trend.WORSENING, Severity.SEVERE, NOW, Basis.WORSENING,
     "Redness is getting worse."),
    ("redness", 1, None, Severity.MODERATE, EXPECTED, Basis.EXPECTED, "Redness is expected."),
    # A symptom with no level for severe or worsening stays expected within its window.
    ("puffiness", 1, Trend.WORSENING, Severity.SEVERE, EXPECTED, Basis.EXPECTED,
     "Puffiness is expected."),
    # Already past the window: worsening that raises nothing leaves the window to decide.
    ("puffiness", 30, Trend.WORSENING, None, CLINIC, Basis.BEYOND,
     "Puffiness has lasted too long."),
    ("redness", 60, Trend.WORSENING, None, NOW, Basis.WORSENING, "Redness is getting worse."),
    ("pus", 0, None, None, NOW, Basis.BEYOND, "Pus needs advice now."),
    ("blister", 50, Trend.WORSENING, None, NOW, Basis.WORSENING,
     "A growing blister needs advice now."),
]
# fmt: on


@pytest.mark.parametrize(
    ("symptom", "hours", "trend", "severity", "level", "basis", "reason"), REASONS
)
def test_it_gives_the_reason_that_decided(
    mini: Protocol,
    symptom: str,
    hours: float,
    trend: Trend | None,
    severity: Severity | None,
    level: Level,
    basis: Basis,
    reason: str,
) -> None:
    result = triage(mini, [SymptomReport(symptom, trend, severity)], hours).symptoms[0]
    assert (result.level, result.basis, result.reason) == (level, basis, reason)


def test_it_escalates_worsening_at_hour_one_to_contact_now(mini: Protocol) -> None:
    result = triage(mini, [symptom_report(mini, "red skin", Trend.WORSENING)], 1)
    assert result.level is NOW
    assert result.advice == "Contact the clinic now."


@pytest.mark.parametrize(
    ("factors", "widened_by"),
    [
        (NONE, ()),
        (Factors(values={"sensitive_skin": True}), ("sensitive_skin",)),
        (Factors(areas=EYES), ("eye_area",)),
        (ALL_FACTORS, ("eye_area", "sensitive_skin")),
        (Factors(age=90, values={"anticoagulant": True}), ()),
    ],
)
def test_it_names_the_factors_that_widened_a_window(
    mini: Protocol, factors: Factors, widened_by: tuple[str, ...]
) -> None:
    result = triage(mini, [SymptomReport("redness")], 1, factors)
    assert result.symptoms[0].widened_by == widened_by


def test_it_adds_self_care_advice_below_contact_now(mini: Protocol) -> None:
    reports = [SymptomReport("redness"), SymptomReport("puffiness"), SymptomReport("pus")]
    assert triage(mini, reports[:2], 10).advice == "This is expected. Keep cool."
    assert triage(mini, reports, 10).advice == mini.triage.advice[NOW]


def test_it_cites_the_triage_sources_and_the_deciding_symptoms_once(mini: Protocol) -> None:
    result = triage(mini, [SymptomReport("redness"), SymptomReport("puffiness")], 1)
    assert result.sources[: len(mini.triage.sources)] == mini.triage.sources
    assert len(result.sources) == len(set(result.sources))
    symptoms = mini.index.symptoms
    assert set(result.sources) >= {*symptoms["redness"].sources, *symptoms["puffiness"].sources}


def test_it_leaves_out_sources_of_symptoms_below_the_report_level(mini: Protocol) -> None:
    result = triage(mini, [SymptomReport("puffiness"), SymptomReport("pus")], 1)
    assert set(result.sources) == set(mini.triage.sources) | set(mini.index.symptoms["pus"].sources)


@pytest.mark.parametrize(
    ("reports", "hours", "message"),
    [
        ([], 1, "report at least one symptom, or write what you notice"),
        ([SymptomReport("redness")], -0.01, "hours after treatment cannot be negative"),
        ([SymptomReport("redness")], math.nan, "hours after treatment must be a number"),
        ([SymptomReport("redness")], math.inf, "hours after treatment must be a number"),
        ([SymptomReport("red skin")], 1, "unknown symptom id 'red skin'"),
    ],
)
def test_it_refuses_bad_input(
    mini: Protocol, reports: list[SymptomReport], hours: float, message: str
) -> None:
    with pytest.raises(InputError, match=f"^{message}$"):
        triage(mini, reports, hours)


@pytest.mark.parametrize(
    ("name", "symptom"),
    [("redness", "redness"), ("Red skin", "redness"), ("puffy", "puffiness"), ("PUS", "pus")],
)
def test_it_resolves_what_people_type(mini: Protocol, name: str, symptom: str) -> None:
    assert symptom_report(mini, name).symptom == symptom


def test_it_suggests_close_symptom_names(mini: Protocol) -> None:
    with pytest.raises(UnknownNameError, match=r"^unknown symptom 'redd'; did you mean redness\?$"):
        symptom_report(mini, "redd")


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("treated_at", "at", "hours"),
    [
        ("2026-11-21 10:30", "2026-11-22 10:30", 24.0),
        # The clocks go forward on 29 March 2026 and back on 25 October.
        ("2026-03-28 10:00", "2026-03-29 10:00", 23.0),
        ("2026-10-24 10:00", "2026-10-25 10:00", 25.0),
    ],
)
def test_it_counts_elapsed_hours_across_clock_changes(
    treated_at: str, at: str, hours: float
) -> None:
    assert hours_between(parse_local(treated_at, LONDON), parse_local(at, LONDON)) == hours


def test_it_refuses_times_without_a_zone() -> None:
    naive = datetime(2026, 11, 21, 10, 30)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InputError, match="need a time zone"):
        hours_between(naive, naive.replace(tzinfo=LONDON))


# --- properties ----------------------------------------------------------------

PROTOCOL = mini_protocol()
SYMPTOMS = sorted(PROTOCOL.index.symptoms)

reports_strategy = st.builds(
    SymptomReport,
    st.sampled_from(SYMPTOMS),
    st.none() | st.sampled_from(Trend),
    st.none() | st.sampled_from(Severity),
)
factors_strategy = st.builds(
    Factors,
    areas=st.frozensets(st.sampled_from(sorted(PROTOCOL.index.areas))),
    age=st.none() | st.integers(min_value=0, max_value=130),
    values=st.fixed_dictionaries(
        {}, optional={"sensitive_skin": st.booleans(), "anticoagulant": st.booleans()}
    ),
)
hours_strategy = st.floats(min_value=0, max_value=24 * 30, allow_nan=False)


@settings(max_examples=200)
@given(st.lists(reports_strategy, min_size=1, max_size=6), hours_strategy, factors_strategy)
def test_it_reports_the_most_urgent_level_of_its_symptoms(
    reports: list[SymptomReport], hours: float, factors: Factors
) -> None:
    result = triage(PROTOCOL, reports, hours, factors)
    assert result.level.rank == max(symptom.level.rank for symptom in result.symptoms)
    assert [symptom.symptom for symptom in result.symptoms] == [r.symptom for r in reports]


@settings(max_examples=200)
@given(
    st.lists(reports_strategy, min_size=1, max_size=5),
    reports_strategy,
    hours_strategy,
    factors_strategy,
)
def test_it_never_lowers_the_level_when_a_symptom_is_added(
    reports: list[SymptomReport], extra: SymptomReport, hours: float, factors: Factors
) -> None:
    before = triage(PROTOCOL, reports, hours, factors).level
    after = triage(PROTOCOL, [*reports, extra], hours, factors).level
    assert after.rank >= before.rank


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(RED_FLAGS)),
    st.none() | st.sampled_from(Trend),
    st.none() | st.sampled_from(Severity),
    hours_strategy,
    factors_strategy,
)
def test_it_never_calls_a_red_flag_expected(
    symptom: str, trend: Trend | None, severity: Severity | None, hours: float, factors: Factors
) -> None:
    result = triage(PROTOCOL, [SymptomReport(symptom, trend, severity)], hours, factors)
    assert result.level is not EXPECTED


@given(st.lists(reports_strategy, min_size=1, max_size=4), hours_strategy, factors_strategy)
def test_it_gives_the_same_answer_every_time(
    reports: list[SymptomReport], hours: float, factors: Factors
) -> None:
    assert triage(PROTOCOL, reports, hours, factors) == triage(PROTOCOL, reports, hours, factors)
