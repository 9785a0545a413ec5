"""A patient's consent to messages as a history: record each change, and read it back."""

from __future__ import annotations

from aftercare.web import clock
from aftercare.web.actor import Actor
from aftercare.web.care.summary import local_stamp
from aftercare.web.clinic.models import ConsentEvent, ConsentSource, Patient

__all__ = ["consent_lines", "record_consent"]


def record_consent(
    actor: Actor,
    patient: Patient,
    *,
    given: bool,
    channel: str = "",
    source: ConsentSource | None = None,
) -> ConsentEvent:
    """Append one event: consent ``given`` or withdrawn, for ``channel`` ("" for all).

    ``source`` names the way in when the actor alone cannot tell (the stop link in a
    message).
    """
    staff, key = actor.staff, actor.api_key
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
