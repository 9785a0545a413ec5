"""A procedure Aftercare has never heard of, added as a file and nothing else.

The engine tests' made-up protocol (tests/engine/fixtures/mini.yaml) is put in the
directory ``AFTERCARE_PROTOCOLS_DIR`` names, as a clinic would put its own procedure; no
Python changes. The clinic switches it on, and its booking system screens, records, plans,
checks in and exports a treatment of it through the API, every answer from its protocol.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from aftercare.protocols.load import ProtocolError
from aftercare.protocols.registry import installed_protocols
from aftercare.web import protocol as web_protocol
from aftercare.web.clinic.models import Clinic, Patient, Treatment
from aftercare.web.config.env import env_directory
from tests.web.conftest import enable_procedures
from tests.web.test_api_access import ok, post, problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

MINI = Path(__file__).parents[1] / "engine" / "fixtures" / "mini.yaml"
ANSWERS = {
    "acne_pills": "never",
    "peel": "never",
    "filler": "never",
    "pregnant": False,
    "sunburn": False,
    "cold_sores": False,
    "skin_type": "light",
    "allergies": "none",
}
# 28 hours before NOW (2026-11-21 14:30 UTC).
TREATED_AT = "2026-11-20T10:30:00Z"


def _forget_protocols() -> None:
    web_protocol._packaged.cache_clear()
    web_protocol.effective_protocol.cache_clear()


@pytest.fixture
def own_protocols(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copy(MINI, tmp_path / "mini.yaml")
    monkeypatch.setenv("AFTERCARE_PROTOCOLS_DIR", str(tmp_path))
    _forget_protocols()
    yield tmp_path
    _forget_protocols()


@pytest.fixture
def mini_treatment(
    own_protocols: Path, clinic: Clinic, api_client: Client, patient: Patient
) -> dict[str, Any]:
    enable_procedures(clinic, "microneedling", "mini")
    screened = ok(
        post(
            api_client,
            f"/api/v1/patients/{patient.pk}/screenings",
            {"procedure": "mini", "answers": ANSWERS},
        ),
        201,
    )
    assert (screened["procedure"], screened["status"]) == ("mini", "eligible")
    body = {"procedure": "mini", "treated_at": TREATED_AT, "areas": ["face"]}
    created: dict[str, Any] = ok(
        post(api_client, f"/api/v1/patients/{patient.pk}/treatments", body), 201
    )
    return created


def test_a_protocol_file_is_a_procedure_the_clinic_can_perform(
    own_protocols: Path, mini_treatment: dict[str, Any]
) -> None:
    assert installed_protocols().ids == ("chemical-peel", "microneedling", "mini")
    assert Treatment.objects.get().protocol_id == "mini"
    assert mini_treatment["procedure"] == "mini"
    activities = {a for item in mini_treatment["plan"]["items"] for a in item["activities"]}
    assert "cold_compress" in activities  # an activity only the mini protocol names


def test_its_answers_come_from_its_protocol(
    api_client: Client, patient: Patient, mini_treatment: dict[str, Any]
) -> None:
    url = f"/api/v1/treatments/{mini_treatment['id']}"
    answer = ok(api_client.get(f"{url}/can-i", {"activity": "sauna"}))
    # The mini protocol's sauna waits 48 hours (microneedling's, 14 days).
    assert (answer["verdict"], answer["allowed_from_hours"]) == ("not_yet", 48)
    body = {"symptoms": ["redness"], "trend": "stable"}
    checked = ok(post(api_client, f"{url}/check-ins", body), 201)
    assert checked["level"] == "expected"  # redness is expected for 48 hours there
    calendar = api_client.get(f"{url}/calendar.ics").content.decode()
    assert "BEGIN:VCALENDAR" in calendar
    assert api_client.get(f"{url}/leaflet.pdf").content.startswith(b"%PDF-")
    bundle = json.loads(api_client.get(f"/api/v1/patients/{patient.pk}/fhir").content)
    names = [
        e["resource"]["code"]["text"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Procedure"
    ]
    assert names == ["Mini procedure"]


def test_without_the_directory_the_procedure_is_unknown(
    clinic: Clinic, api_client: Client, patient: Patient
) -> None:
    body = {"procedure": "mini", "answers": ANSWERS}
    refused = problem(post(api_client, f"/api/v1/patients/{patient.pk}/screenings", body), 422)
    assert "mini" in json.dumps(refused)


def test_a_directory_that_is_not_there_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "nowhere")
    with pytest.raises(ImproperlyConfigured, match="AFTERCARE_PROTOCOLS_DIR names no directory"):
        env_directory("AFTERCARE_PROTOCOLS_DIR", {"AFTERCARE_PROTOCOLS_DIR": missing})
    monkeypatch.setenv("AFTERCARE_PROTOCOLS_DIR", missing)
    with pytest.raises(ProtocolError) as raised:
        installed_protocols()
    assert [issue.message for issue in raised.value.issues] == [
        "AFTERCARE_PROTOCOLS_DIR names no directory"
    ]
