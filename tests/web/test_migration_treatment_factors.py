"""Migration 0028 moves a treatment's needle depth into its factors, and back."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clinic", "0027_check_in_clinic")]
AFTER = [("clinic", "0028_treatment_factors_depth")]
TREATED_AT = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
# What every treatment was stored with before factors came from the protocol.
OLD_FLAGS = {
    "sensitive_skin": False,
    "age": 45,
    "fitzpatrick": None,
    "platelet_medication": False,
    "anticoagulant": False,
    "cold_sore_history": True,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", [1000, 2])
def test_the_depth_moves_into_the_factors_and_back(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With batches of 2, the three rows span a full batch and the last, partial one.
    migration = importlib.import_module(f"aftercare.web.clinic.migrations.{AFTER[0][1]}")
    monkeypatch.setattr(migration, "BATCH", batch)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    clinic = old.get_model("clinic", "Clinic").objects.create(
        slug="alpha", name="Alpha", phone="1", urgent_phone="2"
    )
    patient = old.get_model("clinic", "Patient").objects.create(
        clinic=clinic, given_name="Ada", family_name="Lovelace"
    )
    made = {}
    for protocol_id, depth in (
        ("microneedling", Decimal("1.50")),
        ("microneedling+harbour", None),
        ("chemical-peel", None),
    ):
        row = old.get_model("clinic", "Treatment").objects.create(
            patient=patient,
            treated_at=TREATED_AT,
            time_zone="Europe/London",
            areas=["face"],
            needle_depth_mm=depth,
            factors=dict(OLD_FLAGS),
            protocol_id=protocol_id,
            protocol_version="0" * 16,
        )
        made[row.pk] = protocol_id

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = {t.pk: t.factors for t in new.get_model("clinic", "Treatment").objects.all()}
    deep, plain, peel = sorted(moved)
    assert moved[deep] == OLD_FLAGS | {"needle_depth_mm": 1.5}
    assert moved[plain] == OLD_FLAGS
    # The peel keeps only what it asked: its cold-sore answer and the age.
    assert moved[peel] == {"age": 45, "cold_sore_history": True}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps
    rows = back.get_model("clinic", "Treatment").objects.all()
    assert {t.pk: (t.needle_depth_mm, t.factors) for t in rows} == {
        deep: (Decimal("1.50"), OLD_FLAGS),
        plain: (None, OLD_FLAGS),
        peel: (None, OLD_FLAGS),
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
