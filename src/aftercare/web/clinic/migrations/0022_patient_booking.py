# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012
"""Each patient's window to book (the next session, or maintenance), for the dashboard.

Existing patients get theirs from their treatments here, under their clinic's protocol
(the standard one when a stored overlay no longer applies); from now on the write paths
keep it.
"""

from itertools import groupby
from typing import Any

from django.db import migrations, models

from aftercare.engine.localtime import zone
from aftercare.protocols.load import ProtocolError
from aftercare.web.booking import booking_for
from aftercare.web.protocol import base_protocol, effective_protocol


def fill_bookings(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    clinics = apps.get_model("clinic", "Clinic").objects.using(alias)
    patients = apps.get_model("clinic", "Patient").objects.using(alias)
    treatments = apps.get_model("clinic", "Treatment").objects.using(alias)
    for clinic in clinics.iterator():
        try:
            # Run against today's models (as a test does), a clinic keeps its overlays on
            # its procedures (0025), which this migration predates: the standard protocol.
            overlay = getattr(clinic, "overlay_yaml", "")
            protocol = effective_protocol(overlay, clinic.older_age_years, f"{clinic.slug} overlay")
        except ProtocolError:
            protocol = base_protocol()
        rows = (
            treatments.filter(patient__clinic=clinic, cancelled_at=None)
            .order_by("patient_id", "treated_at")
            .values_list("patient_id", "treated_at", "time_zone", "patient__course_sessions")
        )
        for patient_id, group in groupby(rows.iterator(), key=lambda row: row[0]):
            found = list(group)
            days = [at.astimezone(zone(name)).date() for _, at, name, _ in found]
            booking = booking_for(protocol, days, found[0][3])
            if booking is not None:
                patients.filter(pk=patient_id).update(
                    book_kind=booking.kind.value,
                    book_session=booking.session,
                    book_from=booking.opens,
                    book_by=booking.closes,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0021_reminder_clinic"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="book_by",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="book_from",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="book_kind",
            field=models.CharField(
                blank=True,
                choices=[("session", "Next session"), ("maintenance", "Maintenance")],
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="book_session",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                condition=models.Q(("book_by__isnull", False)),
                fields=["clinic", "book_by", "id"],
                name="patient_due_to_book",
            ),
        ),
        migrations.RunPython(fill_bookings, migrations.RunPython.noop),
    ]
