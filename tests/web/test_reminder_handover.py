"""A later session takes over the earlier one's remaining messages, and gives them back when
it is cancelled or moved; what a person cancelled stays cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftercare.web.clinic.models import (
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders.schedule import (
    SUPERSEDED,
    cancel_by_staff,
    sync_treatment,
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
    assert {states(third)[item] for item in FAKE_ITEMS[1:]} == {GIVEN_WAY}


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
