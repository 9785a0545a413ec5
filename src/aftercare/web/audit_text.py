"""The audit log in sentences a clinic's governance lead reads: "Sam Patel viewed Ben
Carter's record". One place for the words, used by the audit page, its CSV and the
subject access export; names are looked up for a whole page of events at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aftercare.web.care.summary import local_moment
from aftercare.web.clinic.models import ActorKind, ApiKey, AuditEvent, Clinic, Outcome, Patient
from aftercare.web.clinic.models import StaffMember as Staff

__all__ = ["ACTIONS", "AuditLine", "describe"]

# What each action reads as, after the actor's name. {patient} is the patient's name,
# {patients} its possessive; {object} the record's id (a channel, for opt-outs).
ACTIONS: dict[str, str] = {
    "admin.denied": "opened an administrators' page",
    "apikey.create": "created an API key",
    "apikey.revoke": "revoked an API key",
    "audit.export": "downloaded the audit log",
    "audit.view": "viewed the audit log",
    "checkin.create": "recorded {patients} check-in",
    "checkin.list": "viewed the check-ins",
    "checkin.review": "reviewed {patients} check-in",
    "checkin.view": "viewed {patients} check-in",
    "clinic.procedures": "changed the procedures the clinic performs ({object})",
    "clinic.protocol_change": "changed a rule of the clinic's protocol ({object})",
    "clinic.update": "changed the clinic's settings",
    "course.view": "viewed {patients} course",
    "dashboard.view": "viewed the dashboard",
    "export.fhir": "downloaded {patients} FHIR record",
    "export.ics": "downloaded {patients} calendar",
    "export.pdf": "downloaded {patients} leaflet",
    "export.subject_access": "downloaded everything held about {patient}",
    "link.issue": "made a portal link for {patient}",
    "link.revoke": "revoked {patients} portal links",
    "link.send": "sent {patient} a portal link",
    "link.view": "viewed {patients} portal link",
    "patient.create": "added {patient}",
    "patient.erase": "erased {patient}",
    "patient.hold": "put {patient} on legal hold",
    "patient.list": "viewed the patient list",
    "patient.optin": "turned {patients} {object} messages back on",
    "patient.optout": "stopped {patients} {object} messages",
    "patient.release": "took {patient} off legal hold",
    "patient.update": "changed {patients} details",
    "patient.view": "viewed {patients} record",
    "plan.can_i": "asked what {patient} can do now",
    "plan.view": "viewed {patients} plan",
    "portal.can_i": "asked what {patient} can do now",
    "portal.checkin": "opened {patients} check-in page",
    "portal.course": "viewed {patients} course",
    "portal.new_link": "asked for a new portal link",
    "portal.open": "opened {patients} portal link",
    "portal.plan": "viewed {patients} plan",
    "portal.timeline": "viewed {patients} timeline",
    "portal.today": "viewed {patients} aftercare for today",
    "reminder.cancel": "cancelled a message to {patient}",
    "reminder.destination_disabled": "stopped messages to {patient}: the address was refused",
    "reminder.failed": "could not send a message to {patient}",
    "reminder.list": "viewed {patients} messages",
    "screening.create": "screened {patient}",
    "screening.list": "viewed {patients} screenings",
    "screening.view": "viewed {patients} screening",
    "staff.create": "added a staff member",
    "staff.update": "changed a staff member's account",
    "staff.view": "viewed a staff member's account",
    "treatment.cancel": "cancelled {patients} treatment",
    "treatment.create": "recorded a treatment for {patient}",
    "treatment.list": "viewed {patients} treatments",
    "treatment.override": "treated {patient} despite the screening",
    "treatment.preview": "previewed a plan",
    "treatment.update": "changed {patients} treatment",
    "treatment.view": "viewed {patients} treatment",
}
SYSTEM = "Aftercare"


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One event as people read it."""

    event: AuditEvent
    when: str
    actor: str
    sentence: str
    patient: str

    @property
    def is_denied(self) -> bool:
        return self.event.outcome == Outcome.DENIED


def describe(clinic: Clinic, events: Sequence[AuditEvent]) -> list[AuditLine]:
    """``events`` of ``clinic`` as sentences, with three queries for any number of them."""
    staff = _staff_names(clinic, (e.actor_staff_id for e in events))
    patient_ids = (i for e in events for i in (e.actor_patient_id, e.patient_id))
    patients = _names(Patient, clinic, patient_ids)
    keys = _names(ApiKey, clinic, (e.actor_key_id for e in events))
    lines = []
    for event in events:
        actor = _actor(event, staff, patients, keys)
        patient = _patient(event.patient_id, patients)
        lines.append(
            AuditLine(
                event=event,
                when=local_moment(event.at, clinic.time_zone),
                actor=actor,
                sentence=f"{actor} {_phrase(event, patient)}",
                patient=patient,
            )
        )
    return lines


def _phrase(event: AuditEvent, patient: str) -> str:
    template = ACTIONS.get(event.action, f"did “{event.action}”")
    if event.actor_patient_id is not None and event.actor_patient_id == event.patient_id:
        patient, patients = "themselves", "their own"
    else:
        patients = f"{patient}'s" if patient else "a patient's"
        patient = patient or "a patient"
    phrase = template.format(patient=patient, patients=patients, object=event.object_id)
    return f"{phrase} (refused)" if event.outcome == Outcome.DENIED else phrase


def _patient(patient_id: int | None, names: dict[int, str]) -> str:
    if patient_id is None:
        return ""
    # An erased patient's events keep only the id, which now names no one.
    return names.get(patient_id, f"erased patient #{patient_id}")


def _actor(
    event: AuditEvent, staff: dict[int, str], patients: dict[int, str], keys: dict[int, str]
) -> str:
    if event.actor_kind == ActorKind.STAFF and event.actor_staff_id is not None:
        return staff.get(event.actor_staff_id, f"staff member #{event.actor_staff_id}")
    if event.actor_kind == ActorKind.PATIENT and event.actor_patient_id is not None:
        return _patient(event.actor_patient_id, patients)
    if event.actor_kind == ActorKind.API_KEY and event.actor_key_id is not None:
        return f"API key {keys.get(event.actor_key_id, f'#{event.actor_key_id}')}"
    return SYSTEM


def _staff_names(clinic: Clinic, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    members = Staff.objects.filter(clinic=clinic, pk__in=wanted).select_related("user")
    return {m.pk: m.user.get_full_name() or m.user.get_username() for m in members}


def _names(
    model: type[Patient] | type[ApiKey], clinic: Clinic, ids: Iterable[int | None]
) -> dict[int, str]:
    """How the clinic's patients or API keys among ``ids`` are shown, by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.pk: str(row) for row in model.objects.filter(clinic=clinic, pk__in=wanted)}
