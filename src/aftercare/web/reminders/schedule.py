"""Turn a treatment into reminder rows, and keep the rows in step when anything changes.

The engine says what the plan wants; this module reconciles the database with it, one
(schedule item, channel) at a time. A row already sent (or given up on) is never touched
and blocks a new row for the same item and channel, whatever the protocol version, so an
edit never sends twice what the patient already had. Rows still waiting are moved,
cancelled, or brought back. Only rows a person cancelled stay cancelled for good.

A later session takes over: once the patient has another treatment, the earlier one's
messages due from that moment on (its sunscreen days, check-ins, the next session's
window, maintenance) give way to the later one's, and come back if it is cancelled or
moved away.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string

from aftercare.engine import reminders as engine_reminders
from aftercare.engine.course import completes_course
from aftercare.engine.reminders import PlannedReminder, QuietHours
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import (
    TO_PATIENT,
    Channel,
    Clinic,
    Patient,
    PlannedCourse,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
    Treatment,
    idempotency_key,
)
from aftercare.web.protocol import base_id, same_procedure, treatment_protocol
from aftercare.web.reminders.message_words import greeting

__all__ = [
    "STAFF_CANCELLED",
    "SUPERSEDED",
    "cancel_by_staff",
    "receiving_channels",
    "sync_clinic",
    "sync_patient",
    "sync_reminders",
    "sync_treatment",
]

# Shown with a row a staff member cancelled; such a row is never revived.
STAFF_CANCELLED = "Cancelled by staff"
# Shown with a row that gave way to a later treatment's messages.
SUPERSEDED = "Replaced by the messages of a later treatment"
# The wording around each reminder, by channel: a greeting and the clinic's name.
MESSAGE_TEMPLATES = {
    Channel.EMAIL: "aftercare/messages/reminder_email.txt",
    Channel.SMS: "aftercare/messages/reminder_sms.txt",
}
# A row in one of these states was handed to a transport: it must never be sent again.
_DONE = frozenset({ReminderStatus.SENT, ReminderStatus.FAILED})


def receiving_channels(patient: Patient) -> tuple[str, ...]:
    """The channels ``patient`` may be sent messages on now (none without consent)."""
    channel = patient.preferred_channel
    if not patient.consent_to_messages or channel == Channel.NONE:
        return ()
    address = patient.email if channel == Channel.EMAIL else patient.mobile
    opted_out = getattr(patient, f"{channel}_opted_out_at", None)
    disabled = getattr(patient, f"{channel}_disabled_at", None)
    if not address or opted_out is not None or disabled is not None:
        return ()
    return (channel,)


def sync_reminders(treatment: Treatment, now: datetime) -> None:
    """Make ``treatment``'s reminder rows match its plan as of ``now``.

    Items already due before ``now`` are left out, so a treatment recorded late sends no
    stale "from today" message; the welcome is the exception and becomes due at ``now``,
    because it carries the patient's link and the plan is no use without it.
    """
    patient = treatment.patient
    protocol = treatment_protocol(treatment)
    channels = () if treatment.cancelled_at is not None else receiving_channels(patient)
    planned = _planned(treatment, protocol, now) if channels else ()
    until = _next_session(treatment) if planned else None
    given_way = {p.item for p in planned if until is not None and p.due_at >= until}
    with transaction.atomic():
        # A link the patient asked for, an answer to their question, and the staff's
        # messages about a check-in are not part of the plan: never cancelled as stale.
        rows = (
            Reminder.objects.select_for_update()
            .filter(TO_PATIENT, treatment=treatment)
            .exclude(kind__in=(ReminderKind.LINK, ReminderKind.ANSWER))
        )
        existing = _by_item(rows)
        wanted = {
            (p.item, channel): p for p in planned if p.item not in given_way for channel in channels
        }
        for key, plan in wanted.items():
            addressed = _addressed(patient, plan, key[1], protocol.language)
            _apply(treatment, protocol, (key, addressed), existing.pop(key, []), now)
        for (item, _), stale in existing.items():
            _cancel_waiting(stale, now, SUPERSEDED if item in given_way else "")


def sync_treatment(
    treatment: Treatment, now: datetime, *, moved_from: datetime | None = None
) -> None:
    """After ``treatment`` was recorded, moved (from ``moved_from``) or cancelled: its own
    rows, and those of the session before it, whose messages it takes over or hands back.
    """
    sync_reminders(treatment, now)
    moments = {treatment.treated_at} if moved_from is None else {treatment.treated_at, moved_from}
    earlier = Treatment.objects.filter(
        same_procedure(treatment.protocol_id), patient_id=treatment.patient_id, cancelled_at=None
    ).exclude(pk=treatment.pk)
    done: set[int] = set()
    for moment in moments:
        before = (
            earlier.filter(treated_at__lt=moment)
            .order_by("-treated_at", "-pk")
            .select_related("patient__clinic")
            .first()
        )
        if before is not None and before.pk not in done:
            done.add(before.pk)
            sync_reminders(before, now)


def sync_clinic(clinic: Clinic, now: datetime) -> int:
    """Re-sync every treatment with messages still waiting, after the clinic changed what
    the schedule depends on (quiet hours, its protocol overlay); the number re-synced."""
    waiting = (
        Treatment.objects.filter(
            patient__clinic=clinic,
            cancelled_at=None,
            reminders__status=ReminderStatus.SCHEDULED,
        )
        .distinct()
        .select_related("patient__clinic")
    )
    count = 0
    for treatment in waiting:
        sync_reminders(treatment, now)
        count += 1
    return count


def sync_patient(patient: Patient, now: datetime) -> None:
    """Re-sync after the patient's contact details, consent or opt-outs changed.

    The latest treatment still counts (it may now gain rows), and so does every treatment
    with rows still waiting (they may now have to stop).
    """
    treatments = Treatment.objects.filter(patient=patient, cancelled_at=None).select_related(
        "patient__clinic"
    )
    latest = treatments.order_by("-treated_at", "-pk").first()
    waiting = treatments.filter(reminders__status=ReminderStatus.SCHEDULED).distinct()
    chosen = {t.pk: t for t in waiting}
    if latest is not None:
        chosen.setdefault(latest.pk, latest)
    for treatment in chosen.values():
        sync_reminders(treatment, now)


def cancel_by_staff(reminder: Reminder, staff: StaffMember | None, now: datetime) -> bool:
    """Cancel one waiting reminder for good; False when it was no longer waiting.

    ``staff`` is None when a clinic system cancels it with an API key (the audit log
    names the key)."""
    updated = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SCHEDULED).update(
        status=ReminderStatus.CANCELLED,
        cancelled_at=now,
        cancelled_by=staff,
        last_error=STAFF_CANCELLED,
    )
    return updated == 1


def _planned(
    treatment: Treatment, protocol: Protocol, now: datetime
) -> tuple[PlannedReminder, ...]:
    plan = _schedule(treatment, protocol, treatment.treated_at)
    late_welcome = any(p.kind == ReminderKind.WELCOME and p.due_at < now for p in plan)
    # A late welcome goes as a welcome would for a treatment ending now, quiet hours included.
    welcome_now = _schedule(treatment, protocol, now) if late_welcome else ()
    return tuple(_not_past(plan, welcome_now, now))


def _schedule(
    treatment: Treatment, protocol: Protocol, treated_at: datetime
) -> tuple[PlannedReminder, ...]:
    clinic = treatment.patient.clinic
    return engine_reminders.schedule(
        protocol,
        treated_at,
        treatment.time_zone,
        QuietHours(clinic.quiet_hours_start, clinic.quiet_hours_end),
        course_complete=_course_complete(treatment, protocol),
    )


def _addressed(
    patient: Patient, plan: PlannedReminder, channel: str, language: str
) -> PlannedReminder:
    """The message as ``patient`` gets it on ``channel``: greeted by first name, from the
    clinic by name (so it cannot pass for phishing), the short wording for a text."""
    template = MESSAGE_TEMPLATES[Channel(channel)]
    context = {"greeting": greeting(patient, channel, language), "body": _body(plan, channel)}
    return replace(plan, text=render_to_string(template, context).strip())


def _body(plan: PlannedReminder, channel: str) -> str:
    return plan.sms if channel == Channel.SMS else plan.text


def _not_past(
    plan: Iterable[PlannedReminder], welcome_now: Iterable[PlannedReminder], now: datetime
) -> Iterable[PlannedReminder]:
    due_now = {p.item: p.due_at for p in welcome_now if p.kind == ReminderKind.WELCOME}
    for item in plan:
        if item.due_at >= now:
            yield item
        elif item.kind == ReminderKind.WELCOME:
            yield PlannedReminder(item.item, item.kind, due_now.get(item.item, now), item.text)


def _next_session(treatment: Treatment) -> datetime | None:
    """When the patient's next treatment of the same procedure after this one took place,
    if there is one."""
    return (
        Treatment.objects.filter(
            same_procedure(treatment.protocol_id),
            patient_id=treatment.patient_id,
            cancelled_at=None,
            treated_at__gt=treatment.treated_at,
        )
        .order_by("treated_at")
        .values_list("treated_at", flat=True)
        .first()
    )


def _course_complete(treatment: Treatment, protocol: Protocol) -> bool:
    sessions = Treatment.objects.filter(
        same_procedure(treatment.protocol_id),
        patient_id=treatment.patient_id,
        cancelled_at=None,
        treated_at__lte=treatment.treated_at,
    ).count()
    chosen = PlannedCourse.sessions_for(treatment.patient_id, base_id(treatment.protocol_id))
    return completes_course(protocol, sessions, chosen)


def _by_item(rows: Iterable[Reminder]) -> dict[tuple[str, str], list[Reminder]]:
    grouped: dict[tuple[str, str], list[Reminder]] = defaultdict(list)
    for row in rows:
        grouped[(row.item, row.channel)].append(row)
    return grouped


def _apply(
    treatment: Treatment,
    protocol: Protocol,
    wanted: tuple[tuple[str, str], PlannedReminder],
    rows: Sequence[Reminder],
    now: datetime,
) -> None:
    _, plan = wanted
    if any(row.status in _DONE or row.cancelled_by_id is not None for row in rows):
        return
    row = next((r for r in rows if r.status == ReminderStatus.SCHEDULED), None) or next(
        iter(rows), None
    )
    if row is None:
        _create(treatment, protocol, wanted, now)
        return
    if row.status == ReminderStatus.CANCELLED:
        # Brought back: whatever the note said about its cancelling no longer holds.
        row.last_error = ""
    if (row.status, row.due_at, row.body) != (ReminderStatus.SCHEDULED, plan.due_at, plan.text):
        row.status, row.due_at, row.body, row.cancelled_at = (
            ReminderStatus.SCHEDULED,
            plan.due_at,
            plan.text,
            None,
        )
        row.save(update_fields=["status", "due_at", "body", "cancelled_at", "last_error"])


def _create(
    treatment: Treatment,
    protocol: Protocol,
    wanted: tuple[tuple[str, str], PlannedReminder],
    now: datetime,
) -> None:
    (item, channel), plan = wanted
    Reminder.objects.create(
        treatment=treatment,
        # The treatment's own patient object, read once for all its reminders: the new
        # row takes its clinic from it (Reminder.save).
        patient=treatment.patient,
        item=item,
        kind=plan.kind,
        channel=channel,
        due_at=plan.due_at,
        body=plan.text,
        idempotency_key=idempotency_key(treatment.pk, item, channel, protocol.version),
        protocol_version=protocol.version,
        created_at=now,
    )


def _cancel_waiting(rows: Iterable[Reminder], now: datetime, note: str = "") -> None:
    waiting = [row.pk for row in rows if row.status == ReminderStatus.SCHEDULED]
    if waiting:
        noted = {"last_error": note} if note else {}
        Reminder.objects.filter(pk__in=waiting, status=ReminderStatus.SCHEDULED).update(
            status=ReminderStatus.CANCELLED, cancelled_at=now, **noted
        )
