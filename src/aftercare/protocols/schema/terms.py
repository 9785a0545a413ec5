"""The terms the rules speak of: treated areas, activities, skin states, requirements and
the modifiers that change what counts as expected."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Cited, Id, Strict, Text
from aftercare.protocols.schema.factors import Number

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
    """What switches a change in the expected on: a treated area, or a factor (C11, C12).

    A yes-or-no factor holds when the answer is yes; a number, a whole number or an ordered
    choice holds when its value is ``over`` (more than) or ``at_least`` a threshold.
    Whether the factor exists, and takes a threshold, is checked against the protocol's
    ``factors`` (:mod:`aftercare.protocols.references`).
    """

    id: Id
    label: Text
    area: Id | None = None
    factor: Id | None = None
    over: Number | None = None
    at_least: Number | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Modifier:
        if (self.area is None) == (self.factor is None):
            raise ValueError("a modifier tests exactly one thing: an 'area' or a 'factor'")
        if self.over is not None and self.at_least is not None:
            raise ValueError("a modifier has one threshold: 'over' or 'at_least'")
        if self.area is not None and (self.over, self.at_least) != (None, None):
            raise ValueError("an area modifier has no threshold")
        return self

    @property
    def threshold(self) -> Number | None:
        return self.over if self.over is not None else self.at_least
