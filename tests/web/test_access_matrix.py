"""Every URL, for every persona, by every method: who gets in, and what the others see.

The table below names each URL pattern's kind; the test fails when the resolver has a
pattern the table does not know, so a new page cannot ship without a decision here.
Denied answers must carry none of the patient's personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aftercare.web.clinic.models import (
    CheckIn,
    Clinic,
    Level,
    Patient,
    PatientLink,
    Reminder,
    Role,
    Screening,
    ScreeningStatus,
    StaffMember,
    Treatment,
    idempotency_key,
)
from aftercare.web.reminders.optout import optout_token
from tests.web.conftest import NOW, make_clinic, make_staff

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


URLS: dict[str, Kind] = {
    "home": Kind.PUBLIC,
    "healthz": Kind.PUBLIC,
    "login": Kind.PUBLIC,
    "logout": Kind.PUBLIC,
    "staff:dashboard": Kind.CLINIC,
    "staff:patients": Kind.CLINIC,
    "staff:patient_new": Kind.CLINIC,
    "staff:patient": Kind.RECORD,
    "staff:patient_edit": Kind.RECORD,
    "staff:screening_new": Kind.RECORD,
    "staff:screening": Kind.RECORD,
    "staff:treatment_new": Kind.RECORD,
    "staff:treatment": Kind.RECORD,
    "staff:treatment_edit": Kind.RECORD,
    "staff:treatment_cancel": Kind.RECORD,
    "staff:reminder_cancel": Kind.RECORD,
    "staff:patient_link": Kind.RECORD,
    "staff:check_in": Kind.RECORD,
    "staff:clinic_settings": Kind.ADMIN,
    "staff:staff_list": Kind.ADMIN,
    "staff:staff_new": Kind.ADMIN,
    "staff:staff_edit": Kind.ADMIN_RECORD,
    "staff:audit": Kind.ADMIN,
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
    "portal:check_in": Kind.PORTAL,
    "portal:check_in_result": Kind.PORTAL_RECORD,
    "portal:course": Kind.PORTAL,
    "portal:leaflet": Kind.PORTAL,
    "portal:calendar": Kind.PORTAL,
    "portal:message_settings": Kind.PORTAL,
    "portal:stop": Kind.BY_TOKEN,
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
)
METHODS = ("GET", "HEAD", "POST")
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
EXPECTED[Kind.PORTAL_RECORD] = EXPECTED[Kind.PORTAL] | {"other_patient": 404}
EXPECTED[Kind.BY_TOKEN] = dict.fromkeys(PERSONAS, "ok")
# Who must never see anything of that patient, on any page.
STRANGERS = frozenset({"anonymous", "other_patient", "deactivated", "outsider", "outsider_admin"})
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
    colleague: StaffMember
    clients: dict[str, Client]

    def kwargs(self, name: str, pattern: URLPattern) -> dict[str, Any]:
        ids = {
            "staff:check_in": {"pk": self.check_in.pk},
            "portal:check_in_result": {"pk": self.check_in.pk},
            "staff:staff_edit": {"pk": self.colleague.pk},
        }
        if name in ids:
            return ids[name]
        params = set(pattern.pattern.converters)
        values = {
            "pk": self.patient.pk,
            "screening_pk": self.screening.pk,
            "treatment_pk": self.treatment.pk,
            "reminder_pk": self.reminder.pk,
            "token": optout_token(self.patient.pk, "email"),
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
    client.force_login(staff.user)
    return client


def _patient_client(patient: Patient) -> Client:
    client = Client()
    _, token = PatientLink.issue(patient, NOW)
    response = client.post(reverse("portal:open"), {"t": token, "token": token})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def world(clinic: Clinic, practitioner: StaffMember, colleague: StaffMember) -> World:
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
    }
    User.objects.filter(pk=deactivated.user.pk).update(is_active=False)
    return World(
        clinic, patient, other, screening, treatment, check_in, reminder, colleague, clients
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
        url = reverse(name, kwargs=world.kwargs(name, pattern))
        for method in METHODS:
            problem = _check(client, persona, name, url, method)
            if problem:
                problems.append(problem)
    assert problems == []


def _check(client: Client, persona: str, name: str, url: str, method: str) -> str | None:
    send: Callable[..., Any] = getattr(client, method.lower())
    response = send(url)
    status = response.status_code
    where = f"{persona} {method} {url} ({name}) → {status}"
    if status >= 500:
        return f"{where}: server error"
    if status in {403, 404} and _leaks(response.content):
        return f"{where}: personal data in a denied answer"
    kind = URLS[name]
    if persona in STRANGERS and _leaks(response.content):
        return f"{where}: the patient's data shown to a stranger"
    if kind is Kind.PUBLIC:
        return None
    expected = EXPECTED[kind][persona]
    if expected == "ok":
        if status in {401, 403, 404} or _redirects_to(response, "/login", "/p/signed-out"):
            return f"{where}: refused, expected in"
        return None
    if isinstance(expected, str):
        target = expected.removeprefix("→ ")
        return None if _redirects_to(response, target) else f"{where}: expected {expected}"
    return None if status == expected else f"{where}: expected {expected}"


def _redirects_to(response: Any, *targets: str) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and any(location.startswith(t) for t in targets)


def _leaks(content: bytes) -> bool:
    return any(secret.encode() in content for secret in SECRETS)
