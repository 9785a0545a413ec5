"""Migration 0029 moves each patient's window to book into a row of its procedure, works
out the windows of their other courses, and goes back."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.web.conftest import NOW

BEFORE = [("clinic", "0028_treatment_factors_depth")]
AFTER = [("clinic", "0029_course_booking")]
PEEL = "chemical-peel"
# Stored by the old write path for Ada's latest treatment, a peel; made up here, so that a
# window worked out afresh would not match it.
ADA_PEEL = ("session", 2, date(2026, 12, 1), date(2026, 12, 15))
BOB_MAINTENANCE = ("maintenance", None, date(2026, 10, 1), date(2027, 4, 1))
OLD_FIELDS = ("book_kind", "book_session", "book_from", "book_by")


def migrate(target: list[tuple[str, str]]) -> Any:
    """Migrate to ``target``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", [1000, 1])
def test_each_course_gets_its_window_and_back(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # With batches of 1, every row is a batch of its own.
    migration = importlib.import_module(f"aftercare.web.clinic.migrations.{AFTER[0][1]}")
    monkeypatch.setattr(migration, "BATCH", batch)
    old = migrate(BEFORE)
    clinic = old.get_model("clinic", "Clinic").objects.create(
        slug="alpha", name="Alpha", phone="1", urgent_phone="2"
    )
    patients = old.get_model("clinic", "Patient").objects

    def person(name: str, window: tuple[Any, ...] | None) -> Any:
        stored = dict(zip(OLD_FIELDS, window, strict=True)) if window else {}
        return patients.create(clinic=clinic, given_name=name, family_name="X", **stored)

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

    # Made in this order: read back in it.
    ada, bob = person("Ada", ADA_PEEL), person("Bob", BOB_MAINTENANCE)
    person("Cy", None)
    treat(ada, "microneedling+harbour", 30)
    treat(ada, PEEL, 10)
    treat(ada, "microneedling", 1, cancelled=True)  # not her latest: cancelled
    for days in (300, 260, 220):
        treat(bob, "microneedling", days)

    new = migrate(AFTER)
    rows = new.get_model("clinic", "CourseBooking").objects.order_by("patient_id", "procedure")
    today = NOW.date()
    assert [
        (row.clinic_id, row.patient_id, row.procedure, row.kind, row.session, row.opens, row.closes)
        for row in rows
    ] == [
        (clinic.pk, ada.pk, PEEL, *ADA_PEEL),
        # Microneedling's window, never stored, worked out from her treatments of it.
        (
            clinic.pk,
            ada.pk,
            "microneedling",
            "session",
            2,
            today - timedelta(2),
            today + timedelta(12),
        ),
        (clinic.pk, bob.pk, "microneedling", *BOB_MAINTENANCE),
    ]
    assert "book_by" not in {f.name for f in new.get_model("clinic", "Patient")._meta.fields}

    back = migrate(BEFORE)
    stored = back.get_model("clinic", "Patient").objects.order_by("pk").values_list(*OLD_FIELDS)
    assert list(stored) == [ADA_PEEL, BOB_MAINTENANCE, ("", None, None, None)]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
