"""Routes that hold no patient data: the protocol and the engine's answers.

A booking system can ask them without a key (they use the base protocol); with a clinic's
key they use that clinic's effective protocol. Each takes ``?procedure=ID`` (a query
parameter on every route, so a POST body stays as it was): without it, the default
procedure, which is what every route answered before clinics performed more than one.
"""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import Field

from aftercare.contracts import check_json, course_json, screening_json, triage_json
from aftercare.engine.check import check, parse_skin_state
from aftercare.engine.course import check_session, maintenance_window, plan_course
from aftercare.engine.errors import InputError
from aftercare.engine.model import Factors, check_factors, resolve_areas
from aftercare.engine.screening import screen
from aftercare.engine.triage import distinct_reports, symptom_report, triage
from aftercare.protocols.schema import Protocol
from aftercare.web.api.auth import OptionalClinicKey
from aftercare.web.api.common import (
    elapsed_hours,
    invalid,
    protocol_for,
    require_symptoms_or_words,
    screening_answers,
    today_for,
    zone_for,
)
from aftercare.web.api.factor_fields import NAMED_FACTORS, factor_values
from aftercare.web.api.fields import Day, Moment
from aftercare.web.api.problems import responses
from aftercare.web.api.schemas import (
    CheckOut,
    CourseCheckOut,
    CoursePlanOut,
    FactorsIn,
    MaintenanceOut,
    ScreenIn,
    ScreeningOut,
    TriageIn,
    TriageOut,
)

__all__ = ["engine_factors", "router"]

router = Router(tags=["engine"], auth=OptionalClinicKey())

ERRORS = (401,)


class ProcedureQuery(Schema):
    # The procedure's protocol id (``chemical-peel``); default: microneedling when the
    # clinic performs it (always without a key), else the clinic's first procedure.
    procedure: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class ProtocolOut(Schema):
    """The protocol in force, named as records name it (``protocol: {id, version}``)."""

    id: str
    version: str
    protocol: Protocol


@router.get("protocol", response=responses({200: ProtocolOut}, *ERRORS))
def get_protocol(request: HttpRequest, asked: Query[ProcedureQuery]) -> ProtocolOut:
    """The effective protocol, every item with its sources; ``id`` and ``version`` are those
    that treatments and screenings record, so a record can be matched to the protocol it was
    made under."""
    protocol = protocol_for(request, asked.procedure)
    return ProtocolOut(id=protocol.effective_id, version=protocol.version, protocol=protocol)


class CheckQuery(Schema):
    activity: Annotated[str, Field(min_length=1, max_length=100)]
    hours_after: float | None = Field(default=None, ge=0, le=24 * 366 * 10)
    treated_at: Moment | None = None
    at: Moment | None = None
    # What is known of the skin's states, each STATE=yes or STATE=no (repeatable):
    # skin=peeling_complete=no. redness_resolved is microneedling's, kept as it was.
    skin: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    redness_resolved: bool | None = None
    # The zone allowed_from is shown in (default: the clinic's, or the UK's without a key).
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] | None = None


@router.get("check", response=responses({200: CheckOut}, *ERRORS))
def get_check(
    request: HttpRequest, query: Query[CheckQuery], asked: Query[ProcedureQuery]
) -> dict[str, object]:
    """May the patient do ``activity`` now: by hours since treatment, or by the two times."""
    hours, treated_at = elapsed_hours("query", query.hours_after, query.treated_at, query.at)
    if treated_at is not None:
        treated_at = treated_at.astimezone(zone_for(request, query.time_zone))
    protocol = protocol_for(request, asked.procedure)
    skin = skin_from(query.skin, query.redness_resolved)
    result = check(protocol, query.activity, hours, skin=skin, treated_at=treated_at)
    return check_json(protocol, result)


def skin_from(states: list[str], redness_resolved: bool | None) -> dict[str, bool] | None:
    """The skin states a query gives, as the engine takes them (it refuses a state the
    protocol does not have); a badly written one is a 422 naming ``query.skin``."""
    skin: dict[str, bool] = {}
    for text in states:
        try:
            state, reached = parse_skin_state(text)
        except InputError as error:
            raise invalid("query.skin", str(error)) from None
        skin[state] = reached
    if redness_resolved is not None:
        skin["redness_resolved"] = redness_resolved
    return skin or None


@router.post("triage", response=responses({200: TriageOut}, *ERRORS))
def post_triage(
    request: HttpRequest, payload: TriageIn, asked: Query[ProcedureQuery]
) -> dict[str, object]:
    """Expected, contact the clinic, contact the clinic now, or call 999 now, with the
    reasons; ``text`` is read for red-flag phrases."""
    require_symptoms_or_words(payload.symptoms, payload.text, "text")
    protocol = protocol_for(request, asked.procedure)
    hours, _ = elapsed_hours("body", payload.hours_after, payload.treated_at, payload.at)
    reports = [symptom_report(protocol, s.symptom, s.trend, s.severity) for s in payload.symptoms]
    factors = engine_factors(protocol, payload.factors)
    result = triage(protocol, distinct_reports(reports), hours, factors, payload.text)
    return triage_json(protocol, result)


def engine_factors(protocol: Protocol, factors: FactorsIn) -> Factors:
    """The engine's factors, checked against ``protocol``'s (a 422 naming the field);
    areas are resolved from the names people use."""
    named = {name: getattr(factors, name) for name in NAMED_FACTORS}
    # The second place is the payload's name, which a problem's field leaves out.
    where = ("body", "_", "factors")
    values, problems = factor_values(protocol, named, factors.values, where, "values")
    if problems:
        raise ValidationError([{"loc": loc, "msg": message} for loc, message in problems])
    areas = resolve_areas(protocol, factors.areas) if factors.areas else frozenset()
    return check_factors(protocol, Factors(areas=areas, age=factors.age, values=values))


@router.post("screen", response=responses({200: ScreeningOut}, *ERRORS))
def post_screen(
    request: HttpRequest, payload: ScreenIn, asked: Query[ProcedureQuery]
) -> dict[str, object]:
    """Screen answers before treatment, on ``on`` (default: the clinic's today); a date
    is sent as ``YYYY-MM-DD``."""
    protocol = protocol_for(request, asked.procedure)
    on = payload.on or today_for(request)
    answers = screening_answers(protocol, payload.answers)
    return screening_json(protocol, screen(protocol, answers, on))


class CoursePlanQuery(Schema):
    first: Day
    sessions: int | None = Field(default=None, ge=0, le=100)


@router.get("course/plan", response=responses({200: CoursePlanOut}, *ERRORS))
def get_course_plan(
    request: HttpRequest, query: Query[CoursePlanQuery], asked: Query[ProcedureQuery]
) -> dict[str, object]:
    """Windows for each session of a course from the first, then maintenance."""
    protocol = protocol_for(request, asked.procedure)
    sessions = query.sessions if query.sessions is not None else protocol.course.default_sessions
    return course_json(plan_course(protocol, query.first, sessions))


class CourseCheckQuery(Schema):
    previous: Day
    proposed: Day


@router.get("course/check", response=responses({200: CourseCheckOut}, *ERRORS))
def get_course_check(
    request: HttpRequest, query: Query[CourseCheckQuery], asked: Query[ProcedureQuery]
) -> dict[str, object]:
    """Whether a proposed session date keeps the gap after the previous one."""
    return course_json(
        check_session(protocol_for(request, asked.procedure), query.previous, query.proposed)
    )


class MaintenanceQuery(Schema):
    completed: Day


@router.get("course/maintenance", response=responses({200: MaintenanceOut}, *ERRORS))
def get_maintenance(
    request: HttpRequest, query: Query[MaintenanceQuery], asked: Query[ProcedureQuery]
) -> dict[str, object]:
    """When maintenance is due after a course completed on ``completed``."""
    return course_json(maintenance_window(protocol_for(request, asked.procedure), query.completed))
