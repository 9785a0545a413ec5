"""Commands: `aftercare protocol list | validate | schema | show | conflicts`, for protocol
authors."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aftercare.cli.common import CliError, add_protocol_flags, print_json, protocol_from_args
from aftercare.protocols.describe import (
    course_line,
    rule_window,
    screening_line,
    sources_line,
    symptom_window,
)
from aftercare.protocols.load import DEFAULT_PROTOCOL, ProtocolError, load_protocol
from aftercare.protocols.registry import installed_protocols
from aftercare.protocols.schema import (
    Cited,
    Conflict,
    ConflictStatement,
    OverlayRecord,
    Protocol,
)

__all__ = [
    "conflicts_json",
    "describe_conflicts",
    "describe_protocol",
    "list_json",
    "register",
    "rule_window",
    "show_json",
    "symptom_window",
]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `aftercare protocol …` and its commands."""
    parser = subparsers.add_parser(
        "protocol",
        help="check, show and explain a protocol",
        description="Check a protocol file, and show its items, sources and conflicts.",
    )
    commands = parser.add_subparsers(dest="protocol_command", required=True, metavar="COMMAND")
    listing = commands.add_parser(
        "list",
        help="the packaged protocols",
        description="List the packaged protocols: id, title, version, language and sign-off.",
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)
    validate = commands.add_parser(
        "validate",
        help="check a protocol file (and an overlay), listing every error",
        description="Check a protocol file, or a packaged protocol by --protocol ID; exit 1 "
        "and list every error when it is not valid.",
    )
    validate.add_argument("file", type=Path, nargs="?", metavar="FILE", help="the protocol file")
    add_protocol_flags(validate)
    validate.set_defaults(handler=run_validate)
    schema = commands.add_parser("schema", help="print the JSON Schema of a protocol file")
    schema.set_defaults(handler=run_schema)
    for name, handler, help_text in (
        ("show", run_show, "the items with their windows and sources"),
        ("conflicts", run_conflicts, "each reconciled conflict and the items that cite it"),
    ):
        command = commands.add_parser(name, help=help_text, description=f"Print {help_text}.")
        command.add_argument("--json", action="store_true", help="machine-readable output")
        add_protocol_flags(command)
        command.set_defaults(handler=handler)


def run_list(args: argparse.Namespace) -> int:
    listed = list_json()
    if args.json:
        print_json(listed)
        return 0
    for entry in listed:
        print(
            f"{entry['id']}: {entry['title']} (version {entry['version']}, "
            f"{entry['language']}; {entry['sign_off']})"
        )
    return 0


def list_json() -> list[dict[str, str]]:
    """Each packaged protocol, by id."""
    return [
        {
            **_identity(protocol),
            "title": protocol.title,
            "language": protocol.language,
            "sign_off": (
                f"signed off by {protocol.signed_off_by}"
                if protocol.signed_off_by
                else "needs clinical sign-off"
            ),
        }
        for protocol in installed_protocols().load_all()
    ]


def run_validate(args: argparse.Namespace) -> int:
    for path in (args.file, args.overlay):
        if path is not None and not path.is_file():
            raise CliError(f"{path}: no such file")
    if args.file is not None and args.protocol != DEFAULT_PROTOCOL:
        raise CliError("give a protocol FILE or --protocol ID, not both")
    try:
        if args.file is None:
            protocol = protocol_from_args(args)
        else:
            protocol = load_protocol(args.file, args.overlay)
    except ProtocolError as error:
        print(error)
        for issue in error.issues:
            print(issue)
        return 1
    name = args.file or protocol.id
    print(
        f"{name}: valid (id {protocol.effective_id}, version {protocol.version}, "
        f"{len(protocol.activities)} activities, {len(protocol.aftercare)} rules, "
        f"{len(protocol.symptoms)} symptoms)"
    )
    return 0


def run_schema(args: argparse.Namespace) -> int:
    print_json(Protocol.model_json_schema())
    return 0


def run_show(args: argparse.Namespace) -> int:
    protocol = protocol_from_args(args)
    if args.json:
        print_json(show_json(protocol))
    else:
        print(describe_protocol(protocol))
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    protocol = protocol_from_args(args)
    if args.json:
        print_json(conflicts_json(protocol))
    else:
        print(describe_conflicts(protocol))
    return 0


# --- show ------------------------------------------------------------------------


def show_json(protocol: Protocol) -> dict[str, Any]:
    """The items as their protocol data, each with its window in words."""
    # Each item's "id" is put first (the dump repeats it) so that the JSON reads well.
    return {
        **_identity(protocol),
        "title": protocol.title,
        "aftercare": [
            {"id": rule.id, **rule.model_dump(mode="json"), "window": rule_window(protocol, rule)}
            for rule in protocol.aftercare
        ],
        "symptoms": [
            {"id": symptom.id, **symptom.model_dump(mode="json"), "window": symptom_window(symptom)}
            for symptom in protocol.symptoms
        ],
        "screening_rules": [
            {"id": rule.id, **rule.model_dump(mode="json")} for rule in protocol.screening.rules
        ],
        "course": protocol.course.model_dump(mode="json"),
        "overlay": protocol.overlay.model_dump(mode="json") if protocol.overlay else None,
    }


def describe_protocol(protocol: Protocol) -> str:
    """The protocol for people: identity, then each section, each item with its sources."""
    lines = [protocol.title, f"  id {protocol.effective_id}, version {protocol.version}"]
    if protocol.overlay is not None:
        lines += _overlay_lines(protocol.overlay)
    lines += ["", "Aftercare"]
    for rule in protocol.aftercare:
        lines.append(f"  {', '.join(rule.activities)}: {rule_window(protocol, rule)}")
        lines.append(f"    {rule.id}; {sources_line(rule)}")
    lines += ["", "Symptoms"]
    for symptom in protocol.symptoms:
        lines += [f"  {symptom.id}: {symptom_window(symptom)}", f"    {sources_line(symptom)}"]
    lines += ["", "Screening"]
    for screening_rule in protocol.screening.rules:
        lines += [f"  {screening_line(screening_rule)}", f"    {sources_line(screening_rule)}"]
    lines += ["", "Course", f"  {course_line(protocol.course)}"]
    lines.append(f"    {sources_line(protocol.course)}")
    return "\n".join(lines)


def _overlay_lines(overlay: OverlayRecord) -> list[str]:
    lines = [f"  overlay {overlay.id}: {overlay.title}"]
    for change in overlay.changes:
        why = f": {change.reason}" if change.reason else ""
        lines.append(
            f"    {change.item} {change.field} {change.old} -> {change.new} ({change.effect}{why})"
        )
    return lines


# --- conflicts -------------------------------------------------------------------


def conflicts_json(protocol: Protocol) -> dict[str, Any]:
    citing = _citing_items(protocol)
    return {
        **_identity(protocol),
        "conflicts": [
            {**conflict.model_dump(mode="json"), "cited_by": citing.get(conflict.id, [])}
            for conflict in protocol.conflicts
        ],
    }


def describe_conflicts(protocol: Protocol) -> str:
    """Each conflict: the statements and their sources, the outcome, the rule, who cites it."""
    citing = _citing_items(protocol)
    blocks = [
        _conflict_block(conflict, citing.get(conflict.id, [])) for conflict in protocol.conflicts
    ]
    return "\n\n".join(blocks)


def _conflict_block(conflict: Conflict, cited_by: list[str]) -> str:
    lines = [f"{conflict.id} {conflict.topic}"]
    lines += [
        f"  {_statement_source(statement)}: {statement.says}" for statement in conflict.statements
    ]
    lines += [f"  outcome: {conflict.outcome}", f"  rule: {conflict.rule}"]
    lines.append(f"  cited by: {', '.join(cited_by) or 'no item'}")
    return "\n".join(lines)


def _statement_source(statement: ConflictStatement) -> str:
    return statement.leaflet or f"literature ({statement.literature})"


def _citing_items(protocol: Protocol) -> dict[str, list[str]]:
    """Conflict id to the ids of the items whose reconciliation names it."""
    citing: dict[str, list[str]] = {}
    for item_id, item in _cited_items(protocol):
        if item.reconciliation is not None:
            citing.setdefault(item.reconciliation.conflict, []).append(item_id)
    return citing


def _cited_items(protocol: Protocol) -> Iterator[tuple[str, Cited]]:
    yield from ((modifier.id, modifier) for modifier in protocol.modifiers)
    yield from ((rule.id, rule) for rule in protocol.aftercare)
    yield from ((symptom.id, symptom) for symptom in protocol.symptoms)
    yield "triage", protocol.triage
    yield from ((rule.id, rule) for rule in protocol.screening.rules)
    yield "course", protocol.course
    yield from ((item.id, item) for item in protocol.information)


def _identity(protocol: Protocol) -> dict[str, str]:
    return {"id": protocol.id, "effective_id": protocol.effective_id, "version": protocol.version}
