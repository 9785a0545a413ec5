"""Getting into the portal: opening a link, asking for a new one, and leaving.

Mail scanners open links before people do, so opening a link (GET or HEAD) only shows a
button; the POST it sends consumes the token, with one conditional update that only one
request can win. Every way a link can fail looks the same, and asking for a new link
answers the same whether or not the address is known.
"""

from __future__ import annotations

import time
from typing import cast

from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from aftercare.web import audit, clock, ratelimit
from aftercare.web.access import PatientRequest, end_patient_session, start_patient_session
from aftercare.web.addresses import client_address
from aftercare.web.care.current import session_until
from aftercare.web.clinic.models import Channel, Patient, PatientLink
from aftercare.web.portal.clinic_words import link_sent
from aftercare.web.portal.forms import Contact, NewLinkForm
from aftercare.web.reminders.links import queue_link

__all__ = ["leave", "new_link", "open_link", "signed_out"]


# Longer than any token we issue; anything longer is not worth hashing.
MAX_TOKEN = 200
TOO_MANY = "Too many requests, try again in an hour."
# Every accepted request for a new link is answered this long after the lookup began.
SAME_TIME_SECONDS = 0.15


@require_http_methods(["GET", "HEAD", "POST"])
def open_link(request: HttpRequest) -> HttpResponse:
    if not ratelimit.admit_open(client_address(request), clock.now()):
        return HttpResponse(TOO_MANY, status=429, content_type="text/plain; charset=utf-8")
    if request.method == "POST":
        return _consume(request, request.POST.get("t", ""))
    token = request.GET.get("t", "")
    link = _find(token)
    if link is None or not link.is_usable(clock.now()):
        return _no_longer_works(request)
    clinic = link.patient.clinic
    context = {"token": token, "clinic_name": clinic.name, "link_sent": link_sent(clinic)}
    return render(request, "aftercare/portal/open.html", context)


def _find(token: str) -> PatientLink | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    return PatientLink.find(token)


def _no_longer_works(request: HttpRequest) -> HttpResponse:
    return render(request, "aftercare/portal/link_gone.html", status=410)


def _consume(request: HttpRequest, token: str) -> HttpResponse:
    link = _find(token)
    now = clock.now()
    if link is None:
        return _no_longer_works(request)
    claimed = PatientLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        return _no_longer_works(request)
    patient = Patient.objects.select_related("clinic").get(pk=link.patient_id)
    until = session_until(patient, now)
    start_patient_session(request, patient, until)
    # The patient is the actor of the audit event from here on.
    cast(PatientRequest, request).patient = patient
    audit.record(request, "portal.open", clinic=patient.clinic, patient=patient, obj=link)
    return redirect("portal:today")


@require_http_methods(["GET", "HEAD", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "aftercare/portal/new_link.html", {"form": NewLinkForm()})
    form = NewLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "aftercare/portal/new_link.html", {"form": form})
    contact: Contact = form.cleaned_data["contact"]
    now = clock.now()
    if not ratelimit.admit(contact.value, client_address(request), now):
        return HttpResponse(TOO_MANY, status=429, content_type="text/plain; charset=utf-8")
    started = time.monotonic()
    for patient in _patients_for(contact):
        _send_link(request, patient, contact.channel)
    # Queueing a message takes a few milliseconds that finding no one does not: wait out
    # the difference, so the time of the answer does not say whether the address is known.
    time.sleep(max(0.0, started + SAME_TIME_SECONDS - time.monotonic()))
    return render(request, "aftercare/portal/new_link_sent.html")


def _patients_for(contact: Contact) -> list[Patient]:
    """Consenting patients with this address, who have not asked for no messages: on the
    channel the address belongs to, even when they prefer the other one."""
    patients = (
        Patient.objects.select_related("clinic")
        .filter(consent_to_messages=True)
        .exclude(preferred_channel=Channel.NONE)
    )
    if contact.channel == Channel.EMAIL:
        # contact.value is lower case; Lower("email") is what the patient_email_lower index holds.
        return list(patients.alias(email_lower=Lower("email")).filter(email_lower=contact.value))
    return list(patients.filter(mobile=contact.value))


def _send_link(request: HttpRequest, patient: Patient, channel: Channel) -> None:
    """Queue the message for the reminder worker, which issues the link as it sends."""
    with transaction.atomic():
        queued = queue_link(patient, channel, clock.now())
        if queued is not None:
            audit.record(
                request, "portal.new_link", clinic=patient.clinic, patient=patient, obj=queued
            )


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "aftercare/portal/signed_out.html")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    end_patient_session(request)
    return redirect("portal:signed_out")
