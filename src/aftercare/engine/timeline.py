"""The personalised plan: every aftercare rule placed on this patient's own calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import elapsed, hours_between
from aftercare.protocols.schema import ActivityRule, Protocol, RuleKind, TimelineGroup

__all__ = ["DayChanges", "Plan", "PlanEntry", "PlanGroup", "PlanStatus", "day_number", "plan"]


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One rule on the calendar.

    ``allowed_from`` is when its activities become allowed (for a 'do' rule, when it
    starts). ``changes_at`` is when the entry stops applying as it does at first: the
    moment an activity becomes allowed, or a 'do' window ends.
    """

    rule: ActivityRule
    allowed_from: datetime
    changes_after_hours: int
    changes_at: datetime
    group: str

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def kind(self) -> RuleKind:
        return self.rule.kind


@dataclass(frozen=True, slots=True)
class PlanGroup:
    id: str
    label: str
    entries: tuple[PlanEntry, ...]


@dataclass(frozen=True, slots=True)
class DayChanges:
    """What changes on day ``day`` (day 0 is the first 24 hours), and at what moment."""

    day: int
    at: datetime
    entries: tuple[PlanEntry, ...]


def day_number(hours: float) -> int | None:
    """Day N at ``hours`` after treatment: day N starts after N times 24 elapsed hours, so
    day 0 is the first 24; None before the treatment ended."""
    return None if hours < 0 else int(hours // 24)


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """Where the plan stands at ``at``: the day, the routines to keep up, what is allowed
    (``gated``: allowed by the clock, still held back by a skin-state gate), what is not
    yet, and the changes of that local date and the next one to come."""

    at: datetime
    hours_after: float
    day: int | None
    doing: tuple[PlanEntry, ...]
    kept: tuple[PlanEntry, ...]
    allowed: tuple[PlanEntry, ...]
    gated: tuple[PlanEntry, ...]
    not_yet: tuple[PlanEntry, ...]
    changes_today: tuple[DayChanges, ...]
    next_change: DayChanges | None


@dataclass(frozen=True, slots=True)
class Plan:
    protocol_id: str
    protocol_version: str
    treated_at: datetime
    entries: tuple[PlanEntry, ...]
    groups: tuple[PlanGroup, ...]
    changes: tuple[DayChanges, ...]

    def day_at(self, at: datetime) -> int | None:
        """Day N of the plan at ``at`` (elapsed hours, not calendar days); None before it."""
        return day_number(hours_between(self.treated_at, at))

    def next_change(self, at: datetime) -> DayChanges | None:
        """The first moment after ``at`` at which something changes, or None."""
        return next((change for change in self.changes if change.at > at), None)

    def changes_on(self, at: datetime) -> tuple[DayChanges, ...]:
        """The changes on the local date of ``at``, on the treatment's clock."""
        local_day = at.astimezone(self.treated_at.tzinfo).date()
        return tuple(change for change in self.changes if change.at.date() == local_day)

    def status_at(self, at: datetime) -> PlanStatus:
        """The plan as it stands at ``at``, computed once for every page that shows it."""
        hours = hours_between(self.treated_at, at)
        allowed = tuple(
            e
            for e in self.entries
            if e.kind is RuleKind.ALLOWED_FROM and e.changes_after_hours <= hours
        )
        return PlanStatus(
            at=at,
            hours_after=hours,
            day=day_number(hours),
            doing=tuple(
                e
                for e in self.entries
                if e.kind is RuleKind.DO
                and e.rule.allowed_from_hours <= hours < e.changes_after_hours
            ),
            kept=tuple(
                e for e in self.entries if e.rule.then_text and hours >= e.changes_after_hours
            ),
            allowed=allowed,
            gated=tuple(e for e in allowed if e.rule.gate),
            not_yet=tuple(
                e
                for e in self.entries
                if not e.rule.is_never
                and e.kind is not RuleKind.DO
                and hours < e.changes_after_hours
            ),
            changes_today=self.changes_on(at),
            next_change=self.next_change(at),
        )


def plan(protocol: Protocol, treated_at: datetime) -> Plan:
    """The plan for a treatment that ended at ``treated_at`` (aware; shown in its zone)."""
    if treated_at.tzinfo is None or treated_at.utcoffset() is None:
        raise InputError("the treatment time needs a time zone")
    # Rules share few distinct hours (day 3, day 14…): place each hour on the calendar once.
    places = _Places(treated_at, protocol.timeline_groups)
    entries = sorted(
        (_entry(rule, places) for rule in protocol.aftercare),
        key=lambda entry: (entry.changes_after_hours, entry.rule.kind is not RuleKind.DO),
    )
    return Plan(
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        treated_at=treated_at,
        entries=tuple(entries),
        groups=_groups(protocol.timeline_groups, entries),
        changes=_changes(entries),
    )


class _Places:
    """The local moment and timeline group of each hour after treatment, computed once."""

    def __init__(self, treated_at: datetime, groups: tuple[TimelineGroup, ...]) -> None:
        self.treated_at = treated_at
        first_day = treated_at.date()
        self.bounds = [
            (
                g.id,
                g.until_hours,
                None
                if g.until_local_day is None
                else (first_day + timedelta(days=g.until_local_day)),
            )
            for g in groups
        ]
        self.known: dict[int, tuple[datetime, str]] = {}

    def of(self, hours: int) -> tuple[datetime, str]:
        place = self.known.get(hours)
        if place is None:
            moment = elapsed(self.treated_at, hours)
            place = self.known[hours] = (moment, self._group(hours, moment))
        return place

    def _group(self, hours: int, moment: datetime) -> str:
        for group_id, until_hours, last_day in self.bounds:
            if until_hours is not None and hours <= until_hours:
                return group_id
            if last_day is not None and moment.date() <= last_day:
                return group_id
        return self.bounds[-1][0]


def _entry(rule: ActivityRule, places: _Places) -> PlanEntry:
    hours = rule.allowed_from_hours
    if rule.kind is RuleKind.DO and rule.required_until_hours is not None:
        hours = rule.required_until_hours
    moment, group = places.of(hours)
    return PlanEntry(rule, places.of(rule.allowed_from_hours)[0], hours, moment, group)


def _groups(groups: tuple[TimelineGroup, ...], entries: list[PlanEntry]) -> tuple[PlanGroup, ...]:
    return tuple(
        PlanGroup(group.id, group.label, tuple(e for e in entries if e.group == group.id))
        for group in groups
    )


def _changes(entries: list[PlanEntry]) -> tuple[DayChanges, ...]:
    by_moment: dict[int, list[PlanEntry]] = {}
    for entry in entries:
        if entry.changes_after_hours > 0:
            by_moment.setdefault(entry.changes_after_hours, []).append(entry)
    return tuple(
        DayChanges(day_number(hours) or 0, group[0].changes_at, tuple(group))
        for hours, group in sorted(by_moment.items())
    )
