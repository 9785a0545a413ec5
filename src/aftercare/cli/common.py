"""What every command shares: the one-line error parser, protocol and factor flags."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from aftercare.engine.localtime import DEFAULT_ZONE, hours_between, parse_local, zone
from aftercare.engine.model import Factors, check_factors, resolve_areas
from aftercare.protocols.load import DEFAULT_PROTOCOL, load_protocol
from aftercare.protocols.registry import UnknownProtocolError, installed_protocols
from aftercare.protocols.schema import Factor, FactorKind, FactorValue, Protocol

__all__ = [
    "CliError",
    "Parser",
    "add_elapsed_flags",
    "add_factor_flags",
    "add_protocol_flags",
    "elapsed_from_args",
    "factors_from_args",
    "iso_date",
    "non_negative",
    "print_json",
    "protocol_from_args",
]


class CliError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not usage plus error.

    A command that takes patient factors gets its factor flags from the protocol chosen
    with ``--protocol``: they are added when the command's own arguments are parsed (or
    its help shown), once ``--protocol`` has been read from them.
    """

    takes_factors = False
    factor_flags: tuple[str, ...] = ()
    protocol_id = ""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.takes_factors:
            self.takes_factors = False
            _add_protocol_factors(self, list(sys.argv[1:] if args is None else args))
        parsed, extra = super().parse_known_args(args, namespace)
        if self.protocol_id and any(word.startswith("--") for word in extra):
            # Usually a factor of another procedure ("--needle-depth-mm" for a peel).
            offered = ", ".join(self.factor_flags) or "none"
            self.error(
                f"unrecognized arguments: {' '.join(extra)}; "
                f"the {self.protocol_id} protocol's factors are: {offered}"
            )
        return parsed, extra


def add_protocol_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--protocol",
        default=DEFAULT_PROTOCOL,
        metavar="ID",
        help=f"a packaged protocol (see `aftercare protocol list`; default: {DEFAULT_PROTOCOL}),"
        " or a protocol FILE ending in .yaml",
    )
    parser.add_argument("--overlay", type=Path, metavar="FILE", help="clinic overlay file")


def protocol_from_args(args: argparse.Namespace) -> Protocol:
    """The protocol named by --protocol: a packaged one by id, or a file by its path."""
    chosen: Protocol | None = getattr(args, "chosen_protocol", None)
    if chosen is not None:
        return chosen
    name: str = args.protocol
    if name.endswith((".yaml", ".yml")) or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"{path}: no such file")
        return load_protocol(path, args.overlay)
    try:
        return installed_protocols().load(name, args.overlay)
    except UnknownProtocolError as error:
        raise CliError(str(error.args[0])) from None


def add_factor_flags(parser: argparse.ArgumentParser) -> None:
    """--area and --age, and the chosen protocol's own factors (``--needle-depth-mm``)."""
    group = parser.add_argument_group("patient factors")
    group.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="AREA",
        help="treated area (repeatable), of the protocol's: face, eyes, neck, ...",
    )
    group.add_argument("--age", type=_whole_number, metavar="YEARS")
    if isinstance(parser, Parser):
        parser.takes_factors = True


def factors_from_args(args: argparse.Namespace, protocol: Protocol) -> Factors:
    """The factors the flags give, checked against ``protocol``'s bounds."""
    given = {factor.id: getattr(args, _dest(factor), None) for factor in protocol.recorded_factors}
    values = {key: value for key, value in given.items() if value not in (None, False)}
    factors = Factors(areas=resolve_areas(protocol, args.area), age=args.age, values=values)
    return check_factors(protocol, factors)


def _add_protocol_factors(parser: Parser, args: list[str]) -> None:
    """Add a flag for each factor of the protocol that ``args`` choose."""
    chooser = Parser(prog=parser.prog, add_help=False)
    add_protocol_flags(chooser)
    chosen, _ = chooser.parse_known_args(args)
    protocol = protocol_from_args(chosen)
    # The command runs on this same protocol: kept so that it is not loaded a second time.
    parser.set_defaults(chosen_protocol=protocol)
    group = parser.add_argument_group(f"factors of the {protocol.id} protocol")
    parser.protocol_id = protocol.id
    parser.factor_flags = tuple(f"--{f.id.replace('_', '-')}" for f in protocol.recorded_factors)
    for factor in protocol.recorded_factors:
        names = [f"--{factor.id.replace('_', '-')}"]
        if factor.unit and factor.id.endswith(f"_{factor.unit}"):
            # "--needle-depth" as well as "--needle-depth-mm": the unit is in the metavar.
            names.append(names[0].removesuffix(f"-{factor.unit}"))
        help_text = factor.label if factor.help is None else f"{factor.label}: {factor.help}"
        if factor.kind == FactorKind.YES_NO:
            group.add_argument(*names, dest=_dest(factor), action="store_true", help=help_text)
            continue
        metavar = (factor.unit or "N").upper()
        if factor.kind == FactorKind.CHOICE:
            # Labels when they are one word ("IV"), values when not ("very_superficial").
            spaced = any(" " in option.label for option in factor.options)
            metavar = "|".join(str(o.value) if spaced else o.label for o in factor.options)
        group.add_argument(
            *names, dest=_dest(factor), type=_parser_for(factor), metavar=metavar, help=help_text
        )


def _dest(factor: Factor) -> str:
    return f"factor_{factor.id}"


def _parser_for(factor: Factor) -> Callable[[str], FactorValue]:
    if factor.kind == FactorKind.NUMBER:
        return _finite_float
    if factor.kind == FactorKind.WHOLE_NUMBER:
        return _whole_number

    def option(text: str) -> FactorValue:
        wanted = text.strip().casefold()
        for choice in factor.options:
            if wanted in (choice.label.casefold(), str(choice.value).casefold()):
                return choice.value
        offered = ", ".join(choice.label for choice in factor.options)
        raise argparse.ArgumentTypeError(f"'{text}' is not a {factor.name}; use one of: {offered}")

    return option


def add_elapsed_flags(parser: argparse.ArgumentParser, at_help: str) -> None:
    """--hours-after H, or --treated-at TIME with --at TIME, in --tz."""
    parser.add_argument("--hours-after", type=float, metavar="H", help="hours since treatment")
    parser.add_argument(
        "--treated-at", metavar="TIME", help='when the treatment ended: "2026-11-21 10:30"'
    )
    parser.add_argument("--at", metavar="TIME", help=at_help)
    parser.add_argument("--tz", default=DEFAULT_ZONE, metavar="ZONE")


def elapsed_from_args(args: argparse.Namespace) -> tuple[float, datetime | None]:
    """Hours since treatment, and the treatment time when it was given."""
    by_hours = args.hours_after is not None
    by_times = args.treated_at is not None or args.at is not None
    if by_hours == by_times:
        raise CliError("give either --hours-after H, or both --treated-at TIME and --at TIME")
    if by_hours:
        if not args.hours_after >= 0:
            raise CliError("--hours-after must be a number, 0 or more")
        return float(args.hours_after), None
    if args.treated_at is None or args.at is None:
        raise CliError("--treated-at and --at go together")
    tz = zone(args.tz)
    treated_at = parse_local(args.treated_at, tz)
    hours = hours_between(treated_at, parse_local(args.at, tz))
    if hours < 0:
        raise CliError("--at is before --treated-at")
    return hours, treated_at


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def iso_date(text: str) -> date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def non_negative(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' cannot be negative")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number")
    return value


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
