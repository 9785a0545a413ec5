"""The protocol schema: strict, frozen pydantic models for the clinical content.

The models check the *shape* of a protocol. Cross-references between sections
(an aftercare rule naming an activity, a citation naming a leaflet) are checked
by :mod:`aftercare.protocols.references`, so that every broken reference is
reported at once, each with its path.
"""

from __future__ import annotations

from aftercare.protocols.schema.asking import AskBack, Asking, AskPhrases, AskTopic, TimeWord
from aftercare.protocols.schema.base import Citation, Cited, Leaflet, Provenance, Reconciliation
from aftercare.protocols.schema.course import Conflict, ConflictStatement, Course, Information
from aftercare.protocols.schema.factors import (
    AGE,
    AGE_ID,
    Factor,
    FactorKind,
    FactorOption,
    FactorValue,
)
from aftercare.protocols.schema.protocol import AppliedChange, OverlayRecord, Protocol
from aftercare.protocols.schema.reminders import REMINDER_PLACEHOLDERS, ReminderItem, ReminderKind
from aftercare.protocols.schema.rules import ActivityRule, RuleKind, TimelineGroup
from aftercare.protocols.schema.screening import (
    Caution,
    Question,
    Recheck,
    Screening,
    ScreeningOutcome,
    ScreeningRule,
    Trigger,
)
from aftercare.protocols.schema.symptoms import (
    ExpectedWindow,
    FreeText,
    Level,
    Symptom,
    SymptomReasons,
    Triage,
)
from aftercare.protocols.schema.terms import Activity, Area, Modifier, Requirement, SkinState

__all__ = [
    "AGE",
    "AGE_ID",
    "REMINDER_PLACEHOLDERS",
    "Activity",
    "ActivityRule",
    "AppliedChange",
    "Area",
    "AskBack",
    "AskPhrases",
    "AskTopic",
    "Asking",
    "Caution",
    "Citation",
    "Cited",
    "Conflict",
    "ConflictStatement",
    "Course",
    "ExpectedWindow",
    "Factor",
    "FactorKind",
    "FactorOption",
    "FactorValue",
    "FreeText",
    "Information",
    "Leaflet",
    "Level",
    "Modifier",
    "OverlayRecord",
    "Protocol",
    "Provenance",
    "Question",
    "Recheck",
    "Reconciliation",
    "ReminderItem",
    "ReminderKind",
    "Requirement",
    "RuleKind",
    "Screening",
    "ScreeningOutcome",
    "ScreeningRule",
    "SkinState",
    "Symptom",
    "SymptomReasons",
    "TimeWord",
    "TimelineGroup",
    "Triage",
    "Trigger",
]
