"""Write the audit log: every read and change of patient data, and every denial."""

from __future__ import annotations

from django.db import connection, models
from django.http import HttpRequest

from aftercare.web import audit_writer, clock
from aftercare.web.actor import Actor
from aftercare.web.clinic.models import ActorKind, AuditEvent, Clinic, Outcome, Patient

__all__ = ["record"]


def record(
    request: HttpRequest | Actor | None,
    action: str,
    *,
    clinic: Clinic,
    patient: Patient | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: Outcome = Outcome.ALLOWED,
) -> AuditEvent:
    """Append one event; the actor is ``request`` when it is an ``Actor``, else whoever
    the request belongs to, or the system (a command run on the server) when there is none.

    On SQLite, a read outside a transaction is committed by this process's audit writer
    with the other reads waiting then (``audit_writer``); either way the event is
    committed when this returns.

    ``obj`` names the record acted on; for a denial, where the record must not be looked
    up, pass ``object_type`` and ``object_id`` (the id asked for) instead.
    """
    actor = request if isinstance(request, Actor) else Actor.of(request)
    staff, patient_actor, api_key = actor.staff, actor.patient, actor.api_key
    staff_id = patient_id = key_id = None
    if staff is not None:
        kind, staff_id = ActorKind.STAFF, staff.pk
    elif api_key is not None:
        kind, key_id = ActorKind.API_KEY, api_key.pk
    elif patient_actor is not None:
        kind, patient_id = ActorKind.PATIENT, patient_actor.pk
    else:
        kind = ActorKind.SYSTEM
    if obj is not None:
        object_type, object_id = obj._meta.model_name or "", obj.pk
    event = AuditEvent(
        actor_kind=kind,
        actor_staff_id=staff_id,
        actor_patient_id=patient_id,
        actor_key_id=key_id,
        clinic=clinic,
        patient=patient,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        outcome=outcome,
        request_id=actor.request_id,
        at=clock.now(),
    )
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        audit_writer.commit(event)
    else:
        # Part of a change, committed with it or not at all; or PostgreSQL, whose writers
        # to different rows do not wait on one lock.
        event.save()
    return event
