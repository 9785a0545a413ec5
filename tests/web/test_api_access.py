"""Who may call the API, and how it answers when it says no.

A booking system of the Alpha clinic holds a read-write key (``api_client``), its records
system a read-only one (``read_only_client``); ``outsider_api_client`` is another clinic's
system. Every refusal is ``application/problem+json`` with type, title, status and detail,
and never carries a patient's personal data. The helpers at the top are shared by the
other ``test_api_*`` modules.
"""

from __future__ import annotations

import json
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from aftercare.web.clinic.models import (
    Access,
    ActorKind,
    ApiKey,
    AuditEvent,
    Clinic,
    Outcome,
    Patient,
    StaffMember,
)
from tests.web.conftest import NOW, key_client, make_clinic, make_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

PROBLEM = "application/problem+json"
NO_KEY = "Send a clinic's API key as 'Authorization: Bearer ak_…', or sign in."
BAD_KEY = "The API key is not valid: it may be mistyped or revoked."
READ_ONLY = "This API key is read-only; ask a clinic administrator for a key that can write."
NOT_FOUND = "There is no such record, or it belongs to another clinic or patient."


# --- helpers shared by the API tests ----------------------------------------------------


def send(client: Client, method: str, url: str, body: object = None) -> Any:
    """``method`` on ``url`` with ``body`` as JSON (none for a GET)."""
    call = getattr(client, method.lower())
    if body is None:
        return call(url)
    return call(url, json.dumps(body), content_type="application/json")


def post(client: Client, url: str, body: object) -> Any:
    return send(client, "POST", url, body)


def patch(client: Client, url: str, body: object) -> Any:
    return send(client, "PATCH", url, body)


def ok(response: Any, status: int = 200) -> Any:
    """The JSON of a successful answer."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem document of a refusal, checked against RFC 9457's members."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert body["detail"]
    return body


def fields(body: dict[str, Any]) -> dict[str, str]:
    """A 422's refused fields and their messages."""
    return {error["field"]: error["message"] for error in body["errors"]}


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def alice(clinic: Clinic) -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        given_name="Alice",
        family_name="Secret-Surname",
        email="alice@example.com",
        mobile="+447700900123",
    )


@pytest.fixture
def booking_key(clinic: Clinic) -> tuple[ApiKey, Client]:
    raw = make_key(clinic)
    key = ApiKey.find(raw)
    assert key is not None
    return key, key_client(raw)


# --- no key, a bad key ------------------------------------------------------------------


def test_it_asks_for_a_key_when_none_is_sent(alice: Patient) -> None:
    response = Client().get("/api/v1/patients")
    body = problem(response, 401)
    assert body["detail"] == NO_KEY
    assert body["errors"] == []
    assert response["WWW-Authenticate"] == 'Bearer realm="aftercare"'


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer ak_not-a-key-of-anyone",
        "Bearer not-even-an-ak-key",
        "Bearer ",
        "Basic YWxpY2U6c2VjcmV0",
        "ak_without-the-bearer-word",
    ],
)
def test_a_wrong_key_is_refused_in_the_same_words_as_a_revoked_one(
    alice: Patient, authorization: str
) -> None:
    response = Client(HTTP_AUTHORIZATION=authorization).get("/api/v1/patients")
    assert problem(response, 401)["detail"] == BAD_KEY
    assert response["WWW-Authenticate"] == 'Bearer realm="aftercare"'


def test_a_revoked_key_stops_working(clinic: Clinic, alice: Patient) -> None:
    raw = make_key(clinic)
    client = key_client(raw)
    assert ok(client.get(f"/api/v1/patients/{alice.pk}"))["given_name"] == "Alice"
    ApiKey.objects.filter(clinic=clinic).update(revoked_at=NOW)
    response = client.get(f"/api/v1/patients/{alice.pk}")
    body = problem(response, 401)
    assert body["detail"] == BAD_KEY
    assert "Alice" not in response.content.decode()


def test_a_staff_session_is_not_a_key(staff_client: Client, alice: Patient) -> None:
    response = staff_client.get(f"/api/v1/patients/{alice.pk}")
    assert problem(response, 401)["detail"] == NO_KEY
    assert b"Alice" not in response.content


def test_using_a_key_notes_when_it_was_last_used_at_most_every_five_minutes(
    booking_key: tuple[ApiKey, Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, client = booking_key
    assert key.last_used_at is None
    ok(client.get("/api/v1/patients"))
    key.refresh_from_db()
    assert key.last_used_at == NOW
    later = NOW + timedelta(minutes=5)
    monkeypatch.setattr("aftercare.web.clock.now", lambda: later)
    ok(client.get("/api/v1/patients"))
    key.refresh_from_db()
    assert key.last_used_at == NOW
    monkeypatch.setattr("aftercare.web.clock.now", lambda: later + timedelta(seconds=1))
    ok(client.get("/api/v1/patients"))
    key.refresh_from_db()
    assert key.last_used_at == later + timedelta(seconds=1)


# --- a read-only key --------------------------------------------------------------------


def test_a_read_only_key_reads(read_only_client: Client, alice: Patient) -> None:
    assert ok(read_only_client.get(f"/api/v1/patients/{alice.pk}"))["email"] == (
        "alice@example.com"
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/patients", {"given_name": "Carol", "family_name": "New"}),
        ("PATCH", "/api/v1/patients/{pk}", {"email": "carol@example.com"}),
        ("POST", "/api/v1/patients/{pk}/screenings", {"answers": {"pregnant": False}}),
        ("POST", "/api/v1/patients/{pk}/treatments", {"treated_at": "2026-11-21T10:00:00Z"}),
    ],
)
def test_a_read_only_key_cannot_write(
    read_only_client: Client, alice: Patient, method: str, path: str, body: object
) -> None:
    response = send(read_only_client, method, path.format(pk=alice.pk), body)
    assert problem(response, 403)["detail"] == READ_ONLY
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert Patient.objects.count() == 1
    assert not alice.screenings.exists()
    assert not alice.treatments.exists()


# --- another clinic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/patients/{pk}", None),
        ("PATCH", "/api/v1/patients/{pk}", {"given_name": "Mallory"}),
        ("GET", "/api/v1/patients/{pk}/screenings", None),
        ("GET", "/api/v1/patients/{pk}/treatments", None),
        ("GET", "/api/v1/patients/{pk}/reminders", None),
        ("GET", "/api/v1/patients/{pk}/fhir", None),
    ],
)
def test_another_clinics_key_gets_the_answer_for_a_record_that_does_not_exist(
    outsider_api_client: Client, alice: Patient, method: str, path: str, body: object
) -> None:
    theirs = send(outsider_api_client, method, path.format(pk=alice.pk), body)
    missing = send(outsider_api_client, method, path.format(pk=alice.pk + 1000), body)
    assert problem(theirs, 404) == problem(missing, 404)
    assert problem(theirs, 404)["detail"] == NOT_FOUND
    for secret in (b"Alice", b"Secret-Surname", b"alice@example.com", b"7700900123"):
        assert secret not in theirs.content
    alice.refresh_from_db()
    assert alice.given_name == "Alice"


def test_a_denial_is_audited_with_the_key_and_the_id_asked_for_only(
    alice: Patient, clinic: Clinic
) -> None:
    elsewhere = make_clinic("elsewhere")
    raw = make_key(elsewhere)
    key = ApiKey.find(raw)
    problem(key_client(raw).get(f"/api/v1/patients/{alice.pk}"), 404)
    event = AuditEvent.objects.get(outcome=Outcome.DENIED)
    assert event.actor_kind == ActorKind.API_KEY
    assert key is not None and event.actor_key_id == key.pk
    assert event.actor_staff_id is None and event.actor_patient_id is None
    assert event.clinic_id == elsewhere.pk
    assert event.patient_id is None
    assert (event.action, event.object_type, event.object_id) == (
        "patient.view",
        "patient",
        str(alice.pk),
    )
    assert not AuditEvent.objects.filter(clinic=clinic).exists()


def test_reading_a_record_is_audited_with_the_key_as_the_actor(
    booking_key: tuple[ApiKey, Client], alice: Patient
) -> None:
    key, client = booking_key
    ok(client.get(f"/api/v1/patients/{alice.pk}"))
    event = AuditEvent.objects.get()
    assert (event.actor_kind, event.actor_key_id) == (ActorKind.API_KEY, key.pk)
    assert (event.action, event.outcome) == ("patient.view", Outcome.ALLOWED)
    assert (event.patient_id, event.object_type, event.object_id) == (
        alice.pk,
        "patient",
        str(alice.pk),
    )


# --- malformed requests -----------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_400(api_client: Client) -> None:
    response = api_client.post(
        "/api/v1/patients", '{"given_name": "Carol",', content_type="application/json"
    )
    body = problem(response, 400)
    assert body["detail"] == "The request body is not valid JSON."
    assert not Patient.objects.exists()


def test_invalid_fields_are_a_422_naming_each_field(api_client: Client) -> None:
    response = post(
        api_client,
        "/api/v1/patients",
        {"given_name": "", "date_of_birth": "yesterday", "preferred_channel": "pigeon"},
    )
    body = problem(response, 422)
    assert body["detail"] == (
        "Some of what was sent is not valid: body.given_name, body.family_name, "
        "body.date_of_birth, body.preferred_channel."
    )
    assert list(fields(body)) == [
        "body.given_name",
        "body.family_name",
        "body.date_of_birth",
        "body.preferred_channel",
    ]
    assert fields(body)["body.family_name"] == "Field required"
    assert fields(body)["body.preferred_channel"] == "Input should be 'email', 'sms' or 'none'"


def test_an_invalid_query_parameter_is_named_too(api_client: Client) -> None:
    body = problem(api_client.get("/api/v1/patients?limit=0&offset=-1"), 422)
    assert fields(body) == {
        "query.limit": "Input should be greater than or equal to 1",
        "query.offset": "Input should be greater than or equal to 0",
    }


@pytest.mark.parametrize("path", ["/api/v1/patients/abc", "/api/v1/patients/-1", "/api/v1/x%0A"])
def test_an_invalid_path_id_is_not_a_route_and_still_a_problem(
    api_client: Client, path: str
) -> None:
    # The converter is <int:pk>: "abc" matches no API route at all.
    assert "/api/openapi.json" in problem(api_client.get(path), 404)["detail"]


# --- the OpenAPI document and the interactive docs ----------------------------------------


def test_the_openapi_document_is_public_and_lists_errors_as_problems() -> None:
    response = Client().get("/api/openapi.json")
    document = ok(response)
    assert document["info"]["title"] == "Aftercare API"
    patients = document["paths"]["/api/v1/patients/{pk}"]
    assert patients["get"]["security"] == [{"ClinicKey": []}]
    assert set(patients["get"]["responses"]) == {"200", "400", "401", "404", "422"}
    assert set(patients["get"]["responses"]["404"]["content"]) == {PROBLEM}
    assert set(patients["get"]["responses"]["200"]["content"]) == {"application/json"}
    assert document["paths"]["/api/v1/check"]["get"]["security"] == [{"ClinicKey": []}, {}]
    assert document["paths"]["/api/v1/me/plan"]["get"]["security"] == [{"PatientSession": []}]
    assert set(document["components"]["securitySchemes"]) == {"ClinicKey", "PatientSession"}


def test_the_interactive_docs_are_for_signed_in_staff(
    client: Client, practitioner: StaffMember
) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/api/docs"
    client.force_login(practitioner.user)
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "<title>Aftercare API</title>" in page.content.decode()
    assert '"url": "/api/openapi.json"' in page.content.decode()


def test_an_api_key_does_not_open_the_interactive_docs(api_client: Client) -> None:
    response = api_client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/api/docs"


def test_read_write_and_read_only_keys_differ_only_in_writing(clinic: Clinic) -> None:
    writer = key_client(make_key(clinic, Access.READ_WRITE))
    reader = key_client(make_key(clinic, Access.READ, name="records"))
    created = ok(post(writer, "/api/v1/patients", {"given_name": "C", "family_name": "D"}), 201)
    assert ok(reader.get(f"/api/v1/patients/{created['id']}")) == created


def test_a_method_a_route_does_not_take_is_a_problem_naming_the_methods_it_does(
    api_client: Client,
) -> None:
    response = api_client.delete("/api/v1/patients")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD, POST"
    assert response.json()["detail"] == (
        "This address does not take DELETE; it takes GET, HEAD, POST."
    )


def test_head_answers_as_get_without_the_body(api_client: Client, patient: Patient) -> None:
    got = api_client.get("/api/v1/patients")
    head = api_client.head("/api/v1/patients")
    assert (head.status_code, head["Content-Type"]) == (200, got["Content-Type"])
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
    missing = api_client.head("/api/v1/patients/999999")
    assert (missing.status_code, missing.content) == (404, b"")
    assert missing["Content-Type"] == "application/problem+json"
    assert Client().head("/api/v1/patients").status_code == 401


def test_head_on_a_route_without_get_is_a_405(api_client: Client) -> None:
    response = api_client.head("/api/v1/triage")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.content == b""


def test_the_api_root_is_a_problem_not_the_sites_page(client: Client) -> None:
    response = client.get("/api/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "/api/openapi.json" in response.json()["detail"]
