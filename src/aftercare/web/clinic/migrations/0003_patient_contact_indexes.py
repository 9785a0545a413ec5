"""Find patients by contact: indexes, and mobiles rewritten to E.164 for exact matching."""

# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012

from typing import Any

import django.db.models.functions.text
from django.db import migrations, models

from aftercare.web.phones import e164


def mobiles_to_e164(apps: Any, schema_editor: Any) -> None:
    patient_model = apps.get_model("clinic", "Patient")
    for patient in patient_model.objects.exclude(mobile="").only("pk", "mobile").iterator():
        number = e164(patient.mobile, mobile=True)
        # A number that cannot be read is kept as typed, for staff to correct.
        if number is not None and number != patient.mobile:
            patient_model.objects.filter(pk=patient.pk).update(mobile=number)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_linkrequest"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                django.db.models.functions.text.Lower("email"), name="patient_email_lower"
            ),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["mobile"], name="patient_mobile"),
        ),
        migrations.RunPython(mobiles_to_e164, migrations.RunPython.noop, elidable=True),
    ]
