"""Symptoms, how long each counts as expected, and the triage levels and advice."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Cited, Hours, Id, Strict, Text

__all__ = [
    "ExpectedWindow",
    "FreeText",
    "Level",
    "LevelField",
    "Symptom",
    "SymptomReasons",
    "Triage",
]


class Level(StrEnum):
    """Triage levels, in rising order of urgency."""

    EXPECTED = "expected"
    CONTACT_CLINIC = "contact_clinic"
    CONTACT_CLINIC_NOW = "contact_clinic_now"
    CALL_999 = "call_999"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def is_urgent(self) -> bool:
        """Contact the clinic now, or more urgent: the answer is shown on its own, first."""
        return self.rank >= _LEVEL_RANK[Level.CONTACT_CLINIC_NOW]


_LEVEL_RANK = {
    Level.EXPECTED: 0,
    Level.CONTACT_CLINIC: 1,
    Level.CONTACT_CLINIC_NOW: 2,
    Level.CALL_999: 3,
}


LevelField = Annotated[Level, Field(strict=False)]


class ExpectedWindow(Strict):
    """How long a symptom counts as expected, and which factors widen it.

    ``area_limits`` gives, for a treated area, the longest a leaflet states the symptom lasts
    there: the protocol's policy is that no widening factor extends the window beyond it.
    """

    hours: Hours
    widened_hours: Hours | None = None
    widened_by: tuple[Id, ...] = ()
    area_limits: dict[Id, Hours] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _widening_is_complete(self) -> ExpectedWindow:
        if (self.widened_hours is None) != (not self.widened_by):
            raise ValueError("widened_hours and widened_by go together")
        if self.widened_hours is not None and self.widened_hours < self.hours:
            raise ValueError("widened_hours cannot be shorter than hours")
        for area, hours in self.area_limits.items():
            if hours < self.hours:
                raise ValueError(f"the limit for '{area}' cannot be shorter than hours")
        return self


class SymptomReasons(Strict):
    expected: Text | None = None
    beyond: Text
    worsening: Text | None = None
    severe: Text | None = None


Phrase = Annotated[str, Field(min_length=3, max_length=60, pattern=r"^[^\W_]")]


class Symptom(Cited):
    id: Id
    label: Text
    aliases: tuple[Annotated[str, Field(min_length=2, max_length=60)], ...] = ()
    # Words in a patient's free text that report this symptom ("oozing", "can't breathe");
    # see aftercare.engine.red_flags for how they are matched.
    phrases: tuple[Phrase, ...] = ()
    red_flag: bool = False
    expected: ExpectedWindow | None = None
    level: LevelField
    if_worsening: LevelField | None = None
    if_severe: LevelField | None = None
    reasons: SymptomReasons
    advice: Text | None = None

    @model_validator(mode="after")
    def _red_flags_are_never_expected(self) -> Symptom:
        if self.level is Level.EXPECTED:
            raise ValueError(
                "'level' is the level outside the expected window; it cannot be 'expected'"
            )
        if self.red_flag and self.expected is not None:
            raise ValueError("a red flag has no expected window")
        if not self.red_flag and (self.expected is None or self.reasons.expected is None):
            raise ValueError(
                "a symptom that is not a red flag needs 'expected' and reasons.expected"
            )
        return self


class FreeText(Strict):
    """What free text that matches no symptom's phrases gets: a person reads it."""

    level: LevelField
    label: Text
    reason: Text

    @model_validator(mode="after")
    def _someone_reads_it(self) -> FreeText:
        if self.level is Level.EXPECTED:
            raise ValueError("free text that matches nothing is read by a person; not 'expected'")
        return self


class Triage(Cited):
    advice: dict[LevelField, Text]
    # Told with an urgent answer when no on-call contact of the clinic covers the moment.
    out_of_hours: Text | None = None
    free_text: FreeText

    @model_validator(mode="after")
    def _advice_for_every_level(self) -> Triage:
        missing = set(Level) - set(self.advice)
        if missing:
            raise ValueError(f"advice is missing for {sorted(missing)}")
        return self
