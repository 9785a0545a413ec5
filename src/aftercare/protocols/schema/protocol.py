"""The protocol as a whole, and the record of a clinic overlay applied to it."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field

from aftercare.protocols.index import ProtocolIndex
from aftercare.protocols.phrasebook import Language
from aftercare.protocols.schema.asking import Asking
from aftercare.protocols.schema.base import Hours, Id, Leaflet, Strict, Text
from aftercare.protocols.schema.course import Conflict, Course, Information
from aftercare.protocols.schema.factors import AGE, AGE_ID, Factor
from aftercare.protocols.schema.reminders import ReminderItem
from aftercare.protocols.schema.rules import ActivityRule, TimelineGroup
from aftercare.protocols.schema.screening import Screening
from aftercare.protocols.schema.symptoms import Symptom, Triage
from aftercare.protocols.schema.terms import Activity, Area, Modifier, Requirement, SkinState
from aftercare.protocols.version import content_version

__all__ = ["AppliedChange", "OverlayRecord", "Protocol", "ProtocolId"]

OverlayId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
# A protocol's id is also its file's name ("chemical-peel.yaml"), so it may hold hyphens.
ProtocolId = OverlayId


class AppliedChange(Strict):
    """One field a clinic overlay set, which way it moved the protocol, and why."""

    item: Text
    field: Text
    old: bool | int | float | str | None
    new: bool | int | float | str | None
    effect: Literal["tightens", "relaxes", "same"]
    reason: Text | None = None


class OverlayRecord(Strict):
    """The clinic overlay behind an effective protocol (DESIGN §3)."""

    id: OverlayId
    title: Text
    changes: tuple[AppliedChange, ...]


class Protocol(Strict):
    id: ProtocolId
    title: Text
    # The procedure's name as staff pages, leaflets and FHIR records give it.
    procedure: Text
    # The interface phrases' language: one with a table in protocols/phrases/.
    language: Language
    # Who signed the whole protocol off for use with patients (name, role, date); None
    # while it needs clinical sign-off.
    signed_off_by: Text | None = None
    horizon_hours: Hours
    # The seed leaflets, cited by file name; a protocol written from other sources (public
    # clinic pages, cited as literature with their address) may list none.
    leaflets: tuple[Leaflet, ...]
    areas: Annotated[tuple[Area, ...], Field(min_length=1)]
    default_area: Id
    skin_states: tuple[SkinState, ...]
    requirements: tuple[Requirement, ...]
    # What the practitioner records with a treatment, and the modifiers test; the
    # patient's age is built in (:data:`AGE`).
    factors: tuple[Factor, ...] = ()
    modifiers: tuple[Modifier, ...]
    activities: Annotated[tuple[Activity, ...], Field(min_length=1)]
    aftercare: Annotated[tuple[ActivityRule, ...], Field(min_length=1)]
    timeline_groups: Annotated[tuple[TimelineGroup, ...], Field(min_length=1)]
    symptoms: Annotated[tuple[Symptom, ...], Field(min_length=1)]
    triage: Triage
    screening: Screening
    course: Course
    information: tuple[Information, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    reminders: tuple[ReminderItem, ...] = ()
    asking: Asking | None = None
    overlay: OverlayRecord | None = None

    @cached_property
    def index(self) -> ProtocolIndex:
        """Lookups the engine needs, built once per loaded protocol."""
        return ProtocolIndex(self)

    @cached_property
    def factor_index(self) -> dict[str, Factor]:
        """The factors by id, the built-in age first; a protocol cannot redefine age
        (:mod:`aftercare.protocols.references` refuses it)."""
        return {AGE_ID: AGE} | {factor.id: factor for factor in self.factors}

    @property
    def recorded_factors(self) -> tuple[Factor, ...]:
        """The factors recorded with a treatment: the protocol's own, not the computed age."""
        return tuple(factor for factor in self.factors if factor.id != AGE_ID)

    @cached_property
    def version(self) -> str:
        """A hash of the content, overlay included: any change gives a new version."""
        data = self.model_dump(mode="json")
        if data["signed_off_by"] is None:
            # A protocol not signed off hashes as it did before sign-off was recorded, so
            # the versions stored with earlier plans still name it.
            del data["signed_off_by"]
        # The procedure's name labels it and is no rule: versions stored before protocols
        # named their procedure still name the same protocol.
        del data["procedure"]
        return content_version(data)

    @cached_property
    def effective_id(self) -> str:
        """The protocol's id, joined with the clinic overlay's when one is applied."""
        return self.id if self.overlay is None else f"{self.id}+{self.overlay.id}"
