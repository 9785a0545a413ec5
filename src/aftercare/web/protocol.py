"""The effective protocol of a clinic's procedure: the packaged protocol, the clinic's
overlay on it, its settings.

A clinic enables procedures (``ClinicProcedure`` rows, one per packaged protocol, each with
its own overlay); a treatment or screening follows the procedure it was recorded for, whose
base id is the first part of its stored effective id. Loading and checking a protocol takes
a quarter of a second, so each distinct protocol, overlay and setting is built once per
process and shared; protocols are immutable, so sharing is safe. The clinic's "age counted
as older" setting becomes one more overlay change on the protocol's older-patient modifier,
when the protocol has one, so it is recorded and versioned like any other change.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.db.models import Q
from pydantic import ValidationError

from aftercare.protocols.load import (
    DEFAULT_PROTOCOL,
    MAX_OVERLAY_BYTES,
    ProtocolError,
    ProtocolIssue,
    load_protocol,
    parse_yaml,
    to_plain,
    validation_issues,
)
from aftercare.protocols.overlay import Overlay, apply_overlay
from aftercare.protocols.registry import installed_protocols
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import Clinic, ClinicProcedure, Patient, Screening, Treatment

__all__ = [
    "DEFAULT_PROTOCOL",
    "OLDER_MODIFIER",
    "aftercare_horizon_hours",
    "base_id",
    "base_protocol",
    "clinic_overlay",
    "clinic_procedures",
    "clinic_protocol",
    "course_procedures",
    "default_procedure",
    "effective_protocol",
    "enabled_procedures",
    "forget_procedures",
    "latest_course",
    "overlay_source",
    "performed_procedure",
    "procedure_courses",
    "record_protocol",
    "same_procedure",
    "screened_procedure",
    "treatment_protocol",
    "uninstalled_procedures",
]

_CACHE = "_aftercare_procedures"
# The protocol modifier the clinic's age setting moves.
OLDER_MODIFIER = "older_patient"
SETTINGS_REASON = "The clinic's setting for the age from which a patient counts as older."


def base_protocol(protocol_id: str = DEFAULT_PROTOCOL) -> Protocol:
    """The packaged protocol ``protocol_id``; UnknownProtocolError if there is none."""
    return _packaged(protocol_id)


@lru_cache(maxsize=8)
def _packaged(protocol_id: str) -> Protocol:
    if protocol_id == DEFAULT_PROTOCOL:
        return load_protocol()
    return installed_protocols().load(protocol_id)


@lru_cache(maxsize=64)
def effective_protocol(
    overlay_yaml: str,
    older_age_years: int,
    source: str,
    protocol_id: str = DEFAULT_PROTOCOL,
) -> Protocol:
    """The protocol ``protocol_id`` with ``overlay_yaml`` and the age setting (which moves
    only a protocol with an older-patient modifier); ProtocolError if invalid."""
    base = base_protocol(protocol_id)
    node = parse_yaml(overlay_yaml, source, MAX_OVERLAY_BYTES) if overlay_yaml.strip() else None
    if node is not None and not isinstance(node, dict):
        raise ProtocolError(source, [ProtocolIssue("", "an overlay file is a YAML mapping", 1)])
    document = to_plain(node) if node is not None else None
    standard_age = _older_age(base)
    if standard_age is not None and older_age_years != standard_age:
        document = document or {
            "id": "clinic-settings",
            "protocol": base.id,
            "title": "Clinic settings",
            "changes": (),
        }
        document["changes"] = (
            *document.get("changes", ()),
            {
                "item": OLDER_MODIFIER,
                "set": {"at_least": older_age_years},
                "reason": SETTINGS_REASON,
            },
        )
    if document is None:
        return base
    try:
        overlay = Overlay.model_validate(document)
    except ValidationError as error:
        raise ProtocolError(source, validation_issues(error, node)) from None
    return apply_overlay(base, overlay, source=source, node=node)


def clinic_procedures(clinic: Clinic) -> dict[str, ClinicProcedure]:
    """The clinic's procedure rows by protocol id, enabled or not: read once for each
    clinic object (a page reads its clinic afresh), dropped by ``forget_procedures``."""
    rows: dict[str, ClinicProcedure] | None = getattr(clinic, _CACHE, None)
    if rows is None:
        rows = {row.protocol_id: row for row in ClinicProcedure.objects.filter(clinic=clinic)}
        setattr(clinic, _CACHE, rows)
    return rows


def forget_procedures(clinic: Clinic) -> None:
    """Read the clinic's procedures afresh next time (after one is saved)."""
    if hasattr(clinic, _CACHE):
        delattr(clinic, _CACHE)


def enabled_procedures(clinic: Clinic) -> tuple[str, ...]:
    """The ids of the procedures the clinic performs, in id order; a clinic with no
    procedure rows performs the default one, as every clinic did before procedures."""
    rows = clinic_procedures(clinic)
    if not rows:
        return (DEFAULT_PROTOCOL,)
    return tuple(sorted(pid for pid, row in rows.items() if row.enabled))


def uninstalled_procedures() -> dict[str, list[str]]:
    """The procedures clinics have settings (and so records) for whose protocol is not
    installed, each with those clinics' slugs: a file taken out of the protocols directory
    would leave their records without the protocol their plans are read from."""
    installed = set(installed_protocols().ids)
    missing: dict[str, list[str]] = {}
    rows = ClinicProcedure.objects.exclude(protocol_id__in=installed).order_by(
        "protocol_id", "clinic__slug"
    )
    for protocol_id, slug in rows.values_list("protocol_id", "clinic__slug"):
        missing.setdefault(protocol_id, []).append(slug)
    return missing


def default_procedure(clinic: Clinic) -> str:
    """The procedure a form or route takes when none is named: the default one when the
    clinic performs it (as every clinic did before procedures), else its first."""
    enabled = enabled_procedures(clinic)
    return DEFAULT_PROTOCOL if DEFAULT_PROTOCOL in enabled or not enabled else enabled[0]


def course_procedures(clinic: Clinic) -> tuple[str, ...]:
    """The procedures the clinic performs, the default one first: the courses a
    patient's form plans, in the order it asks."""
    default = default_procedure(clinic)
    return (default, *(pid for pid in enabled_procedures(clinic) if pid != default))


def performed_procedure(clinic: Clinic, asked: str) -> str:
    """``asked`` when the clinic performs it, its default procedure when ``asked`` is "";
    a ValueError naming the procedures it performs otherwise."""
    if not asked:
        return default_procedure(clinic)
    enabled = enabled_procedures(clinic)
    if asked not in enabled:
        message = f"The clinic does not perform '{asked[:100]}'; it performs: {', '.join(enabled)}."
        raise ValueError(message)
    return asked


def screened_procedure(patient: Patient) -> str:
    """The procedure a patient with no treatment yet is preparing for: that of their latest
    screening, else the clinic's default one."""
    screening = Screening.objects.filter(patient=patient).order_by("-screened_at", "-pk").first()
    return base_id(screening.protocol_id) if screening else default_procedure(patient.clinic)


def clinic_overlay(clinic: Clinic, protocol_id: str = DEFAULT_PROTOCOL) -> str:
    """The clinic's overlay text on ``protocol_id`` ("" for none)."""
    row = clinic_procedures(clinic).get(protocol_id)
    return row.overlay_yaml if row is not None else ""


def clinic_protocol(clinic: Clinic, protocol_id: str = DEFAULT_PROTOCOL) -> Protocol:
    """The protocol ``clinic`` works to for ``protocol_id`` (its overlay was checked when it
    was saved)."""
    return effective_protocol(
        clinic_overlay(clinic, protocol_id),
        clinic.older_age_years,
        overlay_source(clinic, protocol_id),
        protocol_id,
    )


def overlay_source(clinic: Clinic, protocol_id: str) -> str:
    """How errors name the clinic's overlay on ``protocol_id``."""
    if protocol_id == DEFAULT_PROTOCOL:
        return f"{clinic.slug} overlay"
    return f"{clinic.slug} {protocol_id} overlay"


def base_id(effective_id: str) -> str:
    """The packaged protocol's id within a stored effective id (``microneedling+spf``)."""
    return effective_id.split("+", 1)[0] or DEFAULT_PROTOCOL


def same_procedure(protocol_id: str) -> Q:
    """Treatments (or screenings) of the procedure of ``protocol_id`` (a base or an
    effective id), whatever overlay they were recorded under: a course counts these."""
    base = base_id(protocol_id)
    return Q(protocol_id=base) | Q(protocol_id__startswith=f"{base}+")


def procedure_courses(treatments: Iterable[Treatment]) -> list[tuple[str, list[Treatment]]]:
    """Each procedure of ``treatments`` not cancelled, with those of it (in the order
    given), the procedure of the latest treatment first: the courses a patient is on,
    one per procedure, each counting only its own sessions."""
    courses: dict[str, list[Treatment]] = {}
    for treatment in treatments:
        if treatment.cancelled_at is None:
            courses.setdefault(base_id(treatment.protocol_id), []).append(treatment)
    return sorted(
        courses.items(),
        key=lambda course: max((t.treated_at, t.pk) for t in course[1]),
        reverse=True,
    )


def latest_course(treatments: Iterable[Treatment]) -> tuple[str, list[Treatment]]:
    """The procedure of the latest of ``treatments`` not cancelled, and those of them of
    that procedure: the course a patient is on (the default procedure when none)."""
    courses = procedure_courses(treatments)
    return courses[0] if courses else (DEFAULT_PROTOCOL, [])


def record_protocol(record: Treatment | Screening, clinic: Clinic | None = None) -> Protocol:
    """The clinic's protocol for the procedure ``record`` was made for."""
    return clinic_protocol(clinic or record.patient.clinic, base_id(record.protocol_id))


def treatment_protocol(treatment: Treatment) -> Protocol:
    """The clinic's protocol for ``treatment``'s procedure: what its plan follows."""
    return record_protocol(treatment)


def _older_age(protocol: Protocol) -> int | None:
    for modifier in protocol.modifiers:
        if modifier.id == OLDER_MODIFIER:
            # The age is a whole number (factor_references checks the threshold is one).
            return int(modifier.at_least) if modifier.at_least is not None else None
    return None


def aftercare_horizon_hours(protocol: Protocol) -> int:
    """How long after a treatment a patient is in aftercare: the protocol's declared horizon,
    or its last rule or timeline group if an overlay moved one past it."""
    rules = (max(r.allowed_from_hours, r.required_until_hours or 0) for r in protocol.aftercare)
    groups = (g.until_hours or 0 for g in protocol.timeline_groups)
    return max(protocol.horizon_hours, *rules, *groups)
