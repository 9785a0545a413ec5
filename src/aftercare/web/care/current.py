"""A patient's treatment as the engine sees it: protocol, local times, hours since, factors.

Every portal page starts from the latest treatment that has taken place and was not
cancelled; times are shown in the zone recorded with that treatment, because that is the
clock the patient lives by.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from aftercare.engine.errors import AftercareError
from aftercare.engine.localtime import hours_between, zone
from aftercare.engine.model import Factors, age_on, check_factors, resolve_areas
from aftercare.protocols.schema import Protocol
from aftercare.web.care.factors import recorded_values
from aftercare.web.clinic.models import Patient, Treatment
from aftercare.web.protocol import aftercare_horizon_hours, record_protocol

__all__ = [
    "Care",
    "care_of",
    "current_care",
    "factors_for",
    "session_until",
    "treatments_of",
]

logger = logging.getLogger(__name__)

MIN_SESSION = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Care:
    """The latest treatment, with its times in the treatment's own zone."""

    patient: Patient
    treatment: Treatment
    protocol: Protocol
    treated_at: datetime
    at: datetime

    @property
    def hours_after(self) -> float:
        return hours_between(self.treated_at, self.at)


def treatments_of(patient: Patient) -> QuerySet[Treatment]:
    return Treatment.objects.filter(patient=patient, cancelled_at__isnull=True)


def current_care(patient: Patient, at: datetime) -> Care | None:
    """The latest non-cancelled treatment that has already happened, or None."""
    treatment = treatments_of(patient).filter(treated_at__lte=at).order_by("-treated_at").first()
    if treatment is None:
        return None
    # The treatment's patient is this one: read through it, the patient, their clinic and
    # its procedures are not read again.
    treatment.patient = patient
    return care_of(patient, treatment, at)


def care_of(patient: Patient, treatment: Treatment, at: datetime) -> Care:
    """``treatment`` of ``patient`` as the engine sees it at ``at``, in the treatment's zone."""
    tz = zone(treatment.time_zone)
    return Care(
        patient=patient,
        treatment=treatment,
        protocol=record_protocol(treatment, patient.clinic),
        treated_at=treatment.treated_at.astimezone(tz),
        at=at.astimezone(tz),
    )


def session_until(patient: Patient, at: datetime) -> datetime:
    """How long a link's session lasts: through the aftercare window and to the next
    session of the course after the latest treatment (by its procedure's protocol), and
    never less than two weeks."""
    latest = treatments_of(patient).order_by("-treated_at").first()
    floor = at + MIN_SESSION
    if latest is None:
        return floor
    protocol = record_protocol(latest, patient.clinic)
    reach = timedelta(days=protocol.course.max_gap_days, hours=aftercare_horizon_hours(protocol))
    return max(floor, latest.treated_at + reach)


def factors_for(care: Care) -> Factors:
    """The patient factors the triage widens windows by, from the treatment record: its
    areas, the patient's age now, and the values of the protocol's factors it keeps."""
    protocol, treatment = care.protocol, care.treatment
    areas = _areas(protocol, treatment.areas)
    values = recorded_values(protocol, treatment.factors)
    try:
        return check_factors(
            protocol,
            Factors(
                areas=areas, age=_age(care.patient.date_of_birth, care.at.date()), values=values
            ),
        )
    except AftercareError:
        logger.warning("treatment %s has factors the engine refuses", treatment.pk)
        return Factors(areas=areas, values=values)


def _areas(protocol: Protocol, names: object) -> frozenset[str]:
    if not isinstance(names, list):
        return frozenset()
    try:
        return resolve_areas(protocol, [str(name) for name in names])
    except AftercareError:
        logger.warning("a treatment names an area the protocol does not know")
        return frozenset()


def _age(born: date | None, on: date) -> int | None:
    return None if born is None else age_on(born, on)
