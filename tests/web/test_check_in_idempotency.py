"""A check-in sent twice with the same key (a retry after a lost answer, a double tap)
is recorded once, and raises one alert."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import AuditEvent, CheckIn, Patient, StaffMember, Treatment
from tests.web.conftest import NOW
from tests.web.test_api_access import ok, problem
from tests.web.test_portal_plan import sign_in, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    return treat(patient, practitioner, NOW - timedelta(hours=50))


BODY = {"symptoms": ["discharge"], "trend": "worsening", "free_text": "Called at 2pm."}


def post_check_in(client: Client, treatment: Treatment, key: str | None) -> object:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(
        f"/api/v1/treatments/{treatment.pk}/check-ins",
        json.dumps(BODY),
        content_type="application/json",
        headers=headers,
    )


def test_the_same_key_answers_with_the_first_check_in(
    api_client: Client,
    treated: Treatment,
) -> None:
    first = ok(post_check_in(api_client, treated, "retry-7f3a"), 201)
    again = ok(post_check_in(api_client, treated, "retry-7f3a"), 201)
    assert again == first
    assert CheckIn.objects.count() == 1
    assert AuditEvent.objects.filter(action="checkin.create").count() == 1
    other = ok(post_check_in(api_client, treated, "retry-8b1c"), 201)
    assert other["id"] != first["id"]
    ok(post_check_in(api_client, treated, None), 201)
    ok(post_check_in(api_client, treated, None), 201)
    assert CheckIn.objects.count() == 4


@pytest.mark.parametrize("key", ["has space", "x" * 101, "é"])
def test_a_malformed_key_is_refused(
    api_client: Client,
    treated: Treatment,
    key: str,
) -> None:
    body = problem(post_check_in(api_client, treated, key), 422)
    assert "Idempotency-Key is 1 to 100 letters, digits or punctuation" in json.dumps(body)
    assert not CheckIn.objects.exists()


def test_the_portal_form_sent_twice_records_one_check_in(
    client: Client,
    patient: Patient,
    treated: Treatment,
) -> None:
    sign_in(client, patient)
    page = client.get(reverse("portal:check_in")).content.decode()
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found is not None
    data = {"symptoms": ["discharge"], "trend": "worsening", "idempotency_key": found[1]}
    first = client.post(reverse("portal:check_in"), data)
    again = client.post(reverse("portal:check_in"), data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert CheckIn.objects.count() == 1
    fresh = client.get(reverse("portal:check_in")).content.decode()
    assert f'value="{found[1]}"' not in fresh


def test_the_same_key_on_another_treatment_is_another_check_in(
    api_client: Client,
    treated: Treatment,
    patient: Patient,
    practitioner: StaffMember,
) -> None:
    ok(post_check_in(api_client, treated, "shared"), 201)
    other = Treatment.objects.create(
        patient=patient,
        treated_at=treated.treated_at,
        time_zone=treated.time_zone,
        areas=treated.areas,
        protocol_id=treated.protocol_id,
        protocol_version=treated.protocol_version,
        created_by=practitioner,
    )
    ok(post_check_in(api_client, other, "shared"), 201)
    assert CheckIn.objects.count() == 2
