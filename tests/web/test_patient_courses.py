"""A patient on a course of two procedures: the staff patient page, the portal's course
page and the API's course routes show each course, counted by its own procedure.

Alice (``patient``) is at the Alpha clinic, which performs microneedling and the peel;
``api_client`` is its booking system. She had microneedling 60 and 30 days ago and a
superficial chemical peel 10 days ago: her latest treatment is the peel.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import CheckIn, Clinic, Patient, StaffMember, Treatment
from tests.web.conftest import CHAIN_QUERIES, NOW, enable_procedures
from tests.web.test_api_access import fields, ok, problem
from tests.web.test_api_me import Browser
from tests.web.test_booking_courses import PEEL, peeled
from tests.web.test_portal_plan import page, sign_in, text, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

# NOW is Sat 21 Nov 2026, 14:30 in London.
NEEDLING_COURSE = {
    "procedure": "microneedling",
    "sessions_done": 2,
    "sessions_planned": 3,
    "last_session": "2026-10-22",
    "next_earliest": "2026-11-19",  # 28 to 42 days after 22 Oct
    "next_latest": "2026-12-03",
    "next_verdict": "within_window",
    # 6 to 12 months after the third session, due 19 Nov to 3 Dec.
    "maintenance_earliest": "2027-05-19",
    "maintenance_latest": "2027-12-03",
    "late_sessions": [],
}


def needled(patient: Patient, staff: StaffMember, *days_ago: int) -> list[Treatment]:
    return [treat(patient, staff, NOW - timedelta(days=days)) for days in days_ago]


@pytest.fixture
def both(clinic: Clinic) -> Clinic:
    enable_procedures(clinic, "microneedling", PEEL)
    return clinic


@pytest.fixture
def on_two_courses(both: Clinic, patient: Patient, practitioner: StaffMember) -> Patient:
    needled(patient, practitioner, 60, 30)
    return peeled(patient, practitioner, 10)


def staff_page(client: Client, patient: Patient) -> str:
    return text(client.get(reverse("staff:patient", args=[patient.pk])).content.decode())


def course_sections(shown: str) -> list[str]:
    """The patient page's course sections, as read, each up to the next heading."""
    after = shown.split(" Treatments ", 1)[1]
    return re.findall(r" Course(.*?)(?= Course| Messages )", after)


# --- the staff patient page --------------------------------------------------------------


def test_the_staff_page_shows_each_course_the_latest_first_named(
    staff_client: Client, on_two_courses: Patient
) -> None:
    assert course_sections(staff_page(staff_client, on_two_courses)) == [
        ": Superficial chemical peel "
        "Peels are spaced so the skin can heal fully in between; after the course, "
        "occasional peels keep the result. "
        "Sessions 1 of 4; the last on Wed 11 Nov 2026 "
        "Next session Wed 2 Dec 2026 to Wed 16 Dec 2026. Too early today. "
        "Maintenance Sat 13 Feb 2027 to Mon 24 May 2027",
        ": Medical microneedling "
        "Sessions are spaced so the skin can heal and build collagen in between; after the "
        "course, maintenance sessions keep the result. "
        "Sessions 2 of 3; the last on Thu 22 Oct 2026 "
        "Next session Thu 19 Nov 2026 to Thu 3 Dec 2026. Within the window today. "
        "Maintenance Wed 19 May 2027 to Fri 3 Dec 2027",
    ]


def test_a_patient_on_one_course_sees_it_unnamed_as_before(
    staff_client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    needled(patient, practitioner, 60, 30)
    [section] = course_sections(staff_page(staff_client, patient))
    assert section.startswith(" Procedure: Medical microneedling Sessions are spaced")
    assert "Sessions 2 of 3; the last on Thu 22 Oct 2026" in section


def test_a_course_whose_sessions_were_all_cancelled_is_not_shown(
    staff_client: Client, on_two_courses: Patient
) -> None:
    Treatment.objects.filter(protocol_id__startswith=PEEL).update(cancelled_at=NOW)
    [section] = course_sections(staff_page(staff_client, on_two_courses))
    assert section.startswith(" Procedure: Medical microneedling")


def test_a_second_course_costs_no_query_per_treatment(
    staff_client: Client,
    both: Clinic,
    patient: Patient,
    practitioner: StaffMember,
    colleague: StaffMember,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(8):
        needling, peel = (
            needled(patient, practitioner, number * 60 + 31)[0],
            peeled(patient, practitioner, number * 60 + 1),
        )
        for treatment in (needling, *Treatment.objects.filter(pk__gt=needling.pk)):
            CheckIn.objects.create(
                treatment=treatment, level="expected", hours_after=5, reviewed_by=colleague
            )
    assert peel.bookings.count() == 2
    # The bound of a patient on one course (test_staff_patients).
    with django_assert_max_num_queries(10 + CHAIN_QUERIES + 3):
        response = staff_client.get(reverse("staff:patient", args=[patient.pk]))
    assert response.text.count("level level-expected") == 16
    assert [section[:28] for section in course_sections(text(response.text))] == [
        ": Superficial chemical peel ",
        ": Medical microneedling Sess",
    ]


# --- the portal ------------------------------------------------------------------------


def test_the_portal_shows_each_course_under_its_procedures_name(
    client: Client, on_two_courses: Patient
) -> None:
    sign_in(client, on_two_courses)
    html = page(client, "course")
    assert "<h1>Your sessions</h1>" in html
    shown = text(html)
    assert shown.split("Your sessions ", 2)[2].split(" Questions or worries?")[0] == (
        "Superficial chemical peel: session 1 of 4 Next session Between Wed 2 Dec 2026 and "
        "Wed 16 Dec 2026. It is too early for your next session yet. After your last session "
        "Once your course of 4 sessions is complete, a maintenance session is due between "
        "Sat 13 Feb 2027 and Mon 24 May 2027. Your sessions so far Wed 11 Nov 2026 "
        "Peels are spaced so the skin can heal fully in between; after the course, "
        "occasional peels keep the result. "
        "Medical microneedling: session 2 of 3 Next session Between Thu 19 Nov 2026 and "
        "Thu 3 Dec 2026. You are within this window now: call the clinic to book if you have "
        "not already. After your last session Once your course of 3 sessions is complete, a "
        "maintenance session is due between Wed 19 May 2027 and Fri 3 Dec 2027. Your "
        "sessions so far Tue 22 Sep 2026 Thu 22 Oct 2026 Sessions are spaced so the skin "
        "can heal and build collagen in between; after the course, maintenance sessions "
        "keep the result."
    )
    # Each heading's id is its own.
    assert html.count('id="chemical-peel-next-heading"') == 1
    assert html.count('id="microneedling-next-heading"') == 1


def test_the_portal_shows_one_course_as_it_always_has(
    client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    peeled(patient, practitioner, 10)
    sign_in(client, patient)
    html = page(client, "course")
    assert '<h1 id="course-heading">Session 1 of 4</h1>' in html
    assert "Superficial chemical peel" not in text(html)


# --- the API ---------------------------------------------------------------------------


def course_url(patient: Patient, procedure: str | None = None) -> str:
    url = f"/api/v1/patients/{patient.pk}/course"
    return url if procedure is None else f"{url}?procedure={procedure}"


def test_the_api_answers_the_latest_course_by_default_and_each_when_asked(
    api_client: Client, on_two_courses: Patient
) -> None:
    latest = ok(api_client.get(course_url(on_two_courses)))
    assert (latest["procedure"], latest["sessions_done"], latest["sessions_planned"]) == (
        PEEL,
        1,
        4,
    )
    assert ok(api_client.get(course_url(on_two_courses, PEEL))) == latest
    assert ok(api_client.get(course_url(on_two_courses, "microneedling"))) == NEEDLING_COURSE


def test_the_api_refuses_a_procedure_there_is_none_of(
    api_client: Client, on_two_courses: Patient
) -> None:
    refused = problem(api_client.get(course_url(on_two_courses, "tattoo")), 422)
    assert fields(refused) == {
        "query.procedure": "there is no procedure 'tattoo'; there are: chemical-peel, microneedling"
    }


def test_the_api_says_the_patient_has_no_course_of_a_procedure_never_given(
    api_client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    needled(patient, practitioner, 30)
    refused = problem(api_client.get(course_url(patient, PEEL)), 404)
    assert refused["detail"] == "This patient has no treatments of chemical-peel."


def test_the_patients_own_course_route_takes_the_procedure_too(
    on_two_courses: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    alice = Browser(on_two_courses)
    assert ok(alice.get("course"))["procedure"] == PEEL
    assert ok(alice.get("course", {"procedure": "microneedling"})) == NEEDLING_COURSE
    bob = Browser(other_patient)
    refused = problem(bob.get("course", {"procedure": PEEL}), 404)
    assert refused["detail"] == "You have no treatments of chemical-peel."
