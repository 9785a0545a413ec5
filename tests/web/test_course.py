"""The course: its length chosen per patient, the override for a seventh session or one
within four weeks, late sessions shown, and the same maintenance dates on every surface.

Alice (``patient``) is screened eligible; the practitioner records her sessions in the
staff pages, the clinic's booking system through the API (``api_client``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    AuditEvent,
    Patient,
    PlannedCourse,
    Screening,
    StaffMember,
    Treatment,
)
from tests.web.conftest import NOW
from tests.web.test_api_access import ok, patch, post
from tests.web.test_export_pdf import leaflet_url
from tests.web.test_export_pdf import text as pdf_text
from tests.web.test_portal_plan import page, sign_in, text, treat
from tests.web.test_staff_treatments import errors, form, screened
from tests.web.test_staff_treatments import post as post_treatment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

# The session the form records: 21 Nov 2026 at 10:30, London (GMT).
NEW_SESSION = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
OVERRIDE_REASON = "Patient asked for a top-up before her wedding."


@pytest.fixture
def eligible(patient: Patient, practitioner: StaffMember) -> Screening:
    return screened(patient, practitioner, {"pregnant": False}, NOW - timedelta(days=7))


def sessions(patient: Patient, staff: StaffMember, *days_ago: int) -> list[Treatment]:
    return [treat(patient, staff, NOW - timedelta(days=days)) for days in days_ago]


def staff_page(client: Client, patient: Patient) -> str:
    return text(client.get(reverse("staff:patient", args=[patient.pk])).content.decode())


def planned(patient: Patient) -> dict[str, int]:
    """The sessions planned for each of ``patient``'s courses given a length."""
    return dict(PlannedCourse.objects.filter(patient=patient).values_list("procedure", "sessions"))


def patient_form(patient: Patient, **changes: Any) -> dict[str, Any]:
    data = {"given_name": patient.given_name, "family_name": patient.family_name}
    return data | {"preferred_channel": "none"} | changes


# The length chosen per patient


def test_staff_choose_the_course_length_and_the_course_completes_there(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    url = reverse("staff:patient_edit", args=[patient.pk])
    choices = staff_client.get(url).content.decode()
    assert '<option value="" selected>The usual course (3 sessions)</option>' in choices
    assert '<option value="6">6 sessions</option>' in choices
    assert '<option value="2">' not in choices
    chosen = patient_form(patient, sessions_microneedling="4")
    assert staff_client.post(url, chosen).status_code == 302
    assert planned(patient) == {"microneedling": 4}
    sessions(patient, practitioner, 90, 60, 30)
    shown = staff_page(staff_client, patient)
    assert "Sessions 3 of 4; the last on Thu 22 Oct 2026" in shown
    assert "Next session Thu 19 Nov 2026 to Thu 3 Dec 2026." in shown


@pytest.mark.parametrize("value", ["2", "7", "three"])
def test_a_course_length_outside_three_to_six_is_refused(
    staff_client: Client, patient: Patient, value: str
) -> None:
    url = reverse("staff:patient_edit", args=[patient.pk])
    response = staff_client.post(url, patient_form(patient, sessions_microneedling=value))
    assert response.status_code == 200
    assert f"Select a valid choice. {value} is not one of the available choices." in text(
        response.content.decode()
    ).replace("&#x27;", "'")
    assert planned(patient) == {}


def test_the_api_records_the_course_length_and_reports_the_course(
    api_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    url = f"/api/v1/patients/{patient.pk}"
    assert ok(patch(api_client, url, {"course_sessions": 5}))["course_sessions"] == 5
    sessions(patient, practitioner, 30)
    course = ok(api_client.get(f"{url}/course"))
    assert (course["sessions_done"], course["sessions_planned"]) == (1, 5)
    refused = patch(api_client, url, {"course_sessions": 7})
    assert refused.status_code == 422
    assert "7 is not one of the available choices" in refused.content.decode()


# The override


def test_a_seventh_session_needs_an_override_with_a_reason(
    staff_client: Client, patient: Patient, practitioner: StaffMember, eligible: Screening
) -> None:
    sessions(patient, practitioner, 300, 250, 200, 150, 100, 50)
    refused = post_treatment(staff_client, patient, form())
    assert refused.status_code == 200
    assert errors(refused) == (
        "This would be session 7; a course is at most 6 sessions. "
        "Tick 'Treat outside the course plan' and say why."
    )
    short = post_treatment(staff_client, patient, form(course_override="on"))
    assert errors(short) == (
        "Say why you are treating outside the course plan, in at least 10 characters."
    )
    saved = post_treatment(
        staff_client,
        patient,
        form(course_override="on", course_override_reason=OVERRIDE_REASON),
    )
    assert saved.status_code == 302
    treatment = Treatment.objects.latest("treated_at")
    assert treatment.course_override_reason == OVERRIDE_REASON
    assert AuditEvent.objects.filter(action="treatment.course_override").count() == 1
    detail = staff_client.get(saved["Location"]).content.decode()
    assert f"<dt>Treated outside the course plan</dt><dd>{OVERRIDE_REASON}</dd>" in detail.replace(
        "&#x27;", "'"
    )


@pytest.mark.parametrize(("days_before", "refused"), [(27, True), (28, False)])
def test_a_session_within_four_weeks_of_the_previous_needs_an_override(
    staff_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    eligible: Screening,
    days_before: int,
    refused: bool,
) -> None:
    # The new session is on 21 Nov at 10:30; the previous one at the same local time.
    treat(
        patient,
        practitioner,
        NEW_SESSION - timedelta(days=days_before),
    )
    response = post_treatment(staff_client, patient, form())
    if refused:
        assert errors(response) == (
            "It is 27 days after the previous session on Sun 25 Oct 2026; sessions are at "
            "least 28 days apart (from Sun 22 Nov 2026). "
            "Tick 'Treat outside the course plan' and say why."
        )
    else:
        assert response.status_code == 302
        assert Treatment.objects.latest("treated_at").course_override_reason == ""


def test_a_cancelled_session_does_not_count(
    staff_client: Client, patient: Patient, practitioner: StaffMember, eligible: Screening
) -> None:
    [soon] = sessions(patient, practitioner, 10)
    Treatment.objects.filter(pk=soon.pk).update(cancelled_at=NOW)
    assert post_treatment(staff_client, patient, form()).status_code == 302


def test_editing_a_session_does_not_count_it_against_itself(
    staff_client: Client, patient: Patient, practitioner: StaffMember, eligible: Screening
) -> None:
    [only] = sessions(patient, practitioner, 0)
    url = reverse("staff:treatment_edit", args=[patient.pk, only.pk])
    assert staff_client.post(url, form(notes="Edited.")).status_code == 302


def test_the_api_refuses_a_seventh_session_without_a_course_override_reason(
    api_client: Client, patient: Patient, practitioner: StaffMember, eligible: Screening
) -> None:
    sessions(patient, practitioner, 300, 250, 200, 150, 100, 50)
    url = f"/api/v1/patients/{patient.pk}/treatments"
    body: dict[str, Any] = {"treated_at": "2026-11-21T10:30:00+00:00"}
    refused = post(api_client, url, body)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "This would be session 7; a course is at most 6 sessions. Send course_override_reason "
        "saying why you treated outside the course plan (at least 10 characters)."
    )
    created = ok(post(api_client, url, body | {"course_override_reason": OVERRIDE_REASON}), 201)
    assert created["course_override_reason"] == OVERRIDE_REASON


# Late sessions and maintenance


def test_a_late_session_is_allowed_and_shown_as_late(
    staff_client: Client,
    client: Client,
    patient: Patient,
    practitioner: StaffMember,
    eligible: Screening,
) -> None:
    treat(patient, practitioner, NEW_SESSION - timedelta(days=50))
    assert post_treatment(staff_client, patient, form()).status_code == 302
    assert (
        "Late sessions (allowed) Sat 21 Nov 2026, 50 days after the session before"
        in staff_page(staff_client, patient)
    )
    sign_in(client, patient)
    assert "Sat 21 Nov 2026 (later than usual)" in text(page(client, "course"))


def test_maintenance_shows_the_same_dates_on_the_course_page_the_staff_page_and_the_pdf(
    staff_client: Client, client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    # The second session came 49 days after the first; the third is still to come.
    _, last = sessions(patient, practitioner, 49 + 30, 30)
    # The third session between 19 Nov and 3 Dec 2026, then 6 to 12 months.
    assert "Maintenance Wed 19 May 2027 to Fri 3 Dec 2027" in staff_page(staff_client, patient)
    between = "between Wed 19 May 2027 and Fri 3 Dec 2027"
    leaflet = staff_client.get(leaflet_url(last))
    assert f"Maintenance is due {between}." in pdf_text(leaflet.content)
    sign_in(client, patient)
    assert f"a maintenance session is due {between}" in text(page(client, "course"))
