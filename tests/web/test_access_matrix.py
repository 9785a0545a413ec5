"""Every URL, for every persona, by every method: who gets in, and what the others see.

The table (tests/web/access_table.py) names each URL pattern's kind; the test fails when
the resolver has a pattern the table does not know, so a new page or API route cannot ship
without a decision there. Denied answers must carry none of the patient's personal data.

The personas are people in browsers and clinic systems holding API keys. Pages are asked
by GET, HEAD and POST; API routes by their own method (the one the OpenAPI document gives
the operation), with a body that would succeed for a caller who is let in. Every refusal
from the API is ``application/problem+json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aftercare.web.api.main import api
from aftercare.web.clinic.models import (
    Access,
    ApiKey,
    CheckIn,
    Clinic,
    Level,
    Patient,
    PatientLink,
    PatientQuestion,
    QuestionStatus,
    Reminder,
    Role,
    Screening,
    ScreeningStatus,
    StaffMember,
    Treatment,
    idempotency_key,
)
from aftercare.web.reminders.optout import optout_token
from tests.web.access_table import (
    API_BODIES,
    API_QUERIES,
    API_RECORDS,
    EXPECTED,
    METHODS,
    PERSONAS,
    PROBLEM,
    SECRETS,
    SIGN_OUT,
    STRANGERS,
    URLS,
    Kind,
)
from tests.web.conftest import NOW, key_client, make_clinic, make_key, make_staff, sign_in_staff

pytestmark = pytest.mark.django_db


@dataclass
class World:
    clinic: Clinic
    patient: Patient
    other_patient: Patient
    screening: Screening
    treatment: Treatment
    check_in: CheckIn
    reminder: Reminder
    question: PatientQuestion
    colleague: StaffMember
    clients: dict[str, Client]

    def kwargs(self, name: str, pattern: URLPattern) -> dict[str, Any]:
        ids = {
            "staff:check_in": {"pk": self.check_in.pk},
            "staff:question": {"pk": self.question.pk},
            "portal:check_in_result": {"pk": self.check_in.pk},
            "staff:staff_edit": {"pk": self.colleague.pk},
        }
        if name in ids:
            return ids[name]
        if name.startswith("api:") and "pk" in pattern.pattern.converters:
            route = str(pattern.pattern)
            record = next(attr for prefix, attr in API_RECORDS if route.startswith(prefix))
            return {"pk": getattr(self, record).pk}
        params = set(pattern.pattern.converters)
        values = {
            "pk": self.patient.pk,
            "screening_pk": self.screening.pk,
            "treatment_pk": self.treatment.pk,
            "reminder_pk": self.reminder.pk,
            "token": optout_token(self.patient.pk, "email"),
            "uidb64": "MQ",
            "colour": "1f5f8b",
        }
        return {key: values[key] for key in params}


def _patterns(
    resolvers: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


def _staff_client(staff: StaffMember) -> Client:
    client = Client()
    sign_in_staff(client, staff)
    return client


def _patient_client(patient: Patient) -> Client:
    client = Client()
    _, token = PatientLink.issue(patient, NOW)
    response = client.post(reverse("portal:open"), {"t": token, "token": token})
    assert response.status_code == 302, response.content[:500]
    return client


def _key_clients(clinic: Clinic, elsewhere: Clinic) -> dict[str, Client]:
    revoked = make_key(clinic, name="old booking system")
    ApiKey.objects.filter(prefix=revoked[:10]).update(revoked_at=NOW)
    return {
        "read_write_key": key_client(make_key(clinic)),
        "read_only_key": key_client(make_key(clinic, Access.READ, name="records")),
        "revoked_key": key_client(revoked),
        "outsider_key": key_client(make_key(elsewhere)),
    }


@pytest.fixture
def world(
    clinic: Clinic, practitioner: StaffMember, colleague: StaffMember, now: datetime
) -> World:
    patient = Patient.objects.create(
        clinic=clinic,
        given_name="Alice",
        family_name="Patient-Secret",
        email="alice@example.com",
        mobile="07700 900123",
    )
    other = Patient.objects.create(clinic=clinic, given_name="Bob", family_name="Other")
    screening = Screening.objects.create(
        patient=patient,
        status=ScreeningStatus.ELIGIBLE,
        protocol_id="microneedling",
        protocol_version="test",
        screened_by=practitioner,
        screened_at=NOW,
    )
    treatment = Treatment.objects.create(
        patient=patient,
        treated_at=NOW,
        time_zone="Europe/London",
        areas=["face"],
        protocol_id="microneedling",
        protocol_version="test",
        created_by=practitioner,
    )
    check_in = CheckIn.objects.create(
        treatment=treatment,
        symptoms=[{"symptom": "discharge"}],
        level=Level.CONTACT_CLINIC_NOW,
        hours_after=30,
    )
    reminder = Reminder.objects.create(
        treatment=treatment,
        patient=patient,
        item="RM-sunscreen:1",
        kind="sunscreen",
        channel="email",
        due_at=NOW,
        body="Patient-Secret sunscreen",
        idempotency_key=idempotency_key(treatment.pk, "RM-sunscreen:1", "email", "test"),
        protocol_version="test",
    )
    question = PatientQuestion.objects.create(
        patient=patient,
        treatment=treatment,
        text="Patient-Secret: can I fly?",
        outcome="topic",
        status=QuestionStatus.WAITING,
        asked_at=NOW,
    )
    admin = make_staff("admin", clinic)
    admin.role = Role.CLINIC_ADMIN
    admin.save()
    deactivated = make_staff("deactivated", clinic)
    beta = make_clinic("beta")
    outsider = make_staff("outsider", beta)
    outsider_admin = make_staff("outsider-admin", beta)
    outsider_admin.role = Role.CLINIC_ADMIN
    outsider_admin.save()
    clients: dict[str, Client] = {
        "anonymous": Client(),
        "patient": _patient_client(patient),
        "other_patient": _patient_client(other),
        "practitioner": _staff_client(practitioner),
        "colleague": _staff_client(colleague),
        "admin": _staff_client(admin),
        "deactivated": _staff_client(deactivated),
        "outsider": _staff_client(outsider),
        "outsider_admin": _staff_client(outsider_admin),
    } | _key_clients(clinic, beta)
    User.objects.filter(pk=deactivated.user.pk).update(is_active=False)
    return World(
        clinic,
        patient,
        other,
        screening,
        treatment,
        check_in,
        reminder,
        question,
        colleague,
        clients,
    )


def test_every_url_pattern_is_in_the_table() -> None:
    names = {name for name, _ in _patterns(get_resolver().url_patterns)}
    assert names - URLS.keys() == set(), "add the new URL to URLS, with its kind"
    assert URLS.keys() - names == set(), "remove URLs that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_the_table_says(world: World, persona: str) -> None:
    client = world.clients[persona]
    problems: list[str] = []
    # Signing out comes last: it ends the session the other requests rely on.
    patterns = sorted(_patterns(get_resolver().url_patterns), key=lambda p: p[0] in SIGN_OUT)
    for name, pattern in patterns:
        for call in _calls(world, name, pattern):
            problem = _check(client, persona, name, call)
            if problem:
                problems.append(problem)
    assert problems == []


def test_every_api_operation_is_asked_by_its_own_method(world: World) -> None:
    methods = {
        name: _api_method(name, pattern)
        for name, pattern in _patterns(get_resolver().url_patterns)
        if name.startswith("api:")
    }
    assert methods["api:list_patients"] == "GET"
    assert methods["api:create_patient"] == "POST"
    assert methods["api:update_patient"] == "PATCH"
    assert methods["api:cancel_reminder"] == "POST"
    operations = sorted(_api_operations().values())
    asked = sorted(m for name, m in methods.items() if name not in OUTSIDE_THE_DOCUMENT)
    assert asked == operations
    assert all(methods[name] != "GET" for name in API_BODIES)


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: object = None


# The API's URLs that are not operations of its OpenAPI document: asked by GET.
OUTSIDE_THE_DOCUMENT = frozenset({"api:openapi-json", "api:openapi-view", "api:api-root"})
# Django views rather than ninja operations: their errors are the web app's pages.
NOT_PROBLEMS = frozenset({"api:openapi-view"})


def _calls(world: World, name: str, pattern: URLPattern) -> list[Call]:
    url = reverse(name, kwargs=world.kwargs(name, pattern))
    if not name.startswith("api:"):
        return [Call(method, url) for method in METHODS]
    if name in API_QUERIES:
        url = f"{url}?{urlencode(API_QUERIES[name])}"
    return [Call(_api_method(name, pattern), url, API_BODIES.get(name))]


@cache
def _api_operations() -> dict[tuple[str, str], str]:
    """Each operation of the OpenAPI document, (path, operationId), and its method."""
    paths = api.get_openapi_schema()["paths"]
    return {
        (path, operation["operationId"]): method.upper()
        for path, operations in paths.items()
        for method, operation in operations.items()
    }


def _api_method(name: str, pattern: URLPattern) -> str:
    """The method of the API route ``name``: its operation's, where several share a path."""
    if name in OUTSIDE_THE_DOCUMENT:
        return "GET"
    path = "/api/" + str(pattern.pattern).replace("<int:pk>", "{pk}")
    suffix = "_" + name.removeprefix("api:")
    (method,) = [
        method
        for (operation_path, operation_id), method in _api_operations().items()
        if operation_path == path and operation_id.endswith(suffix)
    ]
    return method


def _check(client: Client, persona: str, name: str, call: Call) -> str | None:
    send: Callable[..., Any] = getattr(client, call.method.lower())
    if call.body is None:
        response = send(call.url)
    else:
        response = send(call.url, json.dumps(call.body), content_type="application/json")
    status = response.status_code
    where = f"{persona} {call.method} {call.url} ({name}) → {status}"
    if status >= 500:
        return f"{where}: server error"
    if status in {401, 403, 404} and _leaks(response.content):
        return f"{where}: personal data in a denied answer"
    is_api = name.startswith("api:") and name not in NOT_PROBLEMS
    if is_api and status >= 400 and response["Content-Type"] != PROBLEM:
        return f"{where}: an API error that is not {PROBLEM}"
    kind = URLS[name]
    if persona in STRANGERS and _leaks(response.content):
        return f"{where}: the patient's data shown to a stranger"
    if kind is Kind.PUBLIC:
        return None
    expected = EXPECTED[kind][persona]
    if expected == "ok":
        return f"{where}: refused, expected in" if _refused(response, is_api) else None
    if isinstance(expected, str):
        target = expected.removeprefix("→ ")
        return None if _redirects_to(response, target) else f"{where}: expected {expected}"
    return None if status == expected else f"{where}: expected {expected}"


def _refused(response: Any, is_api: bool) -> bool:
    status = response.status_code
    if is_api:
        # In, and answered: a success, or the record's own refusal (Bob has no treatment).
        return not (200 <= status < 300 or status == 409)
    return status in {401, 403, 404} or _redirects_to(response, "/login", "/p/signed-out")


def _redirects_to(response: Any, *targets: str) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and any(location.startswith(t) for t in targets)


def _leaks(content: bytes) -> bool:
    return any(secret.encode() in content for secret in SECRETS)
