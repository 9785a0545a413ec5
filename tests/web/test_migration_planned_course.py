"""Migration 0030 moves each patient's course length to the procedure of their latest
treatment (microneedling for a patient not yet treated), and goes back."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.web.conftest import NOW

BEFORE = [("clinic", "0029_course_booking")]
AFTER = [("clinic", "0030_planned_course")]
PEEL = "chemical-peel"


def migrate(target: list[tuple[str, str]]) -> Any:
    """Migrate to ``target``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", [1000, 1])
def test_each_length_goes_to_the_course_it_was_chosen_for_and_back(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With batches of 1, every row is a batch of its own.
    migration = importlib.import_module(f"aftercare.web.clinic.migrations.{AFTER[0][1]}")
    monkeypatch.setattr(migration, "BATCH", batch)
    old = migrate(BEFORE)
    clinic = old.get_model("clinic", "Clinic").objects.create(
        slug="alpha", name="Alpha", phone="1", urgent_phone="2"
    )
    patients = old.get_model("clinic", "Patient").objects

    def person(name: str, sessions: int | None) -> Any:
        return patients.create(
            clinic=clinic, given_name=name, family_name="X", course_sessions=sessions
        )

    def treat(patient: Any, protocol_id: str, days_ago: int, cancelled: bool = False) -> None:
        old.get_model("clinic", "Treatment").objects.create(
            patient=patient,
            treated_at=NOW - timedelta(days=days_ago),
            time_zone="Europe/London",
            areas=["face"],
            factors={},
            protocol_id=protocol_id,
            protocol_version="0" * 16,
            cancelled_at=NOW if cancelled else None,
        )

    ada, bob, cy, dee = person("Ada", 5), person("Bob", 4), person("Cy", None), person("Dee", 6)
    treat(ada, "microneedling", 30)
    treat(ada, PEEL, 10)
    treat(ada, "microneedling", 1, cancelled=True)  # not her latest: cancelled
    treat(cy, "microneedling", 30)
    treat(dee, PEEL, 60)
    treat(dee, "microneedling+harbour", 30)  # under the clinic's overlay

    new = migrate(AFTER)
    planned = new.get_model("clinic", "PlannedCourse").objects
    assert list(
        planned.order_by("patient_id").values_list("patient_id", "procedure", "sessions")
    ) == [
        (ada.pk, PEEL, 5),
        (bob.pk, "microneedling", 4),  # not treated yet: microneedling
        (dee.pk, "microneedling", 6),
    ]
    assert "course_sessions" not in {
        field.name for field in new.get_model("clinic", "Patient")._meta.fields
    }
    # Chosen since: Ada's microneedling, and a peel for Cy, whose latest is microneedling.
    planned.create(patient_id=ada.pk, procedure="microneedling", sessions=3)
    planned.create(patient_id=cy.pk, procedure=PEEL, sessions=2)

    back = migrate(BEFORE)
    stored = back.get_model("clinic", "Patient").objects.order_by("pk")
    # Each keeps the length of their latest treatment's course, else the one they have.
    assert list(stored.values_list("course_sessions", flat=True)) == [5, 4, 2, 6]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
