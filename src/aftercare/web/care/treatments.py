"""A treatment as the care layer takes it, and the checks every way in shares.

The staff form and the API each turn what they were sent into one ``TreatmentInput``; the
rules that decide whether it may be recorded (the screening gate, the course's gaps and
length, the bounds of a treatment time; a factor's bounds are the protocol's) are written
here once, and each edge words the remedy in its own terms (a box to tick, a field to send).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aftercare.engine.course import gate_session
from aftercare.engine.explain import format_day
from aftercare.engine.localtime import zone
from aftercare.engine.model import Factors, age_on, check_factors
from aftercare.protocols.schema import FactorValue, Protocol
from aftercare.web.care.summary import session_days
from aftercare.web.clinic.models import Clinic, Patient, Screening, ScreeningStatus, Treatment
from aftercare.web.protocol import same_procedure

__all__ = [
    "EARLIEST_YEAR",
    "MAX_FUTURE",
    "MIN_OVERRIDE_LENGTH",
    "TreatmentInput",
    "course_problem",
    "screening_problem",
    "treated_at_problem",
    "treatment_factors",
]

MIN_OVERRIDE_LENGTH = 10
# No clinic records a microneedling treatment from before this year.
EARLIEST_YEAR = 2000
MAX_FUTURE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TreatmentInput:
    """A treatment to record or change, already checked by the edge that took it.

    ``treated_at`` is aware and to the minute; ``factors`` carry the areas, the age and
    the protocol's factors (checked against its bounds), ``areas`` as stored. An override
    reason is "" unless the override was needed (and given), so a reason is kept only
    when it explains something.
    """

    treated_at: datetime
    time_zone: str
    areas: tuple[str, ...]
    factors: Factors
    device: str = ""
    notes: str = ""
    override_reason: str = ""
    course_override_reason: str = ""


def screening_problem(screening: Screening | None, clinic: Clinic, at: datetime) -> str | None:
    """Why ``screening`` does not clear a treatment at ``at``, or None when it does."""
    if screening is None:
        return "This patient has not been screened."
    screened_on = format_day(screening.screened_at.astimezone(zone(clinic.time_zone)).date())
    if screening.status != ScreeningStatus.ELIGIBLE:
        status = ScreeningStatus(screening.status).label
        earliest = (
            f", earliest {format_day(screening.earliest_date)}" if screening.earliest_date else ""
        )
        return f"The latest screening ({screened_on}) says: {status}{earliest}{_open(screening)}."
    if at - screening.screened_at > timedelta(days=clinic.screening_valid_days):
        return (
            f"The latest screening ({screened_on}) is older than the clinic's "
            f"{clinic.screening_valid_days} days."
        )
    return None


def _open(screening: Screening) -> str:
    """', N questions still to ask' for an incomplete screening."""
    result = screening.result if isinstance(screening.result, dict) else {}
    count = len(result.get("unanswered") or ())
    if screening.status != ScreeningStatus.INCOMPLETE or not count:
        return ""
    return f", {count} question{'' if count == 1 else 's'} still to ask"


def course_problem(
    protocol: Protocol, patient: Patient, day: date, editing: Treatment | None = None
) -> str | None:
    """Why a session on the local ``day`` needs an override, counted from the patient's
    recorded treatments (``editing``, when it is one of them, not counted), or None."""
    # A course is the sessions of one procedure.
    recorded = Treatment.objects.filter(
        same_procedure(protocol.id), patient=patient, cancelled_at=None
    )
    if editing is not None:
        recorded = recorded.exclude(pk=editing.pk)
    gate = gate_session(protocol, session_days(recorded), day)
    course, problems = protocol.course, []
    if gate.beyond_maximum:
        problems.append(
            f"This would be session {gate.number}; a course is at most "
            f"{course.max_sessions} sessions."
        )
    if gate.gap is not None and gate.too_soon:
        previous = gate.gap.earliest - timedelta(days=course.min_gap_days)
        problems.append(
            f"It is {gate.gap.gap_days} days after the previous session on "
            f"{format_day(previous)}; sessions are at least {course.min_gap_days} days apart "
            f"(from {format_day(gate.gap.earliest)})."
        )
    return " ".join(problems) or None


def treated_at_problem(patient: Patient, treated_at: datetime, now: datetime) -> str | None:
    """Why a treatment cannot have ended at ``treated_at``, or None when it can."""
    if treated_at.year < EARLIEST_YEAR:
        # Also keeps out zones' old local mean times, whose offsets have seconds.
        return f"The treatment cannot be before {EARLIEST_YEAR}."
    if treated_at - now > MAX_FUTURE:
        return "The treatment cannot be more than a day in the future."
    born = patient.date_of_birth
    if born is not None and treated_at.date() < born:
        return "The treatment cannot be before the date of birth."
    return None


def treatment_factors(
    protocol: Protocol,
    patient: Patient,
    treated_at: datetime | None,
    areas: tuple[str, ...],
    values: Mapping[str, FactorValue | None],
) -> Factors:
    """The engine's factors for a treatment of ``patient``: their age on the day, and the
    protocol's factors given in ``values``; InputError naming a factor the protocol does
    not have, or one outside its bounds."""
    born = patient.date_of_birth
    age = None if born is None or treated_at is None else age_on(born, treated_at.date())
    given: dict[str, FactorValue] = {k: v for k, v in values.items() if v is not None}
    return check_factors(protocol, Factors(areas=frozenset(areas), age=age, values=given))
