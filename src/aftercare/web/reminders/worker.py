"""The reminder worker: claim due rows with a lease, re-check, send, record the outcome.

Any number of workers may run against one database. A claim is a lease: PostgreSQL locks
the rows it takes with ``FOR UPDATE SKIP LOCKED``; SQLite, which has one writer at a time,
takes them with one guarded UPDATE. Every outcome is written only while the lease is still
ours (``WHERE leased_by = me``), so a worker that stalled past its lease cannot overwrite
the work of the one that took over. A worker killed mid-batch leaves its rows to expire
and be claimed again: at least once, with the idempotency key for the provider to dedupe.
Logs carry reminder ids only, never addresses or message text.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from aftercare.web import clock
from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Channel,
    Outcome,
    Patient,
    PatientLink,
    Reminder,
    ReminderKind,
    ReminderStatus,
    WorkerBeat,
)
from aftercare.web.reminders.alerts import STAFF_KINDS, compose_staff, why_not_send_staff
from aftercare.web.reminders.email_html import Branding, branding
from aftercare.web.reminders.links import LINK_PLACEHOLDER
from aftercare.web.reminders.notify import link_url
from aftercare.web.reminders.optout import optout_url
from aftercare.web.reminders.transports import (
    SEND_DEADLINE_SECONDS,
    OutgoingMessage,
    PermanentError,
    TemporaryError,
    Transports,
)

__all__ = [
    "MAX_ATTEMPTS",
    "Claimed",
    "SentMarks",
    "Worker",
    "backoff",
    "claim",
    "compose",
    "database_backoff",
    "deliver",
    "new_worker_id",
    "relax_commits",
    "release",
    "send_deadline",
    "supervise",
    "why_not_send",
]

log = logging.getLogger("aftercare.worker")

MAX_ATTEMPTS = 6
FIRST_RETRY_AFTER = timedelta(minutes=1)
LAST_RETRY_AFTER = timedelta(hours=1)
# While the database is unreachable: how soon to try again, doubling up to the last.
DATABASE_RETRY_FIRST = 0.5
DATABASE_RETRY_LAST = 10.0
# Asked to stop, a worker waits this long for the message in hand before cutting it off.
STOP_GRACE_SECONDS = 1.0
# How often a running worker records that it is alive (``WorkerBeat``).
BEAT_SECONDS = 10.0
# Stop starting new messages once this share of the lease has gone; with each send cut off
# after a quarter of the lease at most (``send_deadline``), nobody else can claim a row
# while we still hold it in hand.
_LEASE_SHARE = 0.7


def relax_commits() -> None:
    """In a process that only sends reminders: PostgreSQL commits without waiting for the
    disk (``synchronous_commit = off``) on every connection it opens.

    Each sent message is marked in a commit of its own, and waiting for the disk is most
    of that commit's cost. If the database server itself crashes, the last fraction of a
    second of marks may be lost, and those messages are sent again with the same
    idempotency key: a duplicate the provider can drop, never a lost message. Not for the
    web process, whose writes (a patient's check-in) must be durable when acknowledged.
    """
    connection_created.connect(_relax, dispatch_uid="aftercare.worker.relax_commits")
    if connection.connection is not None:
        _relax(sender=None, connection=connection)


def _relax(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def send_deadline(lease: timedelta) -> float:
    """Seconds one message may take to send: 15, or a quarter of a shorter lease."""
    return min(SEND_DEADLINE_SECONDS, lease.total_seconds() / 4)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1 min, 2, 4, … up to 1 hour."""
    return min(FIRST_RETRY_AFTER * (1 << min(max(attempts - 1, 0), 16)), LAST_RETRY_AFTER)


class Claimed(NamedTuple):
    """A leased reminder with what delivering it needs, read in one joined SELECT: building
    three model instances per row would cost more than everything else a message does (and
    a tuple builds faster than a frozen dataclass, whose fields are set one call at a time).
    """

    pk: int
    kind: str
    channel: str
    body: str
    attempts: int
    idempotency_key: str
    patient_id: int
    clinic_id: int
    clinic_name: str
    treatment_cancelled: bool
    consent_to_messages: bool
    email: str
    mobile: str
    email_opted_out: bool
    sms_opted_out: bool
    email_disabled: bool
    sms_disabled: bool
    # A staff message's own address, and whether its check-in has been reviewed.
    recipient: str
    check_in_reviewed: bool
    # The clinic's branding, for an email's HTML part.
    clinic_accent_colour: str
    clinic_logo_digest: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Claimed:
        # SQLite answers 0 and 1 where PostgreSQL answers booleans.
        flags = (*map(bool, row[9:11]), *row[11:13], *map(bool, row[13:17]))
        return cls._make((*row[:9], *flags, row[17], bool(row[18]), *row[19:21]))

    @property
    def for_staff(self) -> bool:
        return self.kind in STAFF_KINDS

    @property
    def destination(self) -> str:
        if self.for_staff:
            return self.recipient
        return (
            self.email if self.channel == "email" else self.mobile if self.channel == "sms" else ""
        )

    @property
    def opted_out(self) -> bool:
        return self.email_opted_out if self.channel == "email" else self.sms_opted_out

    @property
    def disabled(self) -> bool:
        return self.email_disabled if self.channel == "email" else self.sms_disabled


def claim(batch: int, worker_id: str, now: datetime, lease: timedelta) -> list[Claimed]:
    """Lease up to ``batch`` due reminders to ``worker_id`` until ``now + lease``.

    One statement takes them: an UPDATE whose WHERE repeats the due test, so it is a
    compare-and-set, returning the ids it changed. On PostgreSQL its subquery locks the
    rows ``FOR UPDATE SKIP LOCKED``, so workers never wait on each other; SQLite has one
    writer at a time, so two claims cannot interleave. Those rows are then read, joined,
    once the claim has committed: the lease already keeps them ours, and on SQLite the
    read would otherwise hold the one write lock, which the other workers' marks wait for
    (reading a batch takes longer than claiming it).
    """
    adapt = connection.ops.adapt_datetimefield_value
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    status = ReminderStatus.SCHEDULED.value
    until = adapt(now + lease)
    with connection.cursor() as cursor:
        with transaction.atomic():
            cursor.execute(
                _CLAIM.format(skip_locked=skip_locked),
                [worker_id, until, status, adapt(now), adapt(now), batch],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        # Only placeholders are joined into the statement; the ids travel as parameters.
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(_CLAIMED.format(ids=placeholders), [worker_id, *ids])
        return [Claimed.from_row(row) for row in cursor.fetchall()]


# The tables are the models' (clinic_reminder, clinic_patient, clinic_clinic,
# clinic_treatment); the worker tests fail if that ever changes.
_CLAIM = (
    "UPDATE clinic_reminder SET leased_by = %s, lease_until = %s WHERE id IN ("
    "SELECT id FROM clinic_reminder WHERE status = %s AND due_at <= %s"
    " AND (lease_until IS NULL OR lease_until < %s) ORDER BY due_at, id LIMIT %s{skip_locked}"
    ") RETURNING id"
)
# The columns of Claimed, in its order.
_CLAIMED = (
    "SELECT r.id, r.kind, r.channel, r.body, r.attempts, r.idempotency_key, r.patient_id,"
    " p.clinic_id, c.name, t.cancelled_at IS NOT NULL, p.consent_to_messages, p.email,"
    " p.mobile, p.email_opted_out_at IS NOT NULL, p.sms_opted_out_at IS NOT NULL,"
    " p.email_disabled_at IS NOT NULL, p.sms_disabled_at IS NOT NULL,"
    " r.recipient, ci.reviewed_at IS NOT NULL, c.accent_colour, c.logo_digest"
    " FROM clinic_reminder r"
    " JOIN clinic_patient p ON p.id = r.patient_id"
    " JOIN clinic_clinic c ON c.id = p.clinic_id"
    " JOIN clinic_treatment t ON t.id = r.treatment_id"
    " LEFT JOIN clinic_checkin ci ON ci.id = r.check_in_id"
    " WHERE r.leased_by = %s AND r.id IN ({ids})"
    " ORDER BY r.due_at, r.id"
)


def release(reminders: Sequence[Claimed], worker_id: str) -> int:
    """Give back leased rows we will not send now, so another worker need not wait."""
    ids = [reminder.pk for reminder in reminders]
    return Reminder.objects.filter(
        pk__in=ids, leased_by=worker_id, status=ReminderStatus.SCHEDULED
    ).update(lease_until=None, leased_by="")


def why_not_send(reminder: Claimed, disabled: Collection[tuple[int, str]] = frozenset()) -> str:
    """Why this reminder must no longer go out, or "" when it still applies."""
    if reminder.for_staff:
        reason = why_not_send_staff(
            reminder.kind, reminder.clinic_id, reminder.check_in_reviewed, clock.now()
        )
        return reason or ("" if reminder.recipient else "no address for this staff message")
    channel = reminder.channel
    if reminder.treatment_cancelled:
        return "the treatment was cancelled"
    if not reminder.consent_to_messages:
        return "the patient has not consented to messages"
    if reminder.opted_out:
        return f"the patient opted out of {channel}"
    if reminder.disabled or (reminder.patient_id, channel) in disabled:
        return f"the patient's {channel} address is disabled"
    if not reminder.destination:
        return f"the patient has no {channel} address"
    return ""


def compose(reminder: Claimed, now: datetime) -> OutgoingMessage:
    """The final text: the body, the patient's link for a welcome, and the way to stop."""
    if reminder.for_staff:
        subject, body = compose_staff(reminder.kind, reminder.body, reminder.clinic_id, now)
        return OutgoingMessage(
            reminder.channel,
            reminder.recipient,
            subject,
            body,
            reminder.idempotency_key,
            _branding(reminder),
        )
    parts = [reminder.body.rstrip()]
    if reminder.kind == ReminderKind.WELCOME:
        _, token = PatientLink.issue(Patient(pk=reminder.patient_id), now)
        parts.append(f"Your aftercare plan: {link_url(token)}")
    elif reminder.kind == ReminderKind.LINK:
        _, token = PatientLink.issue(Patient(pk=reminder.patient_id), now)
        parts = [parts[0].replace(LINK_PLACEHOLDER, link_url(token), 1)]
    parts.append(f"To stop these messages: {optout_url(reminder.patient_id, reminder.channel)}")
    return OutgoingMessage(
        channel=reminder.channel,
        to=reminder.destination,
        subject=_SUBJECTS.get(reminder.kind, _SUBJECT).format(clinic=reminder.clinic_name),
        body="\n\n".join(parts) + "\n",
        idempotency_key=reminder.idempotency_key,
        branding=_branding(reminder),
    )


def _branding(reminder: Claimed) -> Branding | None:
    """The clinic's branding for an email; a text message has no use for it."""
    if reminder.channel != Channel.EMAIL:
        return None
    return branding(
        reminder.clinic_id,
        reminder.clinic_name,
        reminder.clinic_accent_colour,
        reminder.clinic_logo_digest,
    )


_SUBJECT = "Your aftercare from {clinic}"
_SUBJECTS = {ReminderKind.LINK.value: "Your aftercare plan from {clinic}"}


def deliver(
    reminder: Claimed,
    worker_id: str,
    transports: Transports,
    now: datetime,
    disabled: set[tuple[int, str]] | None = None,
    marks: SentMarks | None = None,
) -> str:
    """Re-check, send and record one claimed reminder; returns the outcome's name."""
    disabled = disabled if disabled is not None else set()
    reason = why_not_send(reminder, disabled)
    if reason:
        _record(
            reminder,
            worker_id,
            status=ReminderStatus.CANCELLED,
            cancelled_at=now,
            last_error=reason,
        )
        return "cancelled"
    try:
        transports.for_channel(reminder.channel).send(compose(reminder, now))
    except TemporaryError as error:
        return _retry_later(reminder, worker_id, now, str(error))
    except PermanentError as error:
        if reminder.for_staff:
            # A staff address is the clinic's to fix; the patient's own stay in use.
            _record(reminder, worker_id, status=ReminderStatus.FAILED, last_error=str(error)[:500])
            return "failed"
        _disable_destination(reminder, worker_id, now, str(error))
        disabled.add((reminder.patient_id, reminder.channel))
        return "failed"
    except (OperationalError, InterfaceError):
        # The database is away: nothing to record now; the loop waits for it to return.
        raise
    except Exception as error:
        # One message that cannot be composed or sent (a newline in a header, a bug) is
        # this row's failure, retried and then failed, never the end of the worker.
        return _retry_later(reminder, worker_id, now, f"{type(error).__name__}: {error}")
    if not (marks or SentMarks()).mark(reminder.pk, worker_id, now):
        log.warning("reminder %s sent after its lease was lost", reminder.pk)
    return "sent"


class SentMarks:
    """``_record(status=SENT)`` as one statement on the database driver's own cursor: the
    one write every message makes, so it skips the ORM, Django's cursor wrapper and its
    date adapter, which cost a third of a mark (Django's query log and execute wrappers
    do not see it; database errors still arrive as Django's). One per batch, so the
    connection and its details are looked up once.
    """

    def __init__(self) -> None:
        self._database = connections[DEFAULT_DB_ALIAS]
        self._database.ensure_connection()
        self._cursor = self._database.connection.cursor()
        ops = self._database.ops
        sqlite = self._database.vendor == "sqlite"
        # The driver's own parameter style: SQLite's ?, psycopg's %s.
        self._statement = _MARK_SENT.replace("%s", "?") if sqlite else _MARK_SENT
        self._stored: Callable[[datetime], object] = ops.adapt_datetimefield_value
        if sqlite and (zone := self._database.timezone) is not None:
            self._stored = _naive_text(zone)

    def mark(self, pk: int, worker_id: str, now: datetime) -> bool:
        """Mark ``pk`` sent if ``worker_id`` still holds its lease; False when it does not."""
        with self._database.wrap_database_errors:
            self._cursor.execute(
                self._statement, (_SENT, self._stored(now), pk, worker_id, _SCHEDULED)
            )
            return bool(self._cursor.rowcount)


def _naive_text(zone: tzinfo) -> Callable[[datetime], str]:
    """What Django's SQLite backend stores for an aware moment: naive text in the
    connection's zone (UTC), without its per-call checks. The worker tests hold the two to
    the same text."""

    def stored(moment: datetime) -> str:
        return str(moment.astimezone(zone).replace(tzinfo=None))

    return stored


_SENT, _SCHEDULED = ReminderStatus.SENT.value, ReminderStatus.SCHEDULED.value
_MARK_SENT = (
    "UPDATE clinic_reminder SET status = %s, sent_at = %s, lease_until = NULL"
    " WHERE id = %s AND leased_by = %s AND status = %s"
)


def _record(reminder: Claimed, worker_id: str, **fields: object) -> bool:
    """Write an outcome, only while the lease is still ours."""
    return bool(
        Reminder.objects.filter(
            pk=reminder.pk, leased_by=worker_id, status=ReminderStatus.SCHEDULED
        ).update(lease_until=None, **fields)
    )


def _retry_later(reminder: Claimed, worker_id: str, now: datetime, error: str) -> str:
    attempts = reminder.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        fields: dict[str, object] = {"status": ReminderStatus.FAILED}
        outcome = "failed"
    else:
        fields = {"due_at": now + backoff(attempts), "leased_by": ""}
        outcome = "retried"
    with transaction.atomic():
        recorded = _record(reminder, worker_id, attempts=attempts, last_error=error[:500], **fields)
        if recorded and outcome == "failed":
            _tell_staff(reminder, "reminder.failed", now)
    log.warning("reminder %s: not sent, attempt %s", reminder.pk, attempts)
    return outcome


def _tell_staff(reminder: Claimed, action: str, now: datetime) -> None:
    """An audit event on the patient's record, which the staff pages show."""
    AuditEvent.objects.create(
        actor_kind=ActorKind.SYSTEM,
        clinic_id=reminder.clinic_id,
        patient_id=reminder.patient_id,
        action=action,
        object_type="reminder",
        object_id=str(reminder.pk),
        outcome=Outcome.ALLOWED,
        at=now,
    )


def _disable_destination(reminder: Claimed, worker_id: str, now: datetime, error: str) -> None:
    with transaction.atomic():
        _record(
            reminder,
            worker_id,
            status=ReminderStatus.FAILED,
            attempts=reminder.attempts + 1,
            last_error=error[:500],
        )
        Patient.objects.filter(pk=reminder.patient_id).update(
            **{f"{reminder.channel}_disabled_at": now}
        )
        _tell_staff(reminder, "reminder.destination_disabled", now)
    log.warning(
        "reminder %s: destination refused for good, patient %s's %s disabled",
        reminder.pk,
        reminder.patient_id,
        reminder.channel,
    )


class Worker:
    """The loop: claim a batch, deliver it, sleep when nothing is due; stops when asked."""

    def __init__(
        self,
        transports: Transports,
        *,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=60),
        poll_seconds: float = 5.0,
        worker_id: str | None = None,
    ) -> None:
        self.transports = transports
        self.batch = batch
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or new_worker_id()
        self.tally: Counter[str] = Counter()
        self._beaten = -BEAT_SECONDS
        self._stopping = threading.Event()
        # Load the URL configuration (which opt-out addresses need) while starting, not
        # while the first message waits.
        optout_url(0, "email")

    def stop(self) -> None:
        """Finish the message in hand, give back the rest, and return from ``run``. A
        message still not sent after a few seconds is cut short, to be retried later: a
        deployment's stop never waits on a slow provider."""
        self._stopping.set()
        abort = getattr(self.transports, "abort", None)
        if abort is not None:
            abort(STOP_GRACE_SECONDS)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep, waking at once when asked to stop."""
        self._stopping.wait(seconds)

    def run_batch(self) -> int:
        """Claim and deliver one batch; the number of reminders claimed."""
        claimed = claim(self.batch, self.worker_id, clock.now(), self.lease)
        if not claimed:
            return 0
        deadline = time.monotonic() + self.lease.total_seconds() * _LEASE_SHARE
        disabled: set[tuple[int, str]] = set()
        marks = SentMarks()
        for index, reminder in enumerate(claimed):
            if self.stopping or time.monotonic() > deadline:
                release(claimed[index:], self.worker_id)
                break
            outcome = deliver(
                reminder, self.worker_id, self.transports, clock.now(), disabled, marks
            )
            self.tally[outcome] += 1
        return len(claimed)

    def drain(self) -> None:
        """Deliver everything due now, then return (``aftercare worker --once``)."""
        WorkerBeat.beat(clock.now())
        while not self.stopping and self.run_batch():
            pass

    def beat(self) -> None:
        """Tell ``/healthz`` this worker is going round, at most every few seconds."""
        moment = time.monotonic()
        if moment - self._beaten >= BEAT_SECONDS:
            WorkerBeat.beat(clock.now())
            self._beaten = moment

    def run(self) -> None:
        """Send until stopped. When the database goes away, wait for it with backoff and
        carry on: rows leased before the outage come back once their lease expires."""
        outages = 0
        while not self.stopping:
            try:
                self.beat()
                claimed = self.run_batch()
            except (OperationalError, InterfaceError) as error:
                outages += 1
                wait = database_backoff(outages)
                log.warning(
                    "database unavailable (%s); retrying in %gs", type(error).__name__, wait
                )
                _forget_connection()
                self._stopping.wait(wait)
                continue
            if outages:
                log.warning("database back after %s failed attempts", outages)
                outages = 0
            if not claimed:
                self._stopping.wait(self.poll_seconds)


def database_backoff(outages: int) -> float:
    """Seconds to wait after the ``outages``-th failed attempt: 0.5, 1, 2, … up to 10."""
    return float(min(DATABASE_RETRY_FIRST * (1 << min(outages - 1, 8)), DATABASE_RETRY_LAST))


def _forget_connection() -> None:
    """Drop a broken connection, so the next query opens a fresh one."""
    try:
        connection.close()
    except DatabaseError:
        connection.connection = None


def supervise(worker: Worker, restart_seconds: float = 5.0) -> None:
    """Run ``worker`` until it is stopped, starting it again if anything ever ends it
    (the worker inside ``aftercare serve``: no one else would notice it had died)."""
    while not worker.stopping:
        try:
            worker.run()
        except Exception:
            log.exception("the reminder worker stopped; restarting in %gs", restart_seconds)
            worker.wait(restart_seconds)
        finally:
            _forget_connection()
