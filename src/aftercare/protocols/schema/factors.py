"""The factors a protocol's modifiers test: what the practitioner records with a treatment.

A factor is data, not code: its id, its kind (yes or no, a number with a unit, a whole
number, or a choice of labelled options), the bounds an answer must keep to, and the
screening answer that fills it in. Forms, API fields and CLI flags are built from these, so
a new procedure brings its own vocabulary in its YAML.

The patient's age is the one built-in factor (:data:`AGE`): it is computed from the date of
birth on the day of treatment, never typed, and every protocol's modifiers may test it as
``factor: age``. A protocol may not define a factor of its own called ``age``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Id, Strict, Text

__all__ = [
    "AGE",
    "AGE_ID",
    "Factor",
    "FactorKind",
    "FactorOption",
    "FactorValue",
    "Number",
    "OptionValue",
]

# A bound or threshold as the protocol writes it: 0 stays 0 and 5.0 stays 5.0, so
# messages show the number as the protocol has it.
Number = int | float
OptionValue = int | Id
FactorValue = bool | int | float | str


class FactorKind(StrEnum):
    YES_NO = "yes_no"
    NUMBER = "number"
    WHOLE_NUMBER = "whole_number"
    CHOICE = "choice"


class FactorOption(Strict):
    """One answer to a choice factor: its stored value and the label people read."""

    value: OptionValue
    label: Annotated[str, Field(min_length=1, max_length=100)]


class Factor(Strict):
    """A patient or treatment factor, with the bounds every way in checks.

    A number's lower bound is ``min`` (inclusive) or ``above`` (exclusive: a needle depth
    must be more than 0). ``from_screening`` names the screening question whose answer
    fills the factor in; a choice factor maps that question's choices to its own option
    values with ``answers``.
    """

    id: Id
    kind: Annotated[FactorKind, Field(strict=False)]
    label: Annotated[str, Field(min_length=1, max_length=100)]
    help: Text | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    min: Number | None = None
    above: Number | None = None
    max: Number | None = None
    step: Annotated[Number, Field(gt=0)] | None = None
    options: tuple[FactorOption, ...] = ()
    from_screening: Id | None = None
    answers: dict[Id, OptionValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits_kind(self) -> Factor:
        numeric = self.kind in (FactorKind.NUMBER, FactorKind.WHOLE_NUMBER)
        if numeric and (self.max is None or (self.min is None) == (self.above is None)):
            raise ValueError("a number factor has a 'max' and one lower bound, 'min' or 'above'")
        if not numeric and (self.unit, self.min, self.above, self.max, self.step) != (None,) * 5:
            raise ValueError("only a number factor has a unit, bounds or a step")
        if (self.kind == FactorKind.CHOICE) != bool(self.options):
            raise ValueError("a 'choice' factor, and only that, lists options")
        if self.answers and (self.kind != FactorKind.CHOICE or self.from_screening is None):
            raise ValueError("only a choice factor filled from screening maps 'answers'")
        return self._bounds_sane()._options_distinct()

    def _bounds_sane(self) -> Factor:
        low = self.min if self.min is not None else self.above
        if low is not None and self.max is not None and not low < self.max:
            raise ValueError(f"the lower bound {low} is not below the 'max' {self.max}")
        whole = (self.min, self.above, self.max, self.step)
        if self.kind == FactorKind.WHOLE_NUMBER and any(isinstance(n, float) for n in whole):
            raise ValueError("a whole-number factor has whole-number bounds")
        return self

    def _options_distinct(self) -> Factor:
        values = [option.value for option in self.options]
        labels = [option.label for option in self.options]
        if len(set(values)) != len(values) or len(set(labels)) != len(labels):
            raise ValueError("a choice factor's option values and labels are distinct")
        if len({type(value) for value in values}) > 1:
            raise ValueError("a choice factor's option values are all numbers or all ids")
        return self

    @property
    def is_ordered(self) -> bool:
        """Whether a modifier may test the factor with a threshold (``over``, ``at_least``)."""
        if self.kind == FactorKind.CHOICE:
            return all(isinstance(option.value, int) for option in self.options)
        return self.kind != FactorKind.YES_NO

    @property
    def name(self) -> str:
        """The label as it reads inside a sentence: "needle depth", "skin type (Fitzpatrick)"."""
        return self.label[:1].lower() + self.label[1:]

    def option_label(self, value: object) -> str | None:
        """The label of the option whose value is ``value``, or None."""
        return next((o.label for o in self.options if o.value == value), None)

    @property
    def lowest(self) -> Number | None:
        """The lowest value a number may take, or the exclusive bound it must be above."""
        return self.min if self.min is not None else self.above


# Ages are computed from the date of birth; the bounds only keep out impossible dates.
AGE_ID = "age"
AGE = Factor(id=AGE_ID, kind=FactorKind.WHOLE_NUMBER, label="age", unit="years", min=0, max=130)
