"""Staff and reminders: the patient's messages, cancelling one, and changing a treatment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    AuditEvent,
    Channel,
    Outcome,
    Patient,
    Reminder,
    ReminderStatus,
    Screening,
    ScreeningStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import clinic_protocol
from aftercare.web.reminders.schedule import STAFF_CANCELLED, SUPERSEDED, sync_reminders
from tests.web.conftest import CHAIN_QUERIES, NOW
from tests.web.reminder_fakes import use_fake_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_schedule(monkeypatch)


@pytest.fixture
def emailed(patient: Patient, practitioner: StaffMember) -> Patient:
    patient.email = "alice@example.com"
    patient.preferred_channel = Channel.EMAIL
    patient.consent_to_messages = True
    patient.save()
    Screening.objects.create(
        patient=patient,
        status=ScreeningStatus.ELIGIBLE,
        protocol_id="microneedling",
        protocol_version="test",
        screened_by=practitioner,
        screened_at=NOW - timedelta(days=2),
    )
    return patient


@pytest.fixture
def treatment(emailed: Patient, practitioner: StaffMember) -> Treatment:
    return treat(emailed, practitioner)


def treat(patient: Patient, staff: StaffMember, at: Any = NOW) -> Treatment:
    protocol = clinic_protocol(patient.clinic)
    made = Treatment.objects.create(
        patient=patient,
        treated_at=at,
        time_zone="Europe/London",
        areas=["face"],
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        created_by=staff,
    )
    sync_reminders(made, NOW)
    return made


def stranger(outsider: StaffMember) -> tuple[Patient, Treatment, Reminder]:
    carol = Patient.objects.create(
        clinic=outsider.clinic,
        given_name="Carol",
        family_name="Stranger",
        email="carol@example.com",
        preferred_channel=Channel.EMAIL,
        consent_to_messages=True,
    )
    theirs = treat(carol, outsider)
    return carol, theirs, Reminder.objects.filter(treatment=theirs).first()  # type: ignore[return-value]


# --- the patient page ---------------------------------------------------------------


def test_the_patient_page_lists_messages_in_the_patients_time(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    Reminder.objects.filter(item="RM-welcome:1").update(
        status=ReminderStatus.SENT, sent_at=NOW + timedelta(minutes=1)
    )
    Reminder.objects.filter(item="RM-sunscreen:3").update(
        status=ReminderStatus.FAILED, last_error="Mailbox full"
    )
    response = staff_client.get(reverse("staff:patient", args=[emailed.pk]))
    assert response.status_code == 200
    text = response.text
    assert '<h2 id="messages">Messages</h2>' in text
    assert '<th scope="row">Welcome and link</th>' in text
    assert "Sat 21 Nov, 14:31" in text
    assert "Sun 22 Nov, 14:30" in text
    assert "Mailbox full" in text
    assert text.count(">Cancel</button>") == 3
    assert "Sent</span>" in text and "Failed</span>" in text


def test_the_patient_page_says_why_there_are_no_messages(
    staff_client: Client, patient: Patient
) -> None:
    response = staff_client.get(reverse("staff:patient", args=[patient.pk]))
    assert "No messages: the patient has not agreed to messages." in response.text


def test_the_patient_page_shows_an_address_that_failed(
    staff_client: Client, emailed: Patient
) -> None:
    emailed.email_disabled_at = NOW
    emailed.save()
    text = staff_client.get(reverse("staff:patient", args=[emailed.pk])).text
    assert "Emails to alice@example.com could not be delivered" in text


def test_the_patient_page_with_many_messages_reads_a_bounded_number_of_queries(
    staff_client: Client,
    emailed: Patient,
    practitioner: StaffMember,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(20):
        # Four days apart, so no session's messages give way to the next one's.
        treat(emailed, practitioner, NOW + timedelta(days=4 * number))
    assert Reminder.objects.filter(patient=emailed).count() >= 60
    # One more for the consent history.
    with django_assert_max_num_queries(12 + CHAIN_QUERIES + 1):
        response = staff_client.get(reverse("staff:patient", args=[emailed.pk]))
    assert (
        response.text.count(">Cancel</button>")
        == Reminder.objects.filter(patient=emailed, status=ReminderStatus.SCHEDULED).count()
    )


# --- cancelling one message ---------------------------------------------------------


def test_staff_cancel_one_waiting_message(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    reminder = Reminder.objects.get(item="RM-sunscreen:2")
    url = reverse("staff:reminder_cancel", args=[emailed.pk, reminder.pk])
    assert staff_client.get(url).status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SCHEDULED
    response = staff_client.post(url, follow=True)
    assert "The message has been cancelled" in response.text
    reminder.refresh_from_db()
    assert (reminder.status, reminder.cancelled_at) == (ReminderStatus.CANCELLED, NOW)
    assert reminder.last_error == STAFF_CANCELLED
    assert Reminder.objects.filter(status=ReminderStatus.SCHEDULED).count() == 4
    assert AuditEvent.objects.filter(action="reminder.cancel", patient=emailed).count() == 1


def test_a_sent_message_cannot_be_cancelled(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    reminder = Reminder.objects.get(item="RM-welcome:1")
    reminder.status = ReminderStatus.SENT
    reminder.save()
    url = reverse("staff:reminder_cancel", args=[emailed.pk, reminder.pk])
    response = staff_client.post(url, follow=True)
    assert "no longer waiting" in response.text
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT


def test_another_clinics_message_is_not_found(
    staff_client: Client, emailed: Patient, outsider: StaffMember
) -> None:
    carol, _, theirs = stranger(outsider)
    for url in (
        reverse("staff:reminder_cancel", args=[carol.pk, theirs.pk]),
        reverse("staff:reminder_cancel", args=[emailed.pk, theirs.pk]),
    ):
        response = staff_client.post(url)
        assert response.status_code == 404
        assert b"Carol" not in response.content
    theirs.refresh_from_db()
    assert theirs.status == ReminderStatus.SCHEDULED
    denied = AuditEvent.objects.filter(action="reminder.cancel", outcome=Outcome.DENIED)
    assert denied.count() == 2


# --- changing and cancelling a treatment -------------------------------------------


def edit_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "treated_on": "2026-11-21",
        "treated_time": "16:30",
        "time_zone": "Europe/London",
        "areas": ["face"],
        "needle_depth_mm": "1.0",
        "device": "Pen B",
        "notes": "",
        "fitzpatrick": "",
    }
    return data | changes


def test_the_edit_form_starts_from_the_treatment(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    treatment.device, treatment.factors = "Pen A", {"fitzpatrick": 4, "anticoagulant": True}
    treatment.save()
    response = staff_client.get(reverse("staff:treatment_edit", args=[emailed.pk, treatment.pk]))
    assert response.status_code == 200
    assert 'value="2026-11-21"' in response.text
    assert 'value="14:30"' in response.text
    assert 'value="Pen A"' in response.text
    assert '<option value="4" selected>' in response.text
    assert 'name="anticoagulant" id="id_anticoagulant" checked' in response.text


def test_editing_the_time_moves_the_waiting_messages(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT)
    url = reverse("staff:treatment_edit", args=[emailed.pk, treatment.pk])
    response = staff_client.post(url, edit_form())
    assert response.status_code == 302
    treatment.refresh_from_db()
    assert treatment.treated_at == NOW + timedelta(hours=2)
    assert treatment.device == "Pen B"
    rows = {r.item: r for r in Reminder.objects.filter(treatment=treatment)}
    assert len(rows) == 5
    assert rows["RM-welcome:1"].due_at == NOW
    assert rows["RM-sunscreen:1"].due_at == NOW + timedelta(days=1, hours=2)
    assert AuditEvent.objects.filter(action="treatment.update", patient=emailed).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"treated_on": "2026-02-30"}, "Enter a valid date."),
        ({"treated_on": "2027-03-28", "treated_time": "01:30"}, "does not exist"),
        ({"device": "Pen\u202eA"}, "invisible"),
        ({"device": "x" * 10_000}, "at most 100 characters"),
        ({"time_zone": "Mars/Olympus"}, "time zone"),
    ],
)
def test_a_bad_edit_changes_nothing_and_keeps_what_was_typed(
    staff_client: Client,
    emailed: Patient,
    treatment: Treatment,
    changes: dict[str, Any],
    message: str,
) -> None:
    url = reverse("staff:treatment_edit", args=[emailed.pk, treatment.pk])
    response = staff_client.post(url, edit_form(notes="Typed 😀 note", **changes))
    assert response.status_code == 200
    assert message in response.text
    assert "Typed 😀 note" in response.text
    treatment.refresh_from_db()
    assert treatment.treated_at == NOW
    assert Reminder.objects.get(item="RM-sunscreen:1").due_at == NOW + timedelta(days=1)


def test_cancelling_a_treatment_needs_confirmation_and_cancels_its_messages(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT)
    url = reverse("staff:treatment_cancel", args=[emailed.pk, treatment.pk])
    page = staff_client.get(url)
    assert "Cancel the treatment of Alice Patient?" in page.text
    unconfirmed = staff_client.post(url)
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm." in unconfirmed.text
    treatment.refresh_from_db()
    assert treatment.cancelled_at is None
    assert staff_client.post(url, {"confirm": "yes"}).status_code == 302
    treatment.refresh_from_db()
    assert treatment.cancelled_at == NOW
    statuses = sorted(r.status for r in Reminder.objects.filter(treatment=treatment))
    assert statuses == ["cancelled"] * 4 + ["sent"]
    assert AuditEvent.objects.filter(action="treatment.cancel", patient=emailed).count() == 1
    edit = staff_client.get(reverse("staff:treatment_edit", args=[emailed.pk, treatment.pk]))
    assert edit.status_code == 302


def test_the_treatment_page_offers_change_and_cancel(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    text = staff_client.get(reverse("staff:treatment", args=[emailed.pk, treatment.pk])).text
    assert reverse("staff:treatment_edit", args=[emailed.pk, treatment.pk]) in text
    assert reverse("staff:treatment_cancel", args=[emailed.pk, treatment.pk]) in text


def test_saving_a_new_treatment_schedules_its_messages(
    staff_client: Client, emailed: Patient
) -> None:
    data = edit_form(treated_time="14:00", action="save")
    response = staff_client.post(reverse("staff:treatment_new", args=[emailed.pk]), data)
    assert response.status_code == 302
    made = Treatment.objects.get(patient=emailed)
    assert Reminder.objects.filter(treatment=made, channel="email").count() == 5


def test_the_next_session_takes_over_the_previous_ones_messages_until_cancelled(
    staff_client: Client, emailed: Patient, practitioner: StaffMember
) -> None:
    first = treat(emailed, practitioner, NOW - timedelta(days=1))
    data = edit_form(treated_on="2026-11-22", treated_time="10:00", action="save") | {
        "course_override": "on",
        "course_override_reason": "Repeated on a second area the next day, as agreed.",
    }
    response = staff_client.post(reverse("staff:treatment_new", args=[emailed.pk]), data)
    assert response.status_code == 302
    second = Treatment.objects.exclude(pk=first.pk).get(patient=emailed)
    waiting = Reminder.objects.filter(treatment=first, status=ReminderStatus.SCHEDULED)
    assert sorted(r.item for r in waiting) == ["RM-check-in:1", "RM-sunscreen:1", "RM-welcome:1"]
    given_way = Reminder.objects.filter(treatment=first, last_error=SUPERSEDED)
    assert sorted(r.item for r in given_way) == ["RM-sunscreen:2", "RM-sunscreen:3"]
    page = staff_client.get(reverse("staff:patient", args=[emailed.pk])).text
    assert page.count(SUPERSEDED) == 2
    url = reverse("staff:treatment_cancel", args=[emailed.pk, second.pk])
    assert staff_client.post(url, {"confirm": "yes"}).status_code == 302
    handed_back = Reminder.objects.filter(treatment=first, status=ReminderStatus.SCHEDULED)
    assert handed_back.count() == 5
    assert not handed_back.exclude(last_error="").exists()


def test_withdrawing_consent_cancels_waiting_messages(
    staff_client: Client, emailed: Patient, treatment: Treatment
) -> None:
    data = {
        "given_name": "Alice",
        "family_name": "Patient",
        "email": "alice@example.com",
        "preferred_channel": "none",
    }
    response = staff_client.post(reverse("staff:patient_edit", args=[emailed.pk]), data)
    assert response.status_code == 302
    assert set(Reminder.objects.values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.parametrize("name", ["treatment_edit", "treatment_cancel"])
def test_another_clinics_treatment_is_not_found(
    staff_client: Client, emailed: Patient, outsider: StaffMember, name: str
) -> None:
    carol, theirs, _ = stranger(outsider)
    for args in ([carol.pk, theirs.pk], [emailed.pk, theirs.pk]):
        for method in ("get", "post"):
            response = getattr(staff_client, method)(
                reverse(f"staff:{name}", args=args), {"confirm": "yes"}
            )
            assert response.status_code == 404
            assert b"Carol" not in response.content
    theirs.refresh_from_db()
    assert theirs.cancelled_at is None


# --- the dashboard -----------------------------------------------------------------


def test_the_dashboard_lists_undeliverable_patients_of_this_clinic_only(
    staff_client: Client, emailed: Patient, other_patient: Patient, outsider: StaffMember
) -> None:
    assert "could not be delivered" not in staff_client.get(reverse("staff:dashboard")).text
    emailed.sms_disabled_at = NOW
    emailed.save()
    carol, _, _ = stranger(outsider)
    carol.email_disabled_at = NOW
    carol.save()
    text = staff_client.get(reverse("staff:dashboard")).text
    assert "Messages that could not be delivered" in text
    assert reverse("staff:patient", args=[emailed.pk]) in text
    assert "Text messages" in text
    assert "Carol" not in text and "Bob Other" not in text
