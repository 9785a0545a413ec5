"""Give a patient a link to their aftercare: show it once, as text and a QR code, and send
them one.

The raw token exists only in this one response: the database keeps its hash, and the
audit log names the link row, never the token or the address. A link to send goes through
the reminders outbox, as a patient's own request does: the worker issues a link of its
own as it sends, so no provider is called inside the request, a crash loses nothing, and
a failed send is retried and shown in the patient's messages like any other.
"""

from __future__ import annotations

from typing import Any

import segno
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render

from aftercare.web import audit, clock, phones
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.care.summary import local_moment
from aftercare.web.clinic.models import Channel, Patient, PatientLink
from aftercare.web.reminders import notify
from aftercare.web.reminders.links import queue_link, why_not_queue

__all__ = ["patient_link"]

SHOW = "show"
CREATE = "create"
REVOKE = "revoke"


@staff_required
def patient_link(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    action = request.POST.get("action", CREATE) if request.method == "POST" else "view"
    patients = Patient.objects.filter(clinic=clinic)
    patient = scoped(request, patients, pk, clinic=clinic, action=f"link.{_verb(action)}")
    channel = _sendable_channel(patient)
    if request.method == "POST" and action == REVOKE:
        return _revoke(request, patient, channel)
    if request.method == "POST":
        wanted = request.POST.get("delivery", SHOW)
        return _issue(request, patient, channel if wanted == channel else None)
    audit.record(request, "link.view", clinic=clinic, patient=patient, obj=patient)
    return _page(request, patient, channel)


def _verb(action: str) -> str:
    return {CREATE: "issue", REVOKE: "revoke"}.get(action, "view")


def _sendable_channel(patient: Patient) -> str | None:
    """The patient's preferred channel when a link can be sent there."""
    channel = Channel(patient.preferred_channel)
    return None if why_not_queue(patient, channel) else channel.value


def _page(
    request: StaffRequest, patient: Patient, channel: str | None, **extra: Any
) -> HttpResponse:
    context = {
        "nav": "patients",
        "patient": patient,
        "channel": channel,
        "channel_label": Channel(channel).label.lower() if channel else "",
        "destination": _shown(patient, Channel(channel)) if channel else "",
        # Why the link can only be shown ("" when it can also be sent).
        "unsendable": "" if channel else why_not_queue(patient, Channel(patient.preferred_channel)),
        **extra,
    }
    return render(request, "aftercare/staff/link.html", context)


def _shown(patient: Patient, channel: Channel) -> str:
    address = notify.destination(patient, channel)
    return phones.display(address) if channel == Channel.SMS else address


def _issue(request: StaffRequest, patient: Patient, send_by: str | None) -> HttpResponse:
    clinic = request.staff.clinic
    now = clock.now()
    with transaction.atomic():
        link, token = PatientLink.issue(patient, now)
        audit.record(request, "link.issue", clinic=clinic, patient=patient, obj=link)
        queued = queue_link(patient, Channel(send_by), now) if send_by is not None else None
        if queued is not None:
            audit.record(request, "link.send", clinic=clinic, patient=patient, obj=queued)
    url = notify.link_url(token)
    qr = segno.make(url, error="m").svg_inline(
        scale=4, title="QR code of the patient's link", border=2
    )
    return _page(
        request,
        patient,
        _sendable_channel(patient),
        url=url,
        qr=qr,
        expires=local_moment(link.expires_at, clinic.time_zone),
        queued=queued is not None,
    )


def _revoke(request: StaffRequest, patient: Patient, channel: str | None) -> HttpResponse:
    clinic = request.staff.clinic
    now = clock.now()
    with transaction.atomic():
        revoked = PatientLink.objects.filter(
            patient=patient, used_at=None, revoked_at=None, expires_at__gt=now
        ).update(revoked_at=now)
        # Revoking is "sign out everywhere": the portal sessions the links opened end too.
        Patient.objects.filter(pk=patient.pk).update(portal_sessions_ended_at=now)
        audit.record(request, "link.revoke", clinic=clinic, patient=patient, obj=patient)
    return _page(request, patient, channel, revoked=revoked)
