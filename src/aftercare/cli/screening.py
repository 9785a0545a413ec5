"""`aftercare screen`: its flags are built from the protocol's questionnaire.

Each question becomes flags of its kind, named after its id: a yes/no question gives
``--pregnant`` and ``--no-pregnant``; a date question ``--radiation-on DATE``,
``--radiation-days-ago N`` and ``--radiation-never`` (and ``--isotretinoin-current`` when
"taking it now" is an answer); a choice or a text question one flag taking the answer.
Only the flags given are answered: every other question is reported as still to ask.

The flags come from the questions of every packaged protocol (a question id shared by two
protocols is one flag); an answer to a question the chosen protocol does not ask is refused.
A ``--protocol`` file with other questions is screened with those of its questions that a
packaged one shares.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from typing import TypeAlias

from aftercare import clock
from aftercare.cli.common import (
    CliError,
    add_protocol_flags,
    iso_date,
    non_negative,
    print_json,
    protocol_from_args,
)
from aftercare.contracts import screening_json
from aftercare.engine.explain import format_day
from aftercare.engine.localtime import DEFAULT_ZONE, zone
from aftercare.engine.screening import CURRENT, NEVER, Answer, ScreeningResult, screen
from aftercare.protocols.registry import installed_protocols
from aftercare.protocols.schema import Protocol, Question

__all__ = ["register"]

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
DATE_KINDS = ("date", "date_or_current")


def register(subparsers: Subparsers) -> None:
    """Add `aftercare screen`, one group of flags per question of the packaged protocols."""
    parser = subparsers.add_parser(
        "screen",
        help="screen a patient before treatment",
        description=(
            "Check a patient against the protocol's contraindications and cautions. "
            "Only the questions given are answered; the rest are listed as still to ask."
        ),
    )
    questions = parser.add_argument_group("screening questions (from the protocol)")
    for question in _packaged_questions():
        _add_question(questions, question)
    parser.add_argument("--on", type=iso_date, metavar="DATE", help="default: today (UK)")
    parser.add_argument("--json", action="store_true")
    add_protocol_flags(parser)
    parser.set_defaults(handler=run_screen)


@cache
def _packaged_questions() -> list[Question]:
    """Each question of the packaged protocols once, by id (the first protocol's wording)."""
    found: dict[str, Question] = {}
    for protocol in installed_protocols().load_all():
        for question in protocol.screening.questions:
            found.setdefault(question.id, question)
    return list(found.values())


@cache
def _numbered_answers() -> dict[str, dict[str, str]]:
    """For a choice question that fills a factor, the answer each of the factor's values
    stands for ("4" for iv, where skin type iv is 4), so that value may be typed too."""
    numbered: dict[str, dict[str, str]] = {}
    for protocol in installed_protocols().load_all():
        for factor in protocol.factors:
            if factor.from_screening is None:
                continue
            answers = numbered.setdefault(factor.from_screening, {})
            for answer, value in factor.answers.items():
                answers.setdefault(str(value), answer)
    return numbered


def _add_question(group: argparse._ArgumentGroup, question: Question) -> None:
    flag = "--" + question.id.replace("_", "-")
    if question.kind == "yes_no":
        group.add_argument(
            flag, dest=question.id, action=argparse.BooleanOptionalAction, help=question.text
        )
    elif question.kind in DATE_KINDS:
        one = group.add_mutually_exclusive_group()
        one.add_argument(
            f"{flag}-on", dest=question.id, type=iso_date, metavar="DATE", help=question.text
        )
        one.add_argument(
            f"{flag}-days-ago",
            dest=f"{question.id}__days_ago",
            type=non_negative,
            metavar="N",
            help="or: that many days before --on",
        )
        one.add_argument(
            f"{flag}-never", dest=question.id, action="store_const", const=NEVER, help="or: never"
        )
        if question.kind == "date_or_current":
            one.add_argument(
                f"{flag}-current",
                dest=question.id,
                action="store_const",
                const=CURRENT,
                help="or: taking it now",
            )
    elif question.kind == "choice":
        choices = ", ".join(question.choices)
        group.add_argument(
            flag,
            dest=question.id,
            type=_choice(question),
            metavar="ANSWER",
            help=f"{question.text} ({choices})",
        )
    else:
        group.add_argument(flag, dest=question.id, metavar="TEXT", help=question.text)


def _choice(question: Question) -> Callable[[str], str]:
    """A choice, case-blind; one that fills a factor may also be given as the factor's
    value (a skin type as 1 to 6)."""
    numbered = _numbered_answers().get(question.id, {})

    def parse(text: str) -> str:
        key = text.strip().lower()
        return numbered.get(key, key)

    return parse


def run_screen(args: argparse.Namespace) -> int:
    protocol = protocol_from_args(args)
    on: date = args.on or _today()
    result = screen(protocol, _answers(args, protocol, on), on)
    if args.json:
        print_json(screening_json(protocol, result))
    else:
        print(_screening_text(protocol, result))
    return 0


def _answers(args: argparse.Namespace, protocol: Protocol, on: date) -> dict[str, Answer]:
    """The answers given; a question of the protocol without a flag is left unanswered."""
    asked = {question.id for question in protocol.screening.questions}
    for question in _packaged_questions():
        given = getattr(args, question.id, None) is not None or (
            getattr(args, f"{question.id}__days_ago", None) is not None
        )
        if given and question.id not in asked:
            raise CliError(f"the {protocol.id} protocol does not ask '{question.id}'")
    answers: dict[str, Answer] = {}
    for question in protocol.screening.questions:
        answer: Answer = getattr(args, question.id, None)
        days_ago = getattr(args, f"{question.id}__days_ago", None)
        if days_ago is not None:
            answer = on - timedelta(days=days_ago)
        if answer is not None:
            answers[question.id] = answer
    return answers


def _screening_text(protocol: Protocol, result: ScreeningResult) -> str:
    heading = f"{_words(result.status).capitalize()}."
    if result.earliest_date is not None:
        days = result.earliest_days_from_now
        plural = "" if days == 1 else "s"
        heading += f" Earliest: {format_day(result.earliest_date)} (in {days} day{plural})."
    lines = [heading]
    for reason in result.reasons:
        until = f" (until {format_day(reason.earliest)})" if reason.earliest else ""
        lines.append(f"- {_words(reason.outcome)}: {reason.text}{until}")
    lines += [f"Caution: {protocol.index.cautions[c].text}" for c in result.cautions]
    if result.recheck is not None:
        lines.append(protocol.index.rechecks[result.recheck].text)
    lines += [f"Still to ask: {question.text}" for question in result.unanswered]
    return "\n".join(lines)


def _words(value: str) -> str:
    return value.replace("_", " ")


def _today() -> date:
    """Today in the UK: the CLI's edge of the clock (the engine never reads it)."""
    return clock.now().astimezone(zone(DEFAULT_ZONE)).date()
