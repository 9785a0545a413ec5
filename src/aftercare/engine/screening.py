"""Screen a patient before treatment: eligible, not yet, not suitable, or clinician review.

The protocol's screening rules are walked in order; each fires on one answer. The
strictest outcome decides (not suitable > not yet > clinician review > eligible); a
caution never changes eligibility. Dates are judged against ``on``, the day of the
screening, so screening again before a later session re-checks every washout.

``earliest_date`` is given only when the status is ``not_yet``: when something also
makes the patient not suitable, a date would read as a promise. Each not-yet reason
still carries its own date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from aftercare.engine.errors import InputError
from aftercare.engine.names import suggest
from aftercare.protocols.index import normalise_name
from aftercare.protocols.schema import (
    Citation,
    Protocol,
    Question,
    ScreeningOutcome,
    ScreeningRule,
)

__all__ = [
    "CURRENT",
    "Answer",
    "ScreeningReason",
    "ScreeningResult",
    "Status",
    "screen",
]

CURRENT = "current"

Answer = bool | date | str | None


class Status(StrEnum):
    ELIGIBLE = "eligible"
    NOT_YET = "not_yet"
    NOT_SUITABLE = "not_suitable"
    CLINICIAN_REVIEW = "clinician_review"


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
_PRECEDENCE = (Status.NOT_SUITABLE, Status.NOT_YET, Status.CLINICIAN_REVIEW)


def screen(protocol: Protocol, answers: Mapping[str, Answer], on: date) -> ScreeningResult:
    """Screen ``answers`` (keyed by question id) on the day ``on``."""
    given = _checked(protocol, answers, on)
    reasons = tuple(
        _reason(protocol, rule, fired)
        for rule in protocol.screening.rules
        if (answer := given.get(rule.trigger.question)) is not None
        and (fired := _fires(rule, answer, on)) is not None
    )
    status = _status(reasons)
    not_yet = [r.earliest for r in reasons if r.earliest is not None]
    return ScreeningResult(
        status=status,
        on=on,
        earliest_date=max(not_yet) if status is Status.NOT_YET else None,
        recheck=next((r.recheck for r in reasons if r.recheck is not None), None),
        cautions=tuple(dict.fromkeys(c for r in reasons for c in r.cautions)),
        reasons=reasons,
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
    elif kind == "choice":
        choices = ", ".join(question.choices)
        _expect(answer in question.choices, question, f"one of: {choices}")
    elif kind == "text":
        _expect(isinstance(answer, str), question, "a text")
    elif answer != CURRENT or kind == "date":
        wanted = "a date" if kind == "date" else f"a date or '{CURRENT}'"
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


def _fires(rule: ScreeningRule, answer: Answer, on: date) -> date | bool | None:
    """None when the rule does not fire; else True, or the date a not-yet rule clears."""
    trigger = rule.trigger
    if trigger.within_days is not None:
        if not isinstance(answer, date):
            return None  # 'current' is its own rule
        clears = answer + timedelta(days=trigger.within_days)
        return clears if clears > on else None
    if trigger.equals is not None:
        fired = answer == trigger.equals  # answers were checked against their question's kind
    else:
        fired = trigger.answered or answer in trigger.one_of
    return True if fired else None


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


def _status(reasons: Iterable[ScreeningReason]) -> Status:
    found = {_STATUS_BY_OUTCOME.get(reason.outcome) for reason in reasons}
    return next((status for status in _PRECEDENCE if status in found), Status.ELIGIBLE)
