# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012
"""Keep each patient's window to book for each procedure they are on a course of.

The window was kept on the patient, once, for the procedure of their latest treatment: a
patient on a course of microneedling lost its window the day a peel was recorded. It is
now a ``CourseBooking`` row per patient and procedure. Each patient's stored window moves
to the row of their latest treatment's procedure, as it is; the windows of their other
procedures, never stored, are worked out here from their treatments under the clinic's
protocol for that procedure (the standard one when the clinic's overlay no longer
applies). Reversible: going back keeps on the patient the window of their latest
treatment's procedure, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from aftercare.engine.localtime import zone
from aftercare.protocols.load import ProtocolError
from aftercare.protocols.registry import UnknownProtocolError
from aftercare.protocols.schema import Protocol
from aftercare.web.booking import booking_for
from aftercare.web.protocol import DEFAULT_PROTOCOL, base_id, base_protocol, effective_protocol

# Rows are read and written a batch at a time.
BATCH = 1000
FIELDS = ("book_kind", "book_session", "book_from", "book_by")


def _latest_protocol_id(apps: Any) -> Subquery:
    """The protocol id of a patient's latest treatment not cancelled."""
    treatments = apps.get_model("clinic", "Treatment").objects
    return Subquery(
        treatments.filter(patient=OuterRef("pk"), cancelled_at=None)
        .order_by("-treated_at", "-pk")
        .values("protocol_id")[:1]
    )


def fill_course_bookings(apps: Any, schema_editor: Any) -> None:
    booking_model = apps.get_model("clinic", "CourseBooking")
    patients = (
        apps.get_model("clinic", "Patient")
        .objects.filter(book_by__isnull=False)
        .annotate(latest=_latest_protocol_id(apps))
        .order_by("pk")
        .values_list("pk", "clinic_id", "latest", *FIELDS)
    )
    moved = (
        booking_model(
            clinic_id=clinic_id,
            patient_id=patient_id,
            procedure=base_id(latest or ""),
            kind=kind,
            session=session,
            opens=opens,
            closes=closes,
        )
        for patient_id, clinic_id, latest, kind, session, opens, closes in patients.iterator(
            chunk_size=BATCH
        )
    )
    _insert(booking_model, moved)
    _insert(booking_model, _other_courses(apps))


def _other_courses(apps: Any) -> Iterable[Any]:
    """The windows of the courses the patient's stored one did not follow."""
    booking_model = apps.get_model("clinic", "CourseBooking")
    rows = (
        apps.get_model("clinic", "Treatment")
        .objects.filter(cancelled_at=None)
        .order_by("patient_id", "treated_at", "pk")
        .values_list(
            "patient_id",
            "patient__clinic_id",
            "patient__course_sessions",
            "patient__book_by",
            "treated_at",
            "time_zone",
            "protocol_id",
        )
    )
    protocols = _Protocols(apps)
    for patient_id, group in groupby(rows.iterator(chunk_size=BATCH), key=lambda row: row[0]):
        found = list(group)
        _, clinic_id, chosen, stored, _, _, latest = found[-1]
        days: dict[str, list[Any]] = {}
        for *_, at, zone_name, protocol_id in found:
            days.setdefault(base_id(protocol_id), []).append(at.astimezone(zone(zone_name)).date())
        if stored is not None:
            days.pop(base_id(latest), None)
        for procedure, sessions in days.items():
            protocol = protocols.get(clinic_id, procedure)
            booking = None if protocol is None else booking_for(protocol, sessions, chosen)
            if booking is not None:
                yield booking_model(
                    clinic_id=clinic_id,
                    patient_id=patient_id,
                    procedure=procedure,
                    kind=booking.kind.value,
                    session=booking.session,
                    opens=booking.opens,
                    closes=booking.closes,
                )


class _Protocols:
    """Each clinic's protocol for a procedure, built once; None for a procedure no longer
    installed, whose course cannot be counted."""

    def __init__(self, apps: Any) -> None:
        self.clinics = apps.get_model("clinic", "Clinic").objects
        self.overlays = apps.get_model("clinic", "ClinicProcedure").objects
        self.built: dict[tuple[int, str], Protocol | None] = {}

    def get(self, clinic_id: int, procedure: str) -> Protocol | None:
        if (clinic_id, procedure) not in self.built:
            self.built[clinic_id, procedure] = self._build(clinic_id, procedure)
        return self.built[clinic_id, procedure]

    def _build(self, clinic_id: int, procedure: str) -> Protocol | None:
        clinic = self.clinics.get(pk=clinic_id)
        overlay = (
            self.overlays.filter(clinic_id=clinic_id, protocol_id=procedure)
            .values_list("overlay_yaml", flat=True)
            .first()
        )
        name = "overlay" if procedure == DEFAULT_PROTOCOL else f"{procedure} overlay"
        try:
            return effective_protocol(
                overlay or "", clinic.older_age_years, f"{clinic.slug} {name}", procedure
            )
        except UnknownProtocolError:
            return None
        except ProtocolError:
            return base_protocol(procedure)


def _insert(booking_model: Any, rows: Iterable[Any]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            booking_model.objects.bulk_create(batch)
            batch = []
    booking_model.objects.bulk_create(batch)


def keep_on_patient(apps: Any, schema_editor: Any) -> None:
    """Back: each patient's window of their latest treatment's procedure, on the patient."""
    patient_model = apps.get_model("clinic", "Patient")
    bookings = apps.get_model("clinic", "CourseBooking").objects.order_by("patient_id")
    latest = dict(
        patient_model.objects.filter(pk__in=bookings.values("patient_id"))
        .annotate(latest=_latest_protocol_id(apps))
        .values_list("pk", "latest")
    )
    batch: list[Any] = []
    for booking in bookings.iterator(chunk_size=BATCH):
        if booking.procedure != base_id(latest.get(booking.patient_id) or ""):
            continue
        batch.append(
            patient_model(
                pk=booking.patient_id,
                book_kind=booking.kind,
                book_session=booking.session,
                book_from=booking.opens,
                book_by=booking.closes,
            )
        )
        if len(batch) >= BATCH:
            patient_model.objects.bulk_update(batch, FIELDS)
            batch = []
    patient_model.objects.bulk_update(batch, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0028_treatment_factors_depth"),
    ]

    operations = [
        migrations.CreateModel(
            name="CourseBooking",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("procedure", models.CharField(max_length=100)),
                (
                    "kind",
                    models.CharField(
                        choices=[("session", "Next session"), ("maintenance", "Maintenance")],
                        max_length=12,
                    ),
                ),
                ("session", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("opens", models.DateField()),
                ("closes", models.DateField()),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="+", to="clinic.clinic"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="bookings",
                        to="clinic.patient",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["clinic", "closes", "id"], name="course_booking_due")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("patient", "procedure"), name="course_booking_patient_procedure"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_course_bookings, keep_on_patient),
        migrations.RemoveIndex(model_name="patient", name="patient_due_to_book"),
        migrations.RemoveField(model_name="patient", name="book_by"),
        migrations.RemoveField(model_name="patient", name="book_from"),
        migrations.RemoveField(model_name="patient", name="book_kind"),
        migrations.RemoveField(model_name="patient", name="book_session"),
    ]
