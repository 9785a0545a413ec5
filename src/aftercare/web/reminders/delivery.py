"""Delivering one claimed reminder: re-check it, compose it, send it, record the outcome.

Every outcome is written only while the lease is still ours (``WHERE leased_by = me``), so
a worker that stalled past its lease cannot overwrite the work of the one that took over.
A failure is retried with a growing wait, then failed; a destination the provider refuses
for good is disabled, and staff are told. Logs carry reminder ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)

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
)
from aftercare.web.reminders.alerts import compose_staff
from aftercare.web.reminders.claim import Claimed, why_not_send
from aftercare.web.reminders.email_html import Branding, branding
from aftercare.web.reminders.links import LINK_PLACEHOLDER
from aftercare.web.reminders.message_words import email_subject, plan_link, stop_link
from aftercare.web.reminders.notify import link_url
from aftercare.web.reminders.optout import optout_url
from aftercare.web.reminders.transports import (
    OutgoingMessage,
    PermanentError,
    TemporaryError,
    Transports,
)

__all__ = ["MAX_ATTEMPTS", "SentMarks", "backoff", "compose", "deliver"]

log = logging.getLogger("aftercare.worker")

MAX_ATTEMPTS = 6
FIRST_RETRY_AFTER = timedelta(minutes=1)
LAST_RETRY_AFTER = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1 min, 2, 4, … up to 1 hour."""
    return min(FIRST_RETRY_AFTER * (1 << min(max(attempts - 1, 0), 16)), LAST_RETRY_AFTER)


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
        parts.append(plan_link(link_url(token)))
    elif reminder.kind == ReminderKind.LINK:
        _, token = PatientLink.issue(Patient(pk=reminder.patient_id), now)
        parts = [parts[0].replace(LINK_PLACEHOLDER, link_url(token), 1)]
    parts.append(stop_link(optout_url(reminder.patient_id, reminder.channel)))
    return OutgoingMessage(
        channel=reminder.channel,
        to=reminder.destination,
        subject=email_subject(reminder.kind, reminder.clinic_name),
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
