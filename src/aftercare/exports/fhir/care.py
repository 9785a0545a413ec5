"""This patient's resources: the clinic, the patient, the treatment as a Procedure, and the
plan as a CarePlan whose activities carry this patient's periods."""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.procedure import Procedure

from aftercare.engine.explain import describe_entry
from aftercare.engine.localtime import elapsed, zone
from aftercare.engine.timeline import PlanEntry, plan
from aftercare.exports import Subject
from aftercare.exports.fhir.definitions import DO_NOT, activity_labels
from aftercare.exports.fhir.ids import URN, Ids, plan_definition_url
from aftercare.protocols.schema import Protocol, RuleKind

__all__ = ["care_plan", "organization", "patient", "procedure"]


def organization(subject: Subject, ids: Ids) -> Organization:
    clinic = subject.clinic
    # FHIR strings may not be empty: only the contact points the clinic has.
    points = (("phone", clinic.phone), ("phone", clinic.urgent_phone), ("email", clinic.email))
    telecom = [
        ContactPoint(system=system, value=value.strip(), use="work")
        for system, value in points
        if value.strip()
    ]
    return Organization(id=ids.clinic, name=clinic.name.strip() or None, telecom=telecom or None)


def patient(subject: Subject, ids: Ids) -> Patient:
    return Patient(
        id=ids.patient,
        identifier=(
            [Identifier(system=f"{URN}:patient", value=subject.patient_id)]
            if subject.patient_id
            else None
        ),
        name=[HumanName(text=subject.patient_name)] if subject.patient_name else None,
        managingOrganization=ids.ref(ids.clinic),
    )


def procedure(subject: Subject, ids: Ids) -> Procedure:
    protocol = subject.protocol
    areas = sorted(subject.factors.areas or {protocol.default_area})
    labels = {area.id: area.label for area in protocol.areas}
    return Procedure(
        id=ids.procedure,
        identifier=(
            [Identifier(system=f"{URN}:treatment", value=subject.treatment_id)]
            if subject.treatment_id
            else None
        ),
        status="completed",
        code=CodeableConcept(text=protocol.procedure),
        subject=ids.ref(ids.patient),
        performedDateTime=_local(subject, subject.treated_at),
        bodySite=[CodeableConcept(text=labels.get(area, area)) for area in areas],
    )


def care_plan(subject: Subject, ids: Ids, at: datetime) -> CarePlan:
    protocol = subject.protocol
    treated_at = _local(subject, subject.treated_at)
    result = plan(protocol, treated_at)
    ends_at = max(
        elapsed(treated_at, protocol.horizon_hours), *(e.changes_at for e in result.entries)
    )
    return CarePlan(
        id=ids.care_plan,
        status="completed" if at >= ends_at else "active",
        intent="plan",
        instantiatesCanonical=[f"{plan_definition_url(protocol)}|{protocol.version}"],
        title=protocol.title,
        subject=ids.ref(ids.patient),
        period=Period(start=treated_at, end=ends_at),
        supportingInfo=[ids.ref(ids.procedure)],
        activity=[_activity(protocol, entry, treated_at, at) for entry in result.entries],
    )


def _activity(
    protocol: Protocol, entry: PlanEntry, treated_at: datetime, at: datetime
) -> CarePlanActivity:
    start, end = _window(entry, treated_at)
    if at < start:
        status = "not-started"
    elif entry.rule.is_never:
        # Never advised: it stays in progress, however long after the treatment.
        status = "in-progress"
    elif end is None or at >= end:
        status = "completed"
    else:
        status = "in-progress"
    return CarePlanActivity(
        detail=CarePlanActivityDetail(
            code=CodeableConcept(text=activity_labels(protocol, entry.rule)),
            reasonCode=[CodeableConcept(text=entry.rule.reason)],
            status=status,
            doNotPerform=entry.kind in DO_NOT,
            scheduledPeriod=Period(start=start, end=end),
            description=describe_entry(protocol, entry),
        )
    )


def _window(entry: PlanEntry, treated_at: datetime) -> tuple[datetime, datetime | None]:
    """When an entry applies: an avoidance from the treatment until it is allowed, a daily
    routine over its window, and an activity allowed from its moment on (no end)."""
    if entry.kind is RuleKind.AVOID:
        return treated_at, entry.changes_at
    if entry.kind is RuleKind.NEVER:
        return treated_at, None
    if entry.kind is RuleKind.DO:
        return entry.allowed_from, entry.changes_at
    return entry.allowed_from, None


def _local(subject: Subject, moment: datetime) -> datetime:
    return moment.astimezone(zone(subject.zone_name))
