"""What staff see and do about a patient's messages: the list on the patient page, and
cancelling one message that has not gone yet.

Each due time is shown on the clock of the treatment's zone, the one the patient lives by,
because that is when the message reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.care.summary import local_moment
from aftercare.web.clinic.models import (
    TO_PATIENT,
    Channel,
    Patient,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from aftercare.web.reminders.schedule import cancel_by_staff

__all__ = ["ReminderRow", "reminder_cancel", "reminder_rows"]


@dataclass(frozen=True, slots=True)
class ReminderRow:
    reminder: Reminder
    kind: str
    channel: str
    due: str
    sent: str
    note: str

    @property
    def is_waiting(self) -> bool:
        return self.reminder.status == ReminderStatus.SCHEDULED


def reminder_rows(patient: Patient) -> list[ReminderRow]:
    """Every reminder of ``patient``, soonest first, in one query."""
    reminders = Reminder.objects.filter(TO_PATIENT, patient=patient).select_related("treatment")
    return [_row(reminder) for reminder in reminders.order_by("due_at", "pk")]


def _row(reminder: Reminder) -> ReminderRow:
    zone_name = reminder.treatment.time_zone
    return ReminderRow(
        reminder=reminder,
        kind=_label(ReminderKind, reminder.kind),
        channel=_label(Channel, reminder.channel),
        due=local_moment(reminder.due_at, zone_name),
        sent="" if reminder.sent_at is None else local_moment(reminder.sent_at, zone_name),
        note=reminder.last_error,
    )


def _label(choices: type[ReminderKind] | type[Channel], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


@staff_required
def reminder_cancel(request: StaffRequest, pk: int, reminder_pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    patient = scoped(
        request, Patient.objects.filter(clinic=clinic), pk, clinic=clinic, action="reminder.cancel"
    )
    reminder = scoped(
        request,
        Reminder.objects.filter(TO_PATIENT, patient=patient),
        reminder_pk,
        clinic=clinic,
        action="reminder.cancel",
    )
    if request.method != "POST":
        return redirect("staff:patient", pk=patient.pk)
    if cancel_by_staff(reminder, request.staff, clock.now()):
        audit.record(request, "reminder.cancel", clinic=clinic, patient=patient, obj=reminder)
        messages.success(request, "The message has been cancelled; it will not be sent.")
    else:
        messages.error(request, "That message was no longer waiting to be sent.")
    return redirect("staff:patient", pk=patient.pk)
