"""Staff are told: an urgent check-in reaches the on-call contact at once through the
reminders outbox and the real worker, escalates when nobody reviews it, and reaches the
clinic's administrators; "contact the clinic" check-ins join the morning summary.

Alice (``patient``) reports by phone and the clinic's booking system records it
(``api_client``). The Alpha clinic's on-call list: Dr Day (mobile, 08:00-20:00), Nurse
Night (email, 20:00-08:00), Dr Backup (mobile, 08:00-20:00); its administrator has an email.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

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
from aftercare.web.oncall import is_covering, parse_on_call
from aftercare.web.reminders.claim import claim
from aftercare.web.reminders.transports import PermanentError, Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW, sign_in_staff
from tests.web.reminder_fakes import FakeTransport
from tests.web.test_api_access import ok, patch, post
from tests.web.test_clinic_admin import SETTINGS, settings_data
from tests.web.test_optout import stop_url
from tests.web.test_portal_check_in import send
from tests.web.test_portal_plan import sign_in, text, treat

pytestmark = pytest.mark.django_db

DAY, NIGHT, BACKUP = "+447700900001", "night@example.org", "+447700900002"
ADMIN = "admin@example.org"


class Clock:
    """The web app's clock, stopped at ``at`` and moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = NOW
        monkeypatch.setattr("aftercare.web.clock.now", lambda: self.at)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def on_call(clinic: Clinic, clinic_admin: StaffMember) -> Clinic:
    clinic.on_call = [
        {"name": "Dr Day", "to": DAY, "from": "08:00", "until": "20:00"},
        {"name": "Nurse Night", "to": NIGHT, "from": "20:00", "until": "08:00"},
        {"name": "Dr Backup", "to": BACKUP, "from": "08:00", "until": "20:00"},
    ]
    clinic.save()
    clinic_admin.user.email = ADMIN
    clinic_admin.user.save()
    return clinic


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    return treat(patient, practitioner, NOW - timedelta(hours=50))


class Outbox:
    def __init__(self) -> None:
        self.sms, self.email = FakeTransport(), FakeTransport()

    def run(self) -> None:
        Worker(Transports(email=self.email, sms=self.sms), worker_id="alpha").drain()

    @property
    def to(self) -> list[str]:
        return [m.to for m in self.sms.sent + self.email.sent]


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def report(client: Client, treatment: Treatment, *symptoms: str) -> CheckIn:
    body = {"symptoms": list(symptoms), "trend": "stable", "free_text": ""}
    ok(post(client, f"/api/v1/treatments/{treatment.pk}/check-ins", body), 201)
    return CheckIn.objects.latest("pk")


def review_url(check_in: CheckIn) -> str:
    return settings.BASE_URL + reverse("staff:check_in", kwargs={"pk": check_in.pk})


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


def datetime_utc(day: int, hour: int) -> datetime:
    """A moment in November 2026, when London keeps UTC."""
    return NOW.replace(day=day, hour=hour, minute=0)


# What people see


def portal_result(client: Client, patient: Patient, *symptoms: str) -> str:
    sign_in(client, patient)
    return text(send(client, *symptoms))


def test_the_patient_is_told_the_clinic_knows_and_is_not_sent_elsewhere_in_hours(
    client: Client, on_call: Clinic, patient: Patient, treated: Treatment, clock: Clock
) -> None:
    shown = portal_result(client, patient, "discharge")
    assert "Alpha Clinic has been told about this check-in." in shown
    assert "on-call team is not available" not in shown


def test_out_of_on_call_hours_the_patient_is_told_who_to_call_instead(
    client: Client, clinic: Clinic, patient: Patient, treated: Treatment, clock: Clock
) -> None:
    clinic.on_call = [{"name": "Dr Day", "to": DAY, "from": "08:00", "until": "14:30"}]
    clinic.save()
    shown = portal_result(client, patient, "discharge")
    assert (
        "Your clinic's on-call team is not available at this hour. Call the clinic's urgent "
        "number below; if nobody answers, call NHS 111, or 999 in an emergency. "
        "Call Alpha Clinic now: 020 7946 0002 Alpha Clinic has been told about this check-in."
    ) in shown


def test_a_contact_the_clinic_answer_says_the_clinic_has_been_told(
    client: Client, on_call: Clinic, patient: Patient, practitioner: StaffMember, clock: Clock
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=120))
    shown = portal_result(client, patient, "redness")
    assert "Alpha Clinic has been told about this check-in." in shown


def test_an_expected_answer_does_not_claim_the_clinic_was_told(
    client: Client, on_call: Clinic, patient: Patient, practitioner: StaffMember, clock: Clock
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=20))
    shown = portal_result(client, patient, "redness")
    assert "Your clinic can see this check-in." in shown
    assert "has been told" not in shown


def test_the_review_page_gives_the_patients_number_to_tap_and_the_advice_given(
    api_client: Client, staff_client: Client, patient: Patient, treated: Treatment, clock: Clock
) -> None:
    Patient.objects.filter(pk=patient.pk).update(mobile="+447700900123")
    check_in = report(api_client, treated, "discharge")
    html = staff_client.get(reverse("staff:check_in", kwargs={"pk": check_in.pk})).content
    page = html.decode()
    assert '<a class="call" href="tel:+447700900123">Call Alice: +447700900123</a>' in page
    assert "What the patient was told" in page
    assert "Contact your clinic now. If you cannot reach them and you feel unwell" in page


def test_the_review_page_says_when_there_is_no_number(
    api_client: Client, staff_client: Client, treated: Treatment, clock: Clock
) -> None:
    check_in = report(api_client, treated, "discharge")
    page = staff_client.get(reverse("staff:check_in", kwargs={"pk": check_in.pk})).content
    assert "No mobile number recorded." in page.decode()


def test_the_dashboard_counts_patients_not_check_ins(
    api_client: Client,
    staff_client: Client,
    other_patient: Patient,
    practitioner: StaffMember,
    treated: Treatment,
    clock: Clock,
) -> None:
    for _ in range(3):
        report(api_client, treated, "discharge")
    shown = text(staff_client.get(reverse("staff:dashboard")).content.decode())
    assert "1 patient asked to contact the clinic now" in shown
    assert "From 1 patient." in shown
    report(api_client, treat(other_patient, practitioner, NOW - timedelta(hours=50)), "fever")
    shown = text(staff_client.get(reverse("staff:dashboard")).content.decode())
    assert "2 patients asked to contact the clinic now" in shown
    assert "From 2 patients." in shown


# Settings


@pytest.fixture
def as_admin(client: Client, clinic_admin: StaffMember) -> Client:
    return sign_in_staff(client, clinic_admin)


def test_an_administrator_sets_the_on_call_contacts_and_the_escalation(
    as_admin: Client, clinic: Clinic
) -> None:
    lines = "Dr Day, 07700 900001, 08:00-20:00\n\nNurse Night, night@example.org, 20:00\u201308:00"
    data = settings_data(on_call_text=lines, alert_escalation_minutes=10)
    assert as_admin.post(SETTINGS, data).status_code == 302
    clinic.refresh_from_db()
    assert clinic.on_call == [
        {"name": "Dr Day", "to": DAY, "from": "08:00", "until": "20:00"},
        {"name": "Nurse Night", "to": NIGHT, "from": "20:00", "until": "08:00"},
    ]
    assert clinic.alert_escalation_minutes == 10
    page = as_admin.get(SETTINGS).content.decode()
    assert f"Dr Day, {DAY}, 08:00-20:00\nNurse Night, {NIGHT}, 20:00-08:00</textarea>" in page


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("Dr Day, 020 7946 0001, 08:00-20:00", "is not a UK mobile number or an email address"),
        ("Dr Day, +33 6 12 34 56 78, 08:00-20:00", "is not a UK mobile number"),
        ("Dr Day, day@, 08:00-20:00", "&#x27;day@&#x27; is not an email address."),
        ("Dr Day, 07700 900001, 8am to 8pm", "is not hours such as 08:00-20:00."),
        ("Dr Day, 07700 900001, 08:00-24:00", "is not hours such as 08:00-20:00."),
        ("Dr Day 07700 900001", "Line 1: write name, mobile or email, hours"),
    ],
)
def test_a_bad_on_call_line_is_refused_with_its_line(
    as_admin: Client, clinic: Clinic, lines: str, message: str
) -> None:
    response = as_admin.post(SETTINGS, settings_data(on_call_text=lines))
    assert response.status_code == 200
    assert message in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.on_call == []


@pytest.mark.parametrize(
    ("hours", "local", "covering"),
    [
        ("08:00-20:00", "07:59", False),
        ("08:00-20:00", "08:00", True),
        ("08:00-20:00", "19:59", True),
        ("08:00-20:00", "20:00", False),
        ("20:00-08:00", "20:00", True),
        ("20:00-08:00", "03:00", True),
        ("20:00-08:00", "08:00", False),
        ("00:00-00:00", "12:00", True),
    ],
)
def test_on_call_hours_include_their_start_not_their_end(
    hours: str, local: str, covering: bool
) -> None:
    [contact] = parse_on_call(f"Dr Day, 07700 900001, {hours}")
    assert is_covering(contact, time.fromisoformat(local)) is covering


# Staff messages are not the patient's


def test_the_patients_changes_and_opt_outs_never_cancel_the_staff_alerts(
    api_client: Client,
    client: Client,
    on_call: Clinic,
    treated: Treatment,
    clock: Clock,
    outbox: Outbox,
) -> None:
    check_in = report(api_client, treated, "discharge")
    outbox.run()
    url = f"/api/v1/patients/{treated.patient_id}"
    ok(patch(api_client, url, {"mobile": "07700 900123", "consent_to_messages": True}))
    assert client.post(stop_url(treated.patient, "sms")).status_code == 200
    clock.at = NOW + timedelta(minutes=15)
    outbox.run()
    assert outbox.to == [DAY, BACKUP]
    waiting = Reminder.objects.get(check_in=check_in, recipient=ADMIN)
    assert waiting.status == ReminderStatus.SCHEDULED


def test_the_patients_message_list_leaves_out_the_staff_alerts(
    api_client: Client, staff_client: Client, on_call: Clinic, treated: Treatment, clock: Clock
) -> None:
    report(api_client, treated, "discharge")
    listed = ok(api_client.get(f"/api/v1/patients/{treated.patient_id}/reminders"))
    assert listed == []
    page = staff_client.get(reverse("staff:patient", args=[treated.patient_id])).content
    assert DAY.encode() not in page
    assert b"Urgent check-in alert to staff" not in page
