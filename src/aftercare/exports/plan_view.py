"""The plan as the plan template shows it: groups of lines, then what changes when.

One structure for the staff plan pages and the printed leaflet, which share the template
``aftercare/plan.html``; free of Django, so the leaflet renders anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.engine.explain import (
    change_heading,
    describe_entry,
    ended_sentence,
    entry_labels,
    format_moment,
    protocol_line,
    why_line,
)
from aftercare.engine.timeline import DayChanges, Plan
from aftercare.protocols.schema import Protocol, RuleKind

__all__ = ["ChangeView", "GroupView", "Line", "PlanView", "change_view", "plan_view"]


@dataclass(frozen=True, slots=True)
class Line:
    """A plan line and the protocol's reason for it; shown as its text where only text fits.
    ``why`` is the reason as a line reads it ("Why: …"), where the page shows it so."""

    text: str
    reason: str
    why: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class GroupView:
    label: str
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class ChangeView:
    """One moment in the plan: what becomes allowed (each with the skin-state gate that
    still holds it back), which daily routines end, and what to keep doing as a habit.

    Every field is text, so the leaflet renders without Django's settings (a number would
    be localised, which reads them)."""

    # "Day 14, Sat 5 Dec, 10:30", as explain heads the change.
    heading: str
    when: str
    allowed: tuple[str, ...]
    ended: tuple[str, ...]
    kept: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanView:
    # "Treatment ended Sat 21 Nov, 10:30 (Europe/London)." and "Protocol …, version …".
    ended: str
    protocol: str
    groups: tuple[GroupView, ...]
    changes: tuple[ChangeView, ...]


def plan_view(protocol: Protocol, result: Plan, *, reasons: bool) -> PlanView:
    """The plan grouped as patients think of it, then what changes when; with ``reasons``,
    each line carries the protocol's reason for it (the template then shows "Why: …")."""
    return PlanView(
        ended=ended_sentence(protocol, result.treated_at),
        protocol=protocol_line(protocol, result.protocol_id, result.protocol_version),
        groups=tuple(
            GroupView(
                group.label,
                tuple(
                    Line(
                        describe_entry(protocol, e),
                        e.rule.reason if reasons else "",
                        why_line(protocol, e.rule.reason) if reasons else "",
                    )
                    for e in group.entries
                ),
            )
            for group in result.groups
            if group.entries
        ),
        changes=tuple(change_view(protocol, change) for change in result.changes),
    )


def change_view(protocol: Protocol, change: DayChanges) -> ChangeView:
    allowed = [e for e in change.entries if e.kind is not RuleKind.DO]
    routines = [e for e in change.entries if e.kind is RuleKind.DO]
    return ChangeView(
        heading=change_heading(protocol, change),
        when=format_moment(change.at, protocol.language),
        allowed=tuple(label for e in allowed for label in entry_labels(protocol, e)),
        ended=tuple(
            label for e in routines if not e.rule.then_text for label in entry_labels(protocol, e)
        ),
        kept=tuple(e.rule.then_text for e in routines if e.rule.then_text),
    )
