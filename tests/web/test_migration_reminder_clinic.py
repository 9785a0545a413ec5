"""Migration 0021 gives every existing reminder its patient's clinic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.web.conftest import NOW

BEFORE = [("clinic", "0020_clinic_branding")]
AFTER = [("clinic", "0021_reminder_clinic")]


@pytest.mark.django_db(transaction=True)
def test_existing_reminders_get_their_patients_clinic() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    made: dict[str, int] = {}
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
        old.get_model("clinic", "Reminder").objects.create(
            treatment=treatment,
            patient=patient,
            item="RM-a:1",
            kind="sunscreen",
            channel="sms",
            due_at=NOW + timedelta(hours=2),
            body="x",
            idempotency_key=f"k-{slug}",
            protocol_version="1",
        )
        made[f"k-{slug}"] = clinic.pk
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    reminders = new.get_model("clinic", "Reminder").objects.all()
    assert {r.idempotency_key: r.clinic_id for r in reminders} == made
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
