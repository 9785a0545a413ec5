"""What the API takes and gives about the clinic's records: patients, treatments,
check-ins, alerts and reminders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StrictBool, StrictFloat, StrictInt

from aftercare.engine.triage import Severity, Trend
from aftercare.protocols.load import DEFAULT_PROTOCOL
from aftercare.protocols.schema import Level
from aftercare.web.api.fields import IsoDate, Moment, Name, Out, ProcedureId, ProtocolRef, Text
from aftercare.web.api.schemas import PlanOut
from aftercare.web.clinic.models import Channel, ReminderKind, ReminderStatus

__all__ = [
    "AlertOut",
    "AlertReview",
    "CheckInIn",
    "CheckInOut",
    "PatientIn",
    "PatientOut",
    "PatientPatch",
    "ReminderOut",
    "TreatmentIn",
    "TreatmentOut",
]


# The sessions planned for the course of each procedure named (null: the usual).
Courses = Annotated[dict[ProcedureId, StrictInt | None], Field(max_length=20)]


class PatientIn(Schema):
    given_name: Name
    family_name: Name
    date_of_birth: IsoDate | None = None
    email: Annotated[str, Field(max_length=254)] = ""
    mobile: Annotated[str, Field(max_length=40)] = ""
    preferred_channel: Channel = Channel.NONE
    consent_to_messages: StrictBool = False
    # Sessions planned for the patient's course of microneedling (of the clinic's first
    # procedure if it does not perform microneedling); null: the protocol's usual.
    course_sessions: StrictInt | None = None
    # Sessions planned for the course of each procedure named, by its protocol's id
    # ({"chemical-peel": 5}); null: the protocol's usual.
    courses: Courses = Field(default_factory=dict)


class PatientPatch(Schema):
    """Only the fields sent change."""

    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: IsoDate | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    mobile: Annotated[str, Field(max_length=40)] | None = None
    preferred_channel: Channel | None = None
    consent_to_messages: StrictBool | None = None
    course_sessions: StrictInt | None = None
    # The courses named change; the others keep their length.
    courses: Courses | None = None


class PatientOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    email: str
    mobile: str
    preferred_channel: Channel
    consent_to_messages: bool
    email_opted_out_at: datetime | None
    sms_opted_out_at: datetime | None
    course_sessions: int | None
    # The sessions planned for each course given a length; a procedure not named: the
    # protocol's usual.
    courses: dict[str, int]
    created_at: datetime


# A factor's value: yes or no, a number, or a choice's value.
FactorIn = StrictBool | StrictInt | StrictFloat | Annotated[str, Field(max_length=64)]


class TreatmentIn(Schema):
    """A treatment of ``procedure`` (the id of a protocol the clinic performs) that ended
    at ``treated_at`` (with its UTC offset, so it is never ambiguous), for a patient who
    lives by ``time_zone``. The factors are the procedure's protocol's: microneedling's may
    be sent as the top-level fields (``needle_depth_mm``, ``sensitive_skin``, ...), any
    protocol's by id in ``factors`` (``{"peel_depth": "superficial"}``); a factor the
    protocol does not have (needle depth for a peel) is refused, and the bounds are its."""

    procedure: ProcedureId = DEFAULT_PROTOCOL
    treated_at: Moment
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    areas: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20)
    needle_depth_mm: Decimal | None = Field(default=None, decimal_places=2)
    device: Annotated[str, Field(max_length=100)] = ""
    notes: Text = ""
    sensitive_skin: StrictBool = False
    fitzpatrick: StrictInt | None = Field(default=None, ge=1, le=6)
    platelet_medication: StrictBool = False
    anticoagulant: StrictBool = False
    cold_sore_history: StrictBool = False
    factors: dict[Annotated[str, Field(max_length=64)], FactorIn] = Field(
        default_factory=dict, max_length=20
    )
    override_reason: Annotated[str, Field(max_length=2000)] = ""
    # Why a session beyond the course's most, or sooner than its shortest gap, was given.
    course_override_reason: Annotated[str, Field(max_length=2000)] = ""


class TreatmentOut(Schema):
    id: int
    patient_id: int
    treated_at: datetime
    time_zone: str
    areas: list[str]
    needle_depth_mm: Decimal | None
    device: str
    notes: str
    factors: dict[str, bool | int | float | str | None]
    override_reason: str
    course_override_reason: str = ""
    # The procedure's protocol id; ``protocol`` is the effective protocol it followed.
    procedure: str = DEFAULT_PROTOCOL
    protocol: ProtocolRef
    cancelled_at: datetime | None
    plan: PlanOut | None = None


class GradedSymptomIn(Schema):
    """A symptom with how bad the patient says it is: "severe" is "more than I'd expect"."""

    symptom: Annotated[str, Field(min_length=1, max_length=100)]
    severity: Severity | None = None


class CheckInIn(Schema):
    """Symptoms with how they are going, words in ``free_text``, or both: the clinic reads
    the words, and triage reads them for red-flag phrases. A symptom is its name, or an
    object with its name and how bad it is."""

    symptoms: list[Annotated[str, Field(min_length=1, max_length=100)] | GradedSymptomIn] = Field(
        default_factory=list, max_length=20
    )
    trend: Trend | None = None
    free_text: Text = ""

    def names(self) -> list[str]:
        return [s if isinstance(s, str) else s.symptom for s in self.symptoms]

    def severities(self) -> dict[str, Severity]:
        """How bad each graded symptom is, keyed by the name it was sent by."""
        return {
            s.symptom: s.severity
            for s in self.symptoms
            if not isinstance(s, str) and s.severity is not None
        }


class CheckInOut(Out):
    """A check-in and the triage it was given at the time."""

    id: int
    treatment_id: int
    created_at: datetime
    hours_after: float
    symptoms: list[str]
    # How bad the patient said a symptom is, for those they graded.
    severities: dict[str, Severity]
    trend: Trend | None
    free_text: str
    level: Level
    advice: str
    urgent_phone: str | None
    reviewed_at: datetime | None
    review_note: str


class AlertOut(CheckInOut):
    """A check-in that asked the patient to contact the clinic, for staff to review."""

    patient_id: int
    # Who reviewed it: a staff member's name, or "API key NAME (PREFIX…)".
    reviewed_by: str | None


class AlertReview(Schema):
    reviewed: StrictBool = True
    note: Annotated[str, Field(max_length=2000)] = ""


class ReminderOut(Schema):
    id: int
    treatment_id: int
    kind: ReminderKind
    channel: Channel
    due_at: datetime
    status: ReminderStatus
    attempts: int
    sent_at: datetime | None
    cancelled_at: datetime | None
