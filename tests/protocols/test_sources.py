"""The protocol against its sources: quotes, citations, conflicts and the vocabulary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from aftercare.protocols.index import normalise_name
from aftercare.protocols.schema import Cited, Protocol, Provenance

LEAFLETS = Path(__file__).parents[1] / "fixtures" / "leaflets"

ACTIVITIES = [
    "sauna",
    "steam_room",
    "very_hot_shower",
    "sunbed",
    "intensive_sun",
    "extreme_weather",
    "swimming_pool_chlorinated",
    "open_water_swimming",
    "hot_tub",
    "chlorinated_cleaning_products",
    "strenuous_exercise_heavy_sweating",
    "light_activity",
    "alcohol",
    "touching_treated_area",
    "picking_flakes_or_scabs",
    "makeup",
    "soap_or_foaming_cleanser",
    "gentle_cleanser",
    "moisturiser",
    "hyaluronic_serum",
    "cold_compress",
    "sunscreen",
    "vitamin_c_serum",
    "hydrating_mask",
    "fragrance_facial_product",
    "gentle_exfoliating_cleanser",
    "exfoliating_scrub_or_enzyme_mask",
    "peeling_agent",
    "retinol_product",
    "glycolic_acid_product",
    "benzoyl_peroxide_product",
    "peptide_serum",
    "eye_cream",
    "waxing_treated_area",
    "depilatory_cream_treated_area",
    "electrolysis_treated_area",
    "laser_hair_removal_treated_area",
    "shaving_treated_area",
    "other_facial_procedure",
]

ALIASES = [
    ("steam", "steam_room"),
    ("gym", "strenuous_exercise_heavy_sweating"),
    ("swimming", "swimming_pool_chlorinated"),
    ("foundation", "makeup"),
]

SYMPTOMS = [
    "redness",
    "swelling",
    "bruising",
    "bruising_with_petechiae",
    "pinpoint_bleeding",
    "tingling",
    "itching",
    "tightness",
    "tenderness",
    "stinging",
    "warmth",
    "numbness",
    "lumpiness",
    "dryness_flaking",
    "peeling",
    "scabbing",
    "blistering",
    "pain",
    "discharge",
    "pus",
    "ulceration",
    "fever",
    "spreading_redness",
    "increasing_swelling_and_redness",
    "cold_sore",
    "rash",
    "new_lumps",
    "hyperpigmentation",
]

CONFLICTS = [f"C{number}" for number in range(1, 23)]


def cited_items(value: object, path: str = "") -> Iterator[tuple[str, Cited]]:
    """Every cited item anywhere in ``value``, with its path: found, not listed by hand."""
    if isinstance(value, Cited):
        yield path, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from cited_items(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from cited_items(item, f"{path}[{index}]")


def normalise_quote(text: str) -> str:
    """Fold away what the leaflets' markup adds: bold tags, '**', curly apostrophes, spacing."""
    text = re.sub(r"</?b>", "", text).replace("**", "")
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def leaflet_text(file: str) -> str:
    return normalise_quote((LEAFLETS / file).read_text(encoding="utf-8"))


def test_it_finds_the_cited_items_of_every_section(protocol: Protocol) -> None:
    sections = {path.split("[")[0].split(".")[0] for path, _ in cited_items(protocol)}

    assert sections == {
        "modifiers",
        "aftercare",
        "symptoms",
        "triage",
        "screening",
        "course",
        "information",
        "reminders",
        "asking",
    }


def test_it_quotes_every_leaflet_word_for_word(protocol: Protocol) -> None:
    texts = {leaflet.file: leaflet_text(leaflet.file) for leaflet in protocol.leaflets}
    misquoted = [
        (path, source.leaflet, source.quote)
        for path, item in cited_items(protocol)
        for source in item.sources
        if source.leaflet is not None
        and normalise_quote(source.quote or "") not in texts[source.leaflet]
    ]

    assert misquoted == []


def test_it_keeps_a_copy_of_every_leaflet_it_cites(protocol: Protocol) -> None:
    copies = {path.name for path in LEAFLETS.glob("*.txt")}

    assert {leaflet.file for leaflet in protocol.leaflets} == copies


def test_it_gives_every_item_a_source(protocol: Protocol) -> None:
    unsourced = [path for path, item in cited_items(protocol) if not item.sources]

    assert unsourced == []


def test_it_cites_every_leaflet(protocol: Protocol) -> None:
    cited = {source.leaflet for _, item in cited_items(protocol) for source in item.sources} - {
        None
    }

    assert cited == {leaflet.file for leaflet in protocol.leaflets}


def test_it_ties_every_reconciled_item_to_a_conflict_and_two_sources(
    protocol: Protocol,
) -> None:
    conflicts = {conflict.id for conflict in protocol.conflicts}
    reconciled = [
        (path, item) for path, item in cited_items(protocol) if item.reconciliation is not None
    ]
    loose = [
        path
        for path, item in reconciled
        if item.provenance is not Provenance.RECONCILED
        or item.reconciliation is None
        or item.reconciliation.conflict not in conflicts
        or len(item.sources) < 2
    ]

    assert reconciled
    assert loose == []


def test_it_lists_every_conflict_of_the_analysis(protocol: Protocol) -> None:
    assert [conflict.id for conflict in protocol.conflicts] == CONFLICTS


@pytest.mark.parametrize("conflict", CONFLICTS)
def test_it_has_an_item_citing_each_conflict(protocol: Protocol, conflict: str) -> None:
    citing = [
        path
        for path, item in cited_items(protocol)
        if item.reconciliation is not None and item.reconciliation.conflict == conflict
    ]

    assert citing, f"no item reconciles {conflict}"


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_it_has_each_activity_people_ask_about(protocol: Protocol, activity: str) -> None:
    assert activity in protocol.index.activities
    assert activity in protocol.index.activity_rules


@pytest.mark.parametrize(("name", "activity"), ALIASES)
def test_it_understands_what_people_call_an_activity(
    protocol: Protocol, name: str, activity: str
) -> None:
    assert protocol.index.activity_names[normalise_name(name)] == activity


@pytest.mark.parametrize("symptom", SYMPTOMS)
def test_it_has_each_symptom_people_report(protocol: Protocol, symptom: str) -> None:
    assert symptom in protocol.index.symptoms


def test_it_leaves_numbers_of_hours_and_days_to_the_engine(protocol: Protocol) -> None:
    with_digits = [
        (rule.id, text)
        for rule in protocol.aftercare
        for text in (rule.text, rule.reason)
        if re.search(r"\d", text)
    ]

    assert with_digits == []


def test_it_leaves_numbers_and_dates_in_reminders_to_the_engine(protocol: Protocol) -> None:
    with_digits = [
        (item.id, text)
        for item in protocol.reminders
        for text in (item.text, item.avoid_ended_text or "", item.routine_ended_text or "")
        if re.search(r"\d", text)
    ]

    assert protocol.reminders
    assert with_digits == []


@pytest.mark.parametrize(
    ("quote", "leaflet", "found"),
    [
        (
            "restricted until the skin normalises",
            "<b>restricted until</b> the skin normalises",
            True,
        ),
        ("don't pick", "don\u2019t   pick", True),
        ("M WHEN TO SEEK", "## **M** WHEN TO SEEK", True),
        ("for 2 weeks", "for 3 weeks", False),
    ],
)
def test_it_compares_quotes_without_the_markup(quote: str, leaflet: str, found: bool) -> None:
    assert (normalise_quote(quote) in normalise_quote(leaflet)) is found


def test_it_never_reads_upwards_of_a_week_as_up_to_a_week(protocol: Protocol) -> None:
    # 004: "may take upwards of one week to fully recover" is a week or more, not at most one.
    dumped = protocol.model_dump_json()
    assert "up to a week" not in dumped
    assert "within a week" not in dumped
    downtime = next(item for item in protocol.information if item.id == "IN-recovery-downtime")
    assert downtime.text == (
        "Most people need little or no time off. Sensitive or older skin, and deeper "
        "treatments, can take a week or more to settle fully."
    )
