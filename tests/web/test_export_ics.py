"""The portal's calendar download: the signed-in patient's latest treatment, as a file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar, Event
from pytest_django import DjangoAssertNumQueries

from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Patient,
    PatientLink,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import base_protocol
from tests.web.conftest import CHAIN_QUERIES, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

QueryBound = Callable[..., DjangoAssertNumQueries]
URL = "/p/calendar.ics"
# The evening before the UK clocks go back: 20:00 BST is 19:00 UTC.
BEFORE_CLOCKS_GO_BACK = datetime(2026, 10, 24, 19, 0, tzinfo=UTC)


def treat(
    patient: Patient, staff: StaffMember, treated_at: datetime, **fields: object
) -> Treatment:
    protocol = base_protocol()
    defaults: dict[str, object] = {
        "time_zone": "Europe/London",
        "areas": ["face"],
        "factors": {"needle_depth_mm": 1.0},
        "protocol_id": protocol.effective_id,
        "protocol_version": protocol.version,
    }
    return Treatment.objects.create(
        patient=patient, treated_at=treated_at, created_by=staff, **(defaults | fields)
    )


def sign_in(client: Client, patient: Patient) -> Client:
    _, token = PatientLink.issue(patient, NOW)
    response = client.post(reverse("portal:open"), {"t": token})
    assert response.status_code == 302, response.content
    return client


def events(content: bytes) -> dict[str, Event]:
    return {str(e["UID"]): e for e in Calendar.from_ical(content).walk("VEVENT")}


def test_the_url_is_the_portal_calendar() -> None:
    assert reverse("portal:calendar") == URL


def test_it_downloads_the_patients_calendar(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(patient, practitioner, NOW - timedelta(days=2))
    response = sign_in(client, patient).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-2026-11-19.ics"'
    assert "no-store" in response["Cache-Control"]
    parsed = Calendar.from_ical(response.content)
    assert str(parsed["X-WR-CALNAME"]) == "Aftercare for Alice Patient"
    uids = events(response.content)
    makeup = uids[f"treatment-{treatment.pk}-from-24h@aftercare"]
    assert makeup.decoded("DTSTART") == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    assert str(uids[f"treatment-{treatment.pk}-next-session@aftercare"]["DESCRIPTION"]).endswith(
        "Alpha Clinic: 020 7946 0001"
    )


def test_it_audits_the_download_as_the_patient(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(patient, practitioner, NOW - timedelta(days=2))
    sign_in(client, patient).get(URL)
    event = AuditEvent.objects.get(action="export.ics")
    assert (event.actor_kind, event.actor_patient_id, event.patient_id) == (
        ActorKind.PATIENT,
        patient.pk,
        patient.pk,
    )
    assert (event.clinic_id, event.object_type, event.object_id) == (
        patient.clinic_id,
        "treatment",
        str(treatment.pk),
    )


def test_the_clock_change_treatment_has_local_times(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(patient, practitioner, BEFORE_CLOCKS_GO_BACK)
    content = sign_in(client, patient).get(URL).content
    text = content.decode().replace("\r\n ", "")
    block = text.split(f"UID:treatment-{treatment.pk}-from-24h@aftercare")[1]
    assert "DTSTART;TZID=Europe/London:20261025T190000" in block.split("END:VEVENT")[0]
    assert "TZNAME:BST" in text
    assert "TZNAME:GMT" in text


def test_each_patient_gets_only_their_own(
    client: Client, patient: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=2))
    bobs = treat(other_patient, practitioner, NOW - timedelta(days=5))
    content = sign_in(client, other_patient).get(URL).content
    assert b"Bob Other" in content
    assert b"Alice" not in content
    assert all(uid.startswith(f"treatment-{bobs.pk}-") for uid in events(content))


def test_it_uses_the_latest_treatment_that_has_happened(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=40))
    latest = treat(patient, practitioner, NOW - timedelta(days=3))
    treat(patient, practitioner, NOW - timedelta(days=1), cancelled_at=NOW)
    treat(patient, practitioner, NOW + timedelta(days=1))
    uids = events(sign_in(client, patient).get(URL).content)
    assert all(uid.startswith(f"treatment-{latest.pk}-") for uid in uids)


def test_a_completed_course_shows_maintenance_instead_of_a_next_session(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    for days in (70, 35):
        treat(patient, practitioner, NOW - timedelta(days=days))
    third = treat(patient, practitioner, NOW - timedelta(days=1))
    uids = events(sign_in(client, patient).get(URL).content)
    assert f"treatment-{third.pk}-maintenance@aftercare" in uids
    assert f"treatment-{third.pk}-next-session@aftercare" not in uids


def test_a_patient_without_a_treatment_gets_a_page_not_a_file(
    client: Client, patient: Patient
) -> None:
    response = sign_in(client, patient).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert "has not recorded a treatment" in response.content.decode()
    assert "Add to my calendar" not in response.content.decode()
    event = AuditEvent.objects.get(action="export.ics")
    assert (event.patient_id, event.object_id) == (patient.pk, "")


def test_staff_and_strangers_are_sent_to_sign_in(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=2))
    assert client.get(URL)["Location"] == reverse("portal:signed_out")
    client.force_login(practitioner.user)
    response = client.get(URL)
    assert response.status_code == 302
    assert b"Alice" not in response.content
    assert not AuditEvent.objects.filter(action="export.ics").exists()


def test_an_awkward_name_cannot_inject_properties(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    Patient.objects.filter(pk=patient.pk).update(
        given_name="Ali\u202ece \U0001f600\r\nX-INJECTED:yes", family_name="Patient"
    )
    treat(patient, practitioner, NOW - timedelta(days=2))
    content = sign_in(client, patient).get(URL).content
    parsed = Calendar.from_ical(content)
    assert str(parsed["X-WR-CALNAME"]) == "Aftercare for Alice \U0001f600 X-INJECTED:yes Patient"
    assert "X-INJECTED" not in parsed
    assert "\u202e" not in content.decode()
    assert max(len(line) for line in content.split(b"\r\n")) <= 75


def test_the_timeline_links_to_the_calendar(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=2))
    html = sign_in(client, patient).get(reverse("portal:timeline")).content.decode()
    assert f'<a href="{URL}" download>Add to my calendar (.ics)</a>' in html


def test_many_earlier_sessions_take_a_bounded_number_of_queries(
    client: Client,
    patient: Patient,
    practitioner: StaffMember,
    django_assert_max_num_queries: QueryBound,
) -> None:
    for days in range(1, 13):
        treat(patient, practitioner, NOW - timedelta(days=30 * days))
    sign_in(client, patient)
    # The session, the patient, the latest treatment, the earlier ones and the audit row.
    # One more than before procedures: the clinic's procedures, read once a request; and
    # one for the length planned for the course of the treatment's procedure.
    with django_assert_max_num_queries(7 + CHAIN_QUERIES):
        response = client.get(URL)
    assert response.status_code == 200
