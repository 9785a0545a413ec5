"""A patient's consent to messages as a history: record each change, and read it back."""

from __future__ import annotations

from django.http import HttpRequest

from aftercare.web import clock
from aftercare.web.care.summary import local_stamp
from aftercare.web.clinic.models import ConsentEvent, ConsentSource, Patient

__all__ = ["consent_lines", "record_consent"]


def record_consent(
    request: HttpRequest | None,
    patient: Patient,
    *,
    given: bool,
    channel: str = "",
    source: ConsentSource | None = None,
) -> ConsentEvent:
    """Append one event: consent ``given`` or withdrawn, for ``channel`` ("" for all).

    Who acted is read from ``request`` as the audit log reads it; ``source`` names the way
    in when the request alone cannot tell (the stop link in a message).
    """
    staff = getattr(request, "staff", None)
    key = getattr(request, "api_key", None)
    if source is None:
        source = (
            ConsentSource.STAFF
            if staff is not None
            else ConsentSource.API_KEY
            if key is not None
            else ConsentSource.PORTAL
        )
    return ConsentEvent.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        given=given,
        channel=channel,
        source=source,
        actor_staff_id=None if staff is None else staff.pk,
        actor_key_id=None if key is None else key.pk,
        at=clock.now(),
    )


def consent_lines(patient: Patient, zone_name: str) -> list[tuple[str, str, str]]:
    """The consent history, oldest first: when, what, and who or which way."""
    events = ConsentEvent.objects.filter(patient=patient).order_by("at", "pk")
    return [
        (
            local_stamp(event.at, zone_name),
            ("given" if event.given else "withdrawn")
            + (f" ({event.channel} only)" if event.channel else ""),
            event.get_source_display(),
        )
        for event in events
    ]
