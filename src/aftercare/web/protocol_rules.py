"""The rules a clinic works to, as a table, and the settings its administrator may change.

Each row is one item of the effective protocol (an aftercare rule, a screening washout,
the course) with its window and sources, and what the clinic's overlay changed in it and
why. The settings are the windows, SPFs and washouts an overlay may set (see
``protocols.overlay.SETTABLE_FIELDS``); a change is written into the clinic's overlay,
the same YAML the expert's box holds, and checked as any overlay is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aftercare.protocols.describe import calendar_text, moment_text, rule_window, sources_line
from aftercare.protocols.overlay_edit import FieldChange, set_field
from aftercare.protocols.schema import (
    ActivityRule,
    AppliedChange,
    Cited,
    Course,
    Protocol,
    RuleKind,
    ScreeningRule,
)
from aftercare.web.clinic.models import Clinic, ScreeningStatus
from aftercare.web.protocol import (
    base_protocol,
    clinic_overlay,
    effective_protocol,
    overlay_source,
)

__all__ = [
    "COURSE_ITEM",
    "RuleRow",
    "Setting",
    "changed_overlay",
    "check_overlay",
    "rule_rows",
    "settings_of",
]

COURSE_ITEM = "course"
# The overlay a clinic's first change from the settings page starts.
NEW_OVERLAY_ID = "clinic-settings"


@dataclass(frozen=True, slots=True)
class Setting:
    """One field an administrator may set: ``key`` is "item|field"."""

    group: str
    item: str
    field: str
    label: str
    value: int | None

    @property
    def key(self) -> str:
        return f"{self.item}|{self.field}"


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A row of the rules table: the item, its window, its sources, the clinic's changes."""

    item: str
    label: str
    window: str
    source: str
    changes: tuple[str, ...]
    reasons: tuple[str, ...]
    # The setting the row's "Change" link picks.
    setting: str


def settings_of(protocol: Protocol) -> list[Setting]:
    """Every window, SPF and washout of ``protocol`` a clinic may set, in the table's order."""
    return [*_aftercare_settings(protocol), *_washout_settings(protocol), *_course(protocol)]


def rule_rows(protocol: Protocol) -> dict[str, list[RuleRow]]:
    """The rules table, in groups: aftercare, screening washouts, course."""
    applied = protocol.overlay.changes if protocol.overlay else ()
    settings = settings_of(protocol)
    rows: dict[str, list[RuleRow]] = {"Aftercare": [], "Screening washouts": [], "Course": []}
    for group, item, label, window, cited, fields in _items(protocol):
        mine = [c for c in applied if c.item == item and (fields is None or c.field in fields)]
        rows[group].append(
            RuleRow(
                item=item,
                label=label,
                window=window,
                source=sources_line(cited),
                changes=tuple(_change_words(change) for change in mine),
                reasons=tuple(change.reason for change in mine if change.reason),
                setting=next(
                    s.key
                    for s in settings
                    if s.item == item and (fields is None or s.field in fields)
                ),
            )
        )
    return rows


def changed_overlay(
    clinic: Clinic, protocol_id: str, setting: Setting, value: int, reason: str
) -> str:
    """The clinic's overlay text on ``protocol_id`` with ``setting`` set to ``value`` for
    ``reason``; back to the standard protocol (the overlay no longer names it) when
    ``value`` is its own. A ProtocolError when the stored overlay cannot be edited."""
    base = base_protocol(protocol_id)
    standard = {s.key: s.value for s in settings_of(base)}.get(setting.key)
    change = FieldChange(setting.item, setting.field, value, reason, standard=value == standard)
    return set_field(
        clinic_overlay(clinic, protocol_id),
        change,
        protocol_id=base.id,
        overlay_id=NEW_OVERLAY_ID,
        title=f"{clinic.name}: protocol settings",
    )


def check_overlay(clinic: Clinic, protocol_id: str, text: str) -> Protocol:
    """The protocol ``text`` gives the clinic for ``protocol_id``; a ProtocolError lists
    what is wrong."""
    source = overlay_source(clinic, protocol_id)
    return effective_protocol(text, clinic.older_age_years, source, protocol_id)


_Item = tuple[str, str, str, str, Cited, frozenset[str] | None]
_GAPS = frozenset({"min_gap_days", "max_gap_days", "max_sessions"})
_UPKEEP = frozenset({"maintenance_min_months", "maintenance_max_months"})


def _items(protocol: Protocol) -> Iterator[_Item]:
    """(group, item id, label, window, the cited item, the fields its row covers)."""
    for rule in protocol.aftercare:
        label, window = _activities(protocol, rule), rule_window(protocol, rule)
        yield "Aftercare", rule.id, label, window, rule, None
    for screening_rule in protocol.screening.rules:
        days = screening_rule.trigger.within_days
        if days is not None:
            calendar = calendar_text(screening_rule.trigger)
            later = f" or {calendar}, whichever ends later" if calendar else ""
            window = f"{_outcome(screening_rule)} within {days} days{later}"
            yield (
                "Screening washouts",
                screening_rule.id,
                screening_rule.text,
                window,
                screening_rule,
                None,
            )
    course = protocol.course
    gaps = f"{course.min_gap_days} to {course.max_gap_days} days apart"
    upkeep = f"every {course.maintenance_min_months} to {course.maintenance_max_months} months"
    yield "Course", COURSE_ITEM, "Sessions of a course", gaps, course, _GAPS
    yield "Course", COURSE_ITEM, "Maintenance after the course", upkeep, course, _UPKEEP


def _aftercare_settings(protocol: Protocol) -> Iterator[Setting]:
    for rule in protocol.aftercare:
        label = _activities(protocol, rule)
        start = {
            RuleKind.AVOID: "avoid until",
            RuleKind.ALLOWED_FROM: "allowed from",
        }.get(rule.kind, "from")
        yield Setting(
            "Aftercare",
            rule.id,
            "allowed_from_hours",
            f"{label}: {start}, hours after treatment",
            rule.allowed_from_hours,
        )
        if rule.required_until_hours is not None:
            until = f"{label}: until, hours after treatment"
            yield Setting(
                "Aftercare", rule.id, "required_until_hours", until, rule.required_until_hours
            )
        if rule.min_spf is not None:
            yield Setting("Aftercare", rule.id, "min_spf", f"{label}: SPF at least", rule.min_spf)


def _washout_settings(protocol: Protocol) -> Iterator[Setting]:
    for rule in protocol.screening.rules:
        days = rule.trigger.within_days
        if days is not None:
            label = f"{rule.text.rstrip('.')}: washout, days"
            yield Setting("Screening washouts", rule.id, "trigger.within_days", label, days)


def _course(protocol: Protocol) -> Iterator[Setting]:
    course: Course = protocol.course
    for field, label, value in (
        ("min_gap_days", "Shortest gap between sessions, days", course.min_gap_days),
        ("max_gap_days", "Longest gap between sessions, days", course.max_gap_days),
        ("maintenance_min_months", "Maintenance from, months", course.maintenance_min_months),
        ("maintenance_max_months", "Maintenance until, months", course.maintenance_max_months),
    ):
        yield Setting("Course", COURSE_ITEM, field, label, value)


def _activities(protocol: Protocol, rule: ActivityRule) -> str:
    known = protocol.index.activities
    return ", ".join(known[a].label if a in known else a for a in rule.activities)


def _outcome(rule: ScreeningRule) -> str:
    return str(ScreeningStatus(rule.outcome).label) if rule.outcome != "caution" else "Caution"


def _change_words(change: AppliedChange) -> str:
    old, new = _value_words(change.field, change.old), _value_words(change.field, change.new)
    return f"The clinic changed {change.field} from {old} to {new} ({change.effect})."


def _value_words(field: str, value: object) -> str:
    if value is None:
        return "none"
    if field.endswith("_hours") and isinstance(value, int):
        return moment_text(value)
    return str(value)
