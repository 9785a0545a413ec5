"""The length of each course planned per procedure: the staff form asks for each of the
clinic's procedures within its own protocol's bounds, and every reader counts a course by
its own length (the patient page, the dashboard, the portal, the API, the stored windows,
the leaflet's subject).

Alice (``patient``) is at the Alpha clinic, which performs microneedling and the peel
(whose course is usually 4 sessions, planned with 2 to 6; microneedling's usually 3,
planned with 3 to 6); ``api_client`` is its booking system.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.booking import refresh_clinic_bookings
from aftercare.web.care.export_subject import treatment_subject
from aftercare.web.clinic.models import (
    BookingKind,
    Clinic,
    Patient,
    PlannedCourse,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import clinic_protocol
from tests.web.conftest import enable_procedures
from tests.web.test_api_access import fields, ok, patch, post, problem
from tests.web.test_booking import rows, stored
from tests.web.test_booking_courses import PEEL, peeled
from tests.web.test_course import patient_form, planned
from tests.web.test_patient_courses import course_sections, needled, staff_page
from tests.web.test_portal_plan import page, sign_in, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def both(clinic: Clinic) -> Clinic:
    enable_procedures(clinic, "microneedling", PEEL)
    return clinic


def edit_url(patient: Patient) -> str:
    return reverse("staff:patient_edit", args=[patient.pk])


def patient_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}"


# --- the staff form ----------------------------------------------------------------------


def test_the_form_asks_the_length_of_each_procedures_course_within_its_bounds(
    staff_client: Client, both: Clinic, patient: Patient
) -> None:
    shown = text(staff_client.get(edit_url(patient)).content.decode())
    complete = "The course is complete at this number; then maintenance is planned."
    # Microneedling first, as the clinic's default procedure.
    assert (
        f"Sessions planned for the course: Medical microneedling {complete} "
        "The usual course (3 sessions) 3 sessions 4 sessions 5 sessions 6 sessions "
        f"Sessions planned for the course: Superficial chemical peel {complete} "
        "The usual course (4 sessions) 2 sessions 3 sessions 4 sessions 5 sessions 6 sessions "
        "Save changes" in shown
    )


def test_a_length_chosen_for_the_peel_leaves_microneedling_at_its_usual(
    staff_client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    chosen = patient_form(patient, **{"sessions_microneedling": "", "sessions_chemical-peel": "5"})
    assert staff_client.post(edit_url(patient), chosen).status_code == 302
    assert planned(patient) == {PEEL: 5}
    needled(patient, practitioner, 60, 30)
    peeled(patient, practitioner, 25)
    sections = course_sections(staff_page(staff_client, patient))
    assert [re.findall(r"Sessions (\d of \d);", section) for section in sections] == [
        ["1 of 5"],
        ["2 of 3"],
    ]
    assert [row[1] for row in rows(staff_client)] == [
        "Session 2 of 5 Superficial chemical peel",
        "Session 3 of 3 Medical microneedling",
    ]
    # The edit form shows each choice as saved, and saving again keeps it.
    form = staff_client.get(edit_url(patient)).content.decode()
    assert '<option value="5" selected>5 sessions</option>' in form
    assert staff_client.post(edit_url(patient), chosen).status_code == 302
    assert planned(patient) == {PEEL: 5}


def test_a_length_outside_the_peels_bounds_is_refused_for_the_peel_alone(
    staff_client: Client, both: Clinic, patient: Patient
) -> None:
    refused = patient_form(
        patient, **{"sessions_microneedling": "2", "sessions_chemical-peel": "2"}
    )
    response = staff_client.post(edit_url(patient), refused)
    assert response.status_code == 200
    shown = text(response.content.decode())
    # Two sessions is a peel course the protocol plans, not a microneedling one.
    assert shown.count("Select a valid choice. 2 is not one of the available choices.") == 1
    assert planned(patient) == {}


def test_a_clinic_of_one_procedure_asks_one_unnamed_length(
    staff_client: Client, clinic: Clinic, patient: Patient
) -> None:
    enable_procedures(clinic, PEEL)
    form = staff_client.get(edit_url(patient)).content.decode()
    assert "Sessions planned for the course</label>" in form
    assert 'name="sessions_chemical-peel"' in form
    assert 'name="sessions_microneedling"' not in form


# --- the portal, the stored windows, the leaflet -------------------------------------------


def test_every_reader_counts_each_course_by_its_own_length(
    client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    PlannedCourse.objects.create(patient=patient, procedure=PEEL, sessions=2)
    needled(patient, practitioner, 30)
    peeled(patient, practitioner, 60, 30)
    # The peel's two sessions complete its course: maintenance next; microneedling's
    # course of 3 has its second session to book.
    assert [row[:3] for row in stored(patient)] == [
        (PEEL, BookingKind.MAINTENANCE, None),
        ("microneedling", BookingKind.SESSION, 2),
    ]
    sign_in(client, patient)
    shown = text(page(client, "course"))
    assert "Superficial chemical peel: session 2 of 2" in shown
    assert "Medical microneedling: session 1 of 3" in shown
    peel, needling = (
        Treatment.objects.filter(protocol_id=PEEL).latest("treated_at"),
        Treatment.objects.get(protocol_id__startswith="microneedling"),
    )
    assert treatment_subject(patient, peel).course_sessions == 2
    assert treatment_subject(patient, needling).course_sessions is None


def test_the_peels_rules_changing_store_its_windows_by_its_own_length(
    both: Clinic, patient: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    other_patient.clinic = both
    other_patient.save()
    PlannedCourse.objects.create(patient=patient, procedure=PEEL, sessions=2)
    PlannedCourse.objects.create(patient=other_patient, procedure="microneedling", sessions=2)
    for person in (patient, other_patient):
        peeled(person, practitioner, 60, 30)
    patient.bookings.all().delete()
    other_patient.bookings.all().delete()
    assert refresh_clinic_bookings(both, clinic_protocol(both, PEEL)) == 2
    assert [row[:3] for row in stored(patient)] == [(PEEL, BookingKind.MAINTENANCE, None)]
    # A microneedling length says nothing of the peel: its usual 4.
    assert [row[:3] for row in stored(other_patient)] == [(PEEL, BookingKind.SESSION, 3)]


# --- the API -------------------------------------------------------------------------------


def test_course_sessions_plans_microneedling_and_courses_any_procedure(
    api_client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    shown = ok(patch(api_client, patient_url(patient), {"course_sessions": 5}))
    assert (shown["course_sessions"], shown["courses"]) == (5, {"microneedling": 5})
    shown = ok(patch(api_client, patient_url(patient), {"courses": {PEEL: 6}}))
    assert (shown["course_sessions"], shown["courses"]) == (5, {"microneedling": 5, PEEL: 6})
    needled(patient, practitioner, 30)
    peeled(patient, practitioner, 10)
    course = ok(api_client.get(f"{patient_url(patient)}/course"))
    assert (course["procedure"], course["sessions_planned"]) == (PEEL, 6)
    course = ok(api_client.get(f"{patient_url(patient)}/course?procedure=microneedling"))
    assert course["sessions_planned"] == 5
    shown = ok(patch(api_client, patient_url(patient), {"courses": {"microneedling": None}}))
    assert (shown["course_sessions"], shown["courses"]) == (None, {PEEL: 6})
    listed = ok(api_client.get("/api/v1/patients"))["items"]
    assert [(p["course_sessions"], p["courses"]) for p in listed] == [(None, {PEEL: 6})]


def test_a_new_patient_is_created_with_each_course_planned(
    api_client: Client, both: Clinic
) -> None:
    body = {"given_name": "Carol", "family_name": "Jones", "courses": {PEEL: 2}}
    created = ok(post(api_client, "/api/v1/patients", body | {"course_sessions": 6}), 201)
    assert (created["course_sessions"], created["courses"]) == (6, {"microneedling": 6, PEEL: 2})
    assert planned(Patient.objects.get(pk=created["id"])) == {"microneedling": 6, PEEL: 2}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"courses": {PEEL: 7}},
            "body.courses.chemical-peel",
            "Select a valid choice. 7 is not one of the available choices (2, 3, 4, 5, 6).",
        ),
        (
            # Two sessions is a peel course, not a microneedling one.
            {"course_sessions": 2},
            "body.course_sessions",
            "Select a valid choice. 2 is not one of the available choices (3, 4, 5, 6).",
        ),
        (
            {"courses": {"tattoo": 4}},
            "body.courses.tattoo",
            "the clinic does not perform 'tattoo'; it performs: microneedling, chemical-peel",
        ),
        (
            {"course_sessions": 4, "courses": {"microneedling": 5}},
            "body.course_sessions",
            "differs from courses.microneedling, the same course; send one of them",
        ),
    ],
)
def test_a_length_a_protocol_does_not_plan_is_refused_naming_the_field(
    api_client: Client,
    both: Clinic,
    patient: Patient,
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    refused = problem(patch(api_client, patient_url(patient), body), 422)
    assert fields(refused) == {field: message}
    assert planned(patient) == {}


def test_in_a_clinic_without_microneedling_course_sessions_plans_its_first_procedure(
    api_client: Client, clinic: Clinic, patient: Patient
) -> None:
    enable_procedures(clinic, PEEL)
    shown = ok(patch(api_client, patient_url(patient), {"course_sessions": 2}))
    assert (shown["course_sessions"], shown["courses"]) == (2, {PEEL: 2})
    refused = problem(
        patch(api_client, patient_url(patient), {"courses": {"microneedling": 4}}), 422
    )
    assert fields(refused) == {
        "body.courses.microneedling": "the clinic does not perform 'microneedling'; it "
        "performs: chemical-peel"
    }
