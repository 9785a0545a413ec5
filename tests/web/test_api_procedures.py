"""A chemical peel through the API: screened and recorded with ``procedure``, and every
route of the treatment following the peel's protocol; a procedure the clinic does not
perform is a 422 naming the ones it does.

Alice (``patient``) is at the Alpha clinic; ``api_client`` is its booking system.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from aftercare.web.clinic.models import Clinic, Patient, Treatment
from aftercare.web.protocol import base_protocol
from tests.web.conftest import enable_procedures
from tests.web.test_api_access import fields, ok, post, problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

PEEL = "chemical-peel"
PEEL_ANSWERS = {
    "isotretinoin": "never",
    "pregnant": False,
    "breastfeeding": False,
    "open_wound": False,
    "active_herpes": False,
    "cold_sore_history": False,
    "allergies": "none",
    "immunity": False,
}
# 28 hours before NOW (2026-11-21 14:30 UTC).
TREATED_AT = "2026-11-20T10:30:00Z"


def screenings_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/screenings"


def treatments_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/treatments"


@pytest.fixture
def both(clinic: Clinic) -> Clinic:
    enable_procedures(clinic, "microneedling", PEEL)
    return clinic


@pytest.fixture
def peel(api_client: Client, both: Clinic, patient: Patient) -> dict[str, Any]:
    body = {"procedure": PEEL, "answers": PEEL_ANSWERS}
    screened = ok(post(api_client, screenings_url(patient), body), 201)
    assert (screened["procedure"], screened["status"]) == (PEEL, "eligible")
    assert screened["protocol"] == {"id": PEEL, "version": base_protocol(PEEL).version}
    body = {"procedure": PEEL, "treated_at": TREATED_AT, "areas": ["face"]}
    created: dict[str, Any] = ok(post(api_client, treatments_url(patient), body), 201)
    return created


def test_a_peel_is_recorded_with_the_peels_plan(peel: dict[str, Any]) -> None:
    treatment = Treatment.objects.get()
    assert (peel["procedure"], peel["protocol"]["id"]) == (PEEL, PEEL)
    assert treatment.protocol_id == PEEL
    assert peel["needle_depth_mm"] is None
    assert "sensitive_skin" not in peel["factors"]
    activities = {a for item in peel["plan"]["items"] for a in item["activities"]}
    assert "heat_at_home" in activities  # an activity only the peel names


def test_a_peels_can_i_and_plan_follow_its_protocol(
    api_client: Client, peel: dict[str, Any]
) -> None:
    url = f"/api/v1/treatments/{peel['id']}"
    answer = ok(api_client.get(f"{url}/can-i", {"activity": "sauna"}))
    # The peel allows heat from day 3; microneedling's sauna waits until day 14.
    assert (answer["verdict"], answer["rule"], answer["allowed_from_hours"]) == (
        "not_yet",
        "AC-heat",
        72,
    )
    fetched = ok(api_client.get(url))
    assert fetched["procedure"] == PEEL
    shown = ok(api_client.get(f"{url}/plan", {"at": "2026-11-21T14:30:00Z"}))
    assert shown["day"] == 1


def test_a_peels_exports_and_check_ins_follow_its_protocol(
    api_client: Client, patient: Patient, peel: dict[str, Any]
) -> None:
    url = f"/api/v1/treatments/{peel['id']}"
    calendar = api_client.get(f"{url}/calendar.ics").content.decode().replace("\r\n ", "")
    assert "SUMMARY:From Fri 27 Nov: perfume or fragranced products" in calendar
    assert api_client.get(f"{url}/leaflet.pdf").content.startswith(b"%PDF-")
    bundle = json.loads(api_client.get(f"/api/v1/patients/{patient.pk}/fhir").content)
    names = [
        e["resource"]["code"]["text"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Procedure"
    ]
    assert names == ["Superficial chemical peel"]
    body = {"symptoms": ["dryness_tightness"], "trend": "stable"}
    created = ok(post(api_client, f"{url}/check-ins", body), 201)
    assert (created["symptoms"], created["level"]) == (["dryness_tightness"], "expected")


def test_a_field_the_peel_does_not_use_is_refused(
    api_client: Client, both: Clinic, patient: Patient
) -> None:
    body = {"procedure": PEEL, "treated_at": TREATED_AT, "needle_depth_mm": 1.0}
    refused = problem(post(api_client, treatments_url(patient), body), 422)
    assert fields(refused) == {
        "body.needle_depth_mm": "the chemical-peel protocol does not use needle_depth_mm"
    }
    assert not Treatment.objects.exists()


def test_a_procedure_the_clinic_does_not_perform_is_refused(
    api_client: Client, patient: Patient
) -> None:
    message = "the clinic does not perform 'chemical-peel'; it performs: microneedling"
    body = {"procedure": PEEL, "answers": PEEL_ANSWERS}
    refused = problem(post(api_client, screenings_url(patient), body), 422)
    assert fields(refused) == {"body.procedure": message}
    body = {"procedure": PEEL, "treated_at": TREATED_AT, "override_reason": "x" * 20}
    refused = problem(post(api_client, treatments_url(patient), body), 422)
    assert fields(refused) == {"body.procedure": message}
    body = {"procedure": "tattoo", "treated_at": TREATED_AT}
    refused = problem(post(api_client, treatments_url(patient), body), 422)
    assert fields(refused) == {
        "body.procedure": "the clinic does not perform 'tattoo'; it performs: microneedling"
    }


def test_a_peel_takes_its_own_factors_by_id(
    api_client: Client, both: Clinic, patient: Patient
) -> None:
    body = {
        "procedure": PEEL,
        "treated_at": TREATED_AT,
        "factors": {"peel_depth": "superficial"},
        "override_reason": "x" * 20,
    }
    created = ok(post(api_client, treatments_url(patient), body), 201)
    assert created["factors"]["peel_depth"] == "superficial"
    assert created["needle_depth_mm"] is None
    assert Treatment.objects.get().factors["peel_depth"] == "superficial"


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        (
            {"factors": {"peel_depth": "deep"}},
            "body.factors.peel_depth",
            "peel depth must be one of: Very superficial (very_superficial), "
            "Superficial (superficial)",
        ),
        (
            {"factors": {"needle_depth_mm": 1.0}},
            "body.factors.needle_depth_mm",
            "the chemical-peel protocol does not use needle_depth_mm",
        ),
        (
            {"fitzpatrick": 3},
            "body.fitzpatrick",
            "the chemical-peel protocol does not use fitzpatrick",
        ),
    ],
)
def test_a_peel_factor_it_does_not_have_or_allow_is_a_422(
    api_client: Client,
    both: Clinic,
    patient: Patient,
    sent: dict[str, Any],
    field: str,
    message: str,
) -> None:
    body = {"procedure": PEEL, "treated_at": TREATED_AT, "override_reason": "x" * 20} | sent
    refused = problem(post(api_client, treatments_url(patient), body), 422)
    assert fields(refused) == {field: message}
    assert not Treatment.objects.exists()


def test_without_a_procedure_a_treatment_is_microneedling(
    api_client: Client, both: Clinic, patient: Patient
) -> None:
    body = {"treated_at": TREATED_AT, "needle_depth_mm": 1.0, "override_reason": "x" * 20}
    created = ok(post(api_client, treatments_url(patient), body), 201)
    assert (created["procedure"], created["protocol"]["id"]) == ("microneedling", "microneedling")
    assert created["needle_depth_mm"] == "1.00"


def test_the_course_counts_sessions_of_the_latest_procedure(
    api_client: Client, patient: Patient, peel: dict[str, Any]
) -> None:
    body = {"treated_at": "2026-10-01T10:00:00Z", "override_reason": "x" * 20}
    ok(post(api_client, treatments_url(patient), body), 201)
    course = ok(api_client.get(f"/api/v1/patients/{patient.pk}/course"))
    assert course["sessions_done"] == 1
    assert course["last_session"] == "2026-11-20"


# --- the engine's routes ------------------------------------------------------------------


@pytest.fixture
def anyone(db: None) -> Client:
    return Client()


@pytest.mark.parametrize(
    ("factors", "field", "message"),
    [
        (
            {"needle_depth_mm": 1.0},
            "body.factors.needle_depth_mm",
            "the chemical-peel protocol does not use needle_depth_mm",
        ),
        (
            {"values": {"peel_depth": "medium"}},
            "body.factors.values.peel_depth",
            "peel depth must be one of: Very superficial (very_superficial), "
            "Superficial (superficial)",
        ),
    ],
)
def test_the_engines_triage_checks_factors_against_the_procedure_asked(
    api_client: Client, both: Clinic, factors: dict[str, Any], field: str, message: str
) -> None:
    body = {"symptoms": [{"symptom": "redness"}], "hours_after": 24, "factors": factors}
    refused = problem(post(api_client, f"/api/v1/triage?procedure={PEEL}", body), 422)
    assert fields(refused) == {field: message}


def test_the_engines_triage_takes_the_peels_own_factor(api_client: Client, both: Clinic) -> None:
    body = {
        "symptoms": [{"symptom": "redness"}],
        "hours_after": 24,
        "factors": {"values": {"peel_depth": "superficial"}},
    }
    triaged = ok(post(api_client, f"/api/v1/triage?procedure={PEEL}", body))
    assert triaged["triage"] == "expected"


def test_the_engine_routes_answer_for_the_procedure_asked(api_client: Client, both: Clinic) -> None:
    peel = base_protocol(PEEL)
    answer = ok(api_client.get("/api/v1/protocol", {"procedure": PEEL}))
    assert (answer["id"], answer["protocol"]["procedure"]) == (PEEL, peel.procedure)
    check = ok(
        api_client.get("/api/v1/check", {"activity": "sauna", "hours_after": 48, "procedure": PEEL})
    )
    assert (check["rule"], check["allowed_from_hours"]) == ("AC-heat", 72)
    triaged = ok(
        post(
            api_client,
            f"/api/v1/triage?procedure={PEEL}",
            {"symptoms": [{"symptom": "dryness_tightness"}], "hours_after": 24},
        )
    )
    assert (triaged["triage"], triaged["protocol"]["id"]) == ("expected", PEEL)
    screened = ok(post(api_client, f"/api/v1/screen?procedure={PEEL}", {"answers": PEEL_ANSWERS}))
    assert (screened["status"], screened["protocol"]["id"]) == ("eligible", PEEL)
    query = {"first": "2026-12-01", "procedure": PEEL}
    course = ok(api_client.get("/api/v1/course/plan", query))
    assert course["requested_sessions"] == peel.course.default_sessions == 4
    assert course["sessions"][1]["earliest"] == "2026-12-22"  # 21 days, the peel's gap
    query = {"previous": "2026-11-01", "proposed": "2026-11-22", "procedure": PEEL}
    assert ok(api_client.get("/api/v1/course/check", query))["verdict"] == "within_window"
    query = {"completed": "2026-11-01", "procedure": PEEL}
    assert ok(api_client.get("/api/v1/course/maintenance", query)) == {
        "maintenance_earliest": "2026-12-01",
        "maintenance_latest": "2027-02-01",
    }


def test_without_a_procedure_the_engine_routes_answer_for_microneedling(
    api_client: Client, both: Clinic
) -> None:
    assert ok(api_client.get("/api/v1/protocol"))["id"] == "microneedling"
    check = ok(api_client.get("/api/v1/check", {"activity": "sauna", "hours_after": 48}))
    assert (check["rule"], check["allowed_from_hours"]) == ("AC-extreme-heat", 336)


def test_a_clinic_that_performs_only_peels_answers_for_peels(
    api_client: Client, clinic: Clinic
) -> None:
    enable_procedures(clinic, PEEL)
    assert ok(api_client.get("/api/v1/protocol"))["id"] == PEEL
    refused = problem(api_client.get("/api/v1/protocol", {"procedure": "microneedling"}), 422)
    assert fields(refused) == {
        "query.procedure": "the clinic does not perform 'microneedling'; it performs: chemical-peel"
    }


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/v1/protocol"),
        ("GET", "/api/v1/check?activity=sauna&hours_after=48"),
        ("POST", "/api/v1/triage"),
        ("POST", "/api/v1/screen"),
        ("GET", "/api/v1/course/plan?first=2026-12-01"),
        ("GET", "/api/v1/course/check?previous=2026-11-01&proposed=2026-12-01"),
        ("GET", "/api/v1/course/maintenance?completed=2026-11-01"),
    ],
)
def test_every_engine_route_refuses_a_procedure_the_clinic_does_not_perform(
    api_client: Client, method: str, url: str
) -> None:
    joined = f"{url}{'&' if '?' in url else '?'}procedure={PEEL}"
    body = {"symptoms": [{"symptom": "redness"}], "hours_after": 24, "answers": {}}
    sent = api_client.get(joined) if method == "GET" else post(api_client, joined, body)
    assert fields(problem(sent, 422)) == {
        "query.procedure": "the clinic does not perform 'chemical-peel'; it performs: microneedling"
    }


def test_without_a_key_any_packaged_procedure_is_answered(anyone: Client) -> None:
    assert ok(anyone.get("/api/v1/protocol", {"procedure": PEEL}))["id"] == PEEL
    refused = problem(anyone.get("/api/v1/protocol", {"procedure": "tattoo"}), 422)
    assert fields(refused) == {
        "query.procedure": "there is no procedure 'tattoo'; there are: chemical-peel, microneedling"
    }
