"""Records and engine results as the API's response objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja.renderers import JSONRenderer

from aftercare.contracts import plan_json
from aftercare.engine.course import course_outlook, planned_sessions
from aftercare.engine.screening import Status
from aftercare.engine.timeline import Plan
from aftercare.protocols.schema import Level, Protocol
from aftercare.web.api.factor_fields import DEPTH, DEPTH_PLACES
from aftercare.web.api.fields import ProtocolRef
from aftercare.web.api.record_schemas import (
    AlertOut,
    CheckInOut,
    PatientOut,
    ReminderOut,
    TreatmentOut,
)
from aftercare.web.api.schemas import CourseOut, OpenQuestionOut, PlanOut, ScreeningRecordOut
from aftercare.web.care.summary import plan_key, reviewer, session_days, treatment_plan
from aftercare.web.clinic.models import (
    CheckIn,
    Patient,
    PlannedCourse,
    Reminder,
    Screening,
    Treatment,
)
from aftercare.web.kept import Kept
from aftercare.web.protocol import base_id

__all__ = [
    "alert_out",
    "check_in_out",
    "course_out",
    "patient_out",
    "plan_out",
    "reminder_out",
    "screening_out",
    "treatment_out",
    "treatment_plan_body",
    "treatment_plan_out",
]


@dataclass(frozen=True, slots=True)
class _Kept:
    plan: PlanOut
    # The plan route's answer, written once as ninja writes a response (its JSON renderer).
    body: bytes


# Plans kept per process (see treatment_plan_out); the least recently used goes first.
MAX_PLANS = 512
_plans: Kept[_Kept] = Kept(MAX_PLANS)


def patient_out(patient: Patient, default: str) -> PatientOut:
    """``patient`` with the lengths of their courses: ``course_sessions`` that of the
    clinic's ``default`` procedure, as before courses were planned per procedure."""
    planned = PlannedCourse.of(patient)
    details = {
        name: getattr(patient, name)
        for name in PatientOut.model_fields
        if name not in ("course_sessions", "courses")
    }
    return PatientOut.model_validate(
        details | {"course_sessions": planned.get(default), "courses": planned}
    )


def screening_out(screening: Screening) -> ScreeningRecordOut:
    answers = screening.answers if isinstance(screening.answers, dict) else {}
    result = screening.result if isinstance(screening.result, dict) else {}
    return ScreeningRecordOut(
        id=screening.pk,
        patient_id=screening.patient_id,
        screened_at=screening.screened_at,
        status=Status(screening.status),
        earliest_date=screening.earliest_date,
        answers=answers,
        unanswered=[OpenQuestionOut(**q) for q in result.get("unanswered", [])],
        procedure=base_id(screening.protocol_id),
        protocol=ProtocolRef(id=screening.protocol_id, version=screening.protocol_version),
    )


def plan_out(result: Plan, at: datetime | None = None) -> PlanOut:
    shown: dict[str, Any] = plan_json(result)
    if at is not None:
        status = result.status_at(at)
        upcoming = status.next_change
        shown |= {
            "at": at.astimezone(result.treated_at.tzinfo),
            "hours_after": status.hours_after,
            "day": status.day,
            "next_change": None
            if upcoming is None
            else {
                "day": upcoming.day,
                "at": upcoming.at,
                "items": [e.id for e in upcoming.entries],
            },
        }
    return PlanOut.model_validate(shown)


def treatment_plan_out(
    protocol: Protocol, treatment: Treatment, at: datetime | None = None
) -> PlanOut:
    """``treatment``'s plan as the API shows it; without ``at``, kept per process under
    the key of the plan it shows (``plan_key``). A plan answered with ``at`` depends on the
    moment too: where it stands then is worked out each time, on the plan
    ``treatment_plan`` keeps.
    """
    if at is not None:
        return plan_out(treatment_plan(protocol, treatment), at)
    return _kept(protocol, treatment).plan


def treatment_plan_body(protocol: Protocol, treatment: Treatment) -> bytes:
    """``treatment_plan_out`` without ``at`` as the API's JSON, kept with it: answering a
    kept plan neither dumps nor encodes it again."""
    return _kept(protocol, treatment).body


def _kept(protocol: Protocol, treatment: Treatment) -> _Kept:
    return _plans.get(plan_key(protocol, treatment), lambda: _made(protocol, treatment))


def _made(protocol: Protocol, treatment: Treatment) -> _Kept:
    shown = plan_out(treatment_plan(protocol, treatment))
    body = json.dumps(shown.model_dump(), cls=JSONRenderer.encoder_class)
    return _Kept(shown, body.encode())


def treatment_out(
    treatment: Treatment, protocol: Protocol | None = None, at: datetime | None = None
) -> TreatmentOut:
    """The treatment; with ``protocol``, its plan too (as of ``at`` when given)."""
    factors = treatment.factors if isinstance(treatment.factors, dict) else {}
    return TreatmentOut(
        id=treatment.pk,
        patient_id=treatment.patient_id,
        treated_at=treatment.treated_at,
        time_zone=treatment.time_zone,
        areas=[str(a) for a in treatment.areas] if isinstance(treatment.areas, list) else [],
        needle_depth_mm=_as_stored(factors.get(DEPTH)),
        device=treatment.device,
        notes=treatment.notes,
        factors=factors,
        override_reason=treatment.override_reason,
        course_override_reason=treatment.course_override_reason,
        procedure=base_id(treatment.protocol_id),
        protocol=ProtocolRef(id=treatment.protocol_id, version=treatment.protocol_version),
        cancelled_at=treatment.cancelled_at,
        plan=None if protocol is None else treatment_plan_out(protocol, treatment, at),
    )


def _as_stored(depth: object) -> Decimal | None:
    """A needle depth kept in the factors, shown as the API always has: with two decimal
    places, so a treatment just created reads as it will when fetched ("1.50", not "1.5")."""
    if isinstance(depth, bool) or not isinstance(depth, int | float):
        return None
    return Decimal(str(depth)).quantize(Decimal(1).scaleb(-DEPTH_PLACES))


def check_in_out(check_in: CheckIn, urgent_phone: str) -> CheckInOut:
    return CheckInOut(**_check_in_fields(check_in, urgent_phone))


def alert_out(check_in: CheckIn, urgent_phone: str) -> AlertOut:
    return AlertOut(
        **_check_in_fields(check_in, urgent_phone),
        patient_id=check_in.treatment.patient_id,
        reviewed_by=reviewer(check_in) or None,
    )


def _check_in_fields(check_in: CheckIn, urgent_phone: str) -> dict[str, Any]:
    result = check_in.result if isinstance(check_in.result, dict) else {}
    stored = check_in.symptoms if isinstance(check_in.symptoms, list) else []
    urgent = Level(check_in.level).is_urgent
    return {
        "id": check_in.pk,
        "treatment_id": check_in.treatment_id,
        "created_at": check_in.created_at,
        "hours_after": check_in.hours_after,
        "symptoms": [str(s.get("symptom", "")) for s in stored if isinstance(s, dict)],
        "severities": {
            str(s.get("symptom", "")): s["severity"]
            for s in stored
            if isinstance(s, dict) and s.get("severity")
        },
        "trend": check_in.trend or None,
        "free_text": check_in.free_text,
        "level": check_in.level,
        "advice": str(result.get("advice", "")),
        # The number to ring is part of an urgent answer, wherever it is shown.
        "urgent_phone": urgent_phone if urgent else None,
        "reviewed_at": check_in.reviewed_at,
        "review_note": check_in.review_note,
    }


def reminder_out(reminder: Reminder) -> ReminderOut:
    return ReminderOut.model_validate(reminder, from_attributes=True)


def course_out(
    protocol: Protocol, treatments: list[Treatment], today: date, chosen: int | None = None
) -> CourseOut:
    """The course from the patient's treatments that were not cancelled, on ``today``, of
    the length ``chosen`` for the patient (None: the protocol's usual)."""
    days = session_days(treatments)
    if not days:
        return CourseOut(
            procedure=protocol.id,
            sessions_done=0,
            sessions_planned=planned_sessions(protocol, chosen),
            last_session=None,
            next_earliest=None,
            next_latest=None,
            next_verdict=None,
            maintenance_earliest=None,
            maintenance_latest=None,
        )
    outlook = course_outlook(protocol, days, today, chosen)
    gap, upkeep = outlook.next_session, outlook.maintenance
    return CourseOut(
        procedure=protocol.id,
        sessions_done=outlook.sessions,
        sessions_planned=outlook.planned,
        last_session=days[-1],
        next_earliest=None if gap is None else gap.earliest,
        next_latest=None if gap is None else gap.latest,
        next_verdict=None if gap is None else gap.verdict,
        maintenance_earliest=None if upkeep is None else upkeep.earliest,
        maintenance_latest=None if upkeep is None else upkeep.latest,
        late_sessions=list(outlook.late),
    )
