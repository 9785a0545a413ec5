"""Every URL, for every persona, by every method: who gets in, and what the others see.

The table below names each URL pattern's kind; the test fails when the resolver has a
pattern the table does not know, so a new page or API route cannot ship without a decision
here. Denied answers must carry none of the patient's personal data.

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
from enum import Enum
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
from tests.web.conftest import NOW, key_client, make_clinic, make_key, make_staff, sign_in_staff

pytestmark = pytest.mark.django_db


class Kind(Enum):
    PUBLIC = "anyone"
    CLINIC = "staff of any clinic, about their own clinic"
    RECORD = "staff of the record's clinic"
    ADMIN = "clinic administrators"
    ADMIN_RECORD = "administrators of the record's clinic"
    PORTAL = "a signed-in patient, about themselves"
    PORTAL_RECORD = "the signed-in patient the record belongs to"
    BY_TOKEN = "anyone holding the signed link from a message"
    API_DOCUMENT = "anyone, with or without a key (the OpenAPI document)"
    API_DOCS = "signed-in staff (the API's interactive documentation)"
    API_NOWHERE = "nobody: the API's answer for an address it does not have"
    API_ENGINE = "anyone; a key, if one is sent, must be live"
    API_CLINIC = "a live key, about its own clinic"
    API_CLINIC_WRITE = "a live read-write key, about its own clinic"
    API_RECORD = "a live key of the record's clinic"
    API_RECORD_WRITE = "a live read-write key of the record's clinic"
    API_PORTAL = "the API for a signed-in patient, about themselves"
    API_PORTAL_RECORD = "the API for the signed-in patient the record belongs to"


URLS: dict[str, Kind] = {
    "home": Kind.PUBLIC,
    "healthz": Kind.PUBLIC,
    "login": Kind.PUBLIC,
    "logout": Kind.PUBLIC,
    "accounts:account": Kind.CLINIC,
    "accounts:password_change": Kind.CLINIC,
    "accounts:reset_request": Kind.PUBLIC,
    "accounts:reset_sent": Kind.PUBLIC,
    "accounts:reset_confirm": Kind.PUBLIC,
    "accounts:reset_complete": Kind.PUBLIC,
    "accounts:two_factor_verify": Kind.CLINIC,
    "accounts:two_factor_setup": Kind.CLINIC,
    "accounts:recovery_codes": Kind.CLINIC,
    "accounts:two_factor_off": Kind.CLINIC,
    "accounts:keep_alive": Kind.CLINIC,
    "staff:dashboard": Kind.CLINIC,
    "staff:patients": Kind.CLINIC,
    "staff:patient_new": Kind.CLINIC,
    "staff:patient": Kind.RECORD,
    "staff:patient_edit": Kind.RECORD,
    "staff:patient_erase": Kind.ADMIN_RECORD,
    "staff:patient_legal_hold": Kind.ADMIN_RECORD,
    "staff:patient_subject_access": Kind.RECORD,
    "staff:screening_new": Kind.RECORD,
    "staff:screening": Kind.RECORD,
    "staff:treatment_new": Kind.RECORD,
    "staff:treatment": Kind.RECORD,
    "staff:treatment_edit": Kind.RECORD,
    "staff:treatment_cancel": Kind.RECORD,
    "staff:reminder_cancel": Kind.RECORD,
    "staff:patient_link": Kind.RECORD,
    "staff:check_in": Kind.RECORD,
    "staff:question": Kind.RECORD,
    "staff:clinic_settings": Kind.ADMIN,
    "staff:protocol_rule": Kind.ADMIN,
    "staff:clinic_procedures": Kind.ADMIN,
    "staff:staff_list": Kind.ADMIN,
    "staff:staff_new": Kind.ADMIN,
    "staff:staff_edit": Kind.ADMIN_RECORD,
    "staff:audit": Kind.ADMIN,
    "staff:audit_csv": Kind.ADMIN,
    "staff:api_keys": Kind.ADMIN,
    "staff:api_key_new": Kind.ADMIN,
    "staff:api_key_revoke": Kind.ADMIN,
    "staff:treatment_leaflet": Kind.RECORD,
    "staff:patient_fhir": Kind.RECORD,
    "staff:clinic_leaflet": Kind.CLINIC,
    "portal:open": Kind.PUBLIC,
    "portal:new_link": Kind.PUBLIC,
    "portal:signed_out": Kind.PUBLIC,
    "portal:leave": Kind.PUBLIC,
    "portal:today": Kind.PORTAL,
    "portal:timeline": Kind.PORTAL,
    "portal:can_i": Kind.PORTAL,
    "portal:send_question": Kind.PORTAL,
    "portal:check_in": Kind.PORTAL,
    "portal:check_in_result": Kind.PORTAL_RECORD,
    "portal:course": Kind.PORTAL,
    "portal:leaflet": Kind.PORTAL,
    "portal:calendar": Kind.PORTAL,
    "portal:message_settings": Kind.PORTAL,
    "portal:stop": Kind.BY_TOKEN,
    # The clinic's look: a colour anyone may fetch, the manifest (the clinic's name only for
    # its signed-in patient) and the logo (only to its signed-in patients: test_portal_brand).
    "portal:accent": Kind.PUBLIC,
    "portal:manifest": Kind.PUBLIC,
    "portal:logo": Kind.PUBLIC,
    "api:openapi-json": Kind.API_DOCUMENT,
    "api:openapi-view": Kind.API_DOCS,
    "api:api-root": Kind.API_NOWHERE,
    "api:get_protocol": Kind.API_ENGINE,
    "api:get_check": Kind.API_ENGINE,
    "api:post_triage": Kind.API_ENGINE,
    "api:post_screen": Kind.API_ENGINE,
    "api:get_course_plan": Kind.API_ENGINE,
    "api:get_course_check": Kind.API_ENGINE,
    "api:get_maintenance": Kind.API_ENGINE,
    "api:list_patients": Kind.API_CLINIC,
    "api:create_patient": Kind.API_CLINIC_WRITE,
    "api:get_patient": Kind.API_RECORD,
    "api:update_patient": Kind.API_RECORD_WRITE,
    "api:list_screenings": Kind.API_RECORD,
    "api:create_screening": Kind.API_RECORD_WRITE,
    "api:list_treatments": Kind.API_RECORD,
    "api:create_treatment": Kind.API_RECORD_WRITE,
    "api:get_treatment": Kind.API_RECORD,
    "api:get_plan": Kind.API_RECORD,
    "api:can_i": Kind.API_RECORD,
    "api:ask_treatment": Kind.API_RECORD,
    "api:get_course": Kind.API_RECORD,
    "api:list_check_ins": Kind.API_RECORD,
    "api:create_check_in": Kind.API_RECORD_WRITE,
    "api:calendar": Kind.API_RECORD,
    "api:leaflet": Kind.API_RECORD,
    "api:patient_fhir": Kind.API_RECORD,
    "api:list_alerts": Kind.API_CLINIC,
    "api:get_alert": Kind.API_RECORD,
    "api:review_alert": Kind.API_RECORD_WRITE,
    "api:list_reminders": Kind.API_RECORD,
    "api:cancel_reminder": Kind.API_RECORD_WRITE,
    "api:my_plan": Kind.API_PORTAL,
    "api:my_can_i": Kind.API_PORTAL,
    "api:my_ask": Kind.API_PORTAL,
    "api:my_check_in": Kind.API_PORTAL,
    "api:my_check_in_result": Kind.API_PORTAL_RECORD,
    "api:my_course": Kind.API_PORTAL,
    "api:my_calendar": Kind.API_PORTAL,
    "api:my_leaflet": Kind.API_PORTAL,
}
# What an API route is sent: its query, and for a write its JSON body.
API_QUERIES: dict[str, dict[str, str]] = {
    "api:get_check": {"activity": "sauna", "hours_after": "10"},
    "api:get_course_plan": {"first": "2026-12-01"},
    "api:get_course_check": {"previous": "2026-11-01", "proposed": "2026-12-01"},
    "api:get_maintenance": {"completed": "2026-11-01"},
    "api:can_i": {"activity": "sauna"},
    "api:my_can_i": {"activity": "sauna"},
    "api:ask_treatment": {"q": "can i go in the sauna?"},
    "api:my_ask": {"q": "can i go in the sauna?"},
}
API_BODIES: dict[str, object] = {
    "api:post_triage": {"symptoms": [{"symptom": "redness"}], "hours_after": 10},
    "api:post_screen": {"answers": {"isotretinoin": "2026-10-01"}},
    "api:create_patient": {"given_name": "Carol", "family_name": "New"},
    "api:update_patient": {"preferred_channel": "none"},
    "api:create_screening": {"answers": {"pregnant": False}},
    "api:create_treatment": {
        "treated_at": NOW.isoformat(),
        "override_reason": "Screened on paper at the front desk.",
    },
    "api:create_check_in": {"symptoms": ["redness"], "trend": "stable"},
    "api:review_alert": {"note": "Called back."},
    "api:my_check_in": {"symptoms": ["redness"], "trend": "stable"},
}

PERSONAS = (
    "anonymous",
    "patient",
    "other_patient",
    "practitioner",
    "colleague",
    "admin",
    "deactivated",
    "outsider",
    "outsider_admin",
    "read_write_key",
    "read_only_key",
    "revoked_key",
    "outsider_key",
)
KEYS = ("read_write_key", "read_only_key", "revoked_key", "outsider_key")
SESSIONS = tuple(p for p in PERSONAS if p not in KEYS)
METHODS = ("GET", "HEAD", "POST")
PROBLEM = "application/problem+json"
SIGN_OUT = frozenset({"logout", "portal:leave"})
TO_LOGIN = "→ /login"
TO_SIGNED_OUT = "→ /p/signed-out"
# What each persona gets from each kind of page; "ok" means in, with the page's own answer.
EXPECTED: dict[Kind, dict[str, int | str]] = {
    Kind.CLINIC: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": "ok",
        "colleague": "ok",
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": "ok",
        "outsider_admin": "ok",
    },
    Kind.RECORD: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": "ok",
        "colleague": "ok",
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": 404,
        "outsider_admin": 404,
    },
    Kind.ADMIN: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": 403,
        "colleague": 403,
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": 403,
        "outsider_admin": "ok",
    },
    Kind.ADMIN_RECORD: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": 403,
        "colleague": 403,
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": 403,
        "outsider_admin": 404,
    },
    Kind.PORTAL: {
        "anonymous": TO_SIGNED_OUT,
        "patient": "ok",
        "other_patient": "ok",
        "practitioner": TO_SIGNED_OUT,
        "colleague": TO_SIGNED_OUT,
        "admin": TO_SIGNED_OUT,
        "deactivated": TO_SIGNED_OUT,
        "outsider": TO_SIGNED_OUT,
        "outsider_admin": TO_SIGNED_OUT,
    },
}
# An API key is nobody to the web app's pages: it signs nobody in.
for kind in (Kind.CLINIC, Kind.RECORD, Kind.ADMIN, Kind.ADMIN_RECORD):
    EXPECTED[kind] |= dict.fromkeys(KEYS, TO_LOGIN)
EXPECTED[Kind.PORTAL] |= dict.fromkeys(KEYS, TO_SIGNED_OUT)
EXPECTED[Kind.PORTAL_RECORD] = EXPECTED[Kind.PORTAL] | {"other_patient": 404}
EXPECTED[Kind.BY_TOKEN] = dict.fromkeys(PERSONAS, "ok")
EXPECTED[Kind.API_DOCUMENT] = dict.fromkeys(PERSONAS, "ok")
EXPECTED[Kind.API_DOCS] = EXPECTED[Kind.CLINIC]
EXPECTED[Kind.API_NOWHERE] = dict.fromkeys(PERSONAS, 404)
EXPECTED[Kind.API_ENGINE] = dict.fromkeys(PERSONAS, "ok") | {"revoked_key": 401}
# A browser's session is not a key, whoever it signed in.
_NO_KEY = dict.fromkeys(SESSIONS, 401) | {"revoked_key": 401}
EXPECTED[Kind.API_CLINIC] = _NO_KEY | dict.fromkeys(
    ("read_write_key", "read_only_key", "outsider_key"), "ok"
)
EXPECTED[Kind.API_CLINIC_WRITE] = EXPECTED[Kind.API_CLINIC] | {"read_only_key": 403}
EXPECTED[Kind.API_RECORD] = EXPECTED[Kind.API_CLINIC] | {"outsider_key": 404}
EXPECTED[Kind.API_RECORD_WRITE] = EXPECTED[Kind.API_RECORD] | {"read_only_key": 403}
EXPECTED[Kind.API_PORTAL] = dict.fromkeys(PERSONAS, 401) | {
    "patient": "ok",
    "other_patient": "ok",
}
EXPECTED[Kind.API_PORTAL_RECORD] = EXPECTED[Kind.API_PORTAL] | {"other_patient": 404}
# Which record an API route's {pk} is, by the start of its route.
API_RECORDS = (
    ("v1/patients/", "patient"),
    ("v1/treatments/", "treatment"),
    ("v1/alerts/", "check_in"),
    ("v1/me/check-ins/", "check_in"),
    ("v1/reminders/", "reminder"),
)
# Who must never see anything of that patient, on any page.
STRANGERS = frozenset(
    {
        "anonymous",
        "other_patient",
        "deactivated",
        "outsider",
        "outsider_admin",
        "revoked_key",
        "outsider_key",
    }
)
# The personal data of the patient every record URL points at.
SECRETS = ("Alice", "alice@example.com", "07700 900123", "Patient-Secret")


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
