# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012
"""Keep the length of course chosen for a patient for each procedure.

The length was one number on the patient, applied to every procedure's course: choosing 4
sessions of microneedling made the peel "of 4" too. It is now a ``PlannedCourse`` row per
patient and procedure. Each patient's chosen length moves to the procedure of their latest
treatment not cancelled (microneedling if they have none), the course it was chosen
for. Reversible: going back keeps on the patient the length of that same procedure, else
of any one (the first by name).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from aftercare.web.protocol import DEFAULT_PROTOCOL, base_id

# Rows are read and written a batch at a time.
BATCH = 1000


def _latest_protocol_id(apps: Any) -> Subquery:
    """The protocol id of a patient's latest treatment not cancelled."""
    treatments = apps.get_model("clinic", "Treatment").objects
    return Subquery(
        treatments.filter(patient=OuterRef("pk"), cancelled_at=None)
        .order_by("-treated_at", "-pk")
        .values("protocol_id")[:1]
    )


def _procedure(latest: str | None) -> str:
    return base_id(latest) if latest else DEFAULT_PROTOCOL


def plan_courses(apps: Any, schema_editor: Any) -> None:
    planned = apps.get_model("clinic", "PlannedCourse")
    patients = (
        apps.get_model("clinic", "Patient")
        .objects.filter(course_sessions__isnull=False)
        .annotate(latest=_latest_protocol_id(apps))
        .order_by("pk")
        .values_list("pk", "course_sessions", "latest")
    )
    rows = (
        planned(patient_id=pk, procedure=_procedure(latest), sessions=sessions)
        for pk, sessions, latest in patients.iterator(chunk_size=BATCH)
    )
    _insert(planned, rows)


def keep_on_patient(apps: Any, schema_editor: Any) -> None:
    patient_model = apps.get_model("clinic", "Patient")
    rows = (
        apps.get_model("clinic", "PlannedCourse")
        .objects.annotate(latest=Subquery(_latest_of_patient(apps)))
        .order_by("patient_id", "procedure")
        .values_list("patient_id", "procedure", "sessions", "latest")
    )
    chosen: dict[int, int] = {}
    for patient_id, procedure, sessions, latest in rows.iterator(chunk_size=BATCH):
        if patient_id not in chosen or procedure == _procedure(latest):
            chosen[patient_id] = sessions
    batch: list[Any] = []
    for patient_id, sessions in chosen.items():
        batch.append(patient_model(pk=patient_id, course_sessions=sessions))
        if len(batch) >= BATCH:
            patient_model.objects.bulk_update(batch, ["course_sessions"])
            batch = []
    patient_model.objects.bulk_update(batch, ["course_sessions"])


def _latest_of_patient(apps: Any) -> Any:
    treatments = apps.get_model("clinic", "Treatment").objects
    return (
        treatments.filter(patient=OuterRef("patient_id"), cancelled_at=None)
        .order_by("-treated_at", "-pk")
        .values("protocol_id")[:1]
    )


def _insert(model: Any, rows: Iterable[Any]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0029_course_booking")]

    operations = [
        migrations.CreateModel(
            name="PlannedCourse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("procedure", models.CharField(max_length=100)),
                ("sessions", models.PositiveSmallIntegerField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="planned_courses",
                        to="clinic.patient",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("patient", "procedure"), name="planned_course_patient_procedure"
                    )
                ],
            },
        ),
        migrations.RunPython(plan_courses, keep_on_patient),
        migrations.RemoveField(model_name="patient", name="course_sessions"),
    ]
