"""Screening before treatment: the questionnaire and the rules its answers fire."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import Cited, Id, RuleId, Strict, Text

__all__ = [
    "Caution",
    "OutcomeField",
    "Question",
    "Recheck",
    "Screening",
    "ScreeningOutcome",
    "ScreeningRule",
    "Trigger",
]


class ScreeningOutcome(StrEnum):
    """What a screening rule does when it fires, mildest first."""

    CAUTION = "caution"
    CLINICIAN_REVIEW = "clinician_review"
    NOT_YET = "not_yet"
    NOT_SUITABLE = "not_suitable"


OutcomeField = Annotated[ScreeningOutcome, Field(strict=False)]


class Question(Strict):
    id: Id
    kind: Literal["yes_no", "date_or_current", "date", "choice", "text"]
    text: Text
    choices: tuple[Id, ...] = ()
    # How a choice reads where its id would not ("IV" for iv); others read as their id.
    choice_labels: dict[Id, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _choices_for_choice(self) -> Question:
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError("a 'choice' question, and only that, lists choices")
        unknown = sorted(set(self.choice_labels) - set(self.choices))
        if unknown:
            raise ValueError(f"choice_labels names what is not a choice: {', '.join(unknown)}")
        return self

    def choice_label(self, choice: str) -> str:
        """How ``choice`` reads: its label, else its id as words ("Uncontrolled")."""
        return self.choice_labels.get(choice) or choice.replace("_", " ").capitalize()


class Trigger(Strict):
    """When a screening rule fires: an answer equals a value, or a date is recent.

    A recent date is "within" ``within_days``; a leaflet's "3 months" or "last year" also
    gives ``within_months`` or ``within_years``, and the later of the two ends wins, so
    the calendar never shortens the day count and the day count never shortens a month.
    """

    question: Id
    equals: bool | str | None = None
    one_of: tuple[str, ...] = ()
    within_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    within_months: Annotated[int, Field(ge=1, le=120)] | None = None
    within_years: Annotated[int, Field(ge=1, le=10)] | None = None
    answered: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> Trigger:
        tests = (
            self.equals is not None,
            bool(self.one_of),
            self.within_days is not None,
            self.answered,
        )
        if sum(tests) != 1:
            raise ValueError("a trigger tests one thing: equals, one_of, within_days or answered")
        calendar = (self.within_months is not None) + (self.within_years is not None)
        if calendar and self.within_days is None:
            raise ValueError("within_months or within_years goes with within_days")
        if calendar > 1:
            raise ValueError("a trigger gives within_months or within_years, not both")
        return self


class Caution(Strict):
    id: Id
    text: Text


class Recheck(Strict):
    id: Id
    text: Text


class ScreeningRule(Cited):
    id: RuleId
    trigger: Trigger
    outcome: OutcomeField
    recheck: Id | None = None
    cautions: tuple[Id, ...] = ()
    text: Text

    @model_validator(mode="after")
    def _outcome_fits(self) -> ScreeningRule:
        dated = self.trigger.within_days is not None
        if dated and self.outcome is not ScreeningOutcome.NOT_YET:
            raise ValueError("a within_days trigger belongs to a 'not_yet' rule")
        # Without a date, "not yet" must say what to wait for (a sunburn to heal).
        waits = self.outcome is ScreeningOutcome.NOT_SUITABLE or (
            self.outcome is ScreeningOutcome.NOT_YET and not dated
        )
        if waits != (self.recheck is not None):
            raise ValueError(
                "a 'not_suitable' rule, or a 'not_yet' rule without a date, says when to "
                "recheck; no other rule does"
            )
        if self.outcome is ScreeningOutcome.CAUTION and not self.cautions:
            raise ValueError("a 'caution' rule names its cautions")
        return self


class Screening(Strict):
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    # What people write in a free-text question to mean "nothing" ("none", "n/a"); compared
    # case-blind, ignoring spaces and a closing full stop.
    none_answers: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = ()
    rules: Annotated[tuple[ScreeningRule, ...], Field(min_length=1)]
    cautions: tuple[Caution, ...]
    rechecks: tuple[Recheck, ...]
