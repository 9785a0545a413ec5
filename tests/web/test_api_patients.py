"""A clinic's patients through the API: the web app's checks, the audit log. Their screenings
are in test_api_screenings.py.

``api_client`` is the Alpha clinic's booking system with a read-write key.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from aftercare.web.clinic.models import (
    ActorKind,
    ApiKey,
    AuditEvent,
    Clinic,
    Patient,
    Reminder,
    ReminderStatus,
)
from tests.web.conftest import CHAIN_QUERIES, NOW, make_clinic
from tests.web.test_api_access import fields, ok, patch, post, problem
from tests.web.test_portal_plan import QueryBound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

PATIENTS = "/api/v1/patients"
NO_CONSENT = (
    "Messages are not sent without the patient's agreement: tick this box, or choose 'No messages'."
)
# The key (and its last use), the count, the page, the page's planned courses and the audit
# row: never one per row.
LIST_QUERIES = 6 + CHAIN_QUERIES


def carol(**changes: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "given_name": " Carol ",
        "family_name": "Jones",
        "date_of_birth": "1985-04-02",
        "email": "carol@example.com",
        "mobile": "07700 900456",
        "preferred_channel": "sms",
        "consent_to_messages": True,
    }
    return body | changes


def make_patients(clinic: Clinic, names: list[str]) -> list[Patient]:
    return [
        Patient.objects.create(
            clinic=clinic,
            given_name="Pat",
            family_name=name,
            email=f"{name.lower()}@example.com",
            created_at=NOW - timedelta(days=n),
        )
        for n, name in enumerate(names)
    ]


# --- creating ---------------------------------------------------------------------------


def test_it_creates_a_patient_with_the_mobile_in_e164(api_client: Client, clinic: Clinic) -> None:
    created = ok(post(api_client, PATIENTS, carol()), 201)
    patient = Patient.objects.get()
    assert created == {
        "id": patient.pk,
        "given_name": "Carol",
        "family_name": "Jones",
        "date_of_birth": "1985-04-02",
        "email": "carol@example.com",
        "mobile": "+447700900456",
        "preferred_channel": "sms",
        "consent_to_messages": True,
        "email_opted_out_at": None,
        "sms_opted_out_at": None,
        "course_sessions": None,
        "courses": {},
        "created_at": "2026-11-21T14:30:00Z",
    }
    assert (patient.clinic, patient.mobile, patient.created_at) == (clinic, "+447700900456", NOW)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_kind, event.patient_id) == (
        "patient.create",
        ActorKind.API_KEY,
        patient.pk,
    )
    assert event.actor_key_id == ApiKey.objects.get().pk


def test_a_text_message_channel_needs_consent(api_client: Client) -> None:
    body = problem(post(api_client, PATIENTS, carol(consent_to_messages=False)), 422)
    assert fields(body) == {"body.consent_to_messages": NO_CONSENT}
    assert body["detail"] == "Some of what was sent is not valid: body.consent_to_messages."
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mobile": ""}, "body.mobile", "Give a mobile number to send text messages."),
        (
            {"preferred_channel": "email", "email": ""},
            "body.email",
            "Give an email address to send messages by email.",
        ),
        (
            {"mobile": "12345"},
            "body.mobile",
            "Enter a mobile number such as 07700 900123, or +44 7700 900123; "
            "numbers from outside the UK start with + and the country code.",
        ),
        (
            {"date_of_birth": "2026-11-22"},
            "body.date_of_birth",
            "The date of birth cannot be in the future.",
        ),
        ({"email": "carol@"}, "body.email", "Enter a valid email address."),
        (
            {"given_name": "Carol\r\nBcc: all@example.org"},
            "body.given_name",
            "Please write the name on one line, without tabs.",
        ),
        (
            {"family_name": "Grey\n" + "Smith"},
            "body.family_name",
            "Please write the name on one line, without tabs.",
        ),
    ],
)
def test_the_web_apps_checks_name_the_field(
    api_client: Client, changes: dict[str, object], field: str, message: str
) -> None:
    body = problem(post(api_client, PATIENTS, carol(**changes)), 422)
    assert fields(body) == {field: message}
    assert not Patient.objects.exists()


def test_an_international_mobile_is_kept_in_e164(api_client: Client) -> None:
    created = ok(post(api_client, PATIENTS, carol(mobile="+33 6 12 34 56 78")), 201)
    assert created["mobile"] == "+33612345678"


# --- reading ----------------------------------------------------------------------------


def test_it_reads_one_patient_and_audits_it(api_client: Client, patient: Patient) -> None:
    shown = ok(api_client.get(f"{PATIENTS}/{patient.pk}"))
    assert (shown["id"], shown["given_name"], shown["family_name"]) == (
        patient.pk,
        "Alice",
        "Patient",
    )
    assert AuditEvent.objects.get().action == "patient.view"


def test_the_list_pages_with_limit_and_offset_and_counts_them_all(
    api_client: Client, clinic: Clinic
) -> None:
    make_patients(clinic, ["Evans", "Brown", "Davies", "Adams", "Clark"])
    page = ok(api_client.get(PATIENTS, {"limit": 2, "offset": 1}))
    assert page["count"] == 5
    assert [p["family_name"] for p in page["items"]] == ["Brown", "Clark"]
    last = ok(api_client.get(PATIENTS, {"limit": 2, "offset": 4}))
    assert [p["family_name"] for p in last["items"]] == ["Evans"]
    beyond = ok(api_client.get(PATIENTS, {"offset": 10}))
    assert (beyond["items"], beyond["count"]) == ([], 5)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("family_name", ["Adams", "Brown", "Clark"]),
        ("-family_name", ["Clark", "Brown", "Adams"]),
        ("created_at", ["Clark", "Brown", "Adams"]),  # made 2, 1 and 0 days ago
        ("-created_at", ["Adams", "Brown", "Clark"]),
        ("id", ["Adams", "Brown", "Clark"]),
        ("-id", ["Clark", "Brown", "Adams"]),
    ],
)
def test_the_list_orders_by_the_allowed_fields(
    api_client: Client, clinic: Clinic, ordering: str, expected: list[str]
) -> None:
    make_patients(clinic, ["Adams", "Brown", "Clark"])
    page = ok(api_client.get(PATIENTS, {"ordering": ordering}))
    assert [p["family_name"] for p in page["items"]] == expected


@pytest.mark.parametrize("ordering", ["email", "given_name", "clinic__name", "-date_of_birth"])
def test_an_ordering_not_in_the_list_is_a_422(api_client: Client, ordering: str) -> None:
    body = problem(api_client.get(PATIENTS, {"ordering": ordering}), 422)
    assert fields(body) == {
        "query.ordering": "Input should be 'family_name', '-family_name', 'created_at', "
        "'-created_at', 'id' or '-id'"
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"family_name": "brown"}, ["Brown"]),
        ({"family_name": " Brown "}, ["Brown"]),
        ({"family_name": "Bro"}, []),  # exact, not a search
        ({"email": "CLARK@example.com"}, ["Clark"]),
        ({"mobile": "+447700900999"}, ["Adams"]),
    ],
)
def test_the_list_filters_by_exact_name_email_or_mobile(
    api_client: Client, clinic: Clinic, query: dict[str, str], expected: list[str]
) -> None:
    adams, _, _ = make_patients(clinic, ["Adams", "Brown", "Clark"])
    adams.mobile = "+447700900999"
    adams.save()
    page = ok(api_client.get(PATIENTS, query))
    assert [p["family_name"] for p in page["items"]] == expected
    assert page["count"] == len(expected)


@pytest.mark.parametrize(("name", "found"), [("Brontë", True), ("brontë", True), ("Bronte", False)])
def test_the_name_filter_keeps_accents_exact(
    api_client: Client, clinic: Clinic, name: str, found: bool
) -> None:
    Patient.objects.create(clinic=clinic, given_name="Anne", family_name="Brontë")
    page = ok(api_client.get(PATIENTS, {"family_name": name}))
    assert page["count"] == int(found)


@pytest.mark.parametrize("query", [{"given_name": "Nobody"}, {"clinic": "2"}, {"id__gt": "0"}])
def test_a_filter_that_is_not_offered_is_refused(
    api_client: Client, clinic: Clinic, query: dict[str, str]
) -> None:
    # Only family_name, email and mobile filter: a mistyped or unoffered filter is a 422,
    # never the whole list as if it had been applied.
    make_patients(clinic, ["Adams", "Brown"])
    response = api_client.get(PATIENTS, query)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == f"query.{next(iter(query))}"
    assert "family_name" in error["message"]


def test_the_list_holds_only_the_keys_clinic(api_client: Client, clinic: Clinic) -> None:
    make_patients(clinic, ["Adams"])
    make_patients(make_clinic("beta"), ["Brown"])
    page = ok(api_client.get(PATIENTS))
    assert [p["family_name"] for p in page["items"]] == ["Adams"]
    assert page["count"] == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.clinic_id, event.patient_id) == (
        "api.patient.list",
        clinic.pk,
        None,
    )


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(
    api_client: Client, clinic: Clinic, django_assert_max_num_queries: QueryBound
) -> None:
    make_patients(clinic, [f"Name{n:03}" for n in range(120)])
    with django_assert_max_num_queries(LIST_QUERIES):
        page = ok(api_client.get(PATIENTS, {"limit": 100}))
    assert (len(page["items"]), page["count"]) == (100, 120)


# --- changing ---------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api_client: Client, clinic: Clinic) -> None:
    created = ok(post(api_client, PATIENTS, carol()), 201)
    url = f"{PATIENTS}/{created['id']}"
    changed = ok(patch(api_client, url, {"email": "carol.jones@example.com"}))
    assert changed == created | {"email": "carol.jones@example.com"}
    patient = Patient.objects.get()
    assert (patient.mobile, patient.preferred_channel, patient.consent_to_messages) == (
        "+447700900456",
        "sms",
        True,
    )
    assert patient.date_of_birth == date(1985, 4, 2)
    assert AuditEvent.objects.filter(action="patient.update", patient=patient).count() == 1


def test_patch_with_null_clears_an_optional_field(api_client: Client) -> None:
    created = ok(post(api_client, PATIENTS, carol(preferred_channel="none")), 201)
    changed = ok(patch(api_client, f"{PATIENTS}/{created['id']}", {"date_of_birth": None}))
    assert changed["date_of_birth"] is None
    assert changed["given_name"] == "Carol"


def test_patch_cannot_remove_a_name(api_client: Client, patient: Patient) -> None:
    body = problem(patch(api_client, f"{PATIENTS}/{patient.pk}", {"family_name": None}), 422)
    assert fields(body) == {"body": "names cannot be removed"}
    patient.refresh_from_db()
    assert patient.family_name == "Patient"


def test_patch_is_checked_against_the_fields_kept(api_client: Client, patient: Patient) -> None:
    # Alice has no mobile: asking for text messages names the field that is missing.
    body = problem(
        patch(
            api_client,
            f"{PATIENTS}/{patient.pk}",
            {"preferred_channel": "sms", "consent_to_messages": True},
        ),
        422,
    )
    assert fields(body) == {"body.mobile": "Give a mobile number to send text messages."}
    patient.refresh_from_db()
    assert patient.preferred_channel == "none"


def test_withdrawing_consent_cancels_the_messages_waiting(
    api_client: Client, clinic: Clinic
) -> None:
    created = ok(post(api_client, PATIENTS, carol(preferred_channel="email")), 201)
    url = f"{PATIENTS}/{created['id']}"
    body = {"treated_at": "2026-11-21T10:00:00Z", "override_reason": "Screened on paper today"}
    ok(post(api_client, f"{url}/treatments", body), 201)
    assert Reminder.objects.filter(status=ReminderStatus.SCHEDULED).exists()
    ok(patch(api_client, url, {"preferred_channel": "none", "consent_to_messages": False}))
    assert not Reminder.objects.filter(status=ReminderStatus.SCHEDULED).exists()
