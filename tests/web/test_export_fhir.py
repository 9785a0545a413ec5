"""The staff FHIR download: the clinic's own patient as a Bundle built from the records,
in a bounded number of queries, audited; another clinic's patient is a 404 naming nobody."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from aftercare.web.clinic.models import (
    AuditEvent,
    CheckIn,
    Level,
    Outcome,
    Patient,
    Screening,
    ScreeningStatus,
    StaffMember,
    Treatment,
    Trend,
)
from tests.web.conftest import CHAIN_QUERIES, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def treat(patient: Patient, staff: StaffMember, days_ago: float, **fields: Any) -> Treatment:
    return Treatment.objects.create(
        patient=patient,
        treated_at=NOW - timedelta(days=days_ago),
        time_zone="Europe/London",
        areas=["face"],
        protocol_id="microneedling",
        protocol_version="test",
        created_by=staff,
        **fields,
    )


def check_in(treatment: Treatment, hours_after: float, text: str = "") -> CheckIn:
    return CheckIn.objects.create(
        treatment=treatment,
        symptoms=[{"symptom": "redness"}, {"symptom": "swelling"}],
        trend=Trend.IMPROVING,
        free_text=text,
        level=Level.EXPECTED,
        hours_after=hours_after,
        created_at=treatment.treated_at + timedelta(hours=hours_after),
    )


def screen(patient: Patient, staff: StaffMember, days_ago: int) -> Screening:
    return Screening.objects.create(
        patient=patient,
        answers={"pregnant": False, "isotretinoin": "current"},
        status=ScreeningStatus.NOT_SUITABLE,
        protocol_id="microneedling",
        protocol_version="test",
        screened_by=staff,
        screened_at=NOW - timedelta(days=days_ago),
    )


def download(client: Client, patient: Patient) -> Any:
    return client.get(reverse("staff:patient_fhir", args=[patient.pk]))


def entries(response: Any, kind: str) -> list[dict[str, Any]]:
    data = json.loads(response.content)
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_it_downloads_the_patients_bundle(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    treatment = treat(patient, practitioner, days_ago=3)
    check_in(treatment, 30, "Feeling fine")
    screen(patient, practitioner, days_ago=10)
    client.force_login(practitioner.user)
    response = download(client, patient)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="aftercare-patient-{patient.pk}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    Bundle.model_validate_json(response.content)
    assert entries(response, "Patient")[0]["name"] == [{"text": "Alice Patient"}]
    assert entries(response, "Patient")[0]["identifier"][0]["value"] == str(patient.pk)
    (procedure,) = entries(response, "Procedure")
    assert procedure["performedDateTime"] == "2026-11-18T14:30:00Z"
    assert procedure["bodySite"] == [{"text": "Face"}]
    (care_plan,) = entries(response, "CarePlan")
    assert care_plan["status"] == "active"
    responses = entries(response, "QuestionnaireResponse")
    assert [r["authored"] for r in responses] == ["2026-11-19T20:30:00Z", "2026-11-11T14:30:00Z"]


def test_it_records_the_download(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    treatment = treat(patient, practitioner, days_ago=1)
    client.force_login(practitioner.user)
    download(client, patient)
    event = AuditEvent.objects.get(action="export.fhir")
    assert event.patient == patient
    assert event.actor_staff_id == practitioner.pk
    assert event.outcome == Outcome.ALLOWED
    assert (event.object_type, event.object_id) == ("treatment", str(treatment.pk))


def test_another_clinics_patient_is_not_found(
    client: Client, practitioner: StaffMember, outsider: StaffMember, patient: Patient
) -> None:
    treat(patient, practitioner, days_ago=1)
    client.force_login(outsider.user)
    response = download(client, patient)
    assert response.status_code == 404
    assert b"Alice" not in response.content
    assert b"Patient" not in response.content
    denied = AuditEvent.objects.get(action="export.fhir")
    assert denied.outcome == Outcome.DENIED
    assert denied.patient is None


def test_it_exports_the_latest_treatment_that_has_happened(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    earlier = treat(patient, practitioner, days_ago=40)
    check_in(earlier, 20)
    latest = treat(patient, practitioner, days_ago=5)
    check_in(latest, 50)
    treat(patient, practitioner, days_ago=2, cancelled_at=NOW)
    treat(patient, practitioner, days_ago=-3)
    client.force_login(practitioner.user)
    response = download(client, patient)
    (procedure,) = entries(response, "Procedure")
    assert procedure["identifier"][0]["value"] == str(latest.pk)
    (only,) = entries(response, "QuestionnaireResponse")
    assert only["authored"] == "2026-11-18T16:30:00Z"


def test_a_patient_not_yet_treated_has_nothing_to_export(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    treat(patient, practitioner, days_ago=-1)
    client.force_login(practitioner.user)
    response = download(client, patient)
    assert response.status_code == 409
    assert b"no treatment to export" in response.content
    assert not AuditEvent.objects.filter(action="export.fhir").exists()


def test_it_refuses_other_methods(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    treat(patient, practitioner, days_ago=1)
    client.force_login(practitioner.user)
    response = client.post(reverse("staff:patient_fhir", args=[patient.pk]))
    assert response.status_code == 405


def test_a_name_with_direction_overrides_is_escaped(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    patient.given_name = "\u202eecilA \U0001f600"
    patient.save()
    treat(patient, practitioner, days_ago=1)
    client.force_login(practitioner.user)
    response = download(client, patient)
    assert "\u202e".encode() not in response.content
    assert b"\\u202e" in response.content
    name = entries(response, "Patient")[0]["name"][0]["text"]
    assert name == "\u202eecilA \U0001f600 Patient"


def test_its_queries_do_not_grow_with_the_records(
    client: Client,
    practitioner: StaffMember,
    patient: Patient,
    django_assert_max_num_queries: Any,
) -> None:
    for days_ago in (60, 30):
        treat(patient, practitioner, days_ago=days_ago)
    treatment = treat(patient, practitioner, days_ago=10)
    for hours in range(0, 200, 5):
        check_in(treatment, hours)
    for days_ago in range(11, 40):
        screen(patient, practitioner, days_ago)
    client.force_login(practitioner.user)
    # One more for the length planned for the course of the treatment's procedure.
    with django_assert_max_num_queries(11 + CHAIN_QUERIES):
        response = download(client, patient)
    assert len(entries(response, "QuestionnaireResponse")) == 40 + 29


def test_the_patient_page_links_to_the_download(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    client.force_login(practitioner.user)
    url = reverse("staff:patient_fhir", args=[patient.pk])
    assert url not in client.get(reverse("staff:patient", args=[patient.pk])).content.decode()
    treat(patient, practitioner, days_ago=1)
    page = client.get(reverse("staff:patient", args=[patient.pk])).content.decode()
    assert f'<a href="{url}" download>Download FHIR bundle</a>' in page
