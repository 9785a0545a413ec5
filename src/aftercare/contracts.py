"""The JSON shapes of the engine's answers, shared by the command line and the API.

`aftercare check|plan|triage|screen|course --json` print these, and the API's response
schemas (``aftercare.web.api.schemas``) describe the same objects, so a booking system
reads the same fields whichever it calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from aftercare.engine.ask import AskResult
from aftercare.engine.check import CheckResult
from aftercare.engine.course import CoursePlan, MaintenanceWindow, SessionCheck
from aftercare.engine.explain import ask_sentence, describe_ask, describe_check
from aftercare.engine.screening import ScreeningResult
from aftercare.engine.timeline import Plan, PlanEntry
from aftercare.engine.triage import TriageResult
from aftercare.protocols.schema import Citation, Protocol, RuleKind

__all__ = [
    "ask_json",
    "check_json",
    "course_json",
    "iso",
    "plan_json",
    "screening_json",
    "sources_json",
    "triage_json",
]


def sources_json(sources: Iterable[Citation]) -> list[dict[str, str]]:
    """Citations as JSON objects: leaflet and quote, or literature and note."""
    return [source.model_dump(exclude_none=True) for source in sources]


def iso(moment: date | None) -> str | None:
    """ISO 8601 for a date or a datetime, None kept as None."""
    return moment.isoformat() if moment is not None else None


def check_json(protocol: Protocol, result: CheckResult) -> dict[str, Any]:
    """The JSON contract of `aftercare check --json`: ``answer`` is the sentence a person
    reads first ("Makeup: yes, once the redness has gone …"), never a bare yes."""
    return {
        "activity": result.activity,
        "answer": describe_check(protocol, result).splitlines()[0],
        "verdict": result.verdict.value,
        "allowed_from_hours": result.allowed_from_hours,
        "allowed_from": iso(result.allowed_from),
        "blocking_condition": result.blocking_condition,
        "requirements": list(result.requirements),
        "min_spf": result.min_spf,
        "required_until_hours": result.required_until_hours,
        "sources": sources_json(result.sources),
        "note": result.note,
        "rule": result.rule_id,
        "label": result.label,
    }


_NOT_ANSWERED: dict[str, Any] = {
    "activity": None,
    "verdict": None,
    "allowed_from_hours": None,
    "allowed_from": None,
    "blocking_condition": None,
    "requirements": [],
    "min_spf": None,
    "required_until_hours": None,
    "sources": [],
    "note": None,
    "rule": None,
    "label": None,
}


def ask_json(protocol: Protocol, result: AskResult) -> dict[str, Any]:
    """The JSON contract of `aftercare ask --json` and the API's ``ask``: ``check``'s keys
    (null when no activity was understood), and what the resolver made of the question."""
    checked = dict(_NOT_ANSWERED)
    if result.check is not None:
        checked = check_json(protocol, result.check)
        del checked["answer"]  # the question's own answer, below
    if result.topic is not None:
        checked["sources"] = sources_json(protocol.index.topics[result.topic].sources)
    if result.urgent_level is not None:
        checked["sources"] = sources_json(protocol.triage.sources)
    return {
        "question": result.question,
        "understood": result.understood,
        "outcome": result.outcome.value,
        "answer": ask_sentence(protocol, result),
        "details": describe_ask(protocol, result).splitlines()[1:],
        "asked_for": iso(result.asked_for),
        "asked_for_hours": result.asked_for_hours,
        "time_words": result.time_words,
        "suggestions": list(result.suggestions),
        "topic": result.topic,
        "red_flags": list(result.red_flags),
        "urgency": result.urgent_level.value if result.urgent_level else None,
        **checked,
    }


def plan_json(result: Plan) -> dict[str, Any]:
    return {
        "protocol": {"id": result.protocol_id, "version": result.protocol_version},
        "treated_at": result.treated_at.isoformat(),
        "time_zone": str(getattr(result.treated_at.tzinfo, "key", result.treated_at.tzname())),
        "items": [_entry_json(entry) for entry in result.entries],
        "groups": [
            {"id": g.id, "label": g.label, "items": [e.id for e in g.entries]}
            for g in result.groups
        ],
        "changes": [
            {"day": c.day, "at": c.at.isoformat(), "items": [e.id for e in c.entries]}
            for c in result.changes
        ],
    }


def _entry_json(entry: PlanEntry) -> dict[str, Any]:
    rule = entry.rule
    return {
        "id": rule.id,
        "kind": rule.kind.value,
        "activities": list(rule.activities),
        "text": rule.text,
        "reason": rule.reason,
        # A 'never' rule is never allowed: no moment, not the treatment's.
        "allowed_from_hours": None if rule.is_never else rule.allowed_from_hours,
        "allowed_from": None if rule.is_never else iso(entry.allowed_from),
        "required_until_hours": rule.required_until_hours,
        "required_until": iso(entry.changes_at if rule.kind is RuleKind.DO else None),
        "gate": rule.gate,
        "requirements": list(rule.requirements),
        "min_spf": rule.min_spf,
        "group": entry.group,
        "provenance": rule.provenance.value,
        "note": rule.reconciliation.note if rule.reconciliation else None,
        "sources": sources_json(rule.sources),
    }


def triage_json(protocol: Protocol, result: TriageResult) -> dict[str, Any]:
    """The JSON contract of `aftercare triage --json`."""
    return {
        "triage": result.level.value,
        "hours_after": result.hours_after,
        "symptoms": [
            {
                "id": symptom.symptom,
                "label": symptom.label,
                "level": symptom.level.value,
                "expected_until_hours": symptom.expected_until_hours,
                "widened_by": list(symptom.widened_by),
                "reason": symptom.reason,
                "found_in_text": symptom.found_in_text,
                "sources": sources_json(symptom.sources),
            }
            for symptom in result.symptoms
        ],
        "advice": result.advice,
        "sources": sources_json(result.sources),
        "protocol": {"id": protocol.effective_id, "version": protocol.version},
    }


def screening_json(protocol: Protocol, result: ScreeningResult) -> dict[str, Any]:
    """The JSON contract of `aftercare screen --json`."""
    return {
        "eligible": result.eligible,
        "status": result.status.value,
        "earliest_date": iso(result.earliest_date),
        "earliest_days_from_now": result.earliest_days_from_now,
        "recheck": result.recheck,
        "cautions": list(result.cautions),
        "reasons": [
            {
                "rule": reason.rule,
                "outcome": reason.outcome.value,
                "text": reason.text,
                "recheck": reason.recheck,
                "recheck_text": reason.recheck_text,
                "earliest": iso(reason.earliest),
                "cautions": list(reason.cautions),
                "sources": sources_json(reason.sources),
            }
            for reason in result.reasons
        ],
        "unanswered": [{"question": q.question, "text": q.text} for q in result.unanswered],
        "on": result.on.isoformat(),
        "protocol": {"id": protocol.effective_id, "version": protocol.version},
    }


def course_json(value: CoursePlan | SessionCheck | MaintenanceWindow) -> dict[str, Any]:
    """The JSON contracts of `aftercare course --json`, one per way of calling it."""
    if isinstance(value, SessionCheck):
        return {
            "verdict": value.verdict.value,
            "allowed": value.allowed,
            "earliest": value.earliest.isoformat(),
            "latest": value.latest.isoformat(),
            "gap_days": value.gap_days,
        }
    if isinstance(value, MaintenanceWindow):
        return _maintenance_json(value)
    return {
        "valid": value.valid,
        "requested_sessions": value.requested,
        "min_sessions": value.min_sessions,
        "max_sessions": value.max_sessions,
        "min_gap_days": value.min_gap_days,
        "max_gap_days": value.max_gap_days,
        "sessions": [
            {"number": s.number, "earliest": s.earliest.isoformat(), "latest": s.latest.isoformat()}
            for s in value.sessions
        ],
        **_maintenance_json(value.maintenance),
    }


def _maintenance_json(window: MaintenanceWindow | None) -> dict[str, str | None]:
    return {
        "maintenance_earliest": iso(window.earliest if window else None),
        "maintenance_latest": iso(window.latest if window else None),
    }
