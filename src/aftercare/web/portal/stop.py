"""Stopping messages: from the link in every message, and from the signed-in portal.

The link in a message may be opened by a mail scanner, so opening it only asks; the one
POST it sends does the stopping. A link that is not ours answers a plain "not found" and
names nobody. Stopping cancels the channel's waiting messages at once; starting again
re-syncs the patient's reminders, which never brings back one already sent.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from aftercare.web import audit, clock
from aftercare.web.access import PatientRequest, patient_required
from aftercare.web.actor import Actor
from aftercare.web.care.consent import record_consent
from aftercare.web.clinic.models import (
    TO_PATIENT,
    Channel,
    ConsentSource,
    Patient,
    Reminder,
    ReminderStatus,
)
from aftercare.web.portal.clinic_words import CHANNELS, stop_words, switched
from aftercare.web.reminders.optout import read_optout_token
from aftercare.web.reminders.schedule import sync_patient

__all__ = ["message_settings", "stop"]

MAX_TOKEN = 500


@require_http_methods(["GET", "HEAD", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    found = _read(token)
    if found is None:
        return render(request, "aftercare/portal/stop_unknown.html", status=404)
    patient, channel = found
    clinic = patient.clinic
    context = {"clinic_name": clinic.name, "words": stop_words(clinic, channel), "token": token}
    if request.method != "POST":
        return render(request, "aftercare/portal/stop.html", context)
    # Whoever holds the patient's own link acts as the patient.
    cast(PatientRequest, request).patient = patient
    _opt_out(request, patient, channel, ConsentSource.MESSAGE_LINK)
    return render(request, "aftercare/portal/stop_done.html", context)


def _read(token: str) -> tuple[Patient, Channel] | None:
    found = read_optout_token(token) if len(token) <= MAX_TOKEN else None
    if found is None:
        return None
    patient_id, channel = found
    patient = Patient.objects.select_related("clinic").filter(pk=patient_id).first()
    return None if patient is None else (patient, Channel(channel))


def _opt_out(
    request: HttpRequest, patient: Patient, channel: Channel, source: ConsentSource
) -> None:
    now = clock.now()
    field = f"{channel}_opted_out_at"
    with transaction.atomic():
        still_in = Patient.objects.filter(pk=patient.pk, **{f"{field}__isnull": True})
        if still_in.update(**{field: now}):
            record_consent(Actor.of(request), patient, given=False, channel=channel, source=source)
        Reminder.objects.filter(
            TO_PATIENT, patient=patient, channel=channel, status=ReminderStatus.SCHEDULED
        ).update(status=ReminderStatus.CANCELLED, cancelled_at=now)
        audit.record(
            request,
            "patient.optout",
            clinic=patient.clinic,
            patient=patient,
            object_type="channel",
            object_id=channel,
        )


@patient_required
@require_POST
def message_settings(request: PatientRequest) -> HttpResponse:
    patient = request.patient
    channel = request.POST.get("channel", "")
    choice = request.POST.get("choice", "")
    if channel not in CHANNELS or choice not in {"stop", "start"}:
        messages.error(request, "That choice was not understood; nothing has changed.")
        return redirect("portal:today")
    if choice == "stop":
        _opt_out(request, patient, Channel(channel), ConsentSource.PORTAL)
        messages.success(request, switched(Channel(channel), on=False))
    else:
        _opt_in(request, patient, Channel(channel))
        messages.success(request, switched(Channel(channel), on=True))
    return redirect("portal:today")


def _opt_in(request: PatientRequest, patient: Patient, channel: Channel) -> None:
    now = clock.now()
    with transaction.atomic():
        if getattr(patient, f"{channel}_opted_out_at") is not None:
            record_consent(Actor.of(request), patient, given=True, channel=channel)
        setattr(patient, f"{channel}_opted_out_at", None)
        patient.save(update_fields=[f"{channel}_opted_out_at"])
        audit.record(
            request,
            "patient.optin",
            clinic=patient.clinic,
            patient=patient,
            object_type="channel",
            object_id=channel,
        )
        sync_patient(patient, now)
