"""Exports of one treatment's aftercare: the printable leaflet, the calendar file and FHIR.

Each renders the same engine results from one ``Subject``, which the web app builds from
its records and the command line from its arguments, so wording and dates never drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from aftercare.engine.model import Factors
from aftercare.protocols.schema import Protocol

__all__ = ["ClinicInfo", "Subject"]


@dataclass(frozen=True, slots=True)
class ClinicInfo:
    name: str
    phone: str
    urgent_phone: str
    email: str = ""
    # The clinic's logo as a PNG (b"" for none), embedded in the leaflet's header.
    logo_png: bytes = b""


@dataclass(frozen=True, slots=True)
class Subject:
    """What an export is about: one treatment of one patient at one clinic."""

    protocol: Protocol
    # The end of the treatment: aware, any zone.
    treated_at: datetime
    # The zone the patient lives by (IANA name).
    zone_name: str
    clinic: ClinicInfo
    patient_name: str = ""
    # Stable identifiers, for calendar UIDs and FHIR ids; "" when not stored anywhere.
    patient_id: str = ""
    treatment_id: str = ""
    factors: Factors = field(default_factory=Factors)
    # Local dates of the earlier sessions of the course, oldest first.
    earlier_sessions: tuple[date, ...] = ()
    # The number of sessions chosen for the patient's course; None: the protocol's usual.
    course_sessions: int | None = None
