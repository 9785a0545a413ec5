# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012
"""A clinic's procedures, each with its own overlay.

Every existing clinic performs microneedling, the one procedure there was: it gets an
enabled microneedling row holding the overlay it had, and the clinic's own overlay column
goes. Reversing puts the microneedling overlay back on the clinic.
"""

from typing import Any

from django.db import migrations, models

MICRONEEDLING = "microneedling"


def to_procedures(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    clinics = apps.get_model("clinic", "Clinic").objects.using(alias)
    procedures = apps.get_model("clinic", "ClinicProcedure").objects.using(alias)
    procedures.bulk_create(
        procedures.model(clinic_id=pk, protocol_id=MICRONEEDLING, enabled=True, overlay_yaml=text)
        for pk, text in clinics.values_list("pk", "overlay_yaml").iterator()
    )
    if schema_editor.connection.vendor == "postgresql":
        # The new rows' deferred foreign-key checks would stop the column's removal
        # below ("pending trigger events"): run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def to_clinics(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    clinics = apps.get_model("clinic", "Clinic").objects.using(alias)
    procedures = apps.get_model("clinic", "ClinicProcedure").objects.using(alias)
    rows = procedures.filter(protocol_id=MICRONEEDLING).values_list("clinic_id", "overlay_yaml")
    for clinic_id, text in rows.iterator():
        clinics.filter(pk=clinic_id).update(overlay_yaml=text)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0024_patient_name_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClinicProcedure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("protocol_id", models.CharField(max_length=100)),
                ("enabled", models.BooleanField(default=True)),
                ("overlay_yaml", models.TextField(blank=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="procedures",
                        to="clinic.clinic",
                    ),
                ),
            ],
            options={
                "ordering": ("protocol_id",),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("clinic", "protocol_id"), name="clinic_procedure_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(to_procedures, to_clinics, elidable=False),
        migrations.RemoveField(model_name="clinic", name="overlay_yaml"),
    ]
