"""A treatment sent to the API, as the care layer takes it.

``TreatmentIn`` is checked by the rules the staff form uses (``care.treatments``): the
screening gate and the course answer 409 unless an override reason is sent; anything
else refused is a 422 naming the API's own field. The time is taken to the minute on the
clinic's clock, as the form takes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja.errors import HttpError, ValidationError

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import zone
from aftercare.protocols.schema import Protocol
from aftercare.web.api.factor_fields import NAMED_FACTORS, factor_values
from aftercare.web.api.record_schemas import TreatmentIn
from aftercare.web.care.treatments import (
    MIN_OVERRIDE_LENGTH,
    TreatmentInput,
    course_problem,
    screening_problem,
    treated_at_problem,
    treatment_factors,
)
from aftercare.web.clinic.models import Patient, Screening
from aftercare.web.clinic.validators import validate_time_zone, validate_visible_text

__all__ = ["treatment_input"]

# The free text a treatment keeps, each checked for invisible characters.
TEXTS = ("device", "notes", "override_reason", "course_override_reason")


def treatment_input(
    payload: TreatmentIn,
    patient: Patient,
    protocol: Protocol,
    screening: Screening | None,
    now: datetime,
) -> TreatmentInput:
    """``payload`` as the care layer records it; HttpError 409 or ValidationError (422)."""
    named = {name: getattr(payload, name) for name in NAMED_FACTORS}
    values, problems = factor_values(protocol, named, payload.factors, ("body", "_"))
    if problems:
        # Checked first, as the fields' own types are: a peel sent a needle depth is a 422.
        raise ValidationError([{"loc": loc, "msg": message} for loc, message in problems])
    gate = _gate(payload, patient, screening)
    course = _course(payload, patient, protocol)
    areas = tuple(payload.areas or [protocol.default_area])
    treated_at = payload.treated_at.astimezone(zone(patient.clinic.time_zone))
    treated_at = treated_at.replace(second=0, microsecond=0)
    errors = _field_errors(payload, patient, protocol, areas)
    problem = treated_at_problem(patient, treated_at, now)
    if problem is not None:
        errors.append((("body", "_", "treated_at"), problem))
    if errors:
        raise ValidationError([{"loc": loc, "msg": message} for loc, message in errors])
    try:
        factors = treatment_factors(protocol, patient, treated_at, areas, values)
    except InputError as error:
        raise ValidationError([{"loc": ("body",), "msg": str(error)}]) from None
    return TreatmentInput(
        treated_at=treated_at,
        time_zone=payload.time_zone or patient.clinic.time_zone,
        areas=areas,
        factors=factors,
        device=payload.device,
        notes=payload.notes,
        override_reason=payload.override_reason.strip() if gate else "",
        course_override_reason=payload.course_override_reason.strip() if course else "",
    )


def _gate(payload: TreatmentIn, patient: Patient, screening: Screening | None) -> bool:
    """Whether the override was needed; 409 when it was and no reason says why."""
    problem = screening_problem(screening, patient.clinic, payload.treated_at)
    if problem is not None and len(payload.override_reason.strip()) < MIN_OVERRIDE_LENGTH:
        raise HttpError(
            409,
            f"{problem} Screen the patient first, or send override_reason saying why you "
            f"treated (at least {MIN_OVERRIDE_LENGTH} characters).",
        )
    return problem is not None


def _course(payload: TreatmentIn, patient: Patient, protocol: Protocol) -> bool:
    """Whether the course override was needed; 409 when it was and no reason says why."""
    try:
        tz = zone(payload.time_zone or patient.clinic.time_zone)
    except InputError:
        return False  # a 422 names the unknown zone
    problem = course_problem(protocol, patient, payload.treated_at.astimezone(tz).date())
    if problem is not None and len(payload.course_override_reason.strip()) < MIN_OVERRIDE_LENGTH:
        raise HttpError(
            409,
            f"{problem} Send course_override_reason saying why you treated outside the "
            f"course plan (at least {MIN_OVERRIDE_LENGTH} characters).",
        )
    return problem is not None


def _field_errors(
    payload: TreatmentIn, patient: Patient, protocol: Protocol, areas: tuple[str, ...]
) -> list[tuple[tuple[str, ...], str]]:
    """What is wrong with each field, in the order the fields are sent."""
    errors: list[tuple[tuple[str, ...], str]] = []

    def check(field: str, validate: Callable[[str], None], value: str) -> None:
        try:
            validate(value)
        except DjangoValidationError as error:
            errors.extend((("body", "_", field), message) for message in error.messages)

    check("time_zone", validate_time_zone, payload.time_zone or patient.clinic.time_zone)
    known = {area.id for area in protocol.areas}
    unknown = next((area for area in areas if area not in known), None)
    if unknown is not None:
        # As a choice field words it, which the staff form's areas are.
        message = f"Select a valid choice. {unknown} is not one of the available choices."
        errors.append((("body", "_", "areas"), message))
    for name in TEXTS:
        check(name, validate_visible_text, getattr(payload, name))
    return errors
