"""Telling the clinic's people about check-ins, through the reminders outbox.

An urgent check-in (contact the clinic now, or anything more urgent) writes its alert rows
in the same transaction as the check-in, so a crash never loses them: the first on-call
contact covering the moment is due at once, each next one an escalation period later, and
the clinic's administrators one period after the last. The worker sends them as it sends
any reminder; before each it re-checks the check-in, so once someone has marked it
reviewed the rest are cancelled, not sent. Out of on-call hours the administrators are
told at once. A "contact the clinic" check-in instead joins the next morning's summary to
the clinic (one per clinic and morning, counted when it is sent).

Staff messages name no patient and no symptom: they travel by SMS and email, and the link
they carry asks the reader to sign in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from aftercare.engine.localtime import zone
from aftercare.protocols.schema import Level as EngineLevel
from aftercare.web.clinic.models import (
    Channel,
    CheckIn,
    Clinic,
    Level,
    Reminder,
    ReminderKind,
    Role,
    StaffMember,
    idempotency_key,
)
from aftercare.web.oncall import on_call_at

__all__ = [
    "STAFF_KINDS",
    "compose_staff",
    "is_urgent",
    "raise_alerts",
    "summary_due_at",
    "waiting_check_ins",
    "why_not_send_staff",
]

# The kinds ``TO_PATIENT`` leaves out.
STAFF_KINDS = frozenset({ReminderKind.STAFF_ALERT.value, ReminderKind.CLINIC_SUMMARY.value})
# Not a protocol version: staff messages do not follow the plan, so their keys say so.
_STAFF_VERSION = "staff"


def is_urgent(level: str) -> bool:
    """Whether a check-in at ``level`` must reach a person at once: contact the clinic now,
    or any level the protocol ranks above it."""
    return EngineLevel(level).rank >= EngineLevel.CONTACT_CLINIC_NOW.rank


def needs_clinic(level: str) -> bool:
    return EngineLevel(level).rank >= EngineLevel.CONTACT_CLINIC.rank


def raise_alerts(check_in: CheckIn, clinic: Clinic, now: datetime) -> None:
    """Write the rows that tell the clinic of ``check_in``; inside the caller's transaction."""
    if is_urgent(check_in.level):
        _alert_rows(check_in, clinic, now)
    elif needs_clinic(check_in.level):
        _summary_rows(check_in, clinic, now)


def _alert_rows(check_in: CheckIn, clinic: Clinic, now: datetime) -> None:
    every = timedelta(minutes=clinic.alert_escalation_minutes)
    contacts = on_call_at(clinic, now)
    steps = [(c.to, c.channel) for c in contacts]
    steps += [(to, Channel.EMAIL.value) for to in _admin_emails(clinic)]
    for index, (to, channel) in enumerate(steps):
        step = min(index, len(contacts))
        _alert(check_in, clinic, step, (to, channel), now + every * step)


def _alert(
    check_in: CheckIn, clinic: Clinic, step: int, address: tuple[str, str], due_at: datetime
) -> None:
    to, channel = address
    item = f"alert:{check_in.pk}:{step}:{to}"
    Reminder.objects.create(
        treatment=check_in.treatment,
        patient=check_in.treatment.patient,
        check_in=check_in,
        item=item[:80],
        kind=ReminderKind.STAFF_ALERT,
        channel=channel,
        recipient=to,
        due_at=due_at,
        body=_alert_text(check_in, clinic, step),
        idempotency_key=idempotency_key(check_in.treatment_id, item, channel, _STAFF_VERSION),
        protocol_version=_STAFF_VERSION,
        created_at=check_in.created_at,
    )


def _alert_text(check_in: CheckIn, clinic: Clinic, step: int) -> str:
    url = settings.BASE_URL + reverse("staff:check_in", kwargs={"pk": check_in.pk})
    minutes = clinic.alert_escalation_minutes * step
    late = f"Not reviewed after {minutes} minutes. " if step else ""
    return (
        f"{late}Urgent check-in to {clinic.name}: a patient was told "
        f'"{check_in.get_level_display()}". Call them back, then mark the check-in '
        f"reviewed: {url}"
    )


def _summary_rows(check_in: CheckIn, clinic: Clinic, now: datetime) -> None:
    due_at = summary_due_at(clinic, now)
    day = due_at.astimezone(zone(clinic.time_zone)).date()
    for to in _summary_recipients(clinic):
        item = f"summary:{day:%Y-%m-%d}:{to}"
        Reminder.objects.get_or_create(
            idempotency_key=idempotency_key(clinic.pk, item, Channel.EMAIL, _STAFF_VERSION),
            defaults={
                "treatment": check_in.treatment,
                "patient": check_in.treatment.patient,
                "check_in": check_in,
                "item": item[:80],
                "kind": ReminderKind.CLINIC_SUMMARY,
                "channel": Channel.EMAIL,
                "recipient": to,
                "due_at": due_at,
                "body": _summary_subject(clinic, day),
                "protocol_version": _STAFF_VERSION,
                "created_at": now,
            },
        )


def summary_due_at(clinic: Clinic, at: datetime) -> datetime:
    """The next morning after ``at``: when the clinic's quiet hours end, on its clock."""
    tz = zone(clinic.time_zone)
    local = at.astimezone(tz)
    morning = datetime.combine(local.date(), clinic.quiet_hours_end, tzinfo=tz)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), clinic.quiet_hours_end, tz)
    return morning.astimezone(UTC)


def _summary_subject(clinic: Clinic, day: date) -> str:
    return f"Check-ins for {clinic.name} to review, {day:%A} {day.day} {day:%B %Y}"


def _admin_emails(clinic: Clinic) -> list[str]:
    admins = StaffMember.objects.filter(
        clinic=clinic, role=Role.CLINIC_ADMIN, user__is_active=True
    ).exclude(user__email="")
    return sorted(set(admins.values_list("user__email", flat=True)))


def _summary_recipients(clinic: Clinic) -> list[str]:
    return [clinic.email] if clinic.email else _admin_emails(clinic)


def waiting_check_ins(clinic_id: int, until: datetime) -> QuerySet[CheckIn]:
    """The check-ins sent by ``until`` that ask the clinic to act and nobody has reviewed."""
    levels = [level for level in Level.values if needs_clinic(level)]
    return CheckIn.objects.filter(
        clinic_id=clinic_id,
        level__in=levels,
        reviewed_at__isnull=True,
        created_at__lte=until,
    )


def _patients_waiting(clinic_id: int, until: datetime) -> int:
    rows: Iterable[int] = waiting_check_ins(clinic_id, until).values_list(
        "treatment__patient_id", flat=True
    )
    return len(set(rows))


def why_not_send_staff(kind: str, clinic_id: int, reviewed: bool, now: datetime) -> str:
    """Why a staff message must no longer go out, or "" when it still applies."""
    if kind == ReminderKind.STAFF_ALERT and reviewed:
        return "the check-in was reviewed"
    if kind == ReminderKind.CLINIC_SUMMARY and not _patients_waiting(clinic_id, now):
        return "no check-ins were left to review"
    return ""


def compose_staff(kind: str, body: str, clinic_id: int, now: datetime) -> tuple[str, str]:
    """The subject and text of a staff message as it goes out now."""
    if kind == ReminderKind.STAFF_ALERT:
        return "Urgent check-in", body + "\n"
    count = _patients_waiting(clinic_id, now)
    url = settings.BASE_URL + reverse("staff:dashboard")
    patients = f"{count} patient{'s' if count != 1 else ''}"
    text = (
        f"{patients} sent check-ins that ask the clinic to get in touch, and nobody has "
        f"reviewed them yet. Please review them on the dashboard: {url}"
    )
    return body, text + "\n"
