"""Reminder rows follow the plan: created, moved, cancelled; never sent twice. A later
session's handover is in test_reminder_handover.py, the engine's own schedule in
test_reminder_messages.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftercare.web.clinic.models import (
    Channel,
    Clinic,
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
    idempotency_key,
)
from aftercare.web.protocol import clinic_protocol
from aftercare.web.reminders.schedule import (
    cancel_by_staff,
    receiving_channels,
    sync_patient,
    sync_reminders,
)
from tests.web.conftest import NOW
from tests.web.reminder_fakes import FAKE_ITEMS, use_fake_schedule
from tests.web.reminder_rows import email_patient, rows, treat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fake(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_schedule(monkeypatch)


@pytest.fixture
def emailed(patient: Patient) -> Patient:
    return email_patient(patient)


def test_it_creates_a_row_per_item_for_an_email_patient(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    made = rows(treatment)
    assert [r.item for r in made] == list(FAKE_ITEMS)
    assert {r.channel for r in made} == {"email"}
    assert {r.status for r in made} == {ReminderStatus.SCHEDULED}
    assert made[0].due_at == NOW
    assert made[0].body == "Hello Alice, this is Alpha Clinic.\n\nWelcome (2026-11-21 14:30)"
    version = clinic_protocol(emailed.clinic).version
    assert made[0].idempotency_key == idempotency_key(
        treatment.pk, "RM-welcome:1", "email", version
    )
    assert all(r.patient_id == emailed.pk for r in made)


def test_it_is_idempotent(emailed: Patient, practitioner: StaffMember) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    sync_reminders(treatment, NOW)
    assert Reminder.objects.filter(treatment=treatment).count() == len(FAKE_ITEMS)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, ("email",)),
        ({"consent_to_messages": False}, ()),
        ({"preferred_channel": Channel.NONE}, ()),
        ({"email": ""}, ()),
        ({"email_opted_out_at": NOW}, ()),
        ({"email_disabled_at": NOW}, ()),
        ({"sms_opted_out_at": NOW}, ("email",)),
        ({"preferred_channel": Channel.SMS}, ()),
        ({"preferred_channel": Channel.SMS, "mobile": "+447700900123"}, ("sms",)),
    ],
)
def test_who_receives_what(
    emailed: Patient, change: dict[str, object], expected: tuple[str, ...]
) -> None:
    for field, value in change.items():
        setattr(emailed, field, value)
    assert receiving_channels(emailed) == expected


def test_it_creates_nothing_without_consent_or_channel(
    patient: Patient, practitioner: StaffMember
) -> None:
    patient.email = "alice@example.com"
    patient.preferred_channel = Channel.EMAIL
    patient.save()
    sync_reminders(treat(patient, practitioner), NOW)
    patient.consent_to_messages, patient.preferred_channel = True, Channel.NONE
    patient.save()
    sync_reminders(treat(patient, practitioner), NOW)
    assert Reminder.objects.count() == 0


def test_editing_the_time_moves_waiting_rows_and_leaves_sent_ones(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT, sent_at=NOW)
    treatment.treated_at = NOW + timedelta(hours=2)
    treatment.save()
    sync_reminders(treatment, NOW + timedelta(minutes=5))
    made = {r.item: r for r in rows(treatment)}
    assert len(made) == len(FAKE_ITEMS)
    assert made["RM-welcome:1"].status == ReminderStatus.SENT
    assert made["RM-welcome:1"].due_at == NOW
    assert made["RM-welcome:1"].body.endswith("Welcome (2026-11-21 14:30)")
    assert made["RM-sunscreen:1"].due_at == NOW + timedelta(days=1, hours=2)
    assert made["RM-check-in:1"].due_at == NOW + timedelta(hours=32)


def test_a_new_protocol_version_does_not_resend_a_sent_item(
    emailed: Patient, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT)
    protocol = clinic_protocol(emailed.clinic)
    newer = protocol.model_copy(update={"version": "newer"})
    monkeypatch.setattr("aftercare.web.reminders.schedule.treatment_protocol", lambda _: newer)
    sync_reminders(treatment, NOW)
    made = rows(treatment)
    assert len(made) == len(FAKE_ITEMS)
    assert [r.item for r in made if r.item == "RM-welcome:1"] == ["RM-welcome:1"]
    assert {r.protocol_version for r in made} == {protocol.version}


def test_cancelling_the_treatment_cancels_every_waiting_row(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT)
    later = NOW + timedelta(hours=1)
    treatment.cancelled_at = later
    treatment.save()
    sync_reminders(treatment, later)
    statuses = {r.item: (r.status, r.cancelled_at) for r in rows(treatment)}
    assert statuses.pop("RM-welcome:1") == (ReminderStatus.SENT, None)
    assert set(statuses.values()) == {(ReminderStatus.CANCELLED, later)}


def test_a_treatment_recorded_three_days_late_sends_only_the_welcome_now(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner, NOW - timedelta(days=3, minutes=1))
    sync_reminders(treatment, NOW)
    made = rows(treatment)
    assert [(r.item, r.due_at) for r in made] == [("RM-welcome:1", NOW)]


def test_a_treatment_recorded_a_day_late_keeps_only_future_items(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner, NOW - timedelta(hours=26))
    sync_reminders(treatment, NOW)
    assert [r.item for r in rows(treatment)] == [
        "RM-welcome:1",
        "RM-check-in:1",
        "RM-sunscreen:2",
        "RM-sunscreen:3",
    ]


def test_withdrawn_consent_cancels_and_renewed_consent_restores(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    emailed.consent_to_messages = False
    emailed.save()
    sync_patient(emailed, NOW)
    assert {r.status for r in rows(treatment)} == {ReminderStatus.CANCELLED}
    emailed.consent_to_messages = True
    emailed.save()
    sync_patient(emailed, NOW + timedelta(hours=1))
    restored = rows(treatment)
    assert [(r.item, r.status) for r in restored] == [
        (item, ReminderStatus.SCHEDULED) for item in FAKE_ITEMS
    ]
    assert restored[0].due_at == NOW + timedelta(hours=1)


def test_a_row_cancelled_by_staff_stays_cancelled(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    sunscreen = Reminder.objects.get(item="RM-sunscreen:2")
    assert cancel_by_staff(sunscreen, practitioner, NOW)
    assert not cancel_by_staff(sunscreen, practitioner, NOW)
    sync_reminders(treatment, NOW)
    sunscreen.refresh_from_db()
    assert (sunscreen.status, sunscreen.cancelled_by) == (ReminderStatus.CANCELLED, practitioner)
    assert Reminder.objects.filter(treatment=treatment).count() == len(FAKE_ITEMS)


def test_changing_channel_moves_messages_to_the_new_one(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    emailed.preferred_channel, emailed.mobile = Channel.SMS, "+447700900123"
    emailed.save()
    sync_patient(emailed, NOW)
    waiting = Reminder.objects.filter(treatment=treatment, status=ReminderStatus.SCHEDULED)
    assert {r.channel for r in waiting} == {"sms"}
    assert waiting.count() == len(FAKE_ITEMS)


def test_other_clinics_rows_are_untouched(
    emailed: Patient, practitioner: StaffMember, outsider: StaffMember
) -> None:
    beta: Clinic = outsider.clinic
    stranger = Patient.objects.create(
        clinic=beta,
        given_name="Carol",
        family_name="Beta",
        email="carol@example.com",
        preferred_channel=Channel.EMAIL,
        consent_to_messages=True,
    )
    theirs = treat(stranger, outsider)
    sync_reminders(theirs, NOW)
    mine = treat(emailed, practitioner)
    mine.cancelled_at = NOW
    mine.save()
    sync_reminders(mine, NOW)
    assert {r.status for r in rows(theirs)} == {ReminderStatus.SCHEDULED}
