"""The superficial chemical peel protocol: its windows, gates and sources, as reconciled in
docs/clinical-safety/chemical-peel-analysis.md (every item needs clinical sign-off)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aftercare.engine.check import Verdict, check
from aftercare.engine.model import Factors
from aftercare.engine.triage import Trend, symptom_report, triage
from aftercare.protocols.registry import packaged_protocols
from aftercare.protocols.schema import Level, Protocol, Provenance

ROOT = Path(__file__).resolve().parents[2]
DECISIONS = ROOT / "docs" / "clinical-safety" / "decisions.md"
SITES = (
    "lisahendersonlashartist.co.uk",
    "theglamfairies.co.uk",
    "sugarpodskinclinic.com",
    "sfmedica.co.uk",
)
ALLOWED, NOT_YET, NEVER = Verdict.ALLOWED, Verdict.NOT_YET, Verdict.NEVER


@pytest.fixture(scope="module")
def peel() -> Protocol:
    return packaged_protocols().load("chemical-peel")


# (what a patient asks about, hours after the peel, skin states known, verdict, rule)
CHECKS = [
    ("sauna", 71, {}, NOT_YET, "AC-heat"),
    ("sauna", 72, {}, ALLOWED, "AC-heat"),
    ("ironing", 71, {}, NOT_YET, "AC-heat"),
    ("hot shower", 72, {}, ALLOWED, "AC-heat"),
    ("shower", 0, {}, ALLOWED, "AC-shower"),
    ("gym", 71, {}, NOT_YET, "AC-strenuous-exercise"),
    ("gym", 72, {}, ALLOWED, "AC-strenuous-exercise"),
    ("swimming", 335, {}, NOT_YET, "AC-chlorine"),
    ("swimming", 336, {}, ALLOWED, "AC-chlorine"),
    ("bleach", 335, {}, NOT_YET, "AC-chlorine"),
    ("sea swimming", 71, {}, NOT_YET, "AC-open-water"),
    ("sea swimming", 72, {}, ALLOWED, "AC-open-water"),
    ("hot tub", 335, {}, NOT_YET, "AC-hot-tub"),
    ("sunbed", 503, {}, NOT_YET, "AC-sunbed"),
    ("sunbed", 504, {}, ALLOWED, "AC-sunbed"),
    ("beach", 503, {}, NOT_YET, "AC-sun"),
    ("perfume", 167, {}, NOT_YET, "AC-fragrance"),
    ("perfume", 168, {}, ALLOWED, "AC-fragrance"),
    ("fake tan", 71, {}, NOT_YET, "AC-fake-tan"),
    ("fake tan", 72, {}, ALLOWED, "AC-fake-tan"),
    ("coffee", 47, {}, NOT_YET, "AC-alcohol-caffeine"),
    ("wine", 48, {}, ALLOWED, "AC-alcohol-caffeine"),
    ("waxing", 167, {}, NOT_YET, "AC-hair-removal"),
    ("laser hair removal", 168, {}, ALLOWED, "AC-hair-removal"),
    ("botox", 335, {}, NOT_YET, "AC-other-treatment"),
    ("filler", 336, {}, ALLOWED, "AC-other-treatment"),
    ("makeup", 23, {"skin_settled": True}, NOT_YET, "AC-makeup"),
    ("mineral makeup", 24, {"skin_settled": False}, NOT_YET, "AC-makeup"),
    ("makeup", 24, {"skin_settled": True}, ALLOWED, "AC-makeup"),
    ("soap", 30, {"peeling_complete": False}, NOT_YET, "AC-soap"),
    ("soap", 30, {"peeling_complete": True}, ALLOWED, "AC-soap"),
    ("glycolic acid", 167, {"peeling_complete": True}, NOT_YET, "AC-acids"),
    ("benzoyl peroxide", 168, {"peeling_complete": False}, NOT_YET, "AC-acids"),
    ("aha", 168, {"peeling_complete": True}, ALLOWED, "AC-acids"),
    ("retinol", 168, {"peeling_complete": False}, NOT_YET, "AC-retinol"),
    ("retinol", 168, {"peeling_complete": True}, ALLOWED, "AC-retinol"),
    ("scrub", 335, {"peeling_complete": True}, NOT_YET, "AC-exfoliants"),
    ("home peel", 336, {"peeling_complete": True}, ALLOWED, "AC-exfoliants"),
    ("picking", 0, {}, NEVER, "AC-picking"),
    ("touch my face", 504, {"peeling_complete": True}, NEVER, "AC-picking"),
    ("pick the flakes", 5000, {}, NEVER, "AC-picking"),
]


@pytest.mark.parametrize(("asked", "hours", "skin", "verdict", "rule"), CHECKS)
def test_each_window_and_gate(
    peel: Protocol, asked: str, hours: int, skin: dict[str, bool], verdict: Verdict, rule: str
) -> None:
    result = check(peel, asked, hours, skin=skin)
    assert (result.verdict, result.rule_id) == (verdict, rule)


def test_sunscreen_is_spf_50_every_day_for_three_weeks(peel: Protocol) -> None:
    during, after = check(peel, "spf", 503), check(peel, "spf", 504)
    assert (during.verdict, during.min_spf, during.rule_id) == (
        Verdict.REQUIRED,
        50,
        "AC-sunscreen",
    )
    assert after.verdict is Verdict.ALLOWED
    assert peel.horizon_hours == 504


def test_peeling_is_expected_and_pus_is_urgent(peel: Protocol) -> None:
    reports = [symptom_report(peel, "flaking", None, None), symptom_report(peel, "pus", None, None)]
    result = triage(peel, reports, 100, Factors(), "")
    assert result.level is Level.CONTACT_CLINIC_NOW
    assert {s.symptom: s.level for s in result.symptoms} == {
        "peeling": Level.EXPECTED,
        "infection": Level.CONTACT_CLINIC_NOW,
    }


def test_redness_is_expected_for_four_days_then_checked(peel: Protocol) -> None:
    def level(hours: int, trend: Trend | None = None) -> Level:
        report = symptom_report(peel, "red skin", trend, None)
        return triage(peel, [report], hours, Factors(), "").level

    assert (level(95), level(96), level(30, Trend.WORSENING)) == (
        Level.EXPECTED,
        Level.CONTACT_CLINIC,
        Level.CONTACT_CLINIC_NOW,
    )


def test_every_item_cites_one_of_the_sources_or_says_why_another(peel: Protocol) -> None:
    cited = [
        *peel.aftercare,
        *peel.symptoms,
        *peel.screening.rules,
        *peel.reminders,
        *peel.information,
        peel.course,
        peel.triage,
    ]
    assert peel.leaflets == ()
    for item in cited:
        assert item.provenance is not Provenance.LEAFLET
        for source in item.sources:
            assert source.literature is not None
            if not source.literature.startswith(SITES) and not source.literature.startswith("NHS"):
                assert any(s.note for s in item.sources), (item, "another page says why")


def test_every_aftercare_rule_cites_the_four_pages_only(peel: Protocol) -> None:
    for rule in peel.aftercare:
        for source in rule.sources:
            assert (source.literature or "").startswith(SITES), rule.id


def test_the_unread_page_is_cited_without_a_quote_and_says_so(peel: Protocol) -> None:
    sfmedica = [
        source
        for rule in peel.aftercare
        for source in rule.sources
        if (source.literature or "").startswith("sfmedica.co.uk")
    ]
    assert [
        (s.quote, (s.note or "").startswith("The page could not be read")) for s in sfmedica
    ] == [(None, True)]


def test_every_conflict_is_cited_by_an_item(peel: Protocol) -> None:
    cited = {
        item.reconciliation.conflict
        for item in (*peel.aftercare, *peel.symptoms, *peel.reminders, peel.course, peel.triage)
        if item.reconciliation is not None
    }
    assert sorted(cited, key=lambda c: int(c[1:])) == [c.id for c in peel.conflicts]


def test_the_protocol_and_every_item_need_clinical_sign_off(peel: Protocol) -> None:
    assert peel.signed_off_by is None
    text = DECISIONS.read_text(encoding="utf-8")
    section = text.split("## Chemical peel", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \|.*\| Needs clinical sign-off \|$", section, re.MULTILINE)
    items = [
        *peel.aftercare,
        *peel.symptoms,
        *peel.screening.rules,
        *peel.reminders,
        *peel.information,
    ]
    expected = {item.id for item in items} | {"course", "triage", "chemical-peel"}
    assert sorted(expected - set(rows)) == []
