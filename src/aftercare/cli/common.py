"""What every command shares: the one-line error parser, protocol and factor flags."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from aftercare.engine.localtime import DEFAULT_ZONE, hours_between, parse_local, zone
from aftercare.engine.model import Factors, resolve_areas
from aftercare.protocols.load import DEFAULT_PROTOCOL, load_protocol
from aftercare.protocols.registry import UnknownProtocolError, packaged_protocols
from aftercare.protocols.schema import Protocol

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

FITZPATRICK = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}


class CliError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not usage plus error."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


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
    name: str = args.protocol
    if name.endswith((".yaml", ".yml")) or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"{path}: no such file")
        return load_protocol(path, args.overlay)
    try:
        return packaged_protocols().load(name, args.overlay)
    except UnknownProtocolError as error:
        raise CliError(str(error.args[0])) from None


def add_factor_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("patient factors")
    group.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="AREA",
        help="treated area (repeatable): face, eyes, neck, decollete, arms, hands, legs, body",
    )
    group.add_argument("--needle-depth", type=_positive_float, metavar="MM")
    group.add_argument("--sensitive-skin", action="store_true")
    group.add_argument("--age", type=_whole_number, metavar="YEARS")
    group.add_argument("--fitzpatrick", type=_fitzpatrick, metavar="I..VI")
    group.add_argument("--platelet-medication", action="store_true")
    group.add_argument("--anticoagulant", action="store_true")
    group.add_argument("--cold-sore-history", action="store_true")


def factors_from_args(args: argparse.Namespace, protocol: Protocol) -> Factors:
    return Factors(
        areas=resolve_areas(protocol, args.area),
        needle_depth_mm=args.needle_depth,
        sensitive_skin=args.sensitive_skin,
        age=args.age,
        fitzpatrick=args.fitzpatrick,
        platelet_medication=args.platelet_medication,
        anticoagulant=args.anticoagulant,
        cold_sore_history=args.cold_sore_history,
    )


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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value > 0 or value != value:
        raise argparse.ArgumentTypeError(f"'{text}' must be more than 0")
    return value


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _fitzpatrick(text: str) -> int:
    value = FITZPATRICK.get(text.strip().upper()) or (
        int(text) if text.strip().isdigit() and 1 <= int(text) <= 6 else None
    )
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a skin type; use I to VI")
    return value
