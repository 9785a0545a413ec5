"""Staff are told: an urgent check-in reaches the on-call contact at once through the
reminders outbox and the real worker, escalates when nobody reviews it, and reaches the
clinic's administrators; "contact the clinic" check-ins join the morning summary. What the
patient and staff then read, and the on-call settings, are in test_staff_alerts_pages.py.

Alice (``patient``) reports by phone and the clinic's booking system records it
(``api_client``); the clinic's on-call list is in tests/web/on_call.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    CheckIn,
    Clinic,
    Patient,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders.claim import claim
from aftercare.web.reminders.transports import PermanentError
from tests.web.conftest import NOW
from tests.web.on_call import (
    ADMIN,
    BACKUP,
    DAY,
    NIGHT,
    Clock,
    Outbox,
    report,
    review_url,
    set_on_call,
)
from tests.web.reminder_fakes import FakeTransport
from tests.web.test_portal_plan import treat

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def on_call(clinic: Clinic, clinic_admin: StaffMember) -> Clinic:
    return set_on_call(clinic, clinic_admin)


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    return treat(patient, practitioner, NOW - timedelta(hours=50))


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def datetime_utc(day: int, hour: int) -> datetime:
    """A moment in November 2026, when London keeps UTC."""
    return NOW.replace(day=day, hour=hour, minute=0)


def test_it_writes_the_alerts_with_the_check_in_and_texts_the_contact_on_call_at_once(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    check_in = report(api_client, treated, "discharge")
    rows = Reminder.objects.filter(check_in=check_in).order_by("due_at", "recipient")
    assert [(r.recipient, r.channel, r.due_at - NOW) for r in rows] == [
        (DAY, "sms", timedelta(0)),
        (BACKUP, "sms", timedelta(minutes=15)),
        (ADMIN, "email", timedelta(minutes=30)),
    ]
    outbox.run()
    assert outbox.to == [DAY]
    message = outbox.sms.sent[0]
    assert message.body == (
        'Urgent check-in to Alpha Clinic: a patient was told "Contact the clinic now". '
        f"Call them back, then mark the check-in reviewed: {review_url(check_in)}\n"
    )
    assert "Alice" not in message.body
    assert "optout" not in message.body


def test_a_call_999_check_in_is_texted_to_the_contact_on_call_at_once(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    check_in = report(api_client, treated, "severe_allergic_reaction")
    outbox.run()
    assert outbox.to == [DAY]
    assert outbox.sms.sent[0].body == (
        'Urgent check-in to Alpha Clinic: a patient was told "Call 999 now". '
        f"Call them back, then mark the check-in reviewed: {review_url(check_in)}\n"
    )


@pytest.mark.parametrize(
    ("after", "sent"),
    [
        (timedelta(minutes=14, seconds=59), [DAY]),
        (timedelta(minutes=15), [DAY, BACKUP]),
        (timedelta(minutes=29, seconds=59), [DAY, BACKUP]),
        (timedelta(minutes=30), [DAY, BACKUP, ADMIN]),
    ],
)
def test_it_escalates_to_the_next_contact_then_the_administrators_on_time(
    api_client: Client,
    on_call: Clinic,
    treated: Treatment,
    clock: Clock,
    outbox: Outbox,
    after: timedelta,
    sent: list[str],
) -> None:
    report(api_client, treated, "discharge")
    outbox.run()
    clock.at = NOW + after
    outbox.run()
    assert outbox.to == sent
    if BACKUP in sent:
        assert outbox.sms.sent[1].body.startswith(
            "Not reviewed after 15 minutes. Urgent check-in to Alpha Clinic"
        )
    if ADMIN in sent:
        assert outbox.email.sent[0].subject == "Urgent check-in"
        assert outbox.email.sent[0].body.startswith("Not reviewed after 30 minutes.")


def test_the_escalation_follows_the_clinics_setting(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    Clinic.objects.filter(pk=on_call.pk).update(alert_escalation_minutes=5)
    report(api_client, treated, "discharge")
    clock.at = NOW + timedelta(minutes=5)
    outbox.run()
    assert outbox.to == [DAY, BACKUP]


def test_a_review_stops_the_escalation(
    api_client: Client,
    on_call: Clinic,
    treated: Treatment,
    clock: Clock,
    outbox: Outbox,
    staff_client: Client,
) -> None:
    check_in = report(api_client, treated, "discharge")
    outbox.run()
    clock.at = NOW + timedelta(minutes=10)
    url = reverse("staff:check_in", kwargs={"pk": check_in.pk})
    assert staff_client.post(url, {"note": "Called back; seen at 3pm."}).status_code == 302
    clock.at = NOW + timedelta(hours=1)
    outbox.run()
    assert outbox.to == [DAY]
    waiting = Reminder.objects.filter(check_in=check_in).exclude(recipient=DAY)
    assert {(r.status, r.last_error) for r in waiting} == {
        (ReminderStatus.CANCELLED, "the check-in was reviewed")
    }


def test_out_of_hours_the_night_contact_is_told_at_once_whatever_the_quiet_hours(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    # 22:30 in London is inside the clinic's quiet hours (21:00-08:00) for patients.
    clock.at = NOW + timedelta(hours=8)
    report(api_client, treated, "discharge")
    outbox.run()
    assert outbox.to == [NIGHT]
    clock.at += timedelta(minutes=15)
    outbox.run()
    assert outbox.to == [NIGHT, ADMIN]


def test_with_nobody_on_call_the_administrators_are_told_at_once(
    api_client: Client,
    clinic: Clinic,
    clinic_admin: StaffMember,
    treated: Treatment,
    clock: Clock,
    outbox: Outbox,
) -> None:
    clinic_admin.user.email = ADMIN
    clinic_admin.user.save()
    report(api_client, treated, "discharge")
    outbox.run()
    assert outbox.to == [ADMIN]


def test_an_alert_survives_a_worker_that_died_holding_it(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    report(api_client, treated, "discharge")
    assert [r.recipient for r in claim(10, "crashed", NOW, timedelta(minutes=1))] == [DAY]
    outbox.run()
    assert outbox.to == []
    clock.at = NOW + timedelta(minutes=1, seconds=1)
    outbox.run()
    assert outbox.to == [DAY]


def test_a_refused_staff_number_fails_its_alert_but_leaves_the_patient_reachable(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    outbox.sms = FakeTransport(PermanentError("not a mobile"))
    Patient.objects.filter(pk=treated.patient_id).update(mobile="+447700900123")
    check_in = report(api_client, treated, "discharge")
    outbox.run()
    alert = Reminder.objects.get(check_in=check_in, recipient=DAY)
    assert (alert.status, alert.last_error) == (ReminderStatus.FAILED, "not a mobile")
    assert Patient.objects.get(pk=treated.patient_id).sms_disabled_at is None
    clock.at = NOW + timedelta(minutes=15)
    outbox.run()
    assert outbox.to == [BACKUP]


def test_contact_the_clinic_check_ins_go_into_one_morning_summary_counting_patients(
    api_client: Client,
    on_call: Clinic,
    patient: Patient,
    other_patient: Patient,
    practitioner: StaffMember,
    clock: Clock,
    outbox: Outbox,
) -> None:
    Clinic.objects.filter(pk=on_call.pk).update(email="hello@example.org")
    alice = treat(patient, practitioner, NOW - timedelta(hours=120))
    bob = treat(other_patient, practitioner, NOW - timedelta(hours=120))
    for treatment in (alice, alice, bob):
        assert report(api_client, treatment, "redness").level == "contact_clinic"
    summary = Reminder.objects.get(kind=ReminderKind.CLINIC_SUMMARY)
    assert (summary.recipient, summary.due_at) == ("hello@example.org", datetime_utc(22, 8))
    outbox.run()
    clock.at = datetime_utc(22, 8) - timedelta(seconds=1)
    outbox.run()
    assert outbox.to == []
    clock.at = datetime_utc(22, 8)
    outbox.run()
    [message] = outbox.email.sent
    assert message.to == "hello@example.org"
    assert message.subject == "Check-ins for Alpha Clinic to review, Sunday 22 November 2026"
    assert message.body == (
        "2 patients sent check-ins that ask the clinic to get in touch, and nobody has "
        f"reviewed them yet. Please review them on the dashboard: {settings.BASE_URL}/clinic/\n"
    )


def test_no_summary_goes_when_every_check_in_was_reviewed(
    api_client: Client, on_call: Clinic, treated: Treatment, clock: Clock, outbox: Outbox
) -> None:
    clock.at = NOW + timedelta(hours=70)
    report(api_client, treated, "redness")
    CheckIn.objects.update(reviewed_at=clock.at)
    clock.at = datetime_utc(25, 8)
    outbox.run()
    assert outbox.to == []
    summary = Reminder.objects.get(kind=ReminderKind.CLINIC_SUMMARY)
    assert summary.last_error == "no check-ins were left to review"


def test_an_expected_check_in_tells_nobody(
    api_client: Client, on_call: Clinic, patient: Patient, practitioner: StaffMember, clock: Clock
) -> None:
    report(api_client, treat(patient, practitioner, NOW - timedelta(hours=20)), "redness")
    assert not Reminder.objects.exists()
