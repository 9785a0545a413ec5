"""The staff dashboard: what needs a person now, who is treated today, who is in aftercare.

Open alerts come first because a "contact the clinic now" check-in waits on a call back.
The page reads bounded queries, whatever the number of patients or of check-ins (the open
alerts, today's treatments, the patients in aftercare and those due to book a page at a
time), and shows every time in the clinic's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import render

from aftercare.engine.course import planned_sessions
from aftercare.engine.explain import day_heading, format_day
from aftercare.engine.localtime import hours_between, zone
from aftercare.engine.sentences import day_span, session_of
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, staff_required
from aftercare.web.booking import OVERDUE_SHOWN_DAYS, due_to_book
from aftercare.web.care.questions import not_understood, waiting
from aftercare.web.care.summary import local_moment, local_today
from aftercare.web.clinic.models import Clinic, CourseBooking, Patient, PlannedCourse, Treatment
from aftercare.web.paths import path_for
from aftercare.web.protocol import (
    aftercare_horizon_hours,
    clinic_procedures,
    clinic_protocol,
    enabled_procedures,
)
from aftercare.web.staff.dashboard_alerts import alert_page, day_after
from aftercare.web.staff.row_pages import PAGE_SIZE, RowPage, page_number

__all__ = [
    "BookingRow",
    "TreatmentRow",
    "dashboard",
    "undeliverable",
]

# What a row of the treatment lists shows, and all that is read for it.
ROW_FIELDS = ("treated_at", "patient_id", "patient__given_name", "patient__family_name")
# And of the windows to book.
BOOKING_FIELDS = (
    "procedure",
    "session",
    "opens",
    "closes",
    "patient__given_name",
    "patient__family_name",
)
# Patients whose address was refused, shown at most; the rest once these are corrected.
UNDELIVERABLE_SHOWN = 50
REFUSED = Q(email_disabled_at__isnull=False) | Q(sms_disabled_at__isnull=False)
# Patients' questions waiting for an answer, shown at most, oldest first.
QUESTIONS_SHOWN = 50
# The latest questions the portal did not understand, shown so staff can add the words.
NOT_UNDERSTOOD_SHOWN = 20


@dataclass(frozen=True, slots=True)
class TreatmentRow:
    treatment: Treatment
    when: str
    # "Day 3" after the treatment; None on the list of today's treatments.
    day: str | None
    url: str = ""


@dataclass(frozen=True, slots=True)
class BookingRow:
    """A patient due to book: what for (of which procedure), the window's dates and where
    it stands today."""

    patient: Patient
    what: str
    window: str
    status: str
    overdue: bool
    url: str
    # The course's procedure, when the clinic performs more than one.
    procedure: str = ""


# Days before a window closes from which it counts as closing.
CLOSING_DAYS = 7


def _local_day_bounds(clinic: Clinic, at: datetime) -> tuple[datetime, datetime]:
    """The UTC instants at which the clinic's calendar day containing ``at`` starts and ends."""
    tz = zone(clinic.time_zone)
    today = at.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _page_of(
    treatments: QuerySet[Treatment], number: int, row: Callable[[Treatment], TreatmentRow]
) -> RowPage[TreatmentRow]:
    """Page ``number`` of ``treatments``, read with one row more to know if more follow.

    Only the columns a row shows are read: a page's cost is its rows, kept small.
    """
    start = (number - 1) * PAGE_SIZE
    shown = treatments.only(*ROW_FIELDS)
    found = list(shown[start : start + PAGE_SIZE + 1])
    patient_path = path_for("staff:patient")
    rows = [replace(row(t), url=patient_path(t.patient_id)) for t in found[:PAGE_SIZE]]
    return RowPage(rows, number, len(found) > PAGE_SIZE)


def _todays_treatments(clinic: Clinic, at: datetime, number: int) -> RowPage[TreatmentRow]:
    start, end = _local_day_bounds(clinic, at)
    treatments = Treatment.objects.filter(
        patient__clinic=clinic,
        cancelled_at__isnull=True,
        treated_at__gte=start,
        treated_at__lt=end,
    ).select_related("patient")
    return _page_of(
        treatments.order_by("treated_at", "pk"),
        number,
        lambda t: TreatmentRow(t, local_moment(t.treated_at, clinic.time_zone), None),
    )


def _in_aftercare(
    clinic: Clinic, horizon_hours: int, at: datetime, number: int
) -> RowPage[TreatmentRow]:
    """One page of each patient's latest treatment that ended within the aftercare horizon,
    oldest first.

    A treatment counts when no later one of the same patient has ended by ``at``; the
    database answers that per row from the (patient, treated_at) index, so a page reads
    its own rows whatever the number of patients.
    """
    since = at - timedelta(hours=horizon_hours)
    later = Treatment.objects.filter(
        Q(treated_at__gt=OuterRef("treated_at"))
        | Q(treated_at=OuterRef("treated_at"), pk__gt=OuterRef("pk")),
        patient=OuterRef("patient"),
        cancelled_at__isnull=True,
        treated_at__lte=at,
    )
    treatments = (
        Treatment.objects.filter(
            patient__clinic=clinic,
            cancelled_at__isnull=True,
            treated_at__gt=since,
            treated_at__lte=at,
        )
        .filter(~Exists(later))
        .select_related("patient")
        .order_by("treated_at", "pk")
    )
    return _page_of(
        treatments,
        number,
        lambda t: TreatmentRow(
            t,
            local_moment(t.treated_at, clinic.time_zone),
            day_heading(day_after(hours_between(t.treated_at, at))),
        ),
    )


def _due_to_book(clinic: Clinic, today: date, number: int) -> RowPage[BookingRow]:
    """One page of the windows to book, the soonest to close first (overdue on top): a
    patient on two courses is listed for each, each session counted by the protocol of
    its procedure, named when the clinic performs more than one (or no longer performs
    it)."""
    start = (number - 1) * PAGE_SIZE
    procedures = {*enabled_procedures(clinic), *clinic_procedures(clinic)}
    protocols = {procedure: clinic_protocol(clinic, procedure) for procedure in procedures}
    # Each course's own planned length, read with its row from the (patient, procedure)
    # index: "Session 2 of 4" of a peel whatever the length of the patient's microneedling.
    planned = PlannedCourse.objects.filter(
        patient=OuterRef("patient_id"), procedure=OuterRef("procedure")
    ).values("sessions")[:1]
    shown = (
        due_to_book(clinic, protocols.values(), today)
        .only(*BOOKING_FIELDS)
        .annotate(planned=Subquery(planned))
    )
    found = list(shown[start : start + PAGE_SIZE + 1])
    patient_path = path_for("staff:patient")
    # Named when the clinic performs more than one, or a course shown is of a procedure
    # it no longer performs: a patient listed twice must be told apart.
    named = len({*enabled_procedures(clinic), *(booking.procedure for booking in found)}) > 1

    def protocol_of(booking: CourseBooking) -> Protocol:
        if booking.procedure not in protocols:  # one the clinic no longer has a row for
            protocols[booking.procedure] = clinic_protocol(clinic, booking.procedure)
        return protocols[booking.procedure]

    rows = [
        BookingRow(
            patient=booking.patient,
            what=_booking_what(protocol_of(booking), booking),
            procedure=protocol_of(booking).procedure if named else "",
            window=day_span(booking.opens, booking.closes, protocol_of(booking).language),
            status=_booking_status(booking.closes, today),
            overdue=booking.closes < today,
            url=patient_path(booking.patient_id),
        )
        for booking in found[:PAGE_SIZE]
    ]
    return RowPage(rows, number, len(found) > PAGE_SIZE)


def _booking_what(protocol: Protocol, booking: CourseBooking) -> str:
    if booking.session is None:
        return "Maintenance"
    chosen: int | None = getattr(booking, "planned", None)
    planned = max(planned_sessions(protocol, chosen), booking.session)
    return session_of(protocol, booking.session, planned)


def _booking_status(closes: date, today: date) -> str:
    left = (closes - today).days
    if left < 0:
        return f"Overdue: closed {-left} day{'s' if left < -1 else ''} ago"
    if left == 0:
        return "Closing: last day today"
    if left <= CLOSING_DAYS:
        return f"Closing: {left} day{'s' if left > 1 else ''} left"
    return f"Open: {left} days left"


def undeliverable(clinic: Clinic) -> QuerySet[Patient]:
    """The clinic's patients whose email or mobile a transport refused for good."""
    return Patient.objects.filter(REFUSED, clinic=clinic).order_by(
        "family_name", "given_name", "pk"
    )


@staff_required
def dashboard(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    at = clock.now()
    alerts, counts = alert_page(clinic, page_number(request.GET.get("alerts_page")))
    today = _todays_treatments(clinic, at, page_number(request.GET.get("today_page")))
    # The longest aftercare of the clinic's procedures: a peel's patients stay listed
    # for the whole of theirs.
    horizon = max(
        aftercare_horizon_hours(clinic_protocol(clinic, procedure))
        for procedure in enabled_procedures(clinic)
    )
    in_aftercare = _in_aftercare(
        clinic, horizon, at, page_number(request.GET.get("aftercare_page"))
    )
    to_book = _due_to_book(
        clinic, local_today(clinic, at), page_number(request.GET.get("book_page"))
    )
    refused = list(undeliverable(clinic)[: UNDELIVERABLE_SHOWN + 1])
    audit.record(request, "dashboard.view", clinic=clinic)
    context = {
        "nav": "dashboard",
        "alerts": alerts.rows,
        "alerts_page": alerts,
        "urgent_count": counts.urgent,
        "alert_patients": counts.patients,
        "emergency_count": counts.emergency,
        "today": today.rows,
        "today_page": today,
        "today_label": format_day(at.astimezone(zone(clinic.time_zone)).date()),
        "in_aftercare": in_aftercare.rows,
        "aftercare_page": in_aftercare,
        "to_book": to_book.rows,
        "to_book_page": to_book,
        "overdue_shown_days": OVERDUE_SHOWN_DAYS,
        "undeliverable": refused[:UNDELIVERABLE_SHOWN],
        "undeliverable_more": len(refused) > UNDELIVERABLE_SHOWN,
        "questions": [
            (q, local_moment(q.asked_at, clinic.time_zone))
            for q in waiting(clinic)[:QUESTIONS_SHOWN]
        ],
        "not_understood": list(not_understood(clinic, at)[:NOT_UNDERSTOOD_SHOWN]),
    }
    return render(request, "aftercare/staff/dashboard.html", context)
