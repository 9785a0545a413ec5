# Written after 0021_reminder_clinic: the new column, the step that fills it, the index.
# ruff: noqa: RUF012

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def fill_clinic(apps: Any, schema_editor: Any) -> None:
    """Each check-in's clinic is its treatment's patient's (one statement, whatever the
    table's size)."""
    CheckIn = apps.get_model("clinic", "CheckIn")
    Treatment = apps.get_model("clinic", "Treatment")
    CheckIn.objects.update(
        clinic_id=models.Subquery(
            Treatment.objects.filter(pk=models.OuterRef("treatment_id")).values(
                "patient__clinic_id"
            )[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0026_reminder_answer_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="clinic",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.clinic",
            ),
        ),
        migrations.RunPython(fill_clinic, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="checkin",
            name="clinic",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.clinic",
            ),
        ),
        migrations.RemoveIndex(model_name="checkin", name="checkin_dashboard"),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(
                fields=["clinic", "level", "reviewed_at", "created_at"],
                name="checkin_clinic_open",
            ),
        ),
    ]
