"""Migration 0025 gives every existing clinic microneedling, with the overlay it had."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clinic", "0024_patient_name_keys")]
AFTER = [("clinic", "0025_clinic_procedures")]
OVERLAY = "id: harbour\nprotocol: microneedling\ntitle: Harbour\nchanges: []\n"


@pytest.mark.django_db(transaction=True)
def test_existing_clinics_perform_microneedling_with_their_overlay() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    made = {}
    for slug, overlay in (("alpha", ""), ("harbour", OVERLAY)):
        clinic = old.get_model("clinic", "Clinic").objects.create(
            slug=slug, name=slug.title(), phone="1", urgent_phone="2", overlay_yaml=overlay
        )
        made[clinic.pk] = overlay
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("clinic", "ClinicProcedure").objects.all()
    assert {r.clinic_id: (r.protocol_id, r.enabled, r.overlay_yaml) for r in rows} == {
        pk: ("microneedling", True, overlay) for pk, overlay in made.items()
    }
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps
    clinics = back.get_model("clinic", "Clinic").objects.all()
    assert {c.pk: c.overlay_yaml for c in clinics} == made
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
