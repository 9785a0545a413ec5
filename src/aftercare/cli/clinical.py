"""Commands: `aftercare triage` and `aftercare course` (`aftercare screen` is its own module).

The JSON each prints is a contract other tools read: keep its keys.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any, TypeAlias

from aftercare.cli.common import (
    CliError,
    add_elapsed_flags,
    add_factor_flags,
    add_protocol_flags,
    elapsed_from_args,
    factors_from_args,
    iso_date,
    non_negative,
    print_json,
    protocol_from_args,
)
from aftercare.contracts import course_json, triage_json
from aftercare.engine.course import (
    CoursePlan,
    SessionCheck,
    check_session,
    maintenance_window,
    plan_course,
)
from aftercare.engine.explain import format_day
from aftercare.engine.triage import (
    Severity,
    Trend,
    TriageResult,
    distinct_reports,
    symptom_report,
    triage,
)

__all__ = ["register"]

# A string: argparse's class is not subscriptable at run time.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

COURSE_WAYS = (
    "--first DATE [--sessions N]; --previous DATE --proposed DATE; --completed DATE --maintenance"
)


def register(subparsers: Subparsers) -> None:
    """Add this module's commands."""
    _register_triage(subparsers)
    _register_course(subparsers)


# --- triage --------------------------------------------------------------------


def _register_triage(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="triage symptoms after treatment",
        description=(
            "Say whether symptoms are expected, or the patient should contact the clinic "
            "or call 999."
        ),
    )
    parser.add_argument("symptoms", nargs="*", metavar="SYMPTOM", help='an id or "red skin"')
    parser.add_argument(
        "--text", default="", help="what the patient wrote, read for red-flag phrases"
    )
    add_elapsed_flags(parser, at_help="when the symptoms are reported")
    parser.add_argument("--trend", choices=[trend.value for trend in Trend])
    parser.add_argument("--severity", choices=[severity.value for severity in Severity])
    parser.add_argument("--json", action="store_true")
    add_factor_flags(parser)
    add_protocol_flags(parser)
    parser.set_defaults(handler=run_triage)


def run_triage(args: argparse.Namespace) -> int:
    hours, _ = elapsed_from_args(args)
    protocol = protocol_from_args(args)
    factors = factors_from_args(args, protocol)
    trend = Trend(args.trend) if args.trend else None
    severity = Severity(args.severity) if args.severity else None
    reports = [symptom_report(protocol, name, trend, severity) for name in args.symptoms]
    result = triage(protocol, distinct_reports(reports), hours, factors, args.text)
    _show(args, triage_json(protocol, result), _triage_text(result))
    return 0


def _triage_text(result: TriageResult) -> str:
    lines = [result.advice, ""]
    lines += [f"- {s.label}: {_words(s.level)}. {s.reason}" for s in result.symptoms]
    return "\n".join(lines)


# --- course --------------------------------------------------------------------


def _register_course(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "course",
        help="plan a course, check the gap before a session, or find maintenance",
        description=f"Give one of: {COURSE_WAYS}.",
    )
    parser.add_argument("--first", type=iso_date, metavar="DATE", help="the first session")
    parser.add_argument(
        "--sessions", type=non_negative, metavar="N", help="default: the protocol's"
    )
    parser.add_argument("--previous", type=iso_date, metavar="DATE")
    parser.add_argument("--proposed", type=iso_date, metavar="DATE")
    parser.add_argument("--completed", type=iso_date, metavar="DATE", help="the last session")
    parser.add_argument("--maintenance", action="store_true")
    parser.add_argument("--json", action="store_true")
    add_protocol_flags(parser)
    parser.set_defaults(handler=run_course)


def run_course(args: argparse.Namespace) -> int:
    mode = _course_mode(args)
    protocol = protocol_from_args(args)
    if mode == "plan":
        sessions = args.sessions if args.sessions is not None else protocol.course.default_sessions
        plan = plan_course(protocol, args.first, sessions)
        _show(args, course_json(plan), _plan_text(plan))
        return 0 if plan.valid else 1
    if mode == "check":
        check = check_session(protocol, args.previous, args.proposed)
        _show(args, course_json(check), _check_text(check))
        return 0
    window = maintenance_window(protocol, args.completed)
    _show(args, course_json(window), f"Maintenance: {_span(window.earliest, window.latest)}")
    return 0


def _course_mode(args: argparse.Namespace) -> str:
    modes = {
        "plan": (args.first, args.sessions),
        "check": (args.previous, args.proposed),
        "maintenance": (args.completed, args.maintenance or None),
    }
    chosen = [mode for mode, flags in modes.items() if any(f is not None for f in flags)]
    if len(chosen) != 1:
        raise CliError(f"give one of: {COURSE_WAYS}")
    mode = chosen[0]
    if mode == "plan" and args.first is None:
        raise CliError("--sessions needs --first DATE")
    if None in modes[mode] and mode != "plan":
        pair = "--previous and --proposed" if mode == "check" else "--completed and --maintenance"
        raise CliError(f"{pair} go together")
    return mode


def _plan_text(plan: CoursePlan) -> str:
    if not plan.valid:
        return (
            f"Not a valid course: {plan.requested} sessions; "
            f"a course has {plan.min_sessions} to {plan.max_sessions}."
        )
    gaps = f"{plan.min_gap_days} to {plan.max_gap_days} days apart"
    lines = [f"Course of {plan.requested} sessions, {gaps}:"]
    lines += [f"- Session {s.number}: {_span(s.earliest, s.latest)}" for s in plan.sessions]
    if (upkeep := plan.maintenance) is not None:
        lines.append(f"Maintenance: {_span(upkeep.earliest, upkeep.latest)}")
    return "\n".join(lines)


def _check_text(check: SessionCheck) -> str:
    return (
        f"{_words(check.verdict).capitalize()}: {check.gap_days} days after the previous session; "
        f"the window is {_span(check.earliest, check.latest)}."
    )


def _span(earliest: date, latest: date) -> str:
    shown = format_day(earliest)
    return shown if earliest == latest else f"{shown} to {format_day(latest)}"


def _show(args: argparse.Namespace, as_json: dict[str, Any], as_text: str) -> None:
    if args.json:
        print_json(as_json)
    else:
        print(as_text)


def _words(value: str) -> str:
    return value.replace("_", " ")
