"""The audit page: sentences a governance lead reads, filters, paging and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Clinic,
    Outcome,
    Patient,
    StaffMember,
)
from tests.web.conftest import CHAIN_QUERIES, NOW, sign_in_staff

AUDIT = "/clinic/audit"
CSV = "/clinic/audit.csv"

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def as_admin(client: Client, clinic_admin: StaffMember) -> Client:
    return sign_in_staff(client, clinic_admin)


@pytest.fixture
def sam(practitioner: StaffMember) -> StaffMember:
    practitioner.user.first_name, practitioner.user.last_name = "Sam", "Patel"
    practitioner.user.save()
    return practitioner


@pytest.fixture
def ben(clinic: Clinic) -> Patient:
    return Patient.objects.create(clinic=clinic, given_name="Ben", family_name="Carter")


def add_events(clinic: Clinic, count: int, minutes_ago: int = 1, **fields: object) -> None:
    for index in range(count):
        AuditEvent.objects.create(
            clinic=clinic,
            action=fields.get("action", "patient.view"),
            outcome=fields.get("outcome", Outcome.ALLOWED),
            actor_kind=fields.get("actor_kind", ActorKind.SYSTEM),
            at=NOW - timedelta(minutes=minutes_ago + index),
            **{k: v for k, v in fields.items() if k not in {"action", "outcome", "actor_kind"}},
        )


def staff_event(staff: StaffMember, patient: Patient | None, action: str, **fields: object) -> None:
    add_events(
        staff.clinic,
        1,
        actor_kind=ActorKind.STAFF,
        actor_staff_id=staff.pk,
        patient=patient,
        action=action,
        **fields,
    )


@pytest.mark.parametrize(
    ("action", "sentence"),
    [
        ("plan.view", "Sam Patel viewed Ben Carter&#x27;s plan"),
        ("patient.view", "Sam Patel viewed Ben Carter&#x27;s record"),
        ("export.pdf", "Sam Patel downloaded Ben Carter&#x27;s leaflet"),
        ("screening.create", "Sam Patel screened Ben Carter"),
        ("something.new", "Sam Patel did “something.new”"),
    ],
)
def test_the_audit_log_reads_as_sentences(
    as_admin: Client, sam: StaffMember, ben: Patient, action: str, sentence: str
) -> None:
    staff_event(sam, ben, action)
    text = as_admin.get(AUDIT).content.decode()
    assert f"<td>{sentence} <small>(patient {ben.pk})</small></td>" in text


def test_the_audit_log_names_patients_keys_and_aftercare_and_no_other_clinic(
    as_admin: Client, clinic: Clinic, ben: Patient, outsider: StaffMember
) -> None:
    add_events(
        clinic,
        1,
        actor_kind=ActorKind.PATIENT,
        actor_patient_id=ben.pk,
        patient=ben,
        action="portal.today",
        request_id="req-123",
    )
    add_events(clinic, 1, patient=ben, action="reminder.failed", minutes_ago=5)
    add_events(clinic, 1, action="checkin.view", outcome=Outcome.DENIED, minutes_ago=6)
    stranger = Patient.objects.create(clinic=outsider.clinic, given_name="Zed", family_name="Q")
    add_events(outsider.clinic, 1, actor_kind=ActorKind.PATIENT, actor_patient_id=stranger.pk)
    text = as_admin.get(AUDIT).content.decode()
    assert "Ben Carter viewed their own aftercare for today" in text
    assert "<code>req-123</code>" in text
    assert "Aftercare could not send a message to Ben Carter" in text
    assert "Aftercare viewed a patient&#x27;s check-in (refused)" in text
    assert "clinic-admin viewed the audit log" in text
    assert "Zed" not in text


def test_the_audit_log_filters_by_person_patient_action_outcome_and_days(
    as_admin: Client,
    clinic: Clinic,
    sam: StaffMember,
    colleague: StaffMember,
    ben: Patient,
    patient: Patient,
) -> None:
    staff_event(sam, ben, "plan.view")
    staff_event(colleague, patient, "plan.view")
    staff_event(sam, patient, "export.pdf", outcome=Outcome.DENIED)
    add_events(clinic, 1, patient=ben, action="plan.view", minutes_ago=60 * 24 * 3)

    def sentences(**query: object) -> list[str]:
        text = as_admin.get(AUDIT, query).content.decode()
        return [
            line
            for line in text.splitlines()
            if line.strip().startswith("<td>") and "<small>" in line
        ]

    assert len(sentences(person=f"staff-{sam.pk}")) == 2
    assert len(sentences(person="system")) == 1
    assert len(sentences(patient=ben.pk)) == 2
    assert len(sentences(action="plan.view")) == 3
    assert len(sentences(outcome="denied")) == 1
    assert len(sentences(since="2026-11-21", until="2026-11-21")) == 3
    assert len(sentences(until="2026-11-19")) == 1
    both = sentences(person=f"staff-{sam.pk}", action="plan.view")
    assert both == [
        f"      <td>Sam Patel viewed Ben Carter&#x27;s plan <small>(patient {ben.pk})</small></td>"
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"patient": "abc"},
        {"patient": "-1"},
        {"outcome": "maybe"},
        {"person": "staff-99999"},
        {"action": "drop.table"},
        {"since": "2026-13-01"},
        {"since": "2026-11-22", "until": "2026-11-21"},
    ],
)
def test_a_bad_audit_filter_is_an_error_not_a_crash(
    as_admin: Client, query: dict[str, str]
) -> None:
    response = as_admin.get(AUDIT, query)
    assert response.status_code == 400
    assert b'class="errorlist' in response.content
    download = as_admin.get(CSV, query)
    assert download.status_code == 400
    assert download["Content-Type"] == "text/plain; charset=utf-8"


def test_the_audit_csv_has_every_filtered_event_as_sentences(
    as_admin: Client, clinic: Clinic, sam: StaffMember, ben: Patient
) -> None:
    for _ in range(3):
        staff_event(sam, ben, "plan.view")
    add_events(clinic, 2500, action="dashboard.view", minutes_ago=10)
    response = as_admin.get(CSV, {"person": f"staff-{sam.pk}"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-alpha.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["when", "who", "what happened", "patient number", "outcome", "request"]
    assert rows[1] == [
        "2026-11-21 14:29",
        "Sam Patel",
        "Sam Patel viewed Ben Carter's plan",
        str(ben.pk),
        "Allowed",
        "",
    ]
    assert len(rows) == 4
    everything = list(csv.reader(io.StringIO(as_admin.get(CSV).content.decode())))
    # The header, Sam's, Aftercare's, and both downloads (this one is recorded first).
    assert len(everything) == 1 + 3 + 2500 + 2
    assert AuditEvent.objects.filter(action="audit.export").count() == 2


def test_a_practitioner_cannot_read_the_audit_log(staff_client: Client) -> None:
    assert staff_client.get(AUDIT).status_code == 403
    assert staff_client.get(CSV).status_code == 403


def test_the_audit_log_pages_by_a_hundred_in_bounded_queries(
    as_admin: Client,
    clinic: Clinic,
    practitioner: StaffMember,
    colleague: StaffMember,
    patient: Patient,
    other_patient: Patient,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for index, person in enumerate([patient, other_patient] * 75):
        staff = practitioner if index % 2 else colleague
        AuditEvent.objects.create(
            clinic=clinic,
            actor_kind=ActorKind.STAFF if index % 3 else ActorKind.PATIENT,
            actor_staff_id=staff.pk,
            actor_patient_id=person.pk,
            patient=person,
            action=f"event.{index:03d}",
            outcome=Outcome.ALLOWED,
            at=NOW - timedelta(minutes=index + 1),
        )
    # One of them confirms the second factor the administrator signed in with.
    with django_assert_max_num_queries(11 + CHAIN_QUERIES):
        first = as_admin.get(AUDIT).content.decode()
    assert "151 events; page 1 of 2" in first
    assert "viewed the audit log" in first
    assert "“event.000”" in first
    assert "“event.099”" not in first
    assert first.index("“event.000”") < first.index("“event.001”")
    assert 'href="?page=2"' in first
    second = as_admin.get(AUDIT, {"page": 2}).content.decode()
    assert "“event.149”" in second
    assert "“event.000”" not in second
    filtered = as_admin.get(AUDIT, {"patient": patient.pk}).content.decode()
    assert "75 events" in filtered
    assert as_admin.get(AUDIT, {"page": "zzz"}).status_code == 200
