"""What the API takes and gives, as pydantic models; the OpenAPI document is built from them.

The engine's answers (check, plan, triage, screening, course) have the shapes of
``aftercare.contracts``, which the command line prints too; the models here describe those
shapes so that every response is checked against its schema before it leaves.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    WithJsonSchema,
)

from aftercare.engine.ask import AskOutcome
from aftercare.engine.check import Verdict
from aftercare.engine.course import Verdict as SessionVerdict
from aftercare.engine.screening import Status
from aftercare.engine.triage import Severity, Trend
from aftercare.protocols.schema import Level, Provenance, RuleKind, ScreeningOutcome
from aftercare.web.clinic.models import Channel, ReminderKind, ReminderStatus

__all__ = [
    "AlertOut",
    "AlertReview",
    "AskOut",
    "CheckInIn",
    "CheckInOut",
    "CheckOut",
    "CourseCheckOut",
    "CourseOut",
    "CoursePlanOut",
    "Day",
    "FactorsIn",
    "MaintenanceOut",
    "Moment",
    "OpenQuestionOut",
    "PatientIn",
    "PatientOut",
    "PatientPatch",
    "PlanOut",
    "ProtocolRef",
    "ReminderOut",
    "ScreenIn",
    "ScreeningOut",
    "ScreeningRecordOut",
    "Source",
    "SymptomIn",
    "TreatmentIn",
    "TreatmentOut",
    "TriageIn",
    "TriageOut",
]

Text = Annotated[str, Field(max_length=5000)]
Name = Annotated[str, Field(min_length=1, max_length=100)]

# pydantic would also read a number, or a string of digits, as seconds since 1970: a client
# that sent 0 for a date would get 1 January 1970. Dates and moments are taken as written.
WRITTEN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_date(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and WRITTEN_DATE.fullmatch(value)):
        return value
    raise ValueError("should be a date written YYYY-MM-DD")


def _written_moment(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and WRITTEN_DATE.match(value)):
        return value
    raise ValueError("should be a date and time written YYYY-MM-DDTHH:MM with its UTC offset")


IsoDate = Annotated[date, BeforeValidator(_written_date)]
Day = Annotated[IsoDate, Field(ge=date(1900, 1, 1), le=date(2200, 12, 31))]
# A moment sent to the API: from 2000, long after the last zone with seconds in its UTC
# offset gave them up (Africa/Monrovia, 1972), so every time given back can be written as
# RFC 3339 asks, to the end of 2200, as for dates.
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_written_moment),
    Field(ge=datetime(2000, 1, 1, tzinfo=UTC), le=datetime(2200, 12, 31, 23, 59, tzinfo=UTC)),
]
# The engine has two enums called Verdict (a check's and a course session's); the document
# would name both "Verdict" and keep one, so the session's is written out under its own name.
SessionVerdictOut = Annotated[
    SessionVerdict,
    WithJsonSchema(
        {"title": "SessionVerdict", "type": "string", "enum": [v.value for v in SessionVerdict]}
    ),
]


class Out(BaseModel):
    """An answer built from plain values (the engine's, as JSON), never from records.

    ninja's ``Schema`` wraps every value it validates to read Django records' attributes;
    a plan's hundred nested items made that wrapping a quarter of the route's time.
    """

    model_config = ConfigDict(from_attributes=True)


class Source(Out):
    """A citation: a leaflet (by file name) with its quote, or literature with a note."""

    leaflet: str | None = None
    quote: str | None = None
    literature: str | None = None
    note: str | None = None


class ProtocolRef(Schema):
    id: str
    version: str


# --- inputs shared by the stateless routes and the records ---------------------------


class FactorsIn(Schema):
    """What changes a patient's windows; all optional."""

    areas: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20)
    needle_depth_mm: StrictFloat | None = Field(default=None, gt=0, le=3)
    sensitive_skin: StrictBool = False
    age: StrictInt | None = Field(default=None, ge=0, le=120)
    fitzpatrick: StrictInt | None = Field(default=None, ge=1, le=6)
    platelet_medication: StrictBool = False
    anticoagulant: StrictBool = False
    cold_sore_history: StrictBool = False


class SymptomIn(Schema):
    symptom: Annotated[str, Field(min_length=1, max_length=100)]
    trend: Trend | None = None
    severity: Severity | None = None


# --- check ------------------------------------------------------------------------


class CheckOut(Out):
    """May the patient do ``activity`` now, and from when. ``answer`` is the sentence a
    person reads; ``allowed_if`` is a yes only once the skin state first among
    ``requirements`` is met, and ``never`` is never allowed."""

    activity: str
    answer: str
    verdict: Verdict
    allowed_from_hours: float | None
    allowed_from: datetime | None
    blocking_condition: str | None
    requirements: list[str]
    min_spf: int | None
    required_until_hours: float | None
    sources: list[Source]
    note: str | None
    rule: str | None
    label: str


class AskOut(Schema):
    """A question as the patient typed it, and the answer: ``check``'s keys (null when no
    activity was understood), the moment it is about, and what to offer when unsure."""

    question: str
    understood: bool
    outcome: AskOutcome
    answer: str
    details: list[str]
    asked_for: datetime | None
    asked_for_hours: float | None
    time_words: str | None
    suggestions: list[str]
    topic: str | None
    red_flags: list[str]
    urgency: Level | None
    activity: str | None
    verdict: Verdict | None
    allowed_from_hours: float | None
    allowed_from: datetime | None
    blocking_condition: str | None
    requirements: list[str]
    min_spf: int | None
    required_until_hours: float | None
    sources: list[Source]
    note: str | None
    rule: str | None
    label: str | None


# --- plan ---------------------------------------------------------------------------


class PlanItem(Out):
    id: str
    kind: RuleKind
    activities: list[str]
    text: str
    reason: str | None
    allowed_from_hours: float | None
    allowed_from: datetime | None
    required_until_hours: float | None
    required_until: datetime | None
    gate: str | None
    requirements: list[str]
    min_spf: int | None
    group: str | None
    provenance: Provenance
    note: str | None
    sources: list[Source]


class PlanGroup(Out):
    id: str
    label: str
    items: list[str]


class PlanChange(Out):
    day: int
    at: datetime
    items: list[str]


class PlanOut(Out):
    """A treatment's plan in the patient's zone; ``at`` says which items apply now."""

    protocol: ProtocolRef
    treated_at: datetime
    time_zone: str
    items: list[PlanItem]
    groups: list[PlanGroup]
    changes: list[PlanChange]
    # With ?at=: how long after the treatment that is (day 0 is the first 24 hours; None
    # before the treatment) and the next change after it.
    at: datetime | None = None
    hours_after: float | None = None
    day: int | None = None
    next_change: PlanChange | None = None


# --- triage -------------------------------------------------------------------------


class TriageIn(Schema):
    """Symptoms reported some time after a treatment: ``hours_after``, or the two moments;
    ``text`` is what the patient wrote, read for red-flag phrases."""

    symptoms: list[SymptomIn] = Field(default_factory=list, max_length=20)
    text: Text = ""
    hours_after: StrictFloat | None = Field(default=None, ge=0, le=24 * 366)
    treated_at: Moment | None = None
    at: Moment | None = None
    factors: FactorsIn = Field(default_factory=FactorsIn)


class TriageSymptom(Schema):
    id: str
    label: str
    level: Level
    expected_until_hours: float | None
    widened_by: list[str]
    reason: str
    # The phrase of the text that reported it; null when it was named in symptoms.
    found_in_text: str | None
    sources: list[Source]


class TriageOut(Schema):
    triage: Level
    hours_after: float
    symptoms: list[TriageSymptom]
    advice: str
    sources: list[Source]
    protocol: ProtocolRef


# --- screening ----------------------------------------------------------------------


def _answer(value: object) -> object:
    # Checked before the union, so that a wrong type gets one error rather than one a branch.
    if value is None or isinstance(value, bool | str | date):
        return value
    raise ValueError("should be true, false, a date written YYYY-MM-DD, text, or null")


Answer = Annotated[
    StrictBool | IsoDate | Annotated[str, Field(max_length=200)] | None,
    BeforeValidator(_answer),
]


class ScreenIn(Schema):
    """Answers keyed by the protocol's question ids; ``on`` is the day screened.

    A question left out or sent as null is unanswered (never "No"), and the screening is
    ``incomplete`` until every question is answered; a date question takes ``"never"``.
    """

    answers: dict[Annotated[str, Field(max_length=100)], Answer] = Field(max_length=100)
    on: Day | None = None


class ScreeningReasonOut(Schema):
    rule: str
    outcome: ScreeningOutcome
    text: str
    recheck: str | None
    recheck_text: str | None
    earliest: date | None
    cautions: list[str]
    sources: list[Source]


class OpenQuestionOut(Schema):
    """A question still to ask, as the protocol words it."""

    question: str
    text: str


class ScreeningOut(Schema):
    # True, False, or "clinician_review" when a clinician must decide (as the CLI's JSON).
    eligible: StrictBool | Literal["clinician_review"]
    status: Status
    earliest_date: date | None
    earliest_days_from_now: int | None
    recheck: str | None
    cautions: list[str]
    reasons: list[ScreeningReasonOut]
    unanswered: list[OpenQuestionOut]
    on: date
    protocol: ProtocolRef


class ScreeningRecordOut(Schema):
    """A screening kept in a patient's record, with the result frozen when it was made."""

    id: int
    patient_id: int
    screened_at: datetime
    status: Status
    earliest_date: date | None
    answers: dict[str, Answer]
    unanswered: list[OpenQuestionOut]
    protocol: ProtocolRef


# --- course -------------------------------------------------------------------------


class CourseSession(Schema):
    number: int
    earliest: date
    latest: date


class CoursePlanOut(Schema):
    valid: bool
    requested_sessions: int
    min_sessions: int
    max_sessions: int
    min_gap_days: int
    max_gap_days: int
    sessions: list[CourseSession]
    maintenance_earliest: date | None
    maintenance_latest: date | None


class CourseCheckOut(Schema):
    verdict: SessionVerdictOut
    allowed: bool
    earliest: date
    latest: date
    gap_days: int


class MaintenanceOut(Schema):
    maintenance_earliest: date | None
    maintenance_latest: date | None


class CourseOut(Schema):
    """A patient's course so far, on the clinic's day: sessions given, and when the next
    one (or maintenance) is due. ``next_*`` is empty once the course is complete."""

    sessions_done: int
    sessions_planned: int
    last_session: date | None
    next_earliest: date | None
    next_latest: date | None
    next_verdict: SessionVerdictOut | None
    maintenance_earliest: date | None
    maintenance_latest: date | None
    # Sessions that came later than the protocol's longest gap (allowed, shown as late).
    late_sessions: list[date] = Field(default_factory=list)


# --- records ------------------------------------------------------------------------


class PatientIn(Schema):
    given_name: Name
    family_name: Name
    date_of_birth: IsoDate | None = None
    email: Annotated[str, Field(max_length=254)] = ""
    mobile: Annotated[str, Field(max_length=40)] = ""
    preferred_channel: Channel = Channel.NONE
    consent_to_messages: StrictBool = False
    # Sessions planned for the patient's course; null: the protocol's usual.
    course_sessions: StrictInt | None = None


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
    created_at: datetime


class TreatmentIn(Schema):
    """A treatment that ended at ``treated_at`` (with its UTC offset, so it is never
    ambiguous), for a patient who lives by ``time_zone``."""

    treated_at: Moment
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    areas: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20)
    needle_depth_mm: Decimal | None = Field(default=None, gt=0, le=3, decimal_places=2)
    device: Annotated[str, Field(max_length=100)] = ""
    notes: Text = ""
    sensitive_skin: StrictBool = False
    fitzpatrick: StrictInt | None = Field(default=None, ge=1, le=6)
    platelet_medication: StrictBool = False
    anticoagulant: StrictBool = False
    cold_sore_history: StrictBool = False
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
    factors: dict[str, bool | int | None]
    override_reason: str
    course_override_reason: str = ""
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
