"""A patient's consent to messages as a history: record each change, and read it back."""

from __future__ import annotations

from aftercare.web import clock
from aftercare.web.actor import Actor
from aftercare.web.care.summary import local_stamp, staff_name
from aftercare.web.clinic.models import ApiKey, ConsentEvent, ConsentSource, Patient, StaffMember

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


def consent_lines(
    patient: Patient, zone_name: str, *, named: bool = False
) -> list[tuple[str, str, str]]:
    """The consent history, oldest first: when, what, and who or which way; ``named``
    (for the clinic's own staff) adds the staff member's name or the API key's, so a
    consent can be traced to the person or system that recorded it."""
    events = list(ConsentEvent.objects.filter(patient=patient).order_by("at", "pk"))
    names: dict[tuple[str, int], str] = {}
    if named:
        clinic = patient.clinic_id
        staff_ids = {e.actor_staff_id for e in events if e.actor_staff_id is not None}
        key_ids = {e.actor_key_id for e in events if e.actor_key_id is not None}
        if staff_ids:
            found = StaffMember.objects.filter(pk__in=staff_ids, clinic_id=clinic)
            for member in found.select_related("user"):
                names["staff", member.pk] = staff_name(member)
        if key_ids:
            for pk, name in ApiKey.objects.filter(pk__in=key_ids, clinic_id=clinic).values_list(
                "pk", "name"
            ):
                names["key", pk] = name
    return [
        (
            local_stamp(event.at, zone_name),
            ("given" if event.given else "withdrawn")
            + (f" ({event.channel} only)" if event.channel else ""),
            _by(event, names),
        )
        for event in events
    ]


def _by(event: ConsentEvent, names: dict[tuple[str, int], str]) -> str:
    way = event.get_source_display()
    actor = names.get(("staff", event.actor_staff_id or 0)) or names.get(
        ("key", event.actor_key_id or 0)
    )
    return f"{way}: {actor}" if actor else way
