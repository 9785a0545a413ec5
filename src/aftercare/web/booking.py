"""Who is due to book: each patient's next session window, or maintenance, kept for each
procedure they are on a course of (``CourseBooking``).

Working the windows out from every patient's treatments on every dashboard view would cost
the whole clinic, so the write paths store them (``refresh_booking``) whenever what they
depend on changes: a treatment recorded, moved or cancelled, the length chosen for the
patient's course of the procedure (``PlannedCourse``), the clinic's course rules for a
procedure. The dashboard then reads one slice of the (clinic, closes) index
(``due_to_book``).

A course counts the treatments of one procedure, whatever the others: a patient having a
course of microneedling and one of a peel is due to book each in its own window. The
window is the one the staff patient page shows: the gap after the last session while the
course is under way, then maintenance counted from the last session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db.models import OuterRef, QuerySet, Subquery

from aftercare.engine.course import course_outlook
from aftercare.engine.localtime import zone
from aftercare.protocols.registry import UnknownProtocolError
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import (
    BookingKind,
    Clinic,
    CourseBooking,
    Patient,
    PlannedCourse,
    Treatment,
)
from aftercare.web.protocol import base_id, clinic_protocol, same_procedure

__all__ = [
    "OVERDUE_SHOWN_DAYS",
    "Booking",
    "booking_for",
    "due_to_book",
    "refresh_booking",
    "refresh_clinic_bookings",
    "session_days",
]

# How long after a window closed the patient stays on the list, as overdue: long enough
# to call them, short enough that patients who stopped coming do not fill it for good.
# (A late session is still allowed; the patient's page shows the course whatever its age.)
OVERDUE_SHOWN_DAYS = 28
_BATCH = 500


@dataclass(frozen=True, slots=True)
class Booking:
    """The next window to book: session ``session`` of the course, or maintenance (None)."""

    kind: BookingKind
    session: int | None
    opens: date
    closes: date


def session_days(treatments: Iterable[Treatment]) -> list[date]:
    """The local days of the treatments that were not cancelled, earliest first: the
    sessions of the course so far."""
    return sorted(
        _local_day(t.treated_at, t.time_zone) for t in treatments if t.cancelled_at is None
    )


def booking_for(protocol: Protocol, days: Sequence[date], chosen: int | None) -> Booking | None:
    """The window after the sessions on ``days`` (None when there are none), for a course
    of the length ``chosen`` for the patient (None: the protocol's usual)."""
    if not days:
        return None
    last = max(days)
    # The windows do not depend on the day asked about, only the verdict does.
    outlook = course_outlook(protocol, days, last, chosen)
    if outlook.next_session is not None:
        gap = outlook.next_session
        return Booking(BookingKind.SESSION, outlook.sessions + 1, gap.earliest, gap.latest)
    upkeep = outlook.maintenance
    if upkeep is None:  # a complete course always has maintenance; kept for the type
        return None
    return Booking(BookingKind.MAINTENANCE, None, upkeep.earliest, upkeep.latest)


def refresh_booking(patient: Patient, protocol: Protocol | None = None) -> None:
    """Store ``patient``'s window for each procedure they have treatments of, and drop
    those of procedures they no longer have any of (``protocol``: the protocol of the
    procedure just changed, when the caller has it); call it in the transaction that
    changed a treatment or the patient's course. Every course is read again, not only
    the changed one: a treatment moved to another procedure changes two."""
    treatments = Treatment.objects.filter(patient=patient, cancelled_at=None)
    days: dict[str, list[date]] = {}
    for at, zone_name, protocol_id in treatments.values_list(
        "treated_at", "time_zone", "protocol_id"
    ):
        days.setdefault(base_id(protocol_id), []).append(_local_day(at, zone_name))
    planned = PlannedCourse.of(patient)
    rows, kept = [], []
    for procedure, found in days.items():
        if protocol is None or protocol.id != procedure:
            try:
                course = clinic_protocol(patient.clinic, procedure)
            except UnknownProtocolError:
                # A procedure whose protocol file was removed: its window stays as it
                # was stored, and a treatment of another procedure is still recorded.
                kept.append(procedure)
                continue
        else:
            course = protocol
        booking = booking_for(course, sorted(found), planned.get(procedure))
        if booking is not None:
            rows.append(_row(patient.clinic_id, patient.pk, procedure, booking))
            kept.append(procedure)
    _save(rows)
    CourseBooking.objects.filter(patient=patient).exclude(procedure__in=kept).delete()


def refresh_clinic_bookings(clinic: Clinic, protocol: Protocol) -> int:
    """Store again the window of ``protocol``'s procedure of every patient with treatments
    of it, after the clinic's course rules for it changed; the number of patients. Reads
    the treatments once, in patient order, each course's own planned length with them,
    and writes a batch at a time."""
    planned = PlannedCourse.objects.filter(
        patient=OuterRef("patient_id"), procedure=protocol.id
    ).values("sessions")[:1]
    rows = (
        Treatment.objects.filter(patient__clinic=clinic, cancelled_at=None)
        .filter(same_procedure(protocol.id))
        .annotate(chosen=Subquery(planned))
        .order_by("patient_id", "treated_at", "pk")
        .values_list("patient_id", "treated_at", "time_zone", "chosen")
    )
    changed: list[CourseBooking] = []
    count = 0
    for patient_id, sessions in groupby(rows.iterator(), key=lambda row: row[0]):
        found = list(sessions)
        days = [_local_day(at, zone_name) for _, at, zone_name, _ in found]
        booking = booking_for(protocol, days, found[0][3])
        if booking is not None:
            changed.append(_row(clinic.pk, patient_id, protocol.id, booking))
        count += 1
        if len(changed) >= _BATCH:
            _save(changed)
            changed = []
    _save(changed)
    return count


def due_to_book(
    clinic: Clinic, protocols: Iterable[Protocol], today: date
) -> QuerySet[CourseBooking]:
    """The clinic's windows (one per patient and procedure) open on ``today`` or closed
    within ``OVERDUE_SHOWN_DAYS``, the soonest to close first, each with its patient read
    in the same query; ``protocols``: those of every procedure the clinic's patients may
    be on a course of. A patient on two courses can be listed twice, once for each.

    The closing day is bounded on both sides (no window is longer than the longest of any
    of those protocols), so the index is read over a range of days that is the same
    whatever the size of the clinic; only windows not yet open within it are passed over.
    """
    longest = max(_longest_window(protocol) for protocol in protocols)
    return (
        CourseBooking.objects.filter(
            clinic=clinic,
            closes__gte=today - timedelta(days=OVERDUE_SHOWN_DAYS),
            closes__lte=today + timedelta(days=longest),
            opens__lte=today,
        )
        .select_related("patient")
        .order_by("closes", "pk")
    )


def _longest_window(protocol: Protocol) -> int:
    """The most days one of ``protocol``'s windows (a session's or maintenance) spans."""
    course = protocol.course
    return max(
        course.max_gap_days - course.min_gap_days,
        # A calendar month is at most 31 days.
        31 * (course.maintenance_max_months - course.maintenance_min_months),
    )


def _row(clinic_id: int, patient_id: int, procedure: str, booking: Booking) -> CourseBooking:
    return CourseBooking(
        clinic_id=clinic_id,
        patient_id=patient_id,
        procedure=procedure,
        kind=booking.kind,
        session=booking.session,
        opens=booking.opens,
        closes=booking.closes,
    )


def _save(rows: list[CourseBooking]) -> None:
    """Insert ``rows``, or update the window of a patient's procedure already stored:
    one statement, which two transactions refreshing one patient can both run."""
    CourseBooking.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=("patient", "procedure"),
        update_fields=("kind", "session", "opens", "closes"),
    )


def _local_day(at: datetime, zone_name: str) -> date:
    return at.astimezone(zone(zone_name)).date()
