"""Reminder rows from the engine's own schedule: wall times across clock changes, quiet hours,
and one text a day at most, short enough for a phone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.engine.localtime import zone
from aftercare.web import clock
from aftercare.web.clinic.models import (
    Channel,
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
)
from aftercare.web.reminders.claim import claim
from aftercare.web.reminders.delivery import compose
from aftercare.web.reminders.schedule import (
    sync_reminders,
)
from tests.web.conftest import NOW, sign_in_staff
from tests.web.reminder_rows import email_patient, rows, treat

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed(patient: Patient) -> Patient:
    return email_patient(patient)


LONDON = ZoneInfo("Europe/London")


def local_clock(reminders: list[Reminder]) -> list[tuple[str, str]]:
    return [(r.item, f"{r.due_at.astimezone(LONDON):%a %d %b %H:%M}") for r in reminders]


def test_the_week_the_clocks_go_back_keeps_morning_messages_at_eight(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treated_at = datetime(2026, 10, 23, 13, 0, tzinfo=UTC)
    treatment = treat(emailed, practitioner, treated_at)
    sync_reminders(treatment, treated_at)
    mornings = [r for r in rows(treatment) if r.item.startswith("day:")]
    assert local_clock(mornings)[:3] == [
        ("day:1", "Sat 24 Oct 08:00"),
        ("day:2", "Sun 25 Oct 08:00"),
        ("day:3", "Mon 26 Oct 08:00"),
    ]
    assert [r.due_at.astimezone(UTC).hour for r in mornings[:2]] == [7, 8]
    check_ins = [r.item for r in mornings if "How is your skin today?" in r.body]
    assert check_ins == ["day:1", "day:3", "day:7"]


def test_quiet_hours_move_messages_to_the_clinics_morning(
    emailed: Patient, practitioner: StaffMember
) -> None:
    clinic = emailed.clinic
    clinic.quiet_hours_start, clinic.quiet_hours_end = time(21, 0), time(9, 0)
    clinic.save()
    treated_at = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
    treatment = treat(emailed, practitioner, treated_at)
    sync_reminders(treatment, treated_at)
    made = dict(local_clock(rows(treatment)))
    assert made["RM-welcome"] == "Sat 21 Nov 09:00"
    # Day 1's morning message (changes, sunscreen, check-in) waits for the quiet hours' end.
    assert made["day:1"] == "Sat 21 Nov 09:00"


def test_a_late_welcome_recorded_at_night_waits_for_the_morning(
    emailed: Patient, practitioner: StaffMember
) -> None:
    now = datetime(2026, 11, 21, 23, 15, tzinfo=UTC)
    treatment = treat(emailed, practitioner, now - timedelta(days=3))
    sync_reminders(treatment, now)
    made = rows(treatment)
    assert local_clock(made)[0] == ("RM-welcome", "Sun 22 Nov 08:00")
    assert all(r.due_at >= now for r in made)
    assert "day:1" not in {r.item for r in made}
    assert "day:5" in {r.item for r in made}


def test_the_engines_rows_are_kept_in_step_by_an_edit(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    before = Reminder.objects.filter(treatment=treatment).count()
    assert before > 5
    treatment.treated_at = NOW - timedelta(days=1)
    treatment.save()
    sync_reminders(treatment, NOW)
    waiting = Reminder.objects.filter(treatment=treatment, status=ReminderStatus.SCHEDULED)
    assert all(r.due_at >= NOW for r in waiting)
    assert Reminder.objects.filter(treatment=treatment).count() == before


def test_new_quiet_hours_re_time_the_messages_still_waiting(
    client: Client,
    emailed: Patient,
    practitioner: StaffMember,
    clinic_admin: StaffMember,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    treated_at = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: treated_at + timedelta(minutes=5))
    treatment = treat(emailed, practitioner, treated_at)
    sync_reminders(treatment, treated_at)
    sent = Reminder.objects.get(treatment=treatment, item="RM-welcome")
    Reminder.objects.filter(pk=sent.pk).update(status=ReminderStatus.SENT, sent_at=treated_at)
    assert dict(local_clock(rows(treatment)))["day:1"] == "Sat 21 Nov 08:00"
    sign_in_staff(client, clinic_admin)
    clinic = emailed.clinic
    form = {
        "name": clinic.name,
        "phone": clinic.phone,
        "email": "",
        "urgent_phone": clinic.urgent_phone,
        "time_zone": clinic.time_zone,
        "overlay_yaml": "",
        "older_age_years": "65",
        "screening_valid_days": "90",
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "09:30",
        "alert_escalation_minutes": "15",
        "staff_idle_minutes": "30",
        "staff_session_hours": "12",
        "retention_years": "8",
    }
    response = client.post(reverse("staff:clinic_settings"), form)
    assert response.status_code == 302
    made = dict(local_clock(rows(treatment)))
    assert made["day:1"] == "Sat 21 Nov 09:30"
    # What was sent stays as it was.
    before = sent.due_at
    sent.refresh_from_db()
    assert (sent.status, sent.due_at) == (ReminderStatus.SENT, before)


# --- one message a day ---------------------------------------------------------------

# The GSM 03.38 alphabet (basic set and the extension table, whose characters count twice):
# a text of only these is sent 160 characters to a segment (153 when split), else 70 (67).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        return 1 if units <= 160 else -(-units // 153)
    return 1 if len(text) <= 70 else -(-len(text) // 67)


def test_it_counts_sms_segments_as_phones_do() -> None:
    assert [sms_segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert [sms_segments("“" + "a" * n) for n in (69, 70, 133, 134)] == [1, 2, 2, 3]


@pytest.fixture
def texted(patient: Patient) -> Patient:
    patient.mobile = "+447700900123"
    patient.preferred_channel = Channel.SMS
    patient.consent_to_messages = True
    patient.save()
    return patient


def test_a_default_patient_gets_one_text_a_day_at_most_and_eight_in_a_fortnight(
    texted: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(texted, practitioner)
    sync_reminders(treatment, NOW)
    fortnight = [r for r in rows(treatment) if r.due_at < NOW + timedelta(days=14)]
    days = [r.due_at.astimezone(zone(treatment.time_zone)).date() for r in fortnight]
    assert len(fortnight) == 8
    assert len(set(days)) == len(days)
    assert [r.item for r in fortnight] == [
        "RM-welcome",
        *(f"day:{day}" for day in (1, 2, 3, 5, 6, 7, 14)),
    ]


def test_each_text_greets_the_patient_and_names_the_clinic(
    texted: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(texted, practitioner)
    sync_reminders(treatment, NOW)
    made = {r.item: r.body for r in rows(treatment)}
    assert all(body.startswith("Hi Alice, Alpha Clinic here. ") for body in made.values())
    assert made["day:1"] == (
        "Hi Alice, Alpha Clinic here. Today: from 14:30, makeup once the redness has gone and "
        "the skin has settled. Sunscreen SPF 50+ before you go out. How is your skin? Tell us "
        "in your plan's check-in."
    )
    assert made["day:2"] == (
        "Hi Alice, Alpha Clinic here. Today: from 14:30, no need to avoid any longer: alcohol. "
        "Sunscreen SPF 50+ before you go out."
    )


def test_texts_fit_two_segments_where_they_can(texted: Patient, practitioner: StaffMember) -> None:
    treatment = treat(texted, practitioner)
    sync_reminders(treatment, NOW)
    later = NOW + timedelta(days=60)
    sent = [compose(reminder, later) for reminder in claim(100, "w", later, timedelta(minutes=5))]
    segments = [sms_segments(message.body) for message in sent]
    print(
        "texts:",
        len(sent),
        "segments:",
        segments,
        "longest:",
        max(map(len, (m.body for m in sent))),
    )
    # Two segments, but for the days on which many rules change at once (days 3, 7 and 14).
    over_two = [number for number, count in enumerate(segments) if count > 2]
    assert (over_two, max(segments)) == ([3, 6, 7], 4)
