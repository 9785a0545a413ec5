"""A patient sent to the API, as the care layer takes it.

The details are checked by the rules the staff form uses (``care.patients``), with the
same messages, each naming the API's field: names trimmed and on one line, an email
address that is one, a mobile number kept in E.164, a message channel with its address
and the patient's consent, and a course length the protocol plans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja.errors import ValidationError

from aftercare.protocols.schema import Protocol
from aftercare.web.care.patients import (
    NOT_A_MOBILE,
    PatientInput,
    birth_problem,
    channel_problems,
    mobile_number,
)
from aftercare.web.clinic.validators import validate_one_line, validate_visible_text

__all__ = ["patient_input"]

REQUIRED = "This field is required."
Validator = Callable[[str], None]


def patient_input(
    values: Mapping[str, Any], today: date, protocols: Mapping[str, Protocol]
) -> PatientInput:
    """``values`` (``PatientIn``'s fields) as the care layer records them; a 422 naming
    each field refused, in the order the staff form finds them. ``protocols``: those of
    the procedures the clinic performs by id, the default one first, which
    ``course_sessions`` plans; ``courses`` plans any of them."""
    errors: dict[str, list[str]] = {}
    given = _text(errors, "given_name", values["given_name"], required=True)
    family = _text(errors, "family_name", values["family_name"], required=True)
    born = values.get("date_of_birth")
    if (problem := birth_problem(born, today)) is not None:
        errors["date_of_birth"] = [problem]
    email = _text(errors, "email", values.get("email") or "", [validate_email])
    mobile = _text(errors, "mobile", values.get("mobile") or "")
    if "mobile" not in errors:
        stored = mobile_number(mobile)
        if stored is None:
            errors["mobile"] = [NOT_A_MOBILE]
        mobile = stored or ""
    channel = str(values.get("preferred_channel") or "")
    if not channel:
        errors["preferred_channel"] = [REQUIRED]
    consent = bool(values.get("consent_to_messages"))
    courses = _courses(errors, values, protocols)
    for field, problem in channel_problems(channel, email, mobile, consent, frozenset(errors)):
        errors.setdefault(field, []).append(problem)
    # The model's own check, as a model form runs it last, on the names it accepted.
    for field, name in (("given_name", given), ("family_name", family)):
        if field not in errors and (found := _refusals(name, [validate_one_line])):
            errors[field] = found
    if errors:
        raise ValidationError(
            [
                {"loc": ("body", "_", *field.split(".", 1)), "msg": message}
                for field, messages in errors.items()
                for message in messages
            ]
        )
    return PatientInput(given, family, born, email, mobile, channel, consent, courses)


def _courses(
    errors: dict[str, list[str]], values: Mapping[str, Any], protocols: Mapping[str, Protocol]
) -> dict[str, int | None]:
    """The courses' lengths sent: ``courses`` by procedure, and ``course_sessions`` for
    the default procedure's (only when sent: a change leaves out what it keeps), each
    among the lengths its own protocol plans, refused under the field it came in."""
    default = next(iter(protocols))
    sent = {
        procedure: (f"courses.{procedure}", sessions)
        for procedure, sessions in (values.get("courses") or {}).items()
    }
    if "course_sessions" in values:
        sessions = values["course_sessions"]
        if default in sent and sent[default][1] != sessions:
            errors["course_sessions"] = [
                f"differs from courses.{default}, the same course; send one of them"
            ]
        sent[default] = ("course_sessions", sessions)
    for procedure, (field, sessions) in sent.items():
        if (problem := _length_problem(protocols, procedure, sessions)) is not None:
            errors.setdefault(field, []).append(problem)
    return {procedure: sessions for procedure, (_, sessions) in sent.items()}


def _length_problem(
    protocols: Mapping[str, Protocol], procedure: str, sessions: int | None
) -> str | None:
    protocol = protocols.get(procedure)
    if protocol is None:
        performed = ", ".join(protocols)
        return f"the clinic does not perform '{procedure}'; it performs: {performed}"
    plannable = protocol.course.plannable_sessions
    if sessions is None or sessions in plannable:
        return None
    choices = ", ".join(map(str, plannable))
    return f"Select a valid choice. {sessions} is not one of the available choices ({choices})."


def _text(
    errors: dict[str, list[str]],
    field: str,
    value: str,
    checks: Sequence[Validator] = (),
    *,
    required: bool = False,
) -> str:
    """``value`` trimmed, as a form field takes text: every check run on it and each
    refusal kept, the visible-text check last."""
    value = value.strip()
    if not value:
        if required:
            errors[field] = [REQUIRED]
        return value
    if messages := _refusals(value, [*checks, validate_visible_text]):
        errors[field] = messages
    return value


def _refusals(value: str, checks: Sequence[Validator]) -> list[str]:
    messages: list[str] = []
    for check in checks:
        try:
            check(value)
        except DjangoValidationError as error:
            messages.extend(error.messages)
    return messages
