"""Reminder rows follow the plan: created, moved, cancelled; never sent twice."""

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
    Clinic,
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
    Treatment,
    idempotency_key,
)
from aftercare.web.protocol import clinic_protocol
from aftercare.web.reminders.claim import claim
from aftercare.web.reminders.delivery import compose
from aftercare.web.reminders.schedule import (
    SUPERSEDED,
    cancel_by_staff,
    receiving_channels,
    sync_patient,
    sync_reminders,
    sync_treatment,
)
from tests.web.conftest import NOW, sign_in_staff
from tests.web.reminder_fakes import use_fake_schedule

pytestmark = pytest.mark.django_db

ITEMS = ["RM-welcome:1", "RM-sunscreen:1", "RM-check-in:1", "RM-sunscreen:2", "RM-sunscreen:3"]


@pytest.fixture(autouse=True)
def _fake(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "real_engine" not in request.fixturenames:
        use_fake_schedule(monkeypatch)


@pytest.fixture
def real_engine() -> None:
    """Asked for by the tests that run the engine's own schedule."""


@pytest.fixture
def emailed(patient: Patient) -> Patient:
    patient.email = "alice@example.com"
    patient.preferred_channel = Channel.EMAIL
    patient.consent_to_messages = True
    patient.save()
    return patient


def treat(patient: Patient, staff: StaffMember, at: object = NOW) -> Treatment:
    protocol = clinic_protocol(patient.clinic)
    return Treatment.objects.create(
        patient=patient,
        treated_at=at,
        time_zone="Europe/London",
        areas=["face"],
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        created_by=staff,
    )


def rows(treatment: Treatment) -> list[Reminder]:
    return list(Reminder.objects.filter(treatment=treatment).order_by("due_at", "pk"))


def test_it_creates_a_row_per_item_for_an_email_patient(
    emailed: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(emailed, practitioner)
    sync_reminders(treatment, NOW)
    made = rows(treatment)
    assert [r.item for r in made] == ITEMS
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
    assert Reminder.objects.filter(treatment=treatment).count() == len(ITEMS)


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
    assert len(made) == len(ITEMS)
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
    assert len(made) == len(ITEMS)
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
        (item, ReminderStatus.SCHEDULED) for item in ITEMS
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
    assert Reminder.objects.filter(treatment=treatment).count() == len(ITEMS)


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
    assert waiting.count() == len(ITEMS)


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


# --- a later session takes over ------------------------------------------------------


def states(treatment: Treatment) -> dict[str, tuple[str, str]]:
    return {r.item: (r.status, r.last_error) for r in rows(treatment)}


WAITING = (ReminderStatus.SCHEDULED, "")
GIVEN_WAY = (ReminderStatus.CANCELLED, SUPERSEDED)


def test_a_later_treatment_takes_over_the_earlier_ones_remaining_messages(
    emailed: Patient, practitioner: StaffMember
) -> None:
    first = treat(emailed, practitioner)
    sync_treatment(first, NOW)
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT)
    second_at = NOW + timedelta(days=2)
    second = treat(emailed, practitioner, second_at)
    sync_treatment(second, NOW + timedelta(hours=1))
    assert states(first) == {
        "RM-welcome:1": (ReminderStatus.SENT, ""),
        "RM-sunscreen:1": WAITING,
        "RM-check-in:1": WAITING,
        "RM-sunscreen:2": GIVEN_WAY,
        "RM-sunscreen:3": GIVEN_WAY,
    }
    assert set(states(second).values()) == {WAITING}
    assert all(r.due_at >= second_at for r in rows(second))


def test_cancelling_the_later_treatment_gives_the_messages_back(
    emailed: Patient, practitioner: StaffMember
) -> None:
    first = treat(emailed, practitioner)
    sync_treatment(first, NOW)
    second = treat(emailed, practitioner, NOW + timedelta(days=2))
    sync_treatment(second, NOW)
    later = NOW + timedelta(hours=3)
    second.cancelled_at = later
    second.save()
    sync_treatment(second, later)
    assert set(states(first).values()) == {WAITING}
    assert Reminder.objects.get(treatment=first, item="RM-sunscreen:3").due_at == NOW + timedelta(
        days=3
    )
    assert {r.status for r in rows(second)} == {ReminderStatus.CANCELLED}


def test_moving_the_later_treatment_moves_where_it_takes_over(
    emailed: Patient, practitioner: StaffMember
) -> None:
    first = treat(emailed, practitioner)
    sync_treatment(first, NOW)
    second = treat(emailed, practitioner, NOW + timedelta(days=1, hours=1))
    sync_treatment(second, NOW)
    assert states(first)["RM-check-in:1"] == GIVEN_WAY
    moved_from = second.treated_at
    second.treated_at = NOW + timedelta(days=2, hours=12)
    second.save()
    sync_treatment(second, NOW, moved_from=moved_from)
    assert states(first) == {
        "RM-welcome:1": WAITING,
        "RM-sunscreen:1": WAITING,
        "RM-check-in:1": WAITING,
        "RM-sunscreen:2": WAITING,
        "RM-sunscreen:3": GIVEN_WAY,
    }


def test_moving_a_treatment_before_another_hands_over_both_ways(
    emailed: Patient, practitioner: StaffMember
) -> None:
    first = treat(emailed, practitioner)
    sync_treatment(first, NOW)
    second = treat(emailed, practitioner, NOW + timedelta(days=2))
    sync_treatment(second, NOW)
    third = treat(emailed, practitioner, NOW + timedelta(days=4))
    sync_treatment(third, NOW)
    assert states(second)["RM-sunscreen:3"] == GIVEN_WAY
    # The third was in fact the day after the first: it now sits between them.
    moved_from = third.treated_at
    third.treated_at = NOW + timedelta(days=1, hours=1)
    third.save()
    sync_treatment(third, NOW, moved_from=moved_from)
    assert states(first)["RM-check-in:1"] == GIVEN_WAY
    assert set(states(second).values()) == {WAITING}
    # Its own messages give way to the second's from the day after it.
    assert states(third)["RM-welcome:1"] == WAITING
    assert {states(third)[item] for item in ITEMS[1:]} == {GIVEN_WAY}


def test_a_message_a_person_cancelled_stays_cancelled_when_handed_back(
    emailed: Patient, practitioner: StaffMember
) -> None:
    first = treat(emailed, practitioner)
    sync_treatment(first, NOW)
    sunscreen = Reminder.objects.get(treatment=first, item="RM-sunscreen:3")
    assert cancel_by_staff(sunscreen, practitioner, NOW)
    second = treat(emailed, practitioner, NOW + timedelta(days=2))
    sync_treatment(second, NOW)
    second.cancelled_at = NOW
    second.save()
    sync_treatment(second, NOW)
    sunscreen.refresh_from_db()
    assert (sunscreen.status, sunscreen.last_error) == (
        ReminderStatus.CANCELLED,
        "Cancelled by staff",
    )
    assert states(first)["RM-sunscreen:2"] == WAITING


# --- with the engine's schedule ------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def local_clock(reminders: list[Reminder]) -> list[tuple[str, str]]:
    return [(r.item, f"{r.due_at.astimezone(LONDON):%a %d %b %H:%M}") for r in reminders]


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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


@pytest.mark.usefixtures("real_engine")
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
