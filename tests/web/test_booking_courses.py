"""A clinic of more than one procedure: each course counted by its own procedure and
named on the dashboard's "Due to book" list, and a patient on two courses due to book each
in its own window.

Alice (``patient``) is at the Alpha clinic; ``api_client`` is its booking system.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from aftercare.web.booking import refresh_booking, refresh_clinic_bookings
from aftercare.web.clinic.models import BookingKind, Clinic, CourseBooking, Patient, StaffMember
from aftercare.web.protocol import base_protocol, clinic_protocol
from tests.web.conftest import NOW, enable_procedures, set_overlay
from tests.web.test_api_access import ok, post
from tests.web.test_booking import person, rows, stored, treated
from tests.web.test_portal_plan import set_now, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

# NOW is Sat 21 Nov 2026, 14:30 in London.


PEEL = "chemical-peel"
LONG_PEEL_GAP = """\
id: alpha-peel
protocol: chemical-peel
title: Alpha peel rules
changes:
  - item: course
    set: {max_gap_days: 365}
    reason: Patients travel from far away and book when they can.
"""


def peeled(patient: Patient, staff: StaffMember, *days_ago: int) -> Patient:
    """``patient`` with superficial chemical peels ``days_ago``, their window stored."""
    peel = base_protocol(PEEL)
    for days in days_ago:
        treat(
            patient,
            staff,
            NOW - timedelta(days=days),
            factors={},
            protocol_id=peel.effective_id,
            protocol_version=peel.version,
        )
    refresh_booking(patient)
    return patient


def test_each_course_is_counted_by_its_own_procedure_and_named(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    enable_procedures(clinic, "microneedling", PEEL)
    treated(person(clinic, "Mia", "Needling"), practitioner, 30)
    # The peel's gap is 21 to 35 days, and its course 4 sessions: microneedling's is
    # 28 to 42 days, of 3.
    peeled(person(clinic, "Pia", "Peel"), practitioner, 21)
    assert rows(staff_client) == [
        [
            "Mia Needling",
            "Session 2 of 3 Medical microneedling",
            "Thu 19 Nov 2026 to Thu 3 Dec 2026",
            "Open: 12 days left",
        ],
        [
            "Pia Peel",
            "Session 2 of 4 Superficial chemical peel",
            "Sat 21 Nov 2026 to Sat 5 Dec 2026",
            "Open: 14 days left",
        ],
    ]


def test_a_clinic_of_one_procedure_does_not_name_it(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    enable_procedures(clinic, PEEL)
    peeled(person(clinic, "Pia", "Peel"), practitioner, 21)
    assert [row[1] for row in rows(staff_client)] == ["Session 2 of 4"]


def test_a_window_longer_than_microneedlings_is_still_listed(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    # The peel's gap widened to a year: its window closes further ahead than any of
    # microneedling's, and the list's bound must follow the longer one.
    set_overlay(clinic, LONG_PEEL_GAP, PEEL)
    enable_procedures(clinic, "microneedling", PEEL)
    peeled(person(clinic, "Pia", "Peel"), practitioner, 30)
    assert rows(staff_client) == [
        [
            "Pia Peel",
            "Session 2 of 4 Superficial chemical peel",
            "Thu 12 Nov 2026 to Fri 22 Oct 2027",
            "Open: 335 days left",
        ]
    ]


def record(api_client: Client, patient: Patient, procedure: str, days_ago: int) -> None:
    """A treatment of ``procedure`` recorded through the API, as a booking system does."""
    when = (NOW - timedelta(days=days_ago)).isoformat()
    body = {"procedure": procedure, "treated_at": when, "override_reason": "x" * 20}
    ok(post(api_client, f"/api/v1/patients/{patient.pk}/treatments", body), 201)


NEEDLING_SESSION_2 = [
    "Alice Patient",
    "Session 2 of 3 Medical microneedling",
    "Thu 19 Nov 2026 to Thu 3 Dec 2026",
]
PEEL_SESSION_2 = [
    "Alice Patient",
    "Session 2 of 4 Superficial chemical peel",
    "Wed 2 Dec 2026 to Wed 16 Dec 2026",
]


def test_a_peel_keeps_the_microneedling_course_due_to_book_and_each_shows_in_time(
    api_client: Client,
    staff_client: Client,
    clinic: Clinic,
    patient: Patient,
    practitioner: StaffMember,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enable_procedures(clinic, "microneedling", PEEL)
    record(api_client, patient, "microneedling", 30)
    # The peel, later: microneedling's window stays; the peel's opens 21 days after it.
    record(api_client, patient, PEEL, 10)
    assert rows(staff_client) == [[*NEEDLING_SESSION_2, "Open: 12 days left"]]

    set_now(monkeypatch, NOW + timedelta(days=11))
    staff_client.force_login(practitioner.user)
    assert rows(staff_client) == [
        [*NEEDLING_SESSION_2, "Closing: 1 day left"],
        [*PEEL_SESSION_2, "Open: 14 days left"],
    ]

    set_now(monkeypatch, NOW + timedelta(days=20))
    staff_client.force_login(practitioner.user)
    assert rows(staff_client) == [
        [*NEEDLING_SESSION_2, "Overdue: closed 8 days ago"],
        [*PEEL_SESSION_2, "Closing: 5 days left"],
    ]


def test_a_session_of_one_course_moves_only_its_window(
    api_client: Client, staff_client: Client, clinic: Clinic, patient: Patient
) -> None:
    enable_procedures(clinic, "microneedling", PEEL)
    record(api_client, patient, PEEL, 25)
    record(api_client, patient, "microneedling", 30)
    # The peel's window closes first (in 10 days), microneedling's in 12.
    assert [row[1] for row in rows(staff_client)] == [
        "Session 2 of 4 Superficial chemical peel",
        "Session 2 of 3 Medical microneedling",
    ]
    # Microneedling's second session, today: its next window is weeks away.
    record(api_client, patient, "microneedling", 0)
    assert [row[1] for row in rows(staff_client)] == ["Session 2 of 4 Superficial chemical peel"]
    today = NOW.date()
    assert stored(patient) == [
        (PEEL, "session", 2, today - timedelta(4), today + timedelta(10)),
        ("microneedling", "session", 3, today + timedelta(28), today + timedelta(42)),
    ]


def test_cancelling_the_only_session_of_a_course_drops_its_window_alone(
    staff_client: Client, clinic: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    enable_procedures(clinic, "microneedling", PEEL)
    treated(patient, practitioner, 30)
    peeled(patient, practitioner, 21)
    patient.treatments.filter(protocol_id=PEEL).update(cancelled_at=NOW)
    refresh_booking(patient)
    assert [row[0] for row in stored(patient)] == ["microneedling"]


def test_a_clinic_that_changes_the_peels_rules_moves_only_the_peels_windows(
    clinic: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    enable_procedures(clinic, "microneedling", PEEL)
    treated(patient, practitioner, 30)
    peeled(patient, practitioner, 10)
    before = stored(patient)
    set_overlay(clinic, LONG_PEEL_GAP, PEEL)
    assert refresh_clinic_bookings(clinic, clinic_protocol(clinic, PEEL)) == 1
    after = stored(patient)
    assert after[1] == before[1]  # microneedling's, as it was
    assert after[0][4] == NOW.date() - timedelta(10) + timedelta(365)


def test_a_course_of_a_procedure_no_longer_performed_is_still_named(
    staff_client: Client, clinic: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    enable_procedures(clinic, "microneedling", PEEL)
    treated(patient, practitioner, 30)
    peeled(patient, practitioner, 21)
    enable_procedures(clinic, "microneedling")
    assert [row[1] for row in rows(staff_client)] == [
        "Session 2 of 3 Medical microneedling",
        "Session 2 of 4 Superficial chemical peel",
    ]


def test_a_course_whose_protocol_was_removed_keeps_its_window_and_blocks_nothing(
    patient: Patient, practitioner: StaffMember
) -> None:
    # A clinic's own procedure whose file was taken out of AFTERCARE_PROTOCOLS_DIR.
    treat(patient, practitioner, NOW - timedelta(days=60), protocol_id="retired")
    opens, closes = NOW.date() - timedelta(days=2), NOW.date() + timedelta(days=5)
    CourseBooking.objects.create(
        clinic=patient.clinic,
        patient=patient,
        procedure="retired",
        kind=BookingKind.SESSION,
        session=2,
        opens=opens,
        closes=closes,
    )
    treated(patient, practitioner, 3)
    found = stored(patient)
    assert found[0][0] == "microneedling"
    assert found[1] == ("retired", "session", 2, opens, closes)
