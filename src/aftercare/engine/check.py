""" "Can I … now?": one activity, checked against the protocol at a moment after treatment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import elapsed
from aftercare.engine.names import resolve
from aftercare.protocols.schema import ActivityRule, Citation, Protocol, RuleKind

__all__ = ["CheckResult", "Verdict", "check", "known_skin", "parse_skin_state", "resolve_activity"]


class Verdict(StrEnum):
    ALLOWED = "allowed"
    # Allowed by the clock, but only once a skin state is met whose state is unknown (the
    # gate is first among the requirements): never a bare yes.
    ALLOWED_IF = "allowed_if"
    NOT_YET = "not_yet"
    REQUIRED = "required"
    # Never advised, at any time after treatment.
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer for one activity, with the rule and sources behind it."""

    activity: str
    label: str
    verdict: Verdict
    hours_after: float
    allowed_from_hours: int | None
    allowed_from: datetime | None
    required_until: datetime | None
    blocking_condition: str | None
    requirements: tuple[str, ...]
    rule: ActivityRule

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def min_spf(self) -> int | None:
        return self.rule.min_spf

    @property
    def required_until_hours(self) -> int | None:
        return self.rule.required_until_hours

    @property
    def gate(self) -> str | None:
        """The skin state this answer still waits on, when its state is unknown."""
        return self.rule.gate if self.verdict is Verdict.ALLOWED_IF else None

    @property
    def sources(self) -> tuple[Citation, ...]:
        return self.rule.sources

    @property
    def note(self) -> str | None:
        """The reconciliation note, when leaflets disagreed and a policy decided."""
        return self.rule.reconciliation.note if self.rule.reconciliation else None


def resolve_activity(protocol: Protocol, name: str) -> str:
    """The activity id for what a person typed; UnknownNameError with close matches."""
    return resolve("activity", name, protocol.index.activity_names)


def parse_skin_state(text: str) -> tuple[str, bool]:
    """``STATE=yes`` or ``STATE=no`` (``peeling_complete=no``): a skin state, reached or not."""
    state, _, value = text.partition("=")
    reached = {"yes": True, "true": True, "no": False, "false": False}.get(value.strip().lower())
    if not state.strip() or reached is None:
        raise InputError(f"'{text}' is not STATE=yes or STATE=no")
    return state.strip(), reached


def known_skin(protocol: Protocol, skin: Mapping[str, bool] | None) -> Mapping[str, bool] | None:
    """``skin`` when every state it names is one of ``protocol``'s; else an InputError
    naming them, so that a state of another procedure is never quietly ignored."""
    states = protocol.index.skin_states
    unknown = [state for state in skin or () if state not in states]
    if unknown:
        known = ", ".join(states) or "none"
        raise InputError(
            f"the {protocol.id} protocol has no skin state '{unknown[0]}'; it has: {known}"
        )
    return skin


def check(
    protocol: Protocol,
    activity: str,
    hours_after: float,
    *,
    skin: Mapping[str, bool] | None = None,
    treated_at: datetime | None = None,
) -> CheckResult:
    """Whether ``activity`` is allowed ``hours_after`` the end of treatment.

    ``skin`` holds what is known of the skin's state (``{"redness_resolved": False}``).
    A gate whose state is unknown does not block, but the answer is never a bare yes:
    the verdict is ``allowed_if`` and the gate comes first among the requirements ("once
    the redness has gone"). A 'never' rule is never allowed. With ``treated_at`` (aware),
    the answer also carries local date-times in that datetime's zone. A skin state the
    protocol does not have is an InputError.
    """
    index = protocol.index
    known_skin(protocol, skin)
    activity_id = resolve_activity(protocol, activity)
    rule = index.activity_rules[activity_id]
    state = None if rule.gate is None or skin is None else skin.get(rule.gate)
    verdict = _verdict(rule, hours_after, state)
    requirements = rule.requirements
    if rule.gate is not None and state is None:
        requirements = (rule.gate, *requirements)
    return CheckResult(
        activity=activity_id,
        label=index.activities[activity_id].label,
        verdict=verdict,
        hours_after=hours_after,
        allowed_from_hours=None if rule.is_never else rule.allowed_from_hours,
        allowed_from=None if rule.is_never else _after(treated_at, rule.allowed_from_hours),
        required_until=_after(treated_at, rule.required_until_hours),
        blocking_condition=(
            index.skin_states[rule.gate].blocking if rule.gate and state is False else None
        ),
        requirements=requirements,
        rule=rule,
    )


def _verdict(rule: ActivityRule, hours_after: float, gate_state: bool | None) -> Verdict:
    if rule.is_never:
        return Verdict.NEVER
    if hours_after < 0 or hours_after < rule.allowed_from_hours or gate_state is False:
        return Verdict.NOT_YET
    if rule.kind is RuleKind.DO and hours_after < (rule.required_until_hours or 0):
        return Verdict.REQUIRED
    if rule.gate is not None and gate_state is None:
        return Verdict.ALLOWED_IF
    return Verdict.ALLOWED


def _after(treated_at: datetime | None, hours: int | None) -> datetime | None:
    if treated_at is None or hours is None:
        return None
    return elapsed(treated_at, hours)
