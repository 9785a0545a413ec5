"""Claiming due reminders with a lease, and whether each still applies once claimed.

A claim is a lease: PostgreSQL locks the rows it takes with ``FOR UPDATE SKIP LOCKED``;
SQLite, which has one writer at a time, takes them with one guarded UPDATE.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction

from aftercare.web import clock
from aftercare.web.clinic.models import Reminder, ReminderStatus
from aftercare.web.reminders.alerts import STAFF_KINDS, why_not_send_staff

__all__ = ["Claimed", "claim", "release", "why_not_send"]


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
