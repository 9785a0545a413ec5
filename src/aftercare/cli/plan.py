"""Commands: `aftercare plan` (the personalised timeline), `aftercare check` ("can I …?" for
one activity) and `aftercare ask` (a question as a patient types it)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from aftercare import clock
from aftercare.cli.common import (
    CliError,
    add_elapsed_flags,
    add_factor_flags,
    add_protocol_flags,
    elapsed_from_args,
    factors_from_args,
    print_json,
    protocol_from_args,
)
from aftercare.engine.check import check, known_skin, parse_skin_state
from aftercare.engine.errors import InputError
from aftercare.engine.explain import describe_ask, describe_check, describe_plan
from aftercare.engine.localtime import DEFAULT_ZONE, parse_local, zone
from aftercare.exports import ClinicInfo, Subject
from aftercare.protocols.schema import Protocol

__all__ = ["register"]

FORMATS = ("text", "json", "ics", "pdf", "fhir")
EXPORTS = frozenset({"ics", "pdf", "fhir"})
# Not for a terminal: these need -o.
BINARY = frozenset({"ics", "pdf"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan_parser = subparsers.add_parser(
        "plan",
        help="the personalised aftercare plan for a treatment",
        description="Print the aftercare plan for a treatment, in local dates and times.",
    )
    plan_parser.add_argument(
        "--treated-at",
        required=True,
        metavar="TIME",
        help='when the treatment ended, local time: "2026-11-21 10:30"',
    )
    plan_parser.add_argument("--tz", default=DEFAULT_ZONE, metavar="ZONE")
    plan_parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text or json (printed), ics or pdf (need -o), fhir (a FHIR R4B Bundle)",
    )
    plan_parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of printing"
    )
    exported = plan_parser.add_argument_group("for the leaflet, calendar and FHIR formats")
    exported.add_argument("--patient", default="", metavar="NAME", help="the patient's name")
    exported.add_argument("--clinic", default="Your clinic", metavar="NAME")
    exported.add_argument("--clinic-phone", default="", metavar="PHONE")
    exported.add_argument("--urgent-phone", default="", metavar="PHONE")
    exported.add_argument(
        "--earlier-session",
        action="append",
        default=[],
        type=_day,
        metavar="DATE",
        help="the date of an earlier session of the course (repeatable)",
    )
    add_factor_flags(plan_parser)
    add_protocol_flags(plan_parser)
    plan_parser.set_defaults(handler=run_plan)

    check_parser = subparsers.add_parser(
        "check",
        help='"can I … now?" for one activity',
        description="Whether an activity is allowed at a moment after treatment.",
    )
    check_parser.add_argument(
        "activity", metavar="ACTIVITY", help='an id or what people say: "gym"'
    )
    _add_state_flags(check_parser, at_help="the moment to check")
    add_factor_flags(check_parser)
    add_protocol_flags(check_parser)
    check_parser.set_defaults(handler=run_check)

    ask_parser = subparsers.add_parser(
        "ask",
        help='a question as a patient types it: "can i have a glass of wine tonight?"',
        description="Answer a patient's question from the plan; exits 0 whenever it answers, "
        "including when it did not understand.",
    )
    ask_parser.add_argument("question", metavar="QUESTION")
    _add_state_flags(ask_parser, at_help="the moment the question is asked")
    add_protocol_flags(ask_parser)
    ask_parser.set_defaults(handler=run_ask)


def _add_state_flags(parser: argparse.ArgumentParser, at_help: str) -> None:
    add_elapsed_flags(parser, at_help=at_help)
    state = parser.add_mutually_exclusive_group()
    state.add_argument("--redness-resolved", action="store_true", help="the redness has gone")
    state.add_argument("--still-red", action="store_true", help="the skin is still red")
    parser.add_argument(
        "--skin",
        action="append",
        default=[],
        type=_skin_state,
        metavar="STATE=yes|no",
        help="a skin state of the protocol, reached or not (repeatable): peeling_complete=no",
    )
    parser.add_argument("--json", action="store_true")


def run_plan(args: argparse.Namespace) -> int:
    protocol = protocol_from_args(args)
    factors = factors_from_args(args, protocol)
    treated_at = parse_local(args.treated_at, zone(args.tz))
    if args.format in BINARY and args.output is None:
        raise CliError(f"--format {args.format} writes a file: give it with -o FILE")
    if args.format in EXPORTS:
        later = [day for day in args.earlier_session if day >= treated_at.date()]
        if later:
            raise CliError(
                f"--earlier-session {later[0]} is not before the treatment on {treated_at.date()}"
            )
        subject = Subject(
            protocol=protocol,
            treated_at=treated_at,
            zone_name=args.tz,
            clinic=ClinicInfo(args.clinic, args.clinic_phone, args.urgent_phone),
            patient_name=args.patient,
            factors=factors,
            earlier_sessions=tuple(sorted(args.earlier_session)),
        )
        _emit(_export(args.format, subject), args.output)
        return 0
    # The timeline, question reading and the JSON contracts are imported where they are
    # used: `aftercare check` (run often, from scripts) has no use for them.
    from aftercare.contracts import plan_json
    from aftercare.engine.timeline import plan

    result = plan(protocol, treated_at)

    text = (
        json.dumps(plan_json(result), indent=2, ensure_ascii=False)
        if args.format == "json"
        else describe_plan(protocol, result)
    )
    _emit((text + "\n").encode(), args.output)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date such as 2026-11-21") from None


def _export(name: str, subject: Subject) -> bytes:
    # Imported here: WeasyPrint and the FHIR models take a moment to load.
    if name == "pdf":
        from aftercare.exports.pdf import treatment_leaflet

        return treatment_leaflet(subject)
    if name == "ics":
        from aftercare.exports.ics import calendar

        return calendar(subject)
    from aftercare.exports.fhir import bundle, to_json

    # The edge reads the clock: the CarePlan's statuses are as of now.
    return (to_json(bundle(subject, at=clock.now()), indent=2) + "\n").encode()


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise CliError(f"cannot write {output}: {error.strerror}") from None


def _skin_state(text: str) -> tuple[str, bool]:
    try:
        return parse_skin_state(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _skin(args: argparse.Namespace, protocol: Protocol) -> Mapping[str, bool] | None:
    """What is known of the skin's states; --still-red and --redness-resolved are short
    for the microneedling protocol's redness_resolved=no and =yes."""
    skin = dict(args.skin)
    if args.still_red or args.redness_resolved:
        skin["redness_resolved"] = bool(args.redness_resolved)
    return known_skin(protocol, skin) or None


def run_check(args: argparse.Namespace) -> int:
    protocol = protocol_from_args(args)
    factors_from_args(args, protocol)
    hours, treated_at = elapsed_from_args(args)
    skin = _skin(args, protocol)
    result = check(protocol, args.activity, hours, skin=skin, treated_at=treated_at)
    if args.json:
        from aftercare.contracts import check_json

        print_json(check_json(protocol, result))
    else:
        print(describe_check(protocol, result))
    return 0


def run_ask(args: argparse.Namespace) -> int:
    protocol = protocol_from_args(args)
    hours, treated_at = elapsed_from_args(args)
    from aftercare.engine.ask import ask

    result = ask(protocol, args.question, hours, skin=_skin(args, protocol), treated_at=treated_at)
    if args.json:
        from aftercare.contracts import ask_json

        print_json(ask_json(protocol, result))
    else:
        print(describe_ask(protocol, result))
    return 0
