"""Aftercare rules (what to avoid, what to do, and from when) and the timeline's columns."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Cited, Hours, Id, RuleId, Strict, Text

__all__ = ["ActivityRule", "RuleKind", "RuleKindField", "TimelineGroup"]


class RuleKind(StrEnum):
    AVOID = "avoid"
    DO = "do"
    ALLOWED_FROM = "allowed_from"
    # Never advised, with no end: no plan, answer or calendar may ever show it as allowed.
    NEVER = "never"


RuleKindField = Annotated[RuleKind, Field(strict=False)]


class ActivityRule(Cited):
    """An aftercare rule: what to avoid, what to do, and from when."""

    id: RuleId
    kind: RuleKindField
    activities: Annotated[tuple[Id, ...], Field(min_length=1)]
    allowed_from_hours: Hours = 0
    required_until_hours: Hours | None = None
    gate: Id | None = None
    requirements: tuple[Id, ...] = ()
    min_spf: Annotated[int, Field(ge=15, le=100)] | None = None
    text: Text
    # A 'do' rule that goes on as a habit after its window: what to keep doing then.
    then_text: Text | None = None
    reason: Text

    @model_validator(mode="after")
    def _window_fits_kind(self) -> ActivityRule:
        if self.kind is RuleKind.DO:
            if self.required_until_hours is None:
                raise ValueError("a 'do' rule needs required_until_hours")
            if self.required_until_hours <= self.allowed_from_hours:
                raise ValueError("required_until_hours must come after allowed_from_hours")
        elif self.required_until_hours is not None or self.min_spf is not None:
            raise ValueError("only a 'do' rule has required_until_hours or min_spf")
        if self.then_text is not None and self.kind is not RuleKind.DO:
            raise ValueError("only a 'do' rule has then_text")
        if self.kind is RuleKind.NEVER and (self.allowed_from_hours or self.gate):
            raise ValueError("a 'never' rule has no allowed_from_hours and no gate: it never ends")
        return self

    @property
    def is_never(self) -> bool:
        return self.kind is RuleKind.NEVER


class TimelineGroup(Strict):
    """A column of the timeline as patients think of it (S000's table headings)."""

    id: Id
    label: Text
    until_hours: Hours | None = None
    until_local_day: Annotated[int, Field(ge=0, le=30)] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> TimelineGroup:
        if (self.until_hours is None) == (self.until_local_day is None):
            raise ValueError("a group ends after until_hours or at the end of until_local_day")
        return self
