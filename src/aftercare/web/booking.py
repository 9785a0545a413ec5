"""Who is due to book: each patient's next session window, or maintenance, kept on the patient.

Working the windows out from every patient's treatments on every dashboard view would cost
the whole clinic, so the write paths store the window on the patient (``refresh_booking``)
whenever what it depends on changes: a treatment recorded, moved or cancelled, the length
of course chosen for the patient, the clinic's course rules. The dashboard then reads one
slice of the (clinic, book_by) index (``due_to_book``).

The window is the one the staff patient page shows: the gap after the last session while
the course is under way, then maintenance counted from the last session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db.models import OuterRef, QuerySet, Subquery

from aftercare.engine.course import course_outlook
from aftercare.engine.localtime import zone
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import BookingKind, Clinic, Patient, Treatment
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
_FIELDS = ("book_kind", "book_session", "book_from", "book_by")
# The protocol id of a patient's latest treatment not cancelled: their course's procedure.
_latest_protocol_id = (
    Treatment.objects.filter(patient=OuterRef("pk"), cancelled_at=None)
    .order_by("-treated_at", "-pk")
    .values("protocol_id")[:1]
)
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
    """Store ``patient``'s window from their treatments of the procedure of their latest
    treatment (``protocol``: that procedure's protocol, when the caller has it); call it in
    the transaction that changed a treatment or the patient's course."""
    treatments = Treatment.objects.filter(patient=patient, cancelled_at=None)
    latest = treatments.order_by("-treated_at", "-pk").values_list("protocol_id", flat=True)
    procedure = base_id(latest.first() or "")
    if protocol is None or protocol.id != procedure:
        protocol = clinic_protocol(patient.clinic, procedure)
    sessions = treatments.filter(same_procedure(procedure)).only(
        "treated_at", "time_zone", "cancelled_at"
    )
    _store(patient, booking_for(protocol, session_days(sessions), patient.course_sessions))
    patient.save(update_fields=_FIELDS)


def refresh_clinic_bookings(clinic: Clinic, protocol: Protocol) -> int:
    """Store again the window of every patient whose latest treatment is of ``protocol``'s
    procedure, after the clinic's course rules for it changed; the number of patients.
    Reads the treatments once, in patient order, a batch at a time."""
    rows = (
        Treatment.objects.filter(patient__clinic=clinic, cancelled_at=None)
        .order_by("patient_id", "treated_at", "pk")
        .values_list(
            "patient_id", "treated_at", "time_zone", "patient__course_sessions", "protocol_id"
        )
    )
    changed: list[Patient] = []
    count = 0
    for patient_id, sessions in groupby(rows.iterator(), key=lambda row: row[0]):
        found = list(sessions)
        if base_id(found[-1][4]) != protocol.id:
            continue
        found = [row for row in found if base_id(row[4]) == protocol.id]
        days = [_local_day(at, zone_name) for _, at, zone_name, _, _ in found]
        patient = Patient(pk=patient_id, clinic=clinic)
        _store(patient, booking_for(protocol, days, found[0][3]))
        changed.append(patient)
        count += 1
        if len(changed) >= _BATCH:
            Patient.objects.bulk_update(changed, _FIELDS)
            changed = []
    Patient.objects.bulk_update(changed, _FIELDS)
    return count


def due_to_book(clinic: Clinic, protocols: Iterable[Protocol], today: date) -> QuerySet[Patient]:
    """The clinic's patients whose window is open on ``today`` or closed within
    ``OVERDUE_SHOWN_DAYS``, the soonest to close first; ``protocols``: those of every
    procedure the clinic's patients may be on a course of. Each patient carries
    ``book_protocol_id``, the protocol id of the treatment their window follows (the
    latest, as ``refresh_booking`` takes it), read in the same query.

    The closing day is bounded on both sides (no window is longer than the longest of any
    of those protocols), so the index is read over a range of days that is the same
    whatever the size of the clinic; only windows not yet open within it are passed over.
    """
    longest = max(_longest_window(protocol) for protocol in protocols)
    return (
        Patient.objects.filter(
            clinic=clinic,
            book_by__gte=today - timedelta(days=OVERDUE_SHOWN_DAYS),
            book_by__lte=today + timedelta(days=longest),
            book_from__lte=today,
        )
        .annotate(book_protocol_id=Subquery(_latest_protocol_id))
        .order_by("book_by", "pk")
    )


def _longest_window(protocol: Protocol) -> int:
    """The most days one of ``protocol``'s windows (a session's or maintenance) spans."""
    course = protocol.course
    return max(
        course.max_gap_days - course.min_gap_days,
        # A calendar month is at most 31 days.
        31 * (course.maintenance_max_months - course.maintenance_min_months),
    )


def _store(patient: Patient, booking: Booking | None) -> None:
    if booking is None:
        patient.book_kind, patient.book_session = "", None
        patient.book_from = patient.book_by = None
        return
    patient.book_kind, patient.book_session = booking.kind, booking.session
    patient.book_from, patient.book_by = booking.opens, booking.closes


def _local_day(at: datetime, zone_name: str) -> date:
    return at.astimezone(zone(zone_name)).date()
