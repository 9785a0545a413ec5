"""Migration 0024 fills the whole-name search keys of the patients already kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clinic", "0023_screening_incomplete")]
AFTER = [("clinic", "0024_patient_name_keys")]


@pytest.mark.django_db(transaction=True)
def test_existing_patients_get_their_name_keys() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    clinic = old.get_model("clinic", "Clinic").objects.create(
        slug="alpha", name="Alpha", phone="1", urgent_phone="2"
    )
    for given, family in (("Zoë", "O'Brien"), ("Mary  Ann", "van der Berg")):
        old.get_model("clinic", "Patient").objects.create(
            clinic=clinic, given_name=given, family_name=family
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    keys = new.get_model("clinic", "Patient").objects.order_by("pk")
    assert [(p.name_key, p.reverse_name_key) for p in keys] == [
        ("zoe o'brien", "o'brien zoe"),
        ("mary ann van der berg", "van der berg mary ann"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
