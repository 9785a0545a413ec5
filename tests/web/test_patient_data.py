"""A patient's data as a whole: erasure (confirmed twice), legal hold, retention, the
subject access ZIP and the consent history."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.cli import main
from aftercare.web import audit
from aftercare.web.audit_verify import verify_clinic
from aftercare.web.booking import refresh_booking
from aftercare.web.clinic.models import (
    AuditEvent,
    CheckIn,
    Clinic,
    ConsentEvent,
    ConsentSource,
    CourseBooking,
    Erasure,
    Patient,
    PlannedCourse,
    Reminder,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders.optout import optout_token
from tests.web.conftest import NOW, sign_in_staff
from tests.web.reminder_rows import make_reminder, make_treatment
from tests.web.test_api_access import ok, post
from tests.web.test_export_fhir import check_in, screen

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def as_admin(client: Client, clinic_admin: StaffMember) -> Client:
    return sign_in_staff(client, clinic_admin)


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    treatment = make_treatment(patient, practitioner)
    check_in(treatment, 20, "=cmd|' /C calc'!A0")
    make_reminder(treatment, due_after=timedelta(days=2))
    screen(patient, practitioner, days_ago=3)
    PlannedCourse.objects.create(patient=patient, procedure="microneedling", sessions=4)
    refresh_booking(patient)
    audit.record(None, "patient.view", clinic=patient.clinic, patient=patient, obj=patient)
    return treatment


def erase(client: Client, patient: Patient, **changes: str) -> object:
    data = {"reason": "The patient asked to be forgotten.", "understood": "on"}
    data["confirm_name"] = "alice  PATIENT"
    return client.post(reverse("staff:patient_erase", args=[patient.pk]), data | changes)


# --- erasure ----------------------------------------------------------------------------


def test_an_administrator_erases_a_patient_and_the_chain_still_verifies(
    as_admin: Client,
    clinic: Clinic,
    clinic_admin: StaffMember,
    patient: Patient,
    treated: Treatment,
) -> None:
    assert CourseBooking.objects.filter(patient=patient).exists()
    assert PlannedCourse.objects.filter(patient=patient).exists()
    response = erase(as_admin, patient)
    assert response.status_code == 302
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not Treatment.objects.filter(pk=treated.pk).exists()
    assert not CheckIn.objects.exists()
    assert not Reminder.objects.exists()
    assert not CourseBooking.objects.exists()
    assert not PlannedCourse.objects.exists()
    erasure = Erasure.objects.get()
    assert (erasure.patient_ref, erasure.reason) == (
        patient.pk,
        "The patient asked to be forgotten.",
    )
    assert erasure.erased_by_staff_id == clinic_admin.pk
    assert erasure.deleted == {
        "treatments": 1,
        "check_ins": 1,
        "screenings": 1,
        "messages": 1,
        "links": 0,
        "consent_events": 0,
    }
    events = AuditEvent.objects.filter(patient_id=patient.pk)
    assert {"patient.view", "patient.erase"} <= set(events.values_list("action", flat=True))
    assert verify_clinic(clinic).is_intact
    table = as_admin.get(reverse("staff:audit")).content.decode().split("<table>")[1]
    assert f"clinic-admin erased erased patient #{patient.pk}" in table
    assert f"Aftercare viewed erased patient #{patient.pk}&#x27;s record" in table
    assert "Alice" not in table


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"confirm_name": "Alice Other"}, "That is not the patient&#x27;s full name as recorded."),
        ({"understood": ""}, "This field is required."),
        ({"reason": "   "}, "This field is required."),
    ],
)
def test_erasure_needs_both_confirmations_and_a_reason(
    as_admin: Client, patient: Patient, changes: dict[str, str], error: str
) -> None:
    response = erase(as_admin, patient, **changes)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert not Erasure.objects.exists()


def test_a_practitioner_cannot_erase_and_an_outsider_sees_nothing(
    client: Client, practitioner: StaffMember, outsider: StaffMember, patient: Patient
) -> None:
    client.force_login(practitioner.user)
    assert erase(client, patient).status_code == 403
    outsider.role = "clinic_admin"
    outsider.save()
    sign_in_staff(client, outsider)
    response = erase(client, patient)
    assert response.status_code == 404
    assert b"Alice" not in response.content
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_an_administrator_puts_a_patient_on_legal_hold(as_admin: Client, patient: Patient) -> None:
    url = reverse("staff:patient_legal_hold", args=[patient.pk])
    as_admin.post(url, {"hold": "on"})
    patient.refresh_from_db()
    assert patient.legal_hold
    page = as_admin.get(reverse("staff:patient", args=[patient.pk])).content.decode()
    assert "On: kept past the retention period" in page
    assert "Take off legal hold" in page
    assert AuditEvent.objects.filter(action="patient.hold", patient=patient).count() == 1


# --- retention ---------------------------------------------------------------------------


def long_ago(patient: Patient, practitioner: StaffMember, years: int) -> Treatment:
    treatment = make_treatment(patient, practitioner)
    Treatment.objects.filter(pk=treatment.pk).update(
        treated_at=NOW - timedelta(days=365 * years + 3)
    )
    refresh_booking(patient)
    return treatment


def test_retention_lists_then_erases_patients_past_it_except_those_on_hold(
    clinic: Clinic,
    practitioner: StaffMember,
    patient: Patient,
    other_patient: Patient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    long_ago(patient, practitioner, 9)
    long_ago(other_patient, practitioner, 9)
    for person in (patient, other_patient):
        PlannedCourse.objects.create(patient=person, procedure="microneedling", sessions=5)
    other_patient.legal_hold = True
    other_patient.save()
    recent = Patient.objects.create(clinic=clinic, given_name="New", family_name="One")
    long_ago(recent, practitioner, 7)
    assert main(["retention", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert f"clinic alpha: patient {patient.pk} (since 2017-11-" in dry
    assert f"patient {patient.pk} (since 2017-11-" in dry and "would be erased" in dry
    assert f"patient {other_patient.pk} (since " in dry and "kept: legal hold" in dry
    assert dry.endswith("retention: 1 would be erased, 1 kept by legal hold\n")
    assert "Alice" not in dry
    assert Patient.objects.count() == 3
    assert main(["retention", "--apply"]) == 0
    assert capsys.readouterr().out.endswith("retention: 1 erased, 1 kept by legal hold\n")
    assert set(Patient.objects.values_list("pk", flat=True)) == {other_patient.pk, recent.pk}
    booked = CourseBooking.objects.values_list("patient_id", flat=True)
    assert set(booked) == {other_patient.pk, recent.pk}
    planned = PlannedCourse.objects.values_list("patient_id", flat=True)
    assert list(planned) == [other_patient.pk]
    assert Erasure.objects.get().reason.startswith("Retention: 8 years since the last treatment")
    assert verify_clinic(clinic).is_intact


def test_retention_follows_the_clinics_setting(
    clinic: Clinic, practitioner: StaffMember, patient: Patient
) -> None:
    long_ago(patient, practitioner, 3)
    assert main(["retention", "--apply"]) == 0
    assert Patient.objects.filter(pk=patient.pk).exists()
    Clinic.objects.filter(pk=clinic.pk).update(retention_years=2)
    assert main(["retention", "--apply", "--clinic", "alpha"]) == 0
    assert not Patient.objects.filter(pk=patient.pk).exists()


@pytest.mark.parametrize(
    "args",
    [
        ["retention"],
        ["retention", "--dry-run", "--apply"],
        ["retention", "--apply", "--clinic", "x"],
    ],
)
def test_retention_refuses_bad_input_in_one_line(
    clinic: Clinic, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- subject access and consent ------------------------------------------------------------


def test_staff_download_everything_held_about_a_patient(
    staff_client: Client, patient: Patient, treated: Treatment
) -> None:
    response = staff_client.get(reverse("staff:patient_subject_access", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert names == {
        "README.txt",
        "patient.json",
        "consent.csv",
        f"treatments/treatment-{treated.pk}.json",
        f"treatments/treatment-{treated.pk}.pdf",
        "messages.csv",
        "check-ins.csv",
        "screenings.csv",
        "audit.csv",
    }
    assert (
        archive.read("README.txt")
        .decode()
        .startswith("Everything Alpha Clinic holds about Alice Patient, as of 2026-11-21 14:30.")
    )
    details = json.loads(archive.read("patient.json"))
    assert (details["family_name"], details["courses"]) == ("Patient", {"microneedling": 4})
    bundle = json.loads(archive.read(f"treatments/treatment-{treated.pk}.json"))
    assert bundle["resourceType"] == "Bundle"
    assert archive.read(f"treatments/treatment-{treated.pk}.pdf").startswith(b"%PDF")
    check_ins = list(csv.reader(io.StringIO(archive.read("check-ins.csv").decode())))
    assert check_ins[1][1:5] == [
        "redness; swelling",
        "Getting better",
        "'=cmd|' /C calc'!A0",
        "Expected",
    ]
    messages = archive.read("messages.csv").decode()
    assert "Sunscreen today." in messages
    audit_rows = archive.read("audit.csv").decode()
    assert "Aftercare viewed Alice Patient's record" in audit_rows
    assert "practitioner downloaded everything held about Alice Patient" in audit_rows


def test_an_outsider_cannot_download_a_patients_data(
    client: Client, outsider: StaffMember, patient: Patient
) -> None:
    client.force_login(outsider.user)
    response = client.get(reverse("staff:patient_subject_access", args=[patient.pk]))
    assert response.status_code == 404
    assert b"Alice" not in response.content


def test_staff_see_which_clinic_system_recorded_a_consent(
    staff_client: Client, api_client: Client
) -> None:
    body = {"given_name": "Dan", "family_name": "Key", "email": "dan@example.com"}
    body |= {"preferred_channel": "email", "consent_to_messages": True}
    created = ok(post(api_client, "/api/v1/patients", body), 201)
    page = staff_client.get(reverse("staff:patient", args=[created["id"]])).content.decode()
    assert "<td>Given</td><td>A clinic system (API key): booking</td>" in page


def test_consent_is_kept_as_a_history_shown_on_the_patient_page(
    staff_client: Client, client: Client, practitioner: StaffMember
) -> None:
    data = {
        "given_name": "Carol",
        "family_name": "Jones",
        "email": "carol@example.com",
        "preferred_channel": "email",
        "consent_to_messages": "on",
    }
    staff_client.post(reverse("staff:patient_new"), data)
    carol = Patient.objects.get(family_name="Jones")
    Client().post(reverse("portal:stop", kwargs={"token": optout_token(carol.pk, "email")}))
    events = list(ConsentEvent.objects.filter(patient=carol))
    assert [(e.given, e.channel, e.source) for e in events] == [
        (True, "", ConsentSource.STAFF),
        (False, "email", ConsentSource.MESSAGE_LINK),
    ]
    assert events[0].actor_staff_id == practitioner.pk
    page = staff_client.get(reverse("staff:patient", args=[carol.pk])).content.decode()
    # Staff see who recorded it; the patient's own copy below says only which way.
    name = practitioner.user.get_full_name() or practitioner.user.get_username()
    assert f"<td>Given</td><td>A staff member: {name}</td>" in page
    assert (
        "<td>Withdrawn (email only)</td><td>The patient, with the stop link in a message</td>"
        in page
    )
    archive = zipfile.ZipFile(
        io.BytesIO(
            staff_client.get(reverse("staff:patient_subject_access", args=[carol.pk])).content
        )
    )
    consent = archive.read("consent.csv").decode().splitlines()
    assert consent[1:] == [
        "2026-11-21 14:30,given,a staff member",
        '2026-11-21 14:30,withdrawn (email only),"the patient, with the stop link in a message"',
    ]
