"""A patient's reminders, and cancelling one that has not been sent."""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from ninja import Router
from ninja.errors import HttpError

from aftercare.web import audit, clock
from aftercare.web.access import scoped
from aftercare.web.api.auth import KeyRequest, require_write
from aftercare.web.api.patients import patient_of
from aftercare.web.api.present import reminder_out
from aftercare.web.api.problems import responses
from aftercare.web.api.record_schemas import ReminderOut
from aftercare.web.clinic.models import TO_PATIENT, Reminder
from aftercare.web.reminders.schedule import cancel_by_staff

__all__ = ["router"]

router = Router(tags=["reminders"])


@router.get("patients/{int:pk}/reminders", response=responses({200: list[ReminderOut]}, 401, 404))
def list_reminders(request: KeyRequest, pk: int) -> list[ReminderOut]:
    """Every message for the patient, scheduled, sent, failed or cancelled, by due time."""
    patient = patient_of(request, pk, "reminder.list")
    audit.record(request, "reminder.list", clinic=patient.clinic, patient=patient, obj=patient)
    return [reminder_out(r) for r in Reminder.objects.filter(TO_PATIENT, patient=patient)]


@router.post(
    "reminders/{int:pk}/cancel", response=responses({200: ReminderOut}, 401, 403, 404, 409)
)
def cancel_reminder(request: KeyRequest, pk: int) -> ReminderOut:
    """Cancel one scheduled message for good; 409 if it was already sent or cancelled."""
    require_write(request)
    clinic = request.api_key.clinic
    reminders = Reminder.objects.filter(TO_PATIENT, patient__clinic=clinic).select_related(
        "patient"
    )
    reminder = scoped(request, reminders, pk, clinic=clinic, action="reminder.cancel")
    if not cancel_by_staff(reminder, None, clock.now()):
        raise HttpError(409, "This message is no longer waiting to be sent.")
    audit.record(request, "reminder.cancel", clinic=clinic, patient=reminder.patient, obj=reminder)
    reminder.refresh_from_db()
    return reminder_out(reminder)
