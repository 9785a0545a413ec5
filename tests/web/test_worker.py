"""The reminder worker: leases, re-checks, retries, disabled destinations, final text."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Clinic,
    Patient,
    PatientLink,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders.claim import claim
from aftercare.web.reminders.delivery import MAX_ATTEMPTS, backoff, deliver
from aftercare.web.reminders.notify import link_url
from aftercare.web.reminders.optout import read_optout_token
from aftercare.web.reminders.transports import (
    OutgoingMessage,
    PermanentError,
    TemporaryError,
)
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW
from tests.web.reminder_fakes import FakeTransport, transports
from tests.web.reminder_rows import make_reminder, make_treatment

LEASE = timedelta(minutes=1)


pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def reachable(patient: Patient) -> Patient:
    patient.consent_to_messages = True
    patient.mobile = "+447700900123"
    patient.email = "alice@example.org"
    patient.save()
    return patient


@pytest.fixture
def treatment(reachable: Patient, practitioner: StaffMember) -> Treatment:
    return make_treatment(reachable, practitioner)


def make_many(treatment: Treatment, count: int) -> list[Reminder]:
    return [make_reminder(treatment, f"RM-sunscreen:{n}") for n in range(count)]


def test_it_claims_only_what_is_due(treatment: Treatment) -> None:
    due = make_reminder(treatment, "RM-a:1")
    make_reminder(treatment, "RM-b:1", due_after=timedelta(seconds=1))
    sent = make_reminder(treatment, "RM-c:1")
    Reminder.objects.filter(pk=sent.pk).update(status=ReminderStatus.SENT)
    claimed = claim(10, "alpha", NOW, LEASE)
    assert [r.pk for r in claimed] == [due.pk]
    due.refresh_from_db()
    assert (due.leased_by, due.lease_until) == ("alpha", NOW + LEASE)


def test_it_never_leases_a_row_held_by_another_worker(treatment: Treatment) -> None:
    rows = make_many(treatment, 3)
    assert len(claim(2, "alpha", NOW, LEASE)) == 2
    second = claim(10, "bravo", NOW + timedelta(seconds=30), LEASE)
    assert [r.pk for r in second] == [rows[2].pk]
    assert claim(10, "charlie", NOW + timedelta(seconds=59), LEASE) == []


def test_it_reclaims_an_expired_lease(treatment: Treatment) -> None:
    row = make_reminder(treatment)
    claim(10, "alpha", NOW, LEASE)
    assert claim(10, "bravo", NOW + LEASE, LEASE) == []
    again = claim(10, "bravo", NOW + LEASE + timedelta(microseconds=1), LEASE)
    assert [r.pk for r in again] == [row.pk]
    row.refresh_from_db()
    assert row.leased_by == "bravo"


def test_it_cannot_mark_sent_once_the_lease_is_lost(treatment: Treatment) -> None:
    make_reminder(treatment)
    [stale] = claim(10, "alpha", NOW, LEASE)
    [fresh] = claim(10, "bravo", NOW + 2 * LEASE, LEASE)
    assert deliver(stale, "alpha", transports(), NOW + 2 * LEASE) == "sent"
    row = Reminder.objects.get(pk=fresh.pk)
    assert (row.status, row.leased_by, row.sent_at) == (ReminderStatus.SCHEDULED, "bravo", None)
    assert deliver(fresh, "bravo", transports(), NOW + 2 * LEASE) == "sent"
    row.refresh_from_db()
    assert (row.status, row.sent_at) == (ReminderStatus.SENT, NOW + 2 * LEASE)


@pytest.mark.parametrize(
    "sent_at",
    [
        NOW,
        NOW.replace(microsecond=0),
        NOW.replace(month=7).astimezone(ZoneInfo("Europe/London")),
    ],
)
def test_it_stores_the_sending_moment_as_the_orm_would(
    treatment: Treatment, sent_at: datetime
) -> None:
    mine, orms = make_many(treatment, 2)
    [claimed] = claim(1, "alpha", NOW, LEASE)
    assert deliver(claimed, "alpha", transports(), sent_at) == "sent"
    Reminder.objects.filter(pk=orms.pk).update(sent_at=sent_at)
    assert Reminder.objects.get(pk=mine.pk).sent_at == sent_at
    # The same stored text too, so that comparisons made in SQL agree.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(sent_at AS TEXT) FROM clinic_reminder WHERE id IN (%s, %s) ORDER BY id",
            [mine.pk, orms.pk],
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert stored[0] == stored[1]


def test_it_backs_off_on_a_temporary_error_and_gives_up_after_the_limit(
    treatment: Treatment,
) -> None:
    row = make_reminder(treatment)
    sms = FakeTransport(*[TemporaryError("busy")] * MAX_ATTEMPTS)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        [claimed] = claim(10, "alpha", now, LEASE)
        assert deliver(claimed, "alpha", transports(sms), now) == "retried"
        row.refresh_from_db()
        assert (row.status, row.attempts, row.due_at) == (
            ReminderStatus.SCHEDULED,
            attempt,
            now + backoff(attempt),
        )
        assert (row.lease_until, row.last_error) == (None, "busy")
        assert claim(10, "alpha", now + backoff(attempt) - timedelta(seconds=1), LEASE) == []
        now += backoff(attempt)
    [claimed] = claim(10, "alpha", now, LEASE)
    assert deliver(claimed, "alpha", transports(sms), now) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (ReminderStatus.FAILED, MAX_ATTEMPTS)
    assert sms.sent == []


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3, 7, 8, 60)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_a_permanent_error_disables_the_destination_and_cancels_the_rest(
    treatment: Treatment, reachable: Patient
) -> None:
    first = make_reminder(treatment, "RM-a:1")
    second = make_reminder(treatment, "RM-b:1")
    by_email = make_reminder(treatment, "RM-c:1", channel="email")
    sms = FakeTransport(PermanentError("not a mobile number"))
    email = FakeTransport()
    worker = Worker(transports(sms, email), worker_id="alpha")
    assert worker.run_batch() == 3
    first.refresh_from_db()
    second.refresh_from_db()
    by_email.refresh_from_db()
    reachable.refresh_from_db()
    assert (first.status, first.last_error) == (ReminderStatus.FAILED, "not a mobile number")
    assert (second.status, second.last_error) == (
        ReminderStatus.CANCELLED,
        "the patient's sms address is disabled",
    )
    assert by_email.status == ReminderStatus.SENT
    assert reachable.sms_disabled_at is not None
    assert reachable.email_disabled_at is None
    assert sms.sent == []
    [event] = AuditEvent.objects.filter(action="reminder.destination_disabled")
    assert (event.actor_kind, event.patient_id, event.object_id) == (
        ActorKind.SYSTEM,
        reachable.pk,
        str(first.pk),
    )
    later = make_reminder(treatment, "RM-d:1")
    assert worker.run_batch() == 1
    later.refresh_from_db()
    assert later.status == ReminderStatus.CANCELLED


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"consent_to_messages": False}, "the patient has not consented to messages"),
        ({"sms_opted_out_at": NOW}, "the patient opted out of sms"),
        ({"sms_disabled_at": NOW}, "the patient's sms address is disabled"),
        ({"mobile": ""}, "the patient has no sms address"),
    ],
)
def test_it_cancels_instead_of_sending_when_the_patient_says_no(
    treatment: Treatment, reachable: Patient, change: dict[str, object], reason: str
) -> None:
    row = make_reminder(treatment)
    Patient.objects.filter(pk=reachable.pk).update(**change)  # type: ignore[arg-type]
    sms = FakeTransport()
    Worker(transports(sms), worker_id="alpha").run_batch()
    row.refresh_from_db()
    assert (row.status, row.last_error, row.cancelled_at) == (ReminderStatus.CANCELLED, reason, NOW)
    assert sms.sent == []


def test_it_cancels_the_reminders_of_a_cancelled_treatment(treatment: Treatment) -> None:
    row = make_reminder(treatment)
    Treatment.objects.filter(pk=treatment.pk).update(cancelled_at=NOW)
    sms = FakeTransport()
    Worker(transports(sms), worker_id="alpha").run_batch()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (
        ReminderStatus.CANCELLED,
        "the treatment was cancelled",
    )
    assert sms.sent == []


def test_the_message_carries_the_body_the_key_and_a_way_to_stop(
    treatment: Treatment, reachable: Patient
) -> None:
    row = make_reminder(treatment)
    sms = FakeTransport()
    Worker(transports(sms), worker_id="alpha").run_batch()
    [message] = sms.sent
    assert (message.to, message.idempotency_key) == ("+447700900123", row.idempotency_key)
    body, stop = message.body.split("\n\n")
    assert body == "Sunscreen today."
    token = stop.removeprefix("To stop these messages: http://127.0.0.1:8000/p/stop/")
    assert read_optout_token(token.strip()) == (reachable.pk, "sms")


def test_a_welcome_carries_a_link_that_works_once(
    treatment: Treatment, reachable: Patient, client: Client
) -> None:
    make_reminder(treatment, "RM-welcome:1", channel="email", kind=ReminderKind.WELCOME)
    email = FakeTransport()
    Worker(transports(email=email), worker_id="alpha").run_batch()
    [message] = email.sent
    assert message.subject == "Your aftercare from Alpha Clinic"
    found = re.search(r"Your aftercare plan: (\S+)", message.body)
    assert found is not None
    token = found.group(1).split("?t=")[1]
    assert found.group(1) == link_url(token)
    link = PatientLink.find(token)
    assert link is not None and link.patient_id == reachable.pk
    assert client.post(reverse("portal:open"), {"t": token}).status_code == 302
    assert client.post(reverse("portal:open"), {"t": token}).status_code == 410


def test_stopping_finishes_the_message_in_hand_and_gives_back_the_rest(
    treatment: Treatment,
) -> None:
    rows = make_many(treatment, 5)
    worker = Worker(transports(), worker_id="alpha")

    class StopAfterOne(FakeTransport):
        def send(self, message: OutgoingMessage) -> None:
            super().send(message)
            worker.stop()

    worker.transports = transports(StopAfterOne())
    worker.run_batch()
    statuses = list(Reminder.objects.order_by("pk").values_list("status", "leased_by"))
    assert statuses == [(ReminderStatus.SENT, "alpha")] + [(ReminderStatus.SCHEDULED, "")] * 4
    assert len(rows) == 5


def test_drain_sends_everything_due(treatment: Treatment) -> None:
    make_many(treatment, 25)
    make_reminder(treatment, "RM-later:1", due_after=timedelta(days=1))
    sms = FakeTransport()
    worker = Worker(transports(sms), batch=10, worker_id="alpha")
    worker.drain()
    assert len(sms.sent) == 25
    assert worker.tally["sent"] == 25
    assert Reminder.objects.filter(status=ReminderStatus.SCHEDULED).count() == 1


@pytest.mark.parametrize("size", [1, 50])
def test_a_batch_makes_the_same_django_queries_whatever_its_size(
    treatment: Treatment, size: int, django_assert_num_queries: object
) -> None:
    # Each mark is one statement on the driver's own cursor, which Django does not see;
    # every other query is Django's, and none of them is made once per reminder.
    make_many(treatment, size)
    worker = Worker(transports(), batch=50, worker_id="alpha")
    with django_assert_num_queries(4):  # type: ignore[operator]
        assert worker.run_batch() == size
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == size


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_get_the_same_row(
    clinic: Clinic, practitioner: StaffMember
) -> None:
    patient = Patient.objects.create(
        clinic=clinic, given_name="Carol", family_name="Many", consent_to_messages=True
    )
    treatment = make_treatment(patient, practitioner)
    Reminder.objects.bulk_create(
        Reminder(
            treatment=treatment,
            patient=patient,
            clinic=clinic,
            item=f"RM-x:{n}",
            kind=ReminderKind.SUNSCREEN,
            channel="sms",
            due_at=NOW,
            body="x",
            idempotency_key=f"key-{n}",
            protocol_version="1",
        )
        for n in range(400)
    )
    claimed: dict[str, list[int]] = {}
    got: dict[str, bool] = {}
    # Rounds in which all four claim at the same moment, until a round finds nothing: a
    # free-running thread can hold SQLite's write lock for every claim and drain the table
    # alone, which would test no concurrency at all.
    start, done = threading.Barrier(4, timeout=30), threading.Barrier(4, timeout=30)

    def work(name: str) -> None:
        mine = claimed.setdefault(name, [])
        try:
            while True:
                start.wait()
                batch = claim(7, name, NOW, timedelta(hours=1))
                got[name] = bool(batch)
                mine.extend(r.pk for r in batch)
                done.wait()
                if not any(got.values()):
                    break
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    every = [pk for pks in claimed.values() for pk in pks]
    assert len(every) == len(set(every)) == 400
    assert sum(1 for pks in claimed.values() if pks) >= 2
    leased = dict(Reminder.objects.values_list("pk", "leased_by"))
    assert all(leased[pk] == name for name, pks in claimed.items() for pk in pks)
