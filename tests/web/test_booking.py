"""Who is due to book: the windows kept by the write paths (one per patient and
procedure), and the dashboard's "Due to book" list read a page at a time from them."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from aftercare.web.booking import refresh_booking
from aftercare.web.clinic.models import BookingKind, Clinic, Patient, StaffMember
from tests.web.conftest import (
    CHAIN_QUERIES,
    NOW,
    make_clinic,
    make_staff,
)
from tests.web.test_clinic_admin import SETTINGS, admin, as_admin, settings_data
from tests.web.test_portal_plan import treat
from tests.web.test_staff_treatments import form, post, screened

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]
__all__ = ["admin", "as_admin"]  # fixtures used here

# NOW is Sat 21 Nov 2026, 14:30 in London.


def treated(patient: Patient, staff: StaffMember, *days_ago: int) -> Patient:
    """``patient`` with sessions ``days_ago``, their window stored as the write paths do."""
    for days in days_ago:
        treat(patient, staff, NOW - timedelta(days=days))
    refresh_booking(patient)
    return patient


def person(clinic: Clinic, given: str, family: str = "Booker") -> Patient:
    return Patient.objects.create(clinic=clinic, given_name=given, family_name=family)


class _Cells(HTMLParser):
    """The text of each body row's cells, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def rows(client: Client, **query: str) -> list[list[str]]:
    """The "Due to book" table as a person reads it: one list of cells a row."""
    page = client.get("/clinic/", query).content.decode()
    parser = _Cells()
    parser.feed(page[page.index('<h2 id="book-heading">') :])
    return parser.rows[1:]  # after the heading row


def test_it_lists_open_closing_overdue_and_maintenance_soonest_to_close_first(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    treated(person(clinic, "Olga", "Open"), practitioner, 30)
    treated(person(clinic, "Clara", "Closing"), practitioner, 38)
    treated(person(clinic, "Owen", "Overdue"), practitioner, 45)
    treated(person(clinic, "Mia", "Maintenance"), practitioner, 300, 260, 220)
    assert rows(staff_client) == [
        [
            "Owen Overdue",
            "Session 2 of 3",
            "Wed 4 Nov 2026 to Wed 18 Nov 2026",
            "Overdue: closed 3 days ago",
        ],
        [
            "Clara Closing",
            "Session 2 of 3",
            "Wed 11 Nov 2026 to Wed 25 Nov 2026",
            "Closing: 4 days left",
        ],
        ["Olga Open", "Session 2 of 3", "Thu 19 Nov 2026 to Thu 3 Dec 2026", "Open: 12 days left"],
        [
            "Mia Maintenance",
            "Maintenance",
            "Thu 15 Oct 2026 to Thu 15 Apr 2027",
            "Open: 145 days left",
        ],
    ]


def test_each_patient_links_to_their_page(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    olga = treated(person(clinic, "Olga"), practitioner, 30)
    page = staff_client.get("/clinic/").content.decode()
    section = page[page.index('<h2 id="book-heading">') :]
    assert f'<a href="/clinic/patients/{olga.pk}/">Olga Booker</a>' in section


@pytest.mark.parametrize(
    ("days_ago", "shown"),
    [
        (27, False),  # opens tomorrow
        (28, True),  # opened today
        (42, True),  # closes today: "Closing: last day today"
        (70, True),  # closed 28 days ago
        (71, False),  # closed 29 days ago: no longer listed
    ],
)
def test_a_window_is_listed_from_the_day_it_opens_to_four_weeks_after_it_closed(
    staff_client: Client, patient: Patient, practitioner: StaffMember, days_ago: int, shown: bool
) -> None:
    treated(patient, practitioner, days_ago)
    assert bool(rows(staff_client)) is shown


def test_the_last_day_and_one_day_read_as_a_person_says_them(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    treated(person(clinic, "Lara", "Last"), practitioner, 42)
    treated(person(clinic, "Tom", "Tomorrow"), practitioner, 41)
    treated(person(clinic, "Yan", "Yesterday"), practitioner, 43)
    assert [row[3] for row in rows(staff_client)] == [
        "Overdue: closed 1 day ago",
        "Closing: last day today",
        "Closing: 1 day left",
    ]


def test_a_course_under_way_is_not_due_for_maintenance_and_a_complete_one_is(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    # Two sessions of three, the second 100 days ago: the third is long overdue, and its
    # maintenance (counted from a third not yet given) is not yet due.
    treated(person(clinic, "Una", "Underway"), practitioner, 140, 100)
    # Three of three, the last 190 days ago: maintenance opened six months on.
    treated(person(clinic, "Cara", "Complete"), practitioner, 260, 225, 190)
    assert rows(staff_client) == [
        [
            "Cara Complete",
            "Maintenance",
            "Sun 15 Nov 2026 to Sat 15 May 2027",
            "Open: 175 days left",
        ],
    ]


def test_another_clinics_patients_never_show(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    other = make_clinic("other")
    stranger = person(other, "Sven", "Stranger")
    treated(stranger, make_staff("elsewhere", other), 30)
    treated(patient, practitioner, 30)
    assert [row[0] for row in rows(staff_client)] == ["Alice Patient"]


def test_an_untreated_patient_has_no_window(staff_client: Client, patient: Patient) -> None:
    refresh_booking(patient)
    assert rows(staff_client) == []
    assert "No patients are due to book." in staff_client.get("/clinic/").content.decode()


def test_it_shows_fifty_at_a_time_in_bounded_queries(
    staff_client: Client,
    clinic: Clinic,
    practitioner: StaffMember,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for index in range(55):
        # Later numbers were treated earlier, so their windows close sooner.
        treated(person(clinic, f"P{index:02d}", "Q"), practitioner, 28 + (54 - index) // 4)
    # Passed over by the index: windows not yet open, and those closed long ago.
    for index in range(20):
        treated(person(clinic, f"N{index:02d}", "Q"), practitioner, 3)
        treated(person(clinic, f"L{index:02d}", "Q"), practitioner, 200)
    # One more than before procedures: the clinic's procedures, read once a request.
    with django_assert_max_num_queries(13 + CHAIN_QUERIES):
        first = rows(staff_client)
    second = rows(staff_client, book_page="2")
    page = staff_client.get("/clinic/", {"book_page": "2"}).content.decode()
    beyond = staff_client.get("/clinic/", {"book_page": "3"}).content.decode()

    names = [row[0] for row in first + second]
    assert len(first) == 50 and len(second) == 5
    assert sorted(names) == [f"P{index:02d} Q" for index in range(55)]
    closing = [row[2].rsplit(" to ", 1)[1] for row in first + second]
    assert (closing[0], closing[-1]) == ("Sun 22 Nov 2026", "Sat 5 Dec 2026")
    assert 'aria-label="Pages of patients due to book"' in page
    assert "51 to 55" in page
    assert 'href="?book_page=1#book-heading" rel="prev"' in page
    assert "No more patients are due to book." in beyond


# The write paths keep the window


def stored(patient: Patient) -> list[tuple[Any, ...]]:
    """``patient``'s windows as stored: procedure, kind, session, opening and closing day."""
    return list(
        patient.bookings.order_by("procedure").values_list(
            "procedure", "kind", "session", "opens", "closes"
        )
    )


def test_recording_editing_and_cancelling_a_treatment_keep_the_window(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    screened(patient, practitioner, {"pregnant": False}, NOW - timedelta(days=7))
    assert post(staff_client, patient, form()).status_code == 302
    treatment = patient.treatments.get()
    today = NOW.date()
    window = ("microneedling", "session", 2, today + timedelta(28), today + timedelta(42))
    assert stored(patient) == [window]

    edit = reverse("staff:treatment_edit", args=[patient.pk, treatment.pk])
    assert staff_client.post(edit, form(treated_on="2026-11-20")).status_code == 302
    assert stored(patient)[0][3:] == (today + timedelta(27), today + timedelta(41))

    cancel = reverse("staff:treatment_cancel", args=[patient.pk, treatment.pk])
    assert staff_client.post(cancel, {"confirm": "yes"}).status_code == 302
    assert stored(patient) == []


def test_choosing_a_longer_course_turns_maintenance_into_the_next_session(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 120, 90, 60)
    assert stored(patient)[0][1:3] == (BookingKind.MAINTENANCE, None)
    edit = reverse("staff:patient_edit", args=[patient.pk])
    data = {"given_name": "Alice", "family_name": "Patient", "preferred_channel": "none"}
    assert staff_client.post(edit, data | {"sessions_microneedling": "4"}).status_code == 302
    assert rows(staff_client) == [
        [
            "Alice Patient",
            "Session 4 of 4",
            "Tue 20 Oct 2026 to Tue 3 Nov 2026",
            "Overdue: closed 18 days ago",
        ],
    ]


LONGER_GAP = """\
id: harbour
protocol: microneedling
title: Harbour rules
changes:
  - item: course
    set: {min_gap_days: 35}
"""


def test_a_clinic_that_lengthens_the_gap_moves_every_window(
    as_admin: Client, clinic: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 30)
    assert len(rows(as_admin)) == 1
    assert as_admin.post(SETTINGS, settings_data(overlay_yaml=LONGER_GAP)).status_code == 302
    assert stored(patient)[0][3] == NOW.date() + timedelta(days=5)
    assert rows(as_admin) == []
