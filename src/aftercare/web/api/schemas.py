"""What the API takes and gives about the engine's answers, as pydantic models; the OpenAPI
document is built from them.

The engine's answers (check, plan, triage, screening, course) have the shapes of
``aftercare.contracts``, which the command line prints too; the models here describe those
shapes so that every response is checked against its schema before it leaves. The records'
schemas (patients, treatments, check-ins, alerts, reminders) are in ``record_schemas``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StrictBool, StrictFloat, StrictInt, WithJsonSchema

from aftercare.engine.ask import AskOutcome
from aftercare.engine.check import Verdict
from aftercare.engine.course import Verdict as SessionVerdict
from aftercare.engine.screening import Status
from aftercare.engine.triage import Severity, Trend
from aftercare.protocols.load import DEFAULT_PROTOCOL
from aftercare.protocols.schema import Level, Provenance, RuleKind, ScreeningOutcome
from aftercare.web.api.fields import Day, IsoDate, Moment, Out, ProtocolRef, Source, Text

__all__ = [
    "AskOut",
    "CheckOut",
    "CourseCheckOut",
    "CourseOut",
    "CoursePlanOut",
    "FactorsIn",
    "MaintenanceOut",
    "OpenQuestionOut",
    "PlanOut",
    "ScreenIn",
    "ScreeningOut",
    "ScreeningRecordOut",
    "SymptomIn",
    "TriageIn",
    "TriageOut",
]

# The engine has two enums called Verdict (a check's and a course session's); the document
# would name both "Verdict" and keep one, so the session's is written out under its own name.
SessionVerdictOut = Annotated[
    SessionVerdict,
    WithJsonSchema(
        {"title": "SessionVerdict", "type": "string", "enum": [v.value for v in SessionVerdict]}
    ),
]


# --- inputs shared by the stateless routes and the records ---------------------------


class FactorsIn(Schema):
    """What changes a patient's windows; all optional. The named fields are microneedling's
    factors, as the API has always taken them; ``values`` holds any protocol's by id. Each is
    checked against the protocol asked about: its factors, and their bounds."""

    areas: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20)
    needle_depth_mm: StrictFloat | StrictInt | None = None
    sensitive_skin: StrictBool = False
    age: StrictInt | None = None
    fitzpatrick: StrictInt | None = None
    platelet_medication: StrictBool = False
    anticoagulant: StrictBool = False
    cold_sore_history: StrictBool = False
    values: dict[
        Annotated[str, Field(max_length=64)],
        StrictBool | StrictInt | StrictFloat | Annotated[str, Field(max_length=64)],
    ] = Field(default_factory=dict, max_length=20)


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
    procedure: str = DEFAULT_PROTOCOL
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

    # The procedure whose sessions the course counts (``chemical-peel``).
    procedure: str
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
