"""Screen a patient before treatment: eligible, not yet, not suitable, clinician review,
or incomplete.

Every question must be answered: a missing or blank answer is unanswered, never "No",
and a date question says ``never`` when the patient never had it. The protocol's
screening rules are walked in order; each fires on one answer. The strictest outcome
decides (not suitable > incomplete > not yet > clinician review > eligible): no answer
still to come can make a not-suitable patient eligible, but it can make any other one
not suitable, so open questions outrank every milder outcome. A caution never changes
eligibility. Dates are judged against ``on``, the day of the screening, so screening
again before a later session re-checks every washout.

``earliest_date`` is given only when the status is ``not_yet`` and every not-yet reason
has a date: when something else stands in the way, a date would read as a promise. Each
dated not-yet reason still carries its own date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from dateutil.relativedelta import relativedelta

from aftercare.engine.errors import InputError
from aftercare.engine.names import suggest
from aftercare.protocols.index import normalise_name
from aftercare.protocols.schema import (
    Citation,
    Protocol,
    Question,
    ScreeningOutcome,
    ScreeningRule,
    Trigger,
)

__all__ = [
    "CURRENT",
    "NEVER",
    "Answer",
    "OpenQuestion",
    "ScreeningReason",
    "ScreeningResult",
    "Status",
    "screen",
]

CURRENT = "current"
NEVER = "never"

Answer = bool | date | str | None


class Status(StrEnum):
    ELIGIBLE = "eligible"
    NOT_YET = "not_yet"
    NOT_SUITABLE = "not_suitable"
    CLINICIAN_REVIEW = "clinician_review"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question still to ask, worded as the protocol asks it."""

    question: str
    text: str


@dataclass(frozen=True, slots=True)
class ScreeningReason:
    """One rule that fired, with what it means for the patient."""

    rule: str
    outcome: ScreeningOutcome
    text: str
    recheck: str | None
    recheck_text: str | None
    earliest: date | None
    cautions: tuple[str, ...]
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    status: Status
    on: date
    earliest_date: date | None
    recheck: str | None
    cautions: tuple[str, ...]
    reasons: tuple[ScreeningReason, ...]
    unanswered: tuple[OpenQuestion, ...] = ()

    @property
    def eligible(self) -> bool | Literal["clinician_review"]:
        """For JSON: True, False, or 'clinician_review' when a clinician must decide."""
        if self.status is Status.CLINICIAN_REVIEW:
            return "clinician_review"
        return self.status is Status.ELIGIBLE

    @property
    def earliest_days_from_now(self) -> int | None:
        """Days from the screening day to ``earliest_date``."""
        return None if self.earliest_date is None else (self.earliest_date - self.on).days


_STATUS_BY_OUTCOME = {
    ScreeningOutcome.NOT_SUITABLE: Status.NOT_SUITABLE,
    ScreeningOutcome.NOT_YET: Status.NOT_YET,
    ScreeningOutcome.CLINICIAN_REVIEW: Status.CLINICIAN_REVIEW,
}
_PRECEDENCE = (Status.NOT_SUITABLE, Status.INCOMPLETE, Status.NOT_YET, Status.CLINICIAN_REVIEW)


def screen(protocol: Protocol, answers: Mapping[str, Answer], on: date) -> ScreeningResult:
    """Screen ``answers`` (keyed by question id) on the day ``on``."""
    given = _checked(protocol, answers, on)
    nothing = _none_answers(protocol.screening.none_answers)
    reasons = tuple(
        _reason(protocol, rule, fired)
        for rule in protocol.screening.rules
        if (answer := given.get(rule.trigger.question)) is not None
        and (fired := _fires(rule, answer, on, nothing)) is not None
    )
    unanswered = tuple(
        OpenQuestion(question=q.id, text=q.text)
        for q in protocol.screening.questions
        if q.id not in given
    )
    status = _status(reasons, bool(unanswered))
    return ScreeningResult(
        status=status,
        on=on,
        earliest_date=_earliest(reasons) if status is Status.NOT_YET else None,
        recheck=next((r.recheck for r in reasons if r.recheck is not None), None),
        cautions=tuple(dict.fromkeys(c for r in reasons for c in r.cautions)),
        reasons=reasons,
        unanswered=unanswered,
    )


# --- answers -------------------------------------------------------------------


def _checked(protocol: Protocol, answers: Mapping[str, Answer], on: date) -> dict[str, Answer]:
    """The answers that were given, each checked against its question."""
    if isinstance(on, datetime):
        raise InputError("the screening day must be a date, not a date and time")
    questions = protocol.index.questions
    given: dict[str, Answer] = {}
    for question_id, answer in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise _unknown_question(question_id, questions)
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            continue  # not answered
        _check_answer(question, answer, on)
        given[question_id] = answer
    return given


def _check_answer(question: Question, answer: Answer, on: date) -> None:
    kind = question.kind
    if kind == "yes_no":
        _expect(isinstance(answer, bool), question, "yes or no (true or false)")
    elif answer == NEVER and kind in ("date", "date_or_current"):
        return
    elif kind == "choice":
        choices = ", ".join(question.choices)
        _expect(answer in question.choices, question, f"one of: {choices}")
    elif kind == "text":
        _expect(isinstance(answer, str), question, "a text")
    elif answer != CURRENT or kind == "date":
        also = f", '{CURRENT}'" if kind == "date_or_current" else ""
        wanted = f"a date{also} or '{NEVER}'"
        _expect(_is_date(answer), question, wanted)
        if isinstance(answer, date) and answer > on:
            raise InputError(
                f"the answer to '{question.id}' ({answer.isoformat()}) is in the future"
            )


def _is_date(answer: Answer) -> bool:
    return isinstance(answer, date) and not isinstance(answer, datetime)


def _expect(ok: bool, question: Question, wanted: str) -> None:
    if not ok:
        raise InputError(f"the answer to '{question.id}' must be {wanted}")


def _unknown_question(question_id: str, questions: Mapping[str, Question]) -> InputError:
    names = {normalise_name(known): known for known in questions}
    close = suggest(question_id, names)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return InputError(f"unknown screening question '{question_id}'{hint}")


# --- rules ---------------------------------------------------------------------


def _fires(
    rule: ScreeningRule, answer: Answer, on: date, nothing: frozenset[str]
) -> date | bool | None:
    """None when the rule does not fire; else True, or the date a not-yet rule clears."""
    trigger = rule.trigger
    if trigger.within_days is not None:
        if not isinstance(answer, date):
            return None  # 'current' is its own rule; 'never' is no reason
        clears = _clears(trigger, answer)
        return clears if clears > on else None
    if trigger.equals is not None:
        fired = answer == trigger.equals  # answers were checked against their question's kind
    elif trigger.answered:
        fired = not (isinstance(answer, str) and _folded(answer) in nothing)
    else:
        fired = answer in trigger.one_of
    return True if fired else None


def _clears(trigger: Trigger, last: date) -> date:
    """The first day after the washout: the later of the day count and the calendar.

    relativedelta keeps the day of the month and clamps it to the month's end (31 May
    plus three months is 31 August; 30 November plus three months is 28 or 29 February).
    """
    by_days = last + timedelta(days=trigger.within_days or 0)
    months = (trigger.within_months or 0) + 12 * (trigger.within_years or 0)
    return max(by_days, last + _months(months)) if months else by_days


@lru_cache(maxsize=64)
def _months(count: int) -> relativedelta:
    """``count`` calendar months: a protocol has a handful of washouts, each built once."""
    return relativedelta(months=count)


@lru_cache(maxsize=16)
def _none_answers(texts: tuple[str, ...]) -> frozenset[str]:
    """The protocol's words for "nothing" (``screening.none_answers``), folded once."""
    return frozenset(_folded(text) for text in texts)


def _folded(text: str) -> str:
    """'None.' and ' N/A ' read as 'none' and 'n/a'."""
    return " ".join(text.split()).rstrip(".").strip().casefold()


def _reason(protocol: Protocol, rule: ScreeningRule, fired: date | bool) -> ScreeningReason:
    recheck = rule.recheck
    return ScreeningReason(
        rule=rule.id,
        outcome=rule.outcome,
        text=rule.text,
        recheck=recheck,
        recheck_text=None if recheck is None else protocol.index.rechecks[recheck].text,
        earliest=fired if isinstance(fired, date) else None,
        cautions=rule.cautions,
        sources=rule.sources,
    )


def _status(reasons: Iterable[ScreeningReason], open_questions: bool) -> Status:
    found = {_STATUS_BY_OUTCOME.get(reason.outcome) for reason in reasons}
    if open_questions:
        found.add(Status.INCOMPLETE)
    return next((status for status in _PRECEDENCE if status in found), Status.ELIGIBLE)


def _earliest(reasons: Iterable[ScreeningReason]) -> date | None:
    """The last washout's end; None when a not-yet reason has no date (a sunburn heals)."""
    waits = [r.earliest for r in reasons if r.outcome is ScreeningOutcome.NOT_YET]
    dates = [day for day in waits if day is not None]
    return max(dates) if dates and len(dates) == len(waits) else None
