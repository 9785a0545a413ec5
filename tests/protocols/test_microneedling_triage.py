"""The microneedling protocol's symptoms as triage reads them: each window, each factor
that widens it, each red flag's level and the reasons and advice patients read. Triage's
mechanisms are tested on the mini protocol in tests/engine/test_triage.py."""

from __future__ import annotations

import pytest

from aftercare.engine.model import Factors
from aftercare.engine.triage import Basis, Severity, SymptomReport, Trend, symptom_report, triage
from aftercare.protocols.schema import Level, Protocol, SymptomReasons

EXPECTED, CLINIC, NOW = Level.EXPECTED, Level.CONTACT_CLINIC, Level.CONTACT_CLINIC_NOW
CALL_999 = Level.CALL_999
NONE = Factors()

# One factor at a time, each just over the line that switches its modifier on.
WIDENING = {
    "eye_area": Factors(areas=frozenset({"eyes"})),
    "sensitive_skin": Factors(values={"sensitive_skin": True}),
    "older_patient": Factors(age=65),
    "deep_needling": Factors(values={"needle_depth_mm": 1.1}),
    "platelet_medication": Factors(values={"platelet_medication": True}),
    "anticoagulant": Factors(values={"anticoagulant": True}),
}
# ... and just under it: these never widen anything.
NOT_WIDENING = {
    "age 64": Factors(age=64),
    "depth 1.0 mm": Factors(values={"needle_depth_mm": 1.0}),
    "neck": Factors(areas=frozenset({"neck"})),
    "cold sores": Factors(values={"cold_sore_history": True}),
    "skin type VI": Factors(values={"fitzpatrick": 6}),
}
# fmt: off
ALL_FACTORS = Factors(
    areas=frozenset({"eyes", "face"}), age=80,
    values={
        "needle_depth_mm": 2.0, "sensitive_skin": True, "fitzpatrick": 6,
        "platelet_medication": True, "anticoagulant": True, "cold_sore_history": True,
    },
)
# fmt: on

STANDARD = ("sensitive_skin", "older_patient", "deep_needling")
BLEEDING = ("platelet_medication", "anticoagulant")

# symptom: (expected hours, widened hours, what widens it, level beyond the window)
WINDOWS: dict[str, tuple[int, int | None, tuple[str, ...], Level]] = {
    "redness": (96, 168, STANDARD, CLINIC),
    "swelling": (96, 168, STANDARD, CLINIC),
    "bruising": (96, 168, (*STANDARD, *BLEEDING), CLINIC),
    "bruising_with_petechiae": (0, 168, BLEEDING, CLINIC),
    "pinpoint_bleeding": (24, None, (), CLINIC),
    "tingling": (96, 168, STANDARD, CLINIC),
    "itching": (96, 168, STANDARD, CLINIC),
    "tightness": (96, 168, STANDARD, CLINIC),
    "tenderness": (96, 168, STANDARD, CLINIC),
    "stinging": (96, 168, STANDARD, CLINIC),
    "warmth": (96, 168, STANDARD, NOW),
    "numbness": (96, 168, STANDARD, CLINIC),
    "lumpiness": (96, 168, STANDARD, CLINIC),
    "dryness_flaking": (192, None, (), CLINIC),
    "peeling": (192, None, (), CLINIC),
}

# red flag: (level at any time, level when worsening)
RED_FLAGS: dict[str, tuple[Level, Level]] = {
    "severe_allergic_reaction": (CALL_999, CALL_999),
    "scabbing": (CLINIC, CLINIC),
    "blistering": (CLINIC, NOW),
    "pain": (NOW, NOW),
    "discharge": (NOW, NOW),
    "pus": (NOW, NOW),
    "ulceration": (NOW, NOW),
    "fever": (NOW, NOW),
    "spreading_redness": (NOW, NOW),
    "increasing_swelling_and_redness": (NOW, NOW),
    "cold_sore": (CLINIC, NOW),
    "rash": (CLINIC, NOW),
    "new_lumps": (CLINIC, CLINIC),
    "hyperpigmentation": (CLINIC, CLINIC),
}


def _window_rows() -> list[object]:
    """For each symptom: the hour before, at and after its window, with each factor."""
    rows = []
    for symptom, (hours, widened, widened_by, beyond) in WINDOWS.items():
        cases = [("no factors", NONE, hours)]
        cases += [(name, WIDENING[name], widened or hours) for name in widened_by]
        cases += [(name, f, hours) for name, f in WIDENING.items() if name not in widened_by]
        cases += [(name, f, hours) for name, f in NOT_WIDENING.items()]
        for factor, factors, until in cases:
            for hour, level in ((until - 1, EXPECTED), (until, beyond), (until + 1, beyond)):
                if hour >= 0:
                    rows.append(
                        pytest.param(
                            symptom, factors, hour, level, until, id=f"{symptom}-{factor}-{hour}h"
                        )
                    )
    return rows


def test_it_knows_the_window_of_every_symptom_in_the_protocol(protocol: Protocol) -> None:
    assert set(WINDOWS) | set(RED_FLAGS) == {symptom.id for symptom in protocol.symptoms}
    assert set(RED_FLAGS) == {symptom.id for symptom in protocol.symptoms if symptom.red_flag}


def test_it_has_a_reason_for_every_escalation(protocol: Protocol) -> None:
    # The engine reads them by name; free text that matches nothing has the protocol's own.
    assert set(Basis) - {Basis.UNMATCHED_TEXT} == set(SymptomReasons.model_fields)
    for symptom in protocol.symptoms:
        assert (symptom.if_worsening is None) == (symptom.reasons.worsening is None), symptom.id
        assert (symptom.if_severe is None) == (symptom.reasons.severe is None), symptom.id


@pytest.mark.parametrize(("symptom", "factors", "hours", "level", "until"), _window_rows())
def test_it_expects_a_symptom_until_its_window_ends(
    protocol: Protocol, symptom: str, factors: Factors, hours: int, level: Level, until: int
) -> None:
    result = triage(protocol, [SymptomReport(symptom)], hours, factors)
    assert result.level is level
    assert result.symptoms[0].expected_until_hours == until


@pytest.mark.parametrize(
    ("factors", "hours", "level"),
    [
        (Factors(areas=frozenset({"face"})), 95, EXPECTED),
        (Factors(areas=frozenset({"face"})), 96, CLINIC),
        (WIDENING["eye_area"], 95, EXPECTED),
        (WIDENING["eye_area"], 96, CLINIC),
        (WIDENING["eye_area"], 120, CLINIC),
        (Factors(areas=frozenset({"eyes"}), values={"platelet_medication": True}), 96, CLINIC),
        (Factors(areas=frozenset({"eyes", "face"}), values={"needle_depth_mm": 2.0}), 96, CLINIC),
        (Factors(areas=frozenset({"face"}), values={"platelet_medication": True}), 167, EXPECTED),
        (Factors(areas=frozenset({"face"}), values={"platelet_medication": True}), 168, CLINIC),
    ],
)
def test_it_never_widens_bruising_around_the_eyes_beyond_the_leaflets_days(
    protocol: Protocol, factors: Factors, hours: int, level: Level
) -> None:
    # 001: micro bruising around the eyes "may exist for three or four days"; the policy
    # keeps every widening factor within what a leaflet states for the symptom and area.
    result = triage(protocol, [SymptomReport("bruising")], hours, factors)
    assert result.level is level


def test_the_policy_is_in_the_protocol(protocol: Protocol) -> None:
    expected = protocol.index.symptoms["bruising"].expected
    assert expected is not None
    assert expected.area_limits == {"eyes": 96}
    assert "eye_area" not in expected.widened_by


@pytest.mark.parametrize("symptom", sorted(RED_FLAGS))
@pytest.mark.parametrize("factors", [NONE, ALL_FACTORS], ids=["no factors", "all factors"])
@pytest.mark.parametrize("hours", [0, 0.5, 96, 500])
def test_it_never_expects_a_red_flag(
    protocol: Protocol, symptom: str, factors: Factors, hours: float
) -> None:
    result = triage(protocol, [SymptomReport(symptom)], hours, factors)
    assert result.level is RED_FLAGS[symptom][0]
    assert result.symptoms[0].expected_until_hours is None
    assert result.symptoms[0].widened_by == ()


@pytest.mark.parametrize("symptom", sorted(RED_FLAGS))
def test_it_escalates_a_worsening_red_flag(protocol: Protocol, symptom: str) -> None:
    report = SymptomReport(symptom, Trend.WORSENING)
    assert triage(protocol, [report], 0).level is RED_FLAGS[symptom][1]


# fmt: off
REASONS = [
    ("redness", 1, None, None, EXPECTED, Basis.EXPECTED,
     "Redness like mild sunburn is normal; it fades over the first two days and can "
     "linger a little longer."),
    ("redness", 96, None, None, CLINIC, Basis.BEYOND,
     "Redness that lasts longer than expected should be checked by your clinic."),
    ("redness", 1, Trend.WORSENING, None, NOW, Basis.WORSENING,
     "Redness that is getting worse can be a sign of infection."),
    ("redness", 1, Trend.IMPROVING, None, EXPECTED, Basis.EXPECTED,
     "Redness like mild sunburn is normal; it fades over the first two days and can "
     "linger a little longer."),
    ("redness", 1, Trend.STABLE, Severity.SEVERE, CLINIC, Basis.SEVERE,
     "Very red skin is an uncommon reaction that your clinic should see."),
    ("redness", 1, Trend.WORSENING, Severity.SEVERE, NOW, Basis.WORSENING,
     "Redness that is getting worse can be a sign of infection."),
    ("redness", 1, None, Severity.MODERATE, EXPECTED, Basis.EXPECTED,
     "Redness like mild sunburn is normal; it fades over the first two days and can "
     "linger a little longer."),
    ("tenderness", 1, None, Severity.SEVERE, NOW, Basis.SEVERE,
     "Real pain is not normal after microneedling."),
    ("tingling", 1, None, Severity.SEVERE, EXPECTED, Basis.EXPECTED,
     "Tingling is a normal short-lived response."),
    ("bruising", 1, Trend.WORSENING, None, CLINIC, Basis.WORSENING,
     "Bruising that is spreading should be checked by your clinic."),
    # Already past the window: worsening does not raise the level, so the window decides.
    ("bruising", 100, Trend.WORSENING, None, CLINIC, Basis.BEYOND,
     "Bruising that lasts longer than expected should be checked by your clinic."),
    ("warmth", 96, None, None, NOW, Basis.BEYOND,
     "Skin that still feels hot days later can be a sign of infection."),
    ("pinpoint_bleeding", 23.9, Trend.WORSENING, None, NOW, Basis.WORSENING,
     "Bleeding that is getting worse needs advice now."),
    ("pain", 0, None, None, NOW, Basis.BEYOND, "Pain is not normal after microneedling."),
    ("cold_sore", 50, Trend.WORSENING, None, NOW, Basis.WORSENING,
     "A spreading cold sore on treated skin needs advice now."),
]
# fmt: on


@pytest.mark.parametrize(
    ("symptom", "hours", "trend", "severity", "level", "basis", "reason"), REASONS
)
def test_it_gives_the_reason_that_decided(
    protocol: Protocol,
    symptom: str,
    hours: float,
    trend: Trend | None,
    severity: Severity | None,
    level: Level,
    basis: Basis,
    reason: str,
) -> None:
    result = triage(protocol, [SymptomReport(symptom, trend, severity)], hours).symptoms[0]
    assert (result.level, result.basis, result.reason) == (level, basis, reason)


def test_it_escalates_worsening_redness_at_hour_one_to_contact_now(protocol: Protocol) -> None:
    result = triage(protocol, [symptom_report(protocol, "red skin", Trend.WORSENING)], 1)
    assert result.level is NOW
    assert result.advice == (
        "Contact your clinic now. If you cannot reach them and you feel unwell, "
        "call NHS 111, or 999 in an emergency."
    )


@pytest.mark.parametrize(
    ("factors", "widened_by"),
    [
        (NONE, ()),
        (Factors(age=70, values={"sensitive_skin": True}), ("sensitive_skin", "older_patient")),
        (
            Factors(values={"needle_depth_mm": 2.0, "anticoagulant": True}),
            ("deep_needling", "anticoagulant"),
        ),
        (ALL_FACTORS, ()),
        (Factors(areas=frozenset({"eyes"})), ()),
    ],
)
def test_it_names_the_factors_that_widened_bruising(
    protocol: Protocol, factors: Factors, widened_by: tuple[str, ...]
) -> None:
    result = triage(protocol, [SymptomReport("bruising")], 1, factors)
    assert result.symptoms[0].widened_by == widened_by


def test_it_adds_self_care_advice_below_contact_now(protocol: Protocol) -> None:
    reports = [SymptomReport("redness"), SymptomReport("dryness_flaking"), SymptomReport("pain")]
    calm = triage(protocol, reports[:2], 50)
    assert calm.advice == (
        "This is a normal part of healing. Keep following your aftercare plan, and check in "
        "again if it gets worse or lasts longer. Keep using sunscreen and a gentle moisturiser; "
        "avoid heat. Moisturise often and let flakes come away on their own."
    )
    assert triage(protocol, reports, 50).advice == protocol.triage.advice[NOW]


@pytest.mark.parametrize(
    "text",
    ["I can't breathe", "my lips are swollen", "my tongue is swelling", "I feel faint"],
)
def test_signs_of_a_severe_allergic_reaction_mean_call_999(protocol: Protocol, text: str) -> None:
    result = triage(protocol, [SymptomReport("redness"), SymptomReport("pain")], 2, text=text)
    assert result.level is CALL_999
    assert (
        result.advice
        == "Call 999 now: this can be a severe allergic reaction. Then tell your clinic."
    )
    assert result.symptoms[-1].reason == (
        "These can be signs of a severe allergic reaction (anaphylaxis), which is an emergency."
    )


def test_the_emergency_cites_the_nhs_anaphylaxis_guidance(protocol: Protocol) -> None:
    result = triage(protocol, [symptom_report(protocol, "anaphylaxis")], 1)
    literature = [source.literature for source in result.sources if source.literature]
    assert "NHS, Anaphylaxis (nhs.uk/conditions/anaphylaxis)" in literature


def test_tender_or_sore_is_expected_but_pain_is_not(protocol: Protocol) -> None:
    symptoms = protocol.index.symptoms
    assert (symptoms["tenderness"].label, symptoms["pain"].label) == (
        "Tender or sore when touched",
        "Painful",
    )
    sore = triage(protocol, [symptom_report(protocol, "sore")], 30)
    pain = triage(protocol, [symptom_report(protocol, "pain")], 30)
    assert (sore.level, pain.level) == (EXPECTED, NOW)
    assert sore.symptoms[0].reason == (
        "Skin that is tender, stings or feels sore when touched is normal in the first days; "
        "pain is not."
    )
    assert pain.symptoms[0].reason == "Pain is not normal after microneedling."
