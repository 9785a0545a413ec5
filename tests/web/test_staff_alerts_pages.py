"""What the patient and staff read once staff are told: the patient's answer in and out of
on-call hours, the review page and the dashboard; the administrator's on-call settings; and
staff alerts that the patient's own changes never touch. The alerts themselves are in
test_staff_alerts.py; the clinic's on-call list is in tests/web/on_call.py.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    Clinic,
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.oncall import is_covering, parse_on_call
from tests.web.conftest import NOW, sign_in_staff
from tests.web.on_call import (
    ADMIN,
    BACKUP,
    DAY,
    NIGHT,
    Clock,
    Outbox,
    report,
    set_on_call,
)
from tests.web.test_api_access import ok, patch
from tests.web.test_clinic_admin import SETTINGS, settings_data
from tests.web.test_optout import stop_url
from tests.web.test_portal_check_in import send
from tests.web.test_portal_plan import sign_in, text, treat

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
