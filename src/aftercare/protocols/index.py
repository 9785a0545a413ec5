"""Lookups over a loaded protocol: ids to items, and what people type to ids.

The index reads a protocol's sections, and the protocol builds its own index
(``protocol.index``), so the index names the sections it reads (:class:`Sections`) rather
than the whole protocol model.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING
from typing import Protocol as Structure

from aftercare.protocols.vocabulary import Vocabulary

if TYPE_CHECKING:
    from aftercare.protocols.schema.asking import Asking
    from aftercare.protocols.schema.base import Leaflet
    from aftercare.protocols.schema.rules import ActivityRule
    from aftercare.protocols.schema.screening import Screening
    from aftercare.protocols.schema.symptoms import Symptom
    from aftercare.protocols.schema.terms import Activity, Area, Requirement, SkinState

__all__ = ["ProtocolIndex", "Sections", "normalise_name"]


class Sections(Structure):
    """The sections of a protocol the index reads."""

    @property
    def leaflets(self) -> tuple[Leaflet, ...]: ...
    @property
    def areas(self) -> tuple[Area, ...]: ...
    @property
    def skin_states(self) -> tuple[SkinState, ...]: ...
    @property
    def requirements(self) -> tuple[Requirement, ...]: ...
    @property
    def activities(self) -> tuple[Activity, ...]: ...
    @property
    def aftercare(self) -> tuple[ActivityRule, ...]: ...
    @property
    def symptoms(self) -> tuple[Symptom, ...]: ...
    @property
    def screening(self) -> Screening: ...
    @property
    def asking(self) -> Asking | None: ...


class ProtocolIndex:
    """Dictionaries over a protocol; built once, read by the engine."""

    def __init__(self, protocol: Sections) -> None:
        self._protocol = protocol
        self.activities = {activity.id: activity for activity in protocol.activities}
        self.activity_rules = {
            activity: rule for rule in protocol.aftercare for activity in rule.activities
        }
        self.activity_names = _names(
            (activity.id, activity.label, activity.aliases) for activity in protocol.activities
        )
        self.symptoms = {symptom.id: symptom for symptom in protocol.symptoms}
        self.symptom_names = _names(
            (symptom.id, symptom.label, symptom.aliases) for symptom in protocol.symptoms
        )
        self.areas = {area.id: area for area in protocol.areas}
        self.area_names = _names((area.id, area.label, area.aliases) for area in protocol.areas)
        self.skin_states = {state.id: state for state in protocol.skin_states}
        self.requirements = {requirement.id: requirement for requirement in protocol.requirements}
        self.questions = {question.id: question for question in protocol.screening.questions}
        self.cautions = {caution.id: caution for caution in protocol.screening.cautions}
        self.rechecks = {recheck.id: recheck for recheck in protocol.screening.rechecks}
        self.leaflets = {leaflet.file: leaflet for leaflet in protocol.leaflets}
        self.topics = {t.id: t for t in protocol.asking.topics} if protocol.asking else {}

    @cached_property
    def vocabulary(self) -> Vocabulary | None:
        """The folded names free-text questions are read with; None without ``asking``."""
        protocol = self._protocol
        if protocol.asking is None:
            return None
        return Vocabulary(protocol.activities, protocol.symptoms, protocol.asking)


def normalise_name(text: str) -> str:
    """Fold what people type into a lookup key: case, spacing, hyphens and apostrophes."""
    folded = (
        text.casefold().replace("-", " ").replace("_", " ").replace("'", "").replace("\u2019", "")
    )
    return " ".join(folded.split())


def _names(entries: Iterable[tuple[str, str, tuple[str, ...]]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for entry_id, label, aliases in entries:
        for name in (entry_id, label, *aliases):
            names.setdefault(normalise_name(name), entry_id)
    return names
