"""What the API answers about one treatment: "can I", the course, check-ins and the exports.
Recording and reading treatments and plans are in test_api_treatments.py.

Alice (``patient``) is at the Alpha clinic; ``api_client`` is its booking system.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
from django.test import Client

from aftercare.engine.course import course_outlook
from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    CheckIn,
    Patient,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import base_protocol
from tests.web.conftest import CHAIN_QUERIES, NOW
from tests.web.test_api_access import fields, ok, post, problem
from tests.web.test_portal_plan import QueryBound, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    """Alice, treated 50 hours ago (Thu 19 Nov, 12:30 GMT)."""
    return treat(patient, practitioner, NOW - timedelta(hours=50))


# --- can I ------------------------------------------------------------------------------


def test_can_i_have_a_sauna_two_days_after(api_client: Client, treated: Treatment) -> None:
    answer = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/can-i", {"activity": "sauna"}))
    assert (answer["verdict"], answer["rule"], answer["label"]) == (
        "not_yet",
        "AC-extreme-heat",
        "Sauna",
    )
    assert datetime.fromisoformat(answer["allowed_from"]) == datetime(
        2026, 12, 3, 12, 30, tzinfo=UTC
    )
    assert AuditEvent.objects.get().action == "plan.can_i"


def test_can_i_at_a_later_moment(api_client: Client, treated: Treatment) -> None:
    query = {"activity": "gym", "at": "2026-11-22T12:30:00Z"}  # day 3, an alias
    answer = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/can-i", query))
    assert (answer["activity"], answer["verdict"]) == (
        "strenuous_exercise_heavy_sweating",
        "allowed",
    )


def test_can_i_with_an_unknown_activity_suggests_names(
    api_client: Client, treated: Treatment
) -> None:
    response = api_client.get(f"/api/v1/treatments/{treated.pk}/can-i", {"activity": "sauan"})
    body = problem(response, 422)
    assert body["detail"] == "unknown activity 'sauan'; did you mean sauna, intensive_sun?"
    assert [e["field"] for e in body["errors"]] == ["query.activity"]


def test_can_i_needs_an_activity(api_client: Client, treated: Treatment) -> None:
    body = problem(api_client.get(f"/api/v1/treatments/{treated.pk}/can-i"), 422)
    assert fields(body) == {"query.activity": "Field required"}


def test_can_i_before_the_treatment_is_a_409(api_client: Client, treated: Treatment) -> None:
    query = {"activity": "sauna", "at": "2026-11-19T12:29:00Z"}
    response = api_client.get(f"/api/v1/treatments/{treated.pk}/can-i", query)
    assert problem(response, 409)["detail"] == "That moment is before the treatment."


def test_ask_answers_a_sentence_for_the_moment_it_names(
    api_client: Client, treated: Treatment
) -> None:
    query = {"q": "Can I go to the gym tomorrow morning?"}
    answer = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/ask", query))
    assert (answer["understood"], answer["activity"], answer["verdict"]) == (
        True,
        "strenuous_exercise_heavy_sweating",
        "not_yet",
    )
    assert datetime.fromisoformat(answer["asked_for"]) == datetime(2026, 11, 22, 9, tzinfo=UTC)
    assert answer["answer"] == (
        "Strenuous exercise or heavy sweating on Sun 22 Nov, 09:00: not yet, "
        "from Sun 22 Nov, 12:30 (day 3)."
    )
    assert AuditEvent.objects.get().action == "plan.ask"


def test_ask_says_when_it_does_not_understand(api_client: Client, treated: Treatment) -> None:
    answer = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/ask", {"q": "spicy food?"}))
    assert (answer["understood"], answer["activity"], answer["verdict"]) == (False, None, None)
    assert answer["outcome"] == "not_understood"


def test_ask_needs_a_question_and_a_moment_after_the_treatment(
    api_client: Client, treated: Treatment
) -> None:
    assert fields(problem(api_client.get(f"/api/v1/treatments/{treated.pk}/ask"), 422)) == {
        "query.q": "Field required"
    }
    query = {"q": "sauna", "at": "2026-11-19T12:29:00Z"}
    response = api_client.get(f"/api/v1/treatments/{treated.pk}/ask", query)
    assert problem(response, 409)["detail"] == "That moment is before the treatment."


# --- the course -------------------------------------------------------------------------


def test_the_course_so_far_and_the_next_window(
    api_client: Client, patient: Patient, practitioner: StaffMember, treated: Treatment
) -> None:
    treat(patient, practitioner, datetime(2026, 10, 1, 10, tzinfo=UTC))
    cancelled = treat(patient, practitioner, datetime(2026, 11, 5, 10, tzinfo=UTC))
    cancelled.cancelled_at = NOW
    cancelled.save()
    course = ok(api_client.get(f"/api/v1/patients/{patient.pk}/course"))
    outlook = course_outlook(
        base_protocol(),
        [date(2026, 10, 1), date(2026, 11, 19)],
        NOW.date(),
    )
    assert outlook.maintenance is not None
    assert course == {
        "procedure": "microneedling",
        "sessions_done": 2,
        "sessions_planned": 3,
        "last_session": "2026-11-19",
        "next_earliest": "2026-12-17",  # 28 days after 19 Nov
        "next_latest": "2026-12-31",  # 42 days after
        "next_verdict": "too_early",
        "maintenance_earliest": outlook.maintenance.earliest.isoformat(),
        "maintenance_latest": outlook.maintenance.latest.isoformat(),
        "late_sessions": ["2026-11-19"],  # 49 days after 1 Oct
    }


def test_a_course_not_started(api_client: Client, patient: Patient) -> None:
    course = ok(api_client.get(f"/api/v1/patients/{patient.pk}/course"))
    assert (course["sessions_done"], course["sessions_planned"], course["next_earliest"]) == (
        0,
        3,
        None,
    )


# --- check-ins --------------------------------------------------------------------------


def test_a_check_in_with_worsening_discharge_is_urgent_with_the_clinics_number(
    api_client: Client, treated: Treatment
) -> None:
    body = {"symptoms": ["discharge"], "trend": "worsening", "free_text": "Called at 2pm."}
    created = ok(post(api_client, f"/api/v1/treatments/{treated.pk}/check-ins", body), 201)
    check_in = CheckIn.objects.get()
    assert created == {
        "id": check_in.pk,
        "treatment_id": treated.pk,
        "created_at": "2026-11-21T14:30:00Z",
        "hours_after": 50.0,
        "symptoms": ["discharge"],
        "severities": {},
        "trend": "worsening",
        "free_text": "Called at 2pm.",
        "level": "contact_clinic_now",
        "advice": created["advice"],
        "urgent_phone": "020 7946 0002",
        "reviewed_at": None,
        "review_note": "",
    }
    assert created["advice"].startswith("Contact your clinic now.")
    assert check_in.level == "contact_clinic_now"
    event = AuditEvent.objects.get(action="checkin.create")
    assert event.actor_kind == ActorKind.API_KEY
    alerts = ok(api_client.get("/api/v1/alerts", {"reviewed": "false"}))
    assert [(a["id"], a["patient_id"], a["urgent_phone"]) for a in alerts["items"]] == [
        (check_in.pk, treated.patient_id, "020 7946 0002")
    ]


def test_an_expected_symptom_gives_no_number_and_no_alert(
    api_client: Client, treated: Treatment
) -> None:
    body = {"symptoms": ["redness", "red"], "trend": "improving"}
    created = ok(post(api_client, f"/api/v1/treatments/{treated.pk}/check-ins", body), 201)
    assert (created["level"], created["urgent_phone"], created["symptoms"]) == (
        "expected",
        None,
        ["redness"],
    )
    assert ok(api_client.get("/api/v1/alerts"))["count"] == 0


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"symptoms": [], "trend": "stable"}, ["body.symptoms", "body.free_text"]),
        ({"free_text": " "}, ["body.symptoms", "body.free_text"]),
        ({"symptoms": ["redness"], "trend": "sideways"}, ["body.trend"]),
        ({"symptoms": ["redness"], "free_text": 5}, ["body.free_text"]),
    ],
)
def test_a_check_in_the_schema_refuses(
    api_client: Client, treated: Treatment, body: dict[str, Any], named: list[str]
) -> None:
    response = post(api_client, f"/api/v1/treatments/{treated.pk}/check-ins", body)
    assert list(fields(problem(response, 422))) == named
    assert not CheckIn.objects.exists()


def test_an_unknown_symptom_is_a_422(api_client: Client, treated: Treatment) -> None:
    body = {"symptoms": ["nonsense"], "trend": "stable"}
    response = post(api_client, f"/api/v1/treatments/{treated.pk}/check-ins", body)
    assert problem(response, 422)["detail"] == "unknown symptom 'nonsense'"


def test_a_cancelled_or_future_treatment_takes_no_check_in(
    api_client: Client, treated: Treatment, patient: Patient, practitioner: StaffMember
) -> None:
    body = {"symptoms": ["redness"], "trend": "stable"}
    treated.cancelled_at = NOW
    treated.save()
    response = post(api_client, f"/api/v1/treatments/{treated.pk}/check-ins", body)
    assert problem(response, 409)["detail"] == "This treatment was cancelled."
    future = treat(patient, practitioner, NOW + timedelta(hours=2))
    response = post(api_client, f"/api/v1/treatments/{future.pk}/check-ins", body)
    assert problem(response, 409)["detail"] == "This treatment has not happened yet."
    assert not CheckIn.objects.exists()


def test_the_check_ins_are_listed_newest_first(
    api_client: Client, treated: Treatment, django_assert_max_num_queries: QueryBound
) -> None:
    for hours in range(30):
        CheckIn.objects.create(
            treatment=treated,
            symptoms=[{"symptom": "redness"}],
            level="expected",
            hours_after=hours,
            created_at=treated.treated_at + timedelta(hours=hours),
        )
    with django_assert_max_num_queries(5 + CHAIN_QUERIES):
        listed = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/check-ins"))
    assert [c["hours_after"] for c in listed] == [float(h) for h in reversed(range(30))]


# --- exports ----------------------------------------------------------------------------


def test_the_calendar_is_an_icalendar_file(api_client: Client, treated: Treatment) -> None:
    response = api_client.get(f"/api/v1/treatments/{treated.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-2026-11-19.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert events
    assert calendar["X-WR-TIMEZONE"] == "Europe/London"
    assert AuditEvent.objects.get().action == "export.ics"


def test_the_leaflet_is_a_pdf(api_client: Client, treated: Treatment) -> None:
    response = api_client.get(f"/api/v1/treatments/{treated.pk}/leaflet.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="aftercare-treatment-{treated.pk}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.get().action == "export.pdf"


def test_the_fhir_export_is_a_bundle(
    api_client: Client, patient: Patient, treated: Treatment
) -> None:
    response = api_client.get(f"/api/v1/patients/{patient.pk}/fhir")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Organization", "Patient", "Procedure"} <= kinds
    assert AuditEvent.objects.get().action == "export.fhir"


def test_the_fhir_export_of_a_patient_not_yet_treated_is_a_409(
    api_client: Client, patient: Patient
) -> None:
    response = api_client.get(f"/api/v1/patients/{patient.pk}/fhir")
    assert problem(response, 409)["detail"] == "This patient has no treatment to export yet."


def test_the_treatment_routes_answer_404_for_another_clinics_key(
    outsider_api_client: Client, treated: Treatment
) -> None:
    for suffix in ("", "/plan", "/can-i?activity=sauna", "/check-ins", "/calendar.ics"):
        response = outsider_api_client.get(f"/api/v1/treatments/{treated.pk}{suffix}")
        assert problem(response, 404)["errors"] == []
        assert b"Alice" not in response.content


def test_a_treatment_is_read_in_a_fixed_number_of_queries(
    api_client: Client, treated: Treatment, django_assert_max_num_queries: QueryBound
) -> None:
    with django_assert_max_num_queries(5 + CHAIN_QUERIES):
        ok(api_client.get(f"/api/v1/treatments/{treated.pk}"))
