"""Clinic overlays: a clinic tightens or relaxes named fields of the protocol.

An overlay file names the base protocol, and lists changes; each change sets
dotted fields of one item (an aftercare rule, symptom, screening rule, modifier,
or ``course``). Only the fields in :data:`SETTABLE_FIELDS` may be set, and each
knows which way is stricter, so a change that relaxes the protocol is caught and
must give a reason (DESIGN §3). The effective protocol is validated again as a
whole and records what the overlay did, so its version differs from the base's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aftercare.protocols.document import (
    MAX_OVERLAY_BYTES,
    ProtocolError,
    ProtocolIssue,
    format_path,
    line_of,
    parse_yaml,
    read_yaml,
    to_plain,
    validation_issues,
)
from aftercare.protocols.references import reference_issues
from aftercare.protocols.schema import AppliedChange, OverlayRecord, Protocol

__all__ = [
    "SETTABLE_FIELDS",
    "Direction",
    "Overlay",
    "OverlayChange",
    "apply_overlay",
    "apply_overlay_file",
    "apply_overlay_text",
    "change_effect",
    "read_overlay",
]

Loc = tuple[int | str, ...]
Effect = Literal["tightens", "relaxes", "same"]


class Direction(StrEnum):
    """Which way a settable field is stricter."""

    HIGHER = "higher"  # a bigger number restricts more, or for longer
    LOWER = "lower"  # a smaller number escalates sooner, or allows fewer
    GATE = "gate"  # adding a skin-state gate is stricter; removing one relaxes


_HIGHER, _LOWER = Direction.HIGHER, Direction.LOWER

SETTABLE_FIELDS: Mapping[str, Mapping[str, Direction]] = MappingProxyType(
    {
        "aftercare rule": {
            "allowed_from_hours": _HIGHER,
            "required_until_hours": _HIGHER,
            "min_spf": _HIGHER,
            "gate": Direction.GATE,
        },
        # A shorter expected window sends the patient to the clinic sooner.
        "symptom": {"expected.hours": _LOWER, "expected.widened_hours": _LOWER},
        "screening rule": {"trigger.within_days": _HIGHER},
        # A higher threshold gives fewer patients the widened symptom windows.
        "modifier": {"at_least": _HIGHER, "over": _HIGHER},
        "course": {
            "min_gap_days": _HIGHER,
            "max_gap_days": _LOWER,
            "max_sessions": _LOWER,
            "maintenance_min_months": _HIGHER,
            "maintenance_max_months": _LOWER,
        },
    }
)

# The names modifier thresholds had before factors came from the protocol; overlays kept
# by clinics may still use them, and mean the same field.
FORMER_FIELDS: Mapping[str, str] = MappingProxyType(
    {"age_at_least": "at_least", "needle_depth_over_mm": "over"}
)

_NAME_ONE = "name an aftercare rule, symptom, screening rule or modifier id, or 'course'"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class OverlayChange(_Strict):
    """One change: the item it names, the dotted fields it sets, and why when it relaxes."""

    item: Annotated[str, Field(min_length=1, max_length=64)]
    values: Annotated[dict[str, Any], Field(alias="set", min_length=1)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class Overlay(_Strict):
    """An overlay file as written: which protocol it changes, and how."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
    protocol: Annotated[str, Field(min_length=1, max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    changes: tuple[OverlayChange, ...]

    @model_validator(mode="after")
    def _changes_something(self) -> Overlay:
        # Not Field(min_length=1): that repeats every broken change as "at least 1 item".
        if not self.changes:
            raise ValueError("an overlay lists at least one change")
        return self


@dataclass(frozen=True, slots=True)
class _Target:
    """A field the overlay sets, located in the protocol data and in the overlay file."""

    change: AppliedChange
    protocol_loc: Loc
    overlay_loc: Loc

    @property
    def protocol_path(self) -> str:
        return format_path(self.protocol_loc)


def apply_overlay_file(protocol: Protocol, path: Path) -> Protocol:
    """The effective protocol: ``protocol`` with the overlay file at ``path`` applied."""
    node = read_yaml(path, MAX_OVERLAY_BYTES)
    return apply_overlay(protocol, read_overlay(str(path), node), source=str(path), node=node)


def apply_overlay_text(protocol: Protocol, text: str, source: str = "overlay") -> Protocol:
    """The effective protocol: ``protocol`` with overlay YAML ``text`` (a clinic's, stored)."""
    node = parse_yaml(text, source, MAX_OVERLAY_BYTES)
    return apply_overlay(protocol, read_overlay(source, node), source=source, node=node)


def read_overlay(source: str, node: Any) -> Overlay:
    """Check the shape of an overlay parsed by :func:`read_yaml` or :func:`parse_yaml`."""
    if not isinstance(node, dict):
        raise ProtocolError(source, [ProtocolIssue("", "an overlay file is a YAML mapping", 1)])
    try:
        return Overlay.model_validate(to_plain(node))
    except ValidationError as error:
        raise ProtocolError(source, validation_issues(error, node)) from None


def apply_overlay(
    protocol: Protocol, overlay: Overlay, *, source: str = "overlay", node: Any = None
) -> Protocol:
    """Apply ``overlay``; a ProtocolError lists every problem, with lines from ``node``."""
    application = _Application(protocol, node)
    application.check_identity(protocol, overlay)
    for index, change in enumerate(overlay.changes):
        application.add(index, change)
    effective = application.result(overlay)
    if application.issues or effective is None:
        # In file order, so that the list reads from the top of the overlay down.
        raise ProtocolError(source, sorted(application.issues, key=lambda issue: issue.line or 0))
    return effective


def change_effect(direction: Direction, old: object, new: object) -> Effect | None:
    """Whether setting ``old`` to ``new`` tightens or relaxes; None when not comparable."""
    if direction is Direction.GATE:
        return _gate_effect(old, new)
    before, after = _number(old), _number(new)
    if new is not None and after is None:
        return None  # not a number: validating the result reports it
    if before == after:
        return "same"
    if after is None:
        return "relaxes"  # the limit is removed
    if before is None:
        return "tightens" if direction is Direction.HIGHER else "relaxes"
    stricter = after > before if direction is Direction.HIGHER else after < before
    return "tightens" if stricter else "relaxes"


def _gate_effect(old: object, new: object) -> Effect | None:
    if new is not None and not isinstance(new, str):
        return None
    if old == new:
        return "same"
    # Adding a gate is stricter; removing one, or swapping it for another, is not.
    return "tightens" if old is None else "relaxes"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class _Application:
    """One overlay being applied: the protocol data it edits, and every problem found."""

    def __init__(self, protocol: Protocol, node: Any) -> None:
        self.items = _items(protocol)
        self.data: dict[str, Any] = protocol.model_dump(mode="json", exclude={"overlay"})
        self.node = node
        self.targets: list[_Target] = []
        self.issues: list[ProtocolIssue] = []

    def check_identity(self, protocol: Protocol, overlay: Overlay) -> None:
        if protocol.overlay is not None:
            self.report((), f"'{protocol.effective_id}' already has an overlay")
        if overlay.protocol != protocol.id:
            message = f"this overlay is for '{overlay.protocol}', not '{protocol.id}'"
            self.report(("protocol",), message)

    def add(self, index: int, change: OverlayChange) -> None:
        found = self.items.get(change.item)
        if found is None:
            self.report(("changes", index, "item"), f"unknown item '{change.item}'; {_NAME_ONE}")
            return
        for written, new in change.values.items():
            loc: Loc = ("changes", index, "set", written)
            field = FORMER_FIELDS.get(written, written) if found[0] == "modifier" else written
            problem = self._already_set(change.item, field)
            if problem is None:
                problem = self._add_field(found, change, field, new, loc)
            if problem is not None:
                self.report(loc, problem)

    def result(self, overlay: Overlay) -> Protocol | None:
        """The effective protocol, validated as a whole; None when it is not valid."""
        for target in self.targets:
            _set(self.data, target.protocol_loc, target.change.new)
        changes = tuple(target.change for target in self.targets)
        record = OverlayRecord(id=overlay.id, title=overlay.title, changes=changes)
        return self._revalidate({**self.data, "overlay": record.model_dump(mode="json")})

    def report(self, loc: Loc, message: str) -> None:
        self.issues.append(ProtocolIssue(format_path(loc), message, line_of(self.node, loc)))

    def _already_set(self, item: str, field: str) -> str | None:
        for target in self.targets:
            if (target.change.item, target.change.field) == (item, field):
                earlier = format_path(target.overlay_loc[:2])
                return f"'{field}' of '{item}' is already set by {earlier}"
        return None

    def _add_field(
        self, found: tuple[str, Loc], change: OverlayChange, field: str, new: Any, loc: Loc
    ) -> str | None:
        """Add one field to set; or say why it cannot be, or that it relaxes without reason."""
        kind, item_loc = found
        allowed = SETTABLE_FIELDS[kind]
        if field not in allowed:
            settable = ", ".join(allowed)
            return f"'{field}' cannot be set on {kind} '{change.item}'; settable: {settable}"
        if not (new is None or isinstance(new, str) or _number(new) is not None):
            return "set a number, or for 'gate' a skin state id"
        old = _get(self.data, item_loc, field)
        if old is _ABSENT:
            return f"'{change.item}' has no '{field.rsplit('.', 1)[0]}' to change"
        effect = change_effect(allowed[field], old, new)
        applied = AppliedChange(
            item=change.item,
            field=field,
            old=old,
            new=new,
            effect=effect or "same",
            reason=change.reason,
        )
        self.targets.append(_Target(applied, (*item_loc, *field.split(".")), loc))
        return _reason_problem(effect, change, field, old, new)

    def _revalidate(self, data: dict[str, Any]) -> Protocol | None:
        try:
            effective = Protocol.model_validate(to_plain(data))
        except ValidationError as error:
            for issue in validation_issues(error, data):
                self._blame(issue.path, issue.message)
            return None
        for _, path, message in reference_issues(effective):
            self._blame(path, message)
        return effective

    def _blame(self, path: str, message: str) -> None:
        """Report a problem of the effective protocol at the change that caused it."""
        causes = [
            target
            for target in self.targets
            if _is_within(path, target.protocol_path) or _is_within(target.protocol_path, path)
        ]
        if not causes:
            self.report(("changes",), f"{path}: {message}")
            return
        cause = causes[-1]
        if path != cause.protocol_path:
            message = f"{cause.change.item}: {message}"
        self.report(cause.overlay_loc, message)


def _items(protocol: Protocol) -> dict[str, tuple[str, Loc]]:
    """Every item an overlay may name: id to (kind, location in the protocol)."""
    items: dict[str, tuple[str, Loc]] = {"course": ("course", ("course",))}
    for i, rule in enumerate(protocol.aftercare):
        items[rule.id] = ("aftercare rule", ("aftercare", i))
    for i, symptom in enumerate(protocol.symptoms):
        items[symptom.id] = ("symptom", ("symptoms", i))
    for i, screening_rule in enumerate(protocol.screening.rules):
        items[screening_rule.id] = ("screening rule", ("screening", "rules", i))
    for i, modifier in enumerate(protocol.modifiers):
        items[modifier.id] = ("modifier", ("modifiers", i))
    return items


def _reason_problem(
    effect: Effect | None, change: OverlayChange, field: str, old: object, new: object
) -> str | None:
    if effect != "relaxes" or (change.reason or "").strip():
        return None
    return (
        f"relaxes '{change.item}' ({field} {_show(old)} -> {_show(new)}); "
        "a change that relaxes the protocol needs a reason"
    )


def _show(value: object) -> str:
    return "none" if value is None else str(value)


def _is_within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


# --- reading and writing the plain data ---------------------------------------------

_ABSENT = object()


def _get(data: dict[str, Any], item_loc: Loc, field: str) -> Any:
    current: Any = data
    for part in item_loc:
        current = current[part]
    for part in field.split("."):
        if not isinstance(current, dict) or part not in current:
            return _ABSENT
        current = current[part]
    return current


def _set(data: dict[str, Any], loc: Loc, value: object) -> None:
    current: Any = data
    for part in loc[:-1]:
        current = current[part]
    current[loc[-1]] = value
