"""The course of sessions, general information for patients, and the conflicts between
sources with how each was settled."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Cited, RuleId, Strict, Text

__all__ = ["Conflict", "ConflictStatement", "Course", "Information"]


class Course(Cited):
    min_sessions: Annotated[int, Field(ge=1, le=20)]
    max_sessions: Annotated[int, Field(ge=1, le=20)]
    default_sessions: Annotated[int, Field(ge=1, le=20)]
    # The fewest sessions a patient's course may be planned with (up to max_sessions); a
    # course may still end sooner, but is not planned shorter.
    planned_min_sessions: Annotated[int, Field(ge=1, le=20)] | None = None
    min_gap_days: Annotated[int, Field(ge=1, le=365)]
    max_gap_days: Annotated[int, Field(ge=1, le=365)]
    maintenance_min_months: Annotated[int, Field(ge=1, le=60)]
    maintenance_max_months: Annotated[int, Field(ge=1, le=60)]
    text: Text

    @model_validator(mode="after")
    def _ranges(self) -> Course:
        if not self.min_sessions <= self.default_sessions <= self.max_sessions:
            raise ValueError("default_sessions must lie between min_sessions and max_sessions")
        fewest = self.planned_min_sessions
        if fewest is not None and not self.min_sessions <= fewest <= self.default_sessions:
            raise ValueError(
                "planned_min_sessions must lie between min_sessions and default_sessions"
            )
        if self.min_gap_days > self.max_gap_days:
            raise ValueError("min_gap_days cannot exceed max_gap_days")
        if self.maintenance_min_months > self.maintenance_max_months:
            raise ValueError("maintenance_min_months cannot exceed maintenance_max_months")
        return self

    @property
    def plannable_sessions(self) -> range:
        """The course lengths a patient's course may be planned with."""
        return range(self.planned_min_sessions or self.min_sessions, self.max_sessions + 1)


class Information(Cited):
    id: RuleId
    topic: Literal["results", "procedure", "recovery", "course"]
    text: Text


class ConflictStatement(Strict):
    leaflet: str | None = None
    literature: Text | None = None
    says: Text


class Conflict(Strict):
    id: Annotated[str, Field(pattern=r"^C\d+$")]
    topic: Text
    statements: Annotated[tuple[ConflictStatement, ...], Field(min_length=2)]
    outcome: Text
    rule: Text
