"""Migration 0027 gives every existing check-in its patient's clinic."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.web.conftest import NOW

BEFORE = [("clinic", "0026_reminder_answer_kind")]
AFTER = [("clinic", "0027_check_in_clinic")]


@pytest.mark.django_db(transaction=True)
def test_existing_check_ins_get_their_patients_clinic() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    made: dict[int, int] = {}
    for slug in ("alpha", "beta"):
        clinic = old.get_model("clinic", "Clinic").objects.create(
            slug=slug, name=slug.title(), phone="1", urgent_phone="2"
        )
        patient = old.get_model("clinic", "Patient").objects.create(
            clinic=clinic, given_name="A", family_name=slug
        )
        treatment = old.get_model("clinic", "Treatment").objects.create(
            patient=patient, treated_at=NOW, time_zone="Europe/London"
        )
        check_in = old.get_model("clinic", "CheckIn").objects.create(
            treatment=treatment, level="contact_clinic", hours_after=30.0
        )
        made[check_in.pk] = clinic.pk
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    check_ins = new.get_model("clinic", "CheckIn").objects.all()
    assert {c.pk: c.clinic_id for c in check_ins} == made
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
