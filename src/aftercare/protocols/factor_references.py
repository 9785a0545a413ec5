"""Cross-reference checks for the ``factors`` section and the modifiers that test it.

Every factor a modifier names exists and takes the test written (a yes-or-no factor holds on
yes and takes no threshold; a number or an ordered choice takes one, within its bounds);
every screening question a factor is filled from exists and answers in the factor's kind.
"""

from __future__ import annotations

from collections.abc import Iterator

from aftercare.protocols.schema import AGE_ID, Factor, FactorKind, Modifier, Protocol

__all__ = ["factor_issues"]

Loc = tuple[int | str, ...]


def factor_issues(protocol: Protocol) -> Iterator[tuple[Loc, str]]:
    """Every broken factor reference in ``protocol``, as (location, message)."""
    seen: set[str] = set()
    for i, factor in enumerate(protocol.factors):
        if factor.id == AGE_ID:
            yield ("factors", i, "id"), "'age' is built in (from the date of birth); use another id"
        elif factor.id in seen:
            yield ("factors", i, "id"), f"'{factor.id}' is defined more than once"
        seen.add(factor.id)
        yield from _screening_source(protocol, factor, ("factors", i))
    for i, modifier in enumerate(protocol.modifiers):
        problem = _modifier_problem(protocol, modifier)
        if problem is not None:
            yield ("modifiers", i, *problem[0]), problem[1]


def _modifier_problem(protocol: Protocol, modifier: Modifier) -> tuple[Loc, str] | None:
    if modifier.factor is None:
        return None
    factor = protocol.factor_index.get(modifier.factor)
    if factor is None:
        known = ", ".join(protocol.factor_index)
        return ("factor",), f"unknown factor '{modifier.factor}'; the protocol has: {known}"
    threshold = modifier.threshold
    field = "over" if modifier.over is not None else "at_least"
    if not factor.is_ordered:
        if threshold is None:
            return None
        return (field,), f"'{factor.id}' is not a number or an ordered choice: it takes no {field}"
    if threshold is None:
        return ("factor",), f"'{factor.id}' takes a threshold: give 'over' or 'at_least'"
    return _threshold_problem(factor, threshold, field)


def _threshold_problem(factor: Factor, threshold: float, field: str) -> tuple[Loc, str] | None:
    if factor.kind != FactorKind.NUMBER and not isinstance(threshold, int):
        return (field,), f"'{factor.id}' is a whole number: the threshold must be one"
    low: float | None = factor.lowest
    high: float | None = factor.max
    if factor.kind == FactorKind.CHOICE:
        values = [option.value for option in factor.options if isinstance(option.value, int)]
        low, high = min(values), max(values)
    if low is None or high is None or not low <= threshold <= high:
        return (field,), f"{threshold} is outside '{factor.id}' ({low} to {high})"
    return None


def _screening_source(protocol: Protocol, factor: Factor, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if factor.from_screening is None:
        return
    questions = {question.id: question for question in protocol.screening.questions}
    question = questions.get(factor.from_screening)
    here = (*loc, "from_screening")
    if question is None:
        yield here, f"unknown question '{factor.from_screening}'"
    elif factor.kind == FactorKind.YES_NO and question.kind != "yes_no":
        yield here, f"'{question.id}' is not a yes-or-no question"
    elif factor.kind == FactorKind.CHOICE:
        yield from _answer_mapping(factor, question.kind, question.choices, loc)
    elif factor.kind not in (FactorKind.YES_NO, FactorKind.CHOICE):
        yield here, "only a yes-or-no or a choice factor is filled from screening"


def _answer_mapping(
    factor: Factor, kind: str, choices: tuple[str, ...], loc: Loc
) -> Iterator[tuple[Loc, str]]:
    if kind != "choice":
        yield (*loc, "from_screening"), f"'{factor.from_screening}' is not a choice question"
        return
    values = {option.value for option in factor.options}
    answers = factor.answers or {choice: choice for choice in choices}
    for answer, value in answers.items():
        if answer not in choices:
            yield (*loc, "answers"), f"'{answer}' is not a choice of '{factor.from_screening}'"
        elif value not in values:
            yield (*loc, "answers", answer), f"{value!r} is not an option of '{factor.id}'"
