"""Treatments through the API: the screening gate, times on the UK clock and the plan. What
the API answers about one treatment ("can I", the course, check-ins, the exports) is in
test_api_treatment_answers.py.

Alice (``patient``) is at the Alpha clinic; ``api_client`` is its booking system.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from aftercare.contracts import plan_json
from aftercare.engine.timeline import plan
from aftercare.web.clinic.models import (
    ActorKind,
    ApiKey,
    AuditEvent,
    Patient,
    Screening,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import base_protocol
from tests.web.conftest import CHAIN_QUERIES, NOW
from tests.web.test_api_access import fields, ok, post, problem
from tests.web.test_portal_plan import QueryBound, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

LONDON = ZoneInfo("Europe/London")
REASON = "Screened on paper at the front desk."


def treatments_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/treatments"


def screened(patient: Patient, status: str = "eligible", at: datetime = NOW) -> Screening:
    return Screening.objects.create(
        patient=patient,
        answers={},
        status=status,
        earliest_date=None if status != "not_yet" else date(2026, 12, 30),
        protocol_id="microneedling",
        protocol_version="v1",
        screened_at=at,
    )


@pytest.fixture
def eligible(patient: Patient) -> Screening:
    return screened(patient, at=NOW - timedelta(days=7))


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    """Alice, treated 50 hours ago (Thu 19 Nov, 12:30 GMT)."""
    return treat(patient, practitioner, NOW - timedelta(hours=50))


def moments(items: list[dict[str, Any]]) -> list[tuple[str, datetime | None]]:
    """Each plan item's id and the moment it is allowed from, whatever the offset's spelling."""
    return [
        (i["id"], None if i["allowed_from"] is None else datetime.fromisoformat(i["allowed_from"]))
        for i in items
    ]


# --- recording a treatment --------------------------------------------------------------


def test_a_treatment_after_an_eligible_screening_gets_the_engines_plan(
    api_client: Client, patient: Patient, eligible: Screening
) -> None:
    body = {
        "treated_at": "2026-11-21T10:00:00Z",
        "areas": ["face", "neck"],
        "needle_depth_mm": 1.5,
        "device": "Pen A",
        "sensitive_skin": True,
        "fitzpatrick": 3,
    }
    created = ok(post(api_client, treatments_url(patient), body), 201)
    treatment = Treatment.objects.get()
    assert created["id"] == treatment.pk
    assert datetime.fromisoformat(created["treated_at"]) == datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert created["areas"] == ["face", "neck"]
    assert created["needle_depth_mm"] == "1.50"
    fetched = ok(api_client.get(f"/api/v1/treatments/{treatment.pk}"))
    assert fetched["needle_depth_mm"] == created["needle_depth_mm"]
    assert created["factors"]["sensitive_skin"] is True
    assert created["factors"]["fitzpatrick"] == 3
    assert created["override_reason"] == ""
    engine = plan_json(plan(base_protocol(), datetime(2026, 11, 21, 10, tzinfo=LONDON)))
    shown = created["plan"]
    assert moments(shown["items"]) == moments(engine["items"])
    assert [c["items"] for c in shown["changes"]] == [c["items"] for c in engine["changes"]]
    assert shown["time_zone"] == "Europe/London"
    assert (treatment.created_by, treatment.created_by_key) == (None, ApiKey.objects.get())
    event = AuditEvent.objects.get(action="treatment.create")
    assert (event.actor_kind, event.object_id) == (ActorKind.API_KEY, str(treatment.pk))
    assert not AuditEvent.objects.filter(action="treatment.override").exists()


def test_without_a_screening_a_treatment_is_a_409(api_client: Client, patient: Patient) -> None:
    response = post(api_client, treatments_url(patient), {"treated_at": "2026-11-21T10:00:00Z"})
    assert problem(response, 409)["detail"] == (
        "This patient has not been screened. Screen the patient first, or send "
        "override_reason saying why you treated (at least 10 characters)."
    )
    assert not Treatment.objects.exists()


def test_a_not_yet_screening_says_until_when(api_client: Client, patient: Patient) -> None:
    screened(patient, "not_yet")
    response = post(api_client, treatments_url(patient), {"treated_at": "2026-11-21T10:00:00Z"})
    assert problem(response, 409)["detail"].startswith(
        "The latest screening (Sat 21 Nov 2026) says: Not yet, earliest Wed 30 Dec 2026."
    )


def test_a_screening_older_than_the_clinic_allows_is_a_409(
    api_client: Client, patient: Patient
) -> None:
    screened(patient, at=NOW - timedelta(days=91))
    response = post(api_client, treatments_url(patient), {"treated_at": "2026-11-21T10:00:00Z"})
    assert "is older than the clinic's 90 days." in problem(response, 409)["detail"]


@pytest.mark.parametrize("reason", ["", "Too short", "   short    "])
def test_an_override_needs_ten_characters(
    api_client: Client, patient: Patient, reason: str
) -> None:
    body = {"treated_at": "2026-11-21T10:00:00Z", "override_reason": reason}
    problem(post(api_client, treatments_url(patient), body), 409)
    assert not Treatment.objects.exists()


def test_an_override_with_a_reason_is_recorded_and_audited(
    api_client: Client, patient: Patient
) -> None:
    body = {"treated_at": "2026-11-21T10:00:00Z", "override_reason": f"  {REASON}  "}
    created = ok(post(api_client, treatments_url(patient), body), 201)
    assert created["override_reason"] == REASON
    assert Treatment.objects.get().override_reason == REASON
    event = AuditEvent.objects.get(action="treatment.override")
    assert (event.actor_kind, event.patient_id) == (ActorKind.API_KEY, patient.pk)


@pytest.mark.parametrize(
    ("sent", "instant", "offset_hours"),
    [
        # 01:30 happens twice on Sun 25 Oct 2026: first in BST, then in GMT.
        ("2026-10-25T01:30:00+01:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 1),
        ("2026-10-25T01:30:00+00:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 0),
        ("2026-10-25T00:30:00Z", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 1),
        ("2026-10-25T02:30:00+01:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 0),
    ],
)
def test_the_repeated_hour_lands_on_the_instant_the_offset_says(
    api_client: Client, patient: Patient, sent: str, instant: datetime, offset_hours: int
) -> None:
    body = {"treated_at": sent, "override_reason": REASON}
    created = ok(post(api_client, treatments_url(patient), body), 201)
    assert Treatment.objects.get().treated_at == instant
    shown = datetime.fromisoformat(created["plan"]["treated_at"])
    assert shown == instant
    assert (f"{shown:%H:%M}", shown.utcoffset()) == ("01:30", timedelta(hours=offset_hours))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"treated_at": "2026-11-21T10:00:00"},
            "body.treated_at",
            "Input should have timezone info",
        ),
        (
            {"treated_at": "2026-11-23T10:00:00Z"},
            "body.treated_at",
            "The treatment cannot be more than a day in the future.",
        ),
        (
            {"areas": ["elbow"]},
            "body.areas",
            "Select a valid choice. elbow is not one of the available choices.",
        ),
        (
            {"time_zone": "Mars/Base"},
            "body.time_zone",
            "unknown time zone 'Mars/Base'; use a name such as Europe/London",
        ),
        (
            {"needle_depth_mm": 5.5},
            "body.needle_depth_mm",
            "needle depth must be more than 0 and at most 5.0 mm",
        ),
    ],
)
def test_a_treatment_the_form_refuses_is_a_422_naming_the_field(
    api_client: Client,
    patient: Patient,
    eligible: Screening,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    body = {"treated_at": "2026-11-21T10:00:00Z"} | changes
    assert fields(problem(post(api_client, treatments_url(patient), body), 422)) == {field: message}
    assert not Treatment.objects.exists()


def test_a_treatment_before_the_date_of_birth_is_refused(
    api_client: Client, patient: Patient, eligible: Screening
) -> None:
    patient.date_of_birth = date(2026, 11, 21)
    patient.save()
    body = {"treated_at": "2026-11-20T10:00:00Z"}
    assert fields(problem(post(api_client, treatments_url(patient), body), 422)) == {
        "body.treated_at": "The treatment cannot be before the date of birth."
    }


# --- reading treatments and plans -------------------------------------------------------


def test_the_treatments_are_listed_latest_first_without_their_plans(
    api_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    older = treat(patient, practitioner, NOW - timedelta(days=40))
    newer = treat(patient, practitioner, NOW - timedelta(days=2))
    older.cancelled_at = NOW
    older.save()
    listed = ok(api_client.get(treatments_url(patient)))
    assert [(t["id"], t["cancelled_at"]) for t in listed] == [
        (newer.pk, None),
        (older.pk, "2026-11-21T14:30:00Z"),
    ]
    assert [t["plan"] for t in listed] == [None, None]


def test_the_treatments_are_listed_in_a_fixed_number_of_queries(
    api_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    django_assert_max_num_queries: QueryBound,
) -> None:
    for days in range(40):
        treat(patient, practitioner, NOW - timedelta(days=days))
    with django_assert_max_num_queries(5 + CHAIN_QUERIES):
        listed = ok(api_client.get(treatments_url(patient)))
    assert len(listed) == 40


def test_one_treatment_comes_with_its_plan(api_client: Client, treated: Treatment) -> None:
    shown = ok(api_client.get(f"/api/v1/treatments/{treated.pk}"))
    assert shown["id"] == treated.pk
    engine = plan_json(plan(base_protocol(), treated.treated_at.astimezone(LONDON)))
    assert moments(shown["plan"]["items"]) == moments(engine["items"])
    assert AuditEvent.objects.get().action == "treatment.view"


def test_the_plan_at_a_moment_says_the_day_and_what_changes_next(
    api_client: Client, treated: Treatment
) -> None:
    shown = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/plan", {"at": NOW.isoformat()}))
    assert (shown["hours_after"], shown["day"]) == (50, 2)
    assert datetime.fromisoformat(shown["at"]) == NOW
    engine = plan(base_protocol(), treated.treated_at.astimezone(LONDON))
    upcoming = next(c for c in engine.changes if c.at > NOW)
    assert shown["next_change"] == {
        "day": 3,
        "at": "2026-11-22T12:30:00Z",
        "items": [e.id for e in upcoming.entries],
    }
    assert "AC-strenuous-exercise" in shown["next_change"]["items"]


def test_the_plan_before_the_treatment_has_no_day(api_client: Client, treated: Treatment) -> None:
    at = "2026-11-19T11:30:00Z"
    shown = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/plan", {"at": at}))
    assert (shown["hours_after"], shown["day"]) == (-1, None)
    assert shown["next_change"]["day"] == 1


def test_the_plan_without_a_moment_has_none_of_the_moments_fields(
    api_client: Client, treated: Treatment
) -> None:
    shown = ok(api_client.get(f"/api/v1/treatments/{treated.pk}/plan"))
    assert (shown["at"], shown["day"], shown["next_change"]) == (None, None, None)
    assert AuditEvent.objects.get().action == "plan.view"


def test_the_plan_in_summer_is_shown_on_the_summer_clock(
    api_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    summer = treat(patient, practitioner, datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    shown = ok(api_client.get(f"/api/v1/treatments/{summer.pk}/plan"))
    assert shown["treated_at"] == "2026-07-01T10:00:00+01:00"
