"""The terms the rules speak of: treated areas, activities, skin states, requirements and
the patient factors (modifiers) that change what counts as expected."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Cited, Id, Strict, Text

__all__ = ["Activity", "Area", "Modifier", "Requirement", "SkinState"]


class Area(Strict):
    id: Id
    label: Text
    aliases: tuple[str, ...] = ()


class Activity(Strict):
    id: Id
    label: Text
    aliases: tuple[Annotated[str, Field(min_length=2, max_length=60)], ...] = ()


class SkinState(Strict):
    """A state of the skin that gates an item, e.g. 'redness_resolved'."""

    id: Id
    blocking: Id
    text: Text
    blocking_text: Text


class Requirement(Strict):
    id: Id
    text: Text


class Modifier(Cited):
    """A patient factor that changes what counts as expected (C11, C12)."""

    id: Id
    label: Text
    area: Id | None = None
    flag: (
        Literal["sensitive_skin", "platelet_medication", "anticoagulant", "cold_sore_history"]
        | None
    ) = None
    age_at_least: Annotated[int, Field(ge=0, le=130)] | None = None
    needle_depth_over_mm: Annotated[float, Field(ge=0, le=5)] | None = None
    fitzpatrick_at_least: Annotated[int, Field(ge=1, le=6)] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Modifier:
        tests = (
            self.area,
            self.flag,
            self.age_at_least,
            self.needle_depth_over_mm,
            self.fitzpatrick_at_least,
        )
        if sum(test is not None for test in tests) != 1:
            raise ValueError("a modifier tests exactly one factor")
        return self
