"""Staff see a banner when their clinic's messages fail or reminders run late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from aftercare.web.clinic.models import Patient, Reminder, ReminderStatus, StaffMember
from tests.web.reminder_rows import make_reminder, make_treatment

pytestmark = pytest.mark.usefixtures("now")

FAILING = "Messages to patients are failing:"
LATE = "Reminders are running late:"


def test_no_banner_when_messages_go_out(staff_client: Client, patient: Patient) -> None:
    text = staff_client.get("/clinic/").content.decode()
    assert FAILING not in text
    assert LATE not in text


def test_failed_and_late_messages_show_on_every_staff_page(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = make_treatment(patient, practitioner)
    failed = make_reminder(treatment, "RM-a:1")
    Reminder.objects.filter(pk=failed.pk).update(status=ReminderStatus.FAILED, attempts=6)
    retrying = make_reminder(treatment, "RM-b:1", due_after=timedelta(minutes=5))
    Reminder.objects.filter(pk=retrying.pk).update(attempts=2)
    make_reminder(treatment, "RM-c:1", due_after=-timedelta(minutes=11))
    make_reminder(treatment, "RM-d:1", due_after=-timedelta(minutes=9))
    for page in ("/clinic/", "/clinic/patients/"):
        text = staff_client.get(page).content.decode()
        assert f"<strong>{FAILING}</strong> 2 in the last week could not be sent" in text
        assert f"<strong>{LATE}</strong> 1 should have gone out more than 10 minutes ago" in text


def test_another_clinics_trouble_is_not_shown(
    client: Client, outsider: StaffMember, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = make_treatment(patient, practitioner)
    make_reminder(treatment, due_after=-timedelta(hours=1))
    client.force_login(outsider.user)
    text = client.get("/clinic/").content.decode()
    assert LATE not in text


def test_a_stopped_worker_is_counted_to_a_thousand_and_no_further(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = make_treatment(patient, practitioner)
    late = make_reminder(treatment, "RM-late:0", due_after=-timedelta(hours=1))
    Reminder.objects.bulk_create(
        Reminder(
            treatment=treatment,
            patient=patient,
            clinic=patient.clinic,
            item=f"RM-late:{n}",
            kind=late.kind,
            channel=late.channel,
            due_at=late.due_at,
            body=late.body,
            idempotency_key=f"late-{n}",
            protocol_version="1",
        )
        for n in range(1, 1200)
    )
    text = staff_client.get("/clinic/").content.decode()
    assert f"<strong>{LATE}</strong> 1,000 or more should have gone out" in text


def test_a_reminder_belongs_to_its_patients_clinic(
    patient: Patient, practitioner: StaffMember
) -> None:
    reminder = make_reminder(make_treatment(patient, practitioner))
    assert Reminder.objects.get(pk=reminder.pk).clinic_id == patient.clinic_id
