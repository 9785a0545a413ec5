"""The care layer's record functions, called as every edge calls them: typed input and an
actor, never a request or a form."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from aftercare.engine.model import Factors
from aftercare.web import audit
from aftercare.web.actor import SYSTEM, Actor
from aftercare.web.care.records import PatientInput, record_patient_change, record_treatment
from aftercare.web.care.treatments import TreatmentInput
from aftercare.web.clinic.models import (
    Access,
    ActorKind,
    ApiKey,
    AuditEvent,
    Channel,
    Clinic,
    ConsentEvent,
    ConsentSource,
    Patient,
    StaffMember,
)
from aftercare.web.protocol import clinic_protocol
from tests.web.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def treatment_input(clinic: Clinic, **changes: str) -> TreatmentInput:
    area = clinic_protocol(clinic).default_area
    given = TreatmentInput(
        treated_at=NOW - timedelta(hours=1),
        time_zone="Europe/London",
        areas=(area,),
        factors=Factors(areas=frozenset({area}), values={"needle_depth_mm": 0.5}),
        device="  Pen A  ",
    )
    return replace(given, **changes)


def actions(patient: Patient) -> list[tuple[str, str]]:
    events = AuditEvent.objects.filter(patient=patient).order_by("pk")
    return [(event.action, event.actor_kind) for event in events]


def test_it_records_a_treatment_for_the_api_key_that_sent_it(
    clinic: Clinic, patient: Patient
) -> None:
    key, _ = ApiKey.issue(clinic, "booking", Access.READ_WRITE, NOW)
    protocol = clinic_protocol(clinic)
    row = record_treatment(Actor(api_key=key), patient, treatment_input(clinic), protocol)
    row.refresh_from_db()
    assert (row.created_by, row.created_by_key) == (None, key)
    assert (row.device, row.override_reason, row.course_override_reason) == ("Pen A", "", "")
    assert row.protocol_version == protocol.version
    assert actions(patient) == [("treatment.create", ActorKind.API_KEY)]


def test_it_audits_each_override_the_input_carries(
    clinic: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    given = treatment_input(
        clinic,
        override_reason="Screened by phone yesterday",
        course_override_reason="Patient travels next month",
    )
    row = record_treatment(Actor(staff=practitioner), patient, given, clinic_protocol(clinic))
    assert row.created_by == practitioner
    assert row.override_reason == "Screened by phone yesterday"
    assert actions(patient) == [
        ("treatment.create", ActorKind.STAFF),
        ("treatment.override", ActorKind.STAFF),
        ("treatment.course_override", ActorKind.STAFF),
    ]


def test_a_change_of_consent_is_read_against_the_stored_patient(
    patient: Patient, practitioner: StaffMember
) -> None:
    # A model form has set the new details on the object before the change is recorded.
    patient.consent_to_messages = True
    details = PatientInput(
        given_name="Alice",
        family_name="Patient",
        email="alice@example.com",
        preferred_channel=Channel.EMAIL,
        consent_to_messages=True,
    )
    record_patient_change(Actor(staff=practitioner), patient, details)
    event = ConsentEvent.objects.get(patient=patient)
    assert (event.given, event.source, event.actor_staff_id) == (
        True,
        ConsentSource.STAFF,
        practitioner.pk,
    )
    assert Patient.objects.get(pk=patient.pk).email == "alice@example.com"


def test_the_system_acts_when_there_is_no_request(clinic: Clinic, patient: Patient) -> None:
    assert Actor.of(None) is SYSTEM
    event = audit.record(SYSTEM, "patient.view", clinic=clinic, patient=patient, obj=patient)
    assert (event.actor_kind, event.request_id) == (ActorKind.SYSTEM, "")
