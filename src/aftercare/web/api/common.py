"""What the API's routes share: the protocol in force, the clock, and input checks."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import DEFAULT_ZONE, hours_between, zone
from aftercare.engine.red_flags import visible_words
from aftercare.engine.screening import Answer
from aftercare.engine.triage import Trend
from aftercare.protocols.registry import installed_protocols
from aftercare.protocols.schema import Protocol
from aftercare.web import clock
from aftercare.web.actor import Actor
from aftercare.web.api.auth import calling_clinic
from aftercare.web.api.record_schemas import CheckInIn
from aftercare.web.care.current import Care
from aftercare.web.care.records import record_check_in
from aftercare.web.clinic.models import CheckIn, Clinic, Treatment
from aftercare.web.protocol import (
    DEFAULT_PROTOCOL,
    base_protocol,
    clinic_protocol,
    default_procedure,
    enabled_procedures,
    latest_course,
    procedure_courses,
)

__all__ = [
    "asked_course",
    "elapsed_hours",
    "idempotency_key",
    "invalid",
    "only_known",
    "procedure_protocol",
    "protocol_for",
    "require_symptoms_or_words",
    "screening_answers",
    "today_for",
    "zone_for",
]

DATE_KINDS = frozenset({"date", "date_or_current"})


def protocol_for(request: HttpRequest, procedure: str | None = None) -> Protocol:
    """The protocol of ``procedure`` in force for the caller: the calling clinic's effective
    one (by default its default procedure), or the packaged one for nobody (by default the
    default procedure). A procedure the clinic does not perform, or that no protocol
    describes, is a 422 on ``query.procedure`` naming those there are."""
    clinic = calling_clinic(request)
    if clinic is not None:
        return procedure_protocol(clinic, procedure or default_procedure(clinic), "query.procedure")
    asked = procedure or DEFAULT_PROTOCOL
    packaged = installed_protocols().ids
    if asked not in packaged:
        message = f"there is no procedure '{asked}'; there are: {', '.join(packaged)}"
        raise invalid("query.procedure", message)
    return base_protocol(asked)


def zone_for(request: HttpRequest, asked: str | None) -> ZoneInfo:
    """The zone times are shown in: the one asked for, else the calling clinic's (the UK's
    for an anonymous caller). An unknown zone is a 422 naming ``query.time_zone``."""
    clinic = calling_clinic(request)
    name = asked or (clinic.time_zone if clinic else DEFAULT_ZONE)
    try:
        return zone(name)
    except InputError as error:
        raise invalid("query.time_zone", str(error)) from None


def only_known(request: HttpRequest, *schemas: type[BaseModel]) -> None:
    """Refuse query parameters the route does not take: a mistyped filter would otherwise
    be ignored and the whole list returned as if it had been applied."""
    known = {name for schema in schemas for name in schema.model_fields}
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise invalid(
            f"query.{unknown[0]}",
            f"is not a parameter of this list; it takes {', '.join(sorted(known))}",
        )


def today_for(request: HttpRequest) -> date:
    """Today on the calling clinic's calendar (the UK's for an anonymous caller)."""
    clinic = calling_clinic(request)
    return clock.now().astimezone(zone(clinic.time_zone if clinic else DEFAULT_ZONE)).date()


def procedure_protocol(clinic: Clinic, procedure: str, field: str = "body.procedure") -> Protocol:
    """The clinic's protocol for ``procedure``; a 422 on ``field`` listing the procedures
    the clinic performs when it does not perform that one."""
    enabled = enabled_procedures(clinic)
    if procedure not in enabled:
        performed = ", ".join(enabled)
        message = f"the clinic does not perform '{procedure}'; it performs: {performed}"
        raise invalid(field, message)
    return clinic_protocol(clinic, procedure)


def asked_course(
    clinic: Clinic, treatments: Sequence[Treatment], asked: str | None, whose: str
) -> tuple[Protocol, list[Treatment]]:
    """The protocol and sessions of the course of ``asked``, by default that of the
    latest treatment's procedure (the default procedure's, not started, when none). A
    procedure no protocol describes is a 422 on ``query.procedure``; one ``whose``
    ("This patient has") treatments do not include is a 404: a clinic that stopped
    performing a procedure still shows the courses of it under way."""
    if asked is None:
        procedure, course = latest_course(treatments)
        return clinic_protocol(clinic, procedure), course
    known = installed_protocols().ids
    if asked not in known:
        message = f"there is no procedure '{asked}'; there are: {', '.join(known)}"
        raise invalid("query.procedure", message)
    courses = dict(procedure_courses(treatments))
    if asked not in courses:
        raise HttpError(404, f"{whose} no treatments of {asked}.")
    return clinic_protocol(clinic, asked), courses[asked]


def invalid(field: str, message: str) -> ValidationError:
    """A 422 naming ``field`` (``"query.at"``, ``"body.treated_at"``)."""
    source, _, name = field.partition(".")
    return ValidationError([{"loc": (source, "_", *name.split(".")), "msg": message}])


_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")


def check_in_from(request: HttpRequest, care: Care, payload: CheckInIn) -> CheckIn:
    """Record the check-in ``payload`` describes, at ``care.at``, under the request's
    ``Idempotency-Key``."""
    trend = Trend(payload.trend) if payload.trend is not None else None
    return record_check_in(
        Actor.of(request),
        care,
        payload.names(),
        trend,
        payload.free_text,
        idempotency_key(request),
        severities=payload.severities(),
    )


def idempotency_key(request: HttpRequest) -> str:
    """The request's ``Idempotency-Key`` header ("" when there is none): a retry that
    carries the same key gets the first answer instead of doing the work again."""
    key = request.headers.get("Idempotency-Key", "")
    if key and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise invalid(
            "header.Idempotency-Key",
            "An Idempotency-Key is 1 to 100 letters, digits or punctuation, without spaces.",
        )
    return key


def elapsed_hours(
    source: str,
    hours_after: float | None,
    treated_at: datetime | None,
    at: datetime | None,
) -> tuple[float, datetime | None]:
    """Hours since treatment from ``hours_after``, or from ``treated_at`` and ``at``."""
    if hours_after is not None:
        if treated_at is not None:
            raise invalid(f"{source}.treated_at", "give hours_after or treated_at, not both")
        return hours_after, None
    if treated_at is None:
        raise invalid(f"{source}.hours_after", "give hours_after, or treated_at (and at)")
    moment = at if at is not None else clock.now()
    if moment < treated_at:
        raise invalid(f"{source}.at", "is before treated_at")
    return hours_between(treated_at, moment), treated_at


def screening_answers(protocol: Protocol, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """The answers as the engine takes them: JSON has no dates, so an ISO date sent for a
    question that asks for one becomes a date. Anything else goes to the engine as it
    came, and the engine says what is wrong with it."""
    questions = protocol.index.questions
    return {
        question_id: _as_date(answer)
        if question_id in questions and questions[question_id].kind in DATE_KINDS
        else answer
        for question_id, answer in answers.items()
    }


def _as_date(answer: Answer) -> Answer:
    if isinstance(answer, str):
        try:
            return date.fromisoformat(answer.strip())
        except ValueError:
            return answer
    return answer


def require_symptoms_or_words(symptoms: Sequence[object], words: str, words_field: str) -> None:
    """A check-in or triage needs a symptom or some words: a 422 naming both fields."""
    if not symptoms and not visible_words(words):
        message = f"name at least one symptom, or write what the patient notices in {words_field}"
        raise ValidationError(
            [
                {"loc": ("body", "_", "symptoms"), "msg": message},
                {"loc": ("body", "_", words_field), "msg": message},
            ]
        )
