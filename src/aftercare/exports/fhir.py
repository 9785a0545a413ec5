"""One patient's aftercare as a FHIR R4B Bundle, for clinical systems that speak FHIR.

The Bundle holds the Patient, the treatment as a Procedure, the plan as a CarePlan whose
activities carry this patient's periods, the effective protocol as the PlanDefinition the
CarePlan instantiates, the check-in and screening Questionnaires, and one
QuestionnaireResponse per check-in and per screening. Every resource comes from the same
engine results as the leaflet and the calendar, and its wording from the protocol.

The export never reads the clock: statuses are judged at ``at``. Entry ``fullUrl``\\ s are
``urn:uuid:`` values derived (uuid5) from stable ids, so the same input gives the same
Bundle byte for byte. Canonical URLs are URNs (``urn:aftercare:plandefinition:<id>``)
with the protocol's content version after a ``|``, the form FHIR gives a versioned
canonical reference.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.plandefinition import PlanDefinition, PlanDefinitionAction
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.range import Range
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.relatedartifact import RelatedArtifact
from fhir.resources.R4B.resource import Resource

from aftercare.engine.explain import describe_entry
from aftercare.engine.localtime import elapsed, zone
from aftercare.engine.screening import CURRENT
from aftercare.engine.timeline import PlanEntry, plan
from aftercare.exports import Subject
from aftercare.protocols.schema import ActivityRule, Protocol, Question, RuleKind

__all__ = [
    "CheckInRecord",
    "ScreeningRecord",
    "bundle",
    "check_in_questionnaire_url",
    "plan_definition_url",
    "screening_questionnaire_url",
    "to_json",
]

PROCEDURE_NAME = "Medical microneedling"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:aftercare")
_URN = "urn:aftercare"
_UCUM = "http://unitsofmeasure.org"

# Answer labels of the check-in form and screening record (UI labels, not clinical advice).
TREND_LABELS = {
    "improving": "Getting better",
    "stable": "About the same",
    "worsening": "Getting worse",
}
LEVEL_LABELS = {
    "call_999": "Call 999 now",
    "expected": "Expected",
    "contact_clinic": "Contact the clinic",
    "contact_clinic_now": "Contact the clinic now",
}
STATUS_LABELS = {
    "eligible": "Eligible",
    "not_yet": "Not yet",
    "not_suitable": "Not suitable",
    "clinician_review": "Needs clinician review",
    "incomplete": "Incomplete",
}


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    """A symptom check-in as the patient sent it, and the level triage gave it."""

    created_at: datetime
    symptoms: tuple[str, ...]
    trend: str | None
    free_text: str
    level: str
    # A stable id for its fullUrl; the creation time stands in when there is none.
    id: str = ""


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """A screening: the answers given (JSON-ready: booleans, ISO dates, ids, text) and the
    status it reached."""

    screened_at: datetime
    answers: Mapping[str, object] = field(default_factory=dict)
    status: str = "eligible"
    id: str = ""


# Characters that are valid inside a JSON string but can reorder, hide or break lines of
# text where the file is shown (bidi controls, zero-width marks, line separators): escaped
# as \uXXXX, which every JSON reader turns back into the same character.
_HIDDEN = frozenset(
    (
        0x061C,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        0x2060,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
)
_ESCAPES = {code: f"\\u{code:04x}" for code in _HIDDEN}


def to_json(result: Bundle, *, indent: int | None = None) -> str:
    """The Bundle as FHIR JSON, with invisible and direction-changing characters escaped.

    The protocol's own resources (the PlanDefinition and the Questionnaires) are two
    thirds of a Bundle and the same for every patient under one protocol version, whose
    hash their ids carry: they are turned into JSON values once per process.
    """
    entries = []
    for entry in result.entry or ():
        resource = entry.resource
        kind = resource.get_resource_type() if resource is not None else ""
        if resource is not None and kind in _PROTOCOL_TYPES and resource.id:
            key = (kind, str(resource.id))
            if key not in _PROTOCOL_JSON:
                if len(_PROTOCOL_JSON) >= _MAX_CACHED * len(_PROTOCOL_TYPES):
                    _PROTOCOL_JSON.clear()
                _PROTOCOL_JSON[key] = resource.model_dump(mode="json")
            entries.append({"fullUrl": entry.fullUrl, "resource": _PROTOCOL_JSON[key]})
        else:
            entries.append(entry.model_dump(mode="json"))
    # A copy without entries: excluding them from the dump would still encode them first.
    data = result.model_copy(update={"entry": None}).model_dump(mode="json")
    if entries:
        data["entry"] = entries
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(data, indent=indent, ensure_ascii=False, separators=separators)
    return text.translate(_ESCAPES)


# The JSON values of the protocol's resources, by resource type and id (see ``to_json``).
_PROTOCOL_TYPES = frozenset({"PlanDefinition", "Questionnaire"})
_PROTOCOL_JSON: dict[tuple[str, str], Any] = {}


def plan_definition_url(protocol: Protocol) -> str:
    return f"{_URN}:plandefinition:{protocol.effective_id}"


def check_in_questionnaire_url(protocol: Protocol) -> str:
    return f"{_URN}:questionnaire:{protocol.effective_id}:check-in"


def screening_questionnaire_url(protocol: Protocol) -> str:
    return f"{_URN}:questionnaire:{protocol.effective_id}:screening"


def bundle(
    subject: Subject,
    *,
    at: datetime,
    check_ins: Iterable[CheckInRecord] = (),
    screenings: Iterable[ScreeningRecord] = (),
) -> Bundle:
    """The collection Bundle of ``subject``'s treatment, with statuses as they are at ``at``."""
    ids = _Ids(subject)
    protocol = subject.protocol
    entries: list[tuple[str, Resource]] = [
        (ids.clinic, _organization(subject, ids)),
        (ids.patient, _patient(subject, ids)),
        (ids.procedure, _procedure(subject, ids)),
        (ids.care_plan, _care_plan(subject, ids, at)),
        *_protocol_resources(protocol, ids),
    ]
    for check_in in check_ins:
        key = ids.of("check-in", check_in.id or check_in.created_at.isoformat())
        entries.append((key, _check_in_response(protocol, check_in, ids, key)))
    for screening in screenings:
        key = ids.of("screening", screening.id or screening.screened_at.isoformat())
        entries.append((key, _screening_response(protocol, screening, ids, key)))
    return Bundle(
        id=ids.of("bundle", at.isoformat()),
        type="collection",
        timestamp=at,
        entry=[BundleEntry(fullUrl=f"urn:uuid:{key}", resource=res) for key, res in entries],
    )


class _Ids:
    """Deterministic uuids: the protocol's resources by its version, the rest by the
    patient and the treatment."""

    def __init__(self, subject: Subject) -> None:
        protocol = subject.protocol
        self.person = subject.patient_id or f"{subject.patient_name}|{subject.treated_at}"
        self.treatment = subject.treatment_id or f"{self.person}|{subject.treated_at}"
        versioned = f"{protocol.effective_id}|{protocol.version}"
        self.clinic = _uuid("organization", subject.clinic.name)
        self.patient = _uuid("patient", self.person)
        self.procedure = self.of("procedure", "")
        self.care_plan = self.of("careplan", "")
        self.plan_definition = _uuid("plandefinition", versioned)
        self.check_in_form = _uuid("questionnaire-check-in", versioned)
        self.screening_form = _uuid("questionnaire-screening", versioned)

    def of(self, kind: str, key: str) -> str:
        return _uuid(kind, f"{self.person}|{self.treatment}|{key}")

    def ref(self, key: str) -> Reference:
        return Reference(reference=f"urn:uuid:{key}")


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


# The protocol's own resources, built once per protocol version: protocols never change
# under a version, and each Bundle gets shallow copies so no two share a top-level model.
_PROTOCOL_RESOURCES: dict[tuple[str, str], tuple[tuple[str, Resource], ...]] = {}
_MAX_CACHED = 64


def _protocol_resources(protocol: Protocol, ids: _Ids) -> list[tuple[str, Resource]]:
    cache_key = (protocol.effective_id, protocol.version)
    built = _PROTOCOL_RESOURCES.get(cache_key)
    if built is None:
        if len(_PROTOCOL_RESOURCES) >= _MAX_CACHED:
            _PROTOCOL_RESOURCES.clear()
        built = _PROTOCOL_RESOURCES[cache_key] = (
            (ids.plan_definition, _plan_definition(protocol, ids.plan_definition)),
            (ids.check_in_form, _check_in_questionnaire(protocol, ids.check_in_form)),
            (ids.screening_form, _screening_questionnaire(protocol, ids.screening_form)),
        )
    return [(key, resource.model_copy()) for key, resource in built]


def _organization(subject: Subject, ids: _Ids) -> Organization:
    clinic = subject.clinic
    # FHIR strings may not be empty: only the contact points the clinic has.
    points = (("phone", clinic.phone), ("phone", clinic.urgent_phone), ("email", clinic.email))
    telecom = [
        ContactPoint(system=system, value=value.strip(), use="work")
        for system, value in points
        if value.strip()
    ]
    return Organization(id=ids.clinic, name=clinic.name.strip() or None, telecom=telecom or None)


def _patient(subject: Subject, ids: _Ids) -> Patient:
    return Patient(
        id=ids.patient,
        identifier=(
            [Identifier(system=f"{_URN}:patient", value=subject.patient_id)]
            if subject.patient_id
            else None
        ),
        name=[HumanName(text=subject.patient_name)] if subject.patient_name else None,
        managingOrganization=ids.ref(ids.clinic),
    )


def _procedure(subject: Subject, ids: _Ids) -> Procedure:
    protocol = subject.protocol
    areas = sorted(subject.factors.areas or {protocol.default_area})
    labels = {area.id: area.label for area in protocol.areas}
    return Procedure(
        id=ids.procedure,
        identifier=(
            [Identifier(system=f"{_URN}:treatment", value=subject.treatment_id)]
            if subject.treatment_id
            else None
        ),
        status="completed",
        code=CodeableConcept(text=PROCEDURE_NAME),
        subject=ids.ref(ids.patient),
        performedDateTime=_local(subject, subject.treated_at),
        bodySite=[CodeableConcept(text=labels.get(area, area)) for area in areas],
    )


def _care_plan(subject: Subject, ids: _Ids, at: datetime) -> CarePlan:
    protocol = subject.protocol
    treated_at = _local(subject, subject.treated_at)
    result = plan(protocol, treated_at)
    ends_at = max(
        elapsed(treated_at, protocol.horizon_hours), *(e.changes_at for e in result.entries)
    )
    return CarePlan(
        id=ids.care_plan,
        status="completed" if at >= ends_at else "active",
        intent="plan",
        instantiatesCanonical=[f"{plan_definition_url(protocol)}|{protocol.version}"],
        title=protocol.title,
        subject=ids.ref(ids.patient),
        period=Period(start=treated_at, end=ends_at),
        supportingInfo=[ids.ref(ids.procedure)],
        activity=[_activity(protocol, entry, treated_at, at) for entry in result.entries],
    )


def _activity(
    protocol: Protocol, entry: PlanEntry, treated_at: datetime, at: datetime
) -> CarePlanActivity:
    start, end = _window(entry, treated_at)
    if at < start:
        status = "not-started"
    elif entry.rule.is_never:
        # Never advised: it stays in progress, however long after the treatment.
        status = "in-progress"
    elif end is None or at >= end:
        status = "completed"
    else:
        status = "in-progress"
    return CarePlanActivity(
        detail=CarePlanActivityDetail(
            code=CodeableConcept(text=_activity_labels(protocol, entry.rule)),
            reasonCode=[CodeableConcept(text=entry.rule.reason)],
            status=status,
            doNotPerform=entry.kind in _DO_NOT,
            scheduledPeriod=Period(start=start, end=end),
            description=describe_entry(protocol, entry),
        )
    )


def _window(entry: PlanEntry, treated_at: datetime) -> tuple[datetime, datetime | None]:
    """When an entry applies: an avoidance from the treatment until it is allowed, a daily
    routine over its window, and an activity allowed from its moment on (no end)."""
    if entry.kind is RuleKind.AVOID:
        return treated_at, entry.changes_at
    if entry.kind is RuleKind.NEVER:
        return treated_at, None
    if entry.kind is RuleKind.DO:
        return entry.allowed_from, entry.changes_at
    return entry.allowed_from, None


_DO_NOT = frozenset({RuleKind.AVOID, RuleKind.NEVER})


def _activity_labels(protocol: Protocol, rule: ActivityRule) -> str:
    activities = protocol.index.activities
    return ", ".join(activities[a].label for a in rule.activities)


def _plan_definition(protocol: Protocol, key: str) -> PlanDefinition:
    return PlanDefinition(
        id=key,
        url=plan_definition_url(protocol),
        version=protocol.version,
        name=_name(protocol.effective_id),
        title=protocol.title,
        status="active",
        action=[_action(protocol, rule) for rule in protocol.aftercare],
    )


def _action(protocol: Protocol, rule: ActivityRule) -> PlanDefinitionAction:
    low = 0 if rule.kind in _DO_NOT else rule.allowed_from_hours
    high = rule.allowed_from_hours if rule.kind is RuleKind.AVOID else rule.required_until_hours
    return PlanDefinitionAction(
        prefix=rule.id,
        title=_activity_labels(protocol, rule),
        description=rule.text,
        reason=[CodeableConcept(text=rule.reason)],
        code=[CodeableConcept(coding=[Coding(system=f"{_URN}:rule-kind", code=rule.kind.value)])],
        timingRange=Range(low=_hours(low), high=None if high is None else _hours(high)),
        documentation=[
            _citation(source.leaflet, source.quote, source.literature) for source in rule.sources
        ],
    )


def _citation(leaflet: str | None, quote: str | None, literature: str | None) -> RelatedArtifact:
    return RelatedArtifact(type="citation", label=leaflet, citation=quote or literature)


def _hours(value: int) -> Quantity:
    return Quantity(value=value, unit="h", system=_UCUM, code="h")


def _check_in_questionnaire(protocol: Protocol, key: str) -> Questionnaire:
    symptoms = [_option(f"{_URN}:symptom", s.id, s.label) for s in protocol.symptoms]
    trends = [_option(f"{_URN}:trend", code, label) for code, label in TREND_LABELS.items()]
    levels = [_option(f"{_URN}:level", code, label) for code, label in LEVEL_LABELS.items()]
    return Questionnaire(
        id=key,
        url=check_in_questionnaire_url(protocol),
        version=protocol.version,
        name="AftercareCheckIn",
        title="Symptom check-in",
        status="active",
        subjectType=["Patient"],
        item=[
            QuestionnaireItem(
                linkId="symptoms",
                text="Symptoms",
                type="choice",
                repeats=True,
                answerOption=symptoms,
            ),
            QuestionnaireItem(
                linkId="trend", text="How it is going", type="choice", answerOption=trends
            ),
            QuestionnaireItem(linkId="free_text", text="Anything else", type="text"),
            QuestionnaireItem(
                linkId="level", text="Triage", type="choice", readOnly=True, answerOption=levels
            ),
        ],
    )


def _screening_questionnaire(protocol: Protocol, key: str) -> Questionnaire:
    statuses = [_option(f"{_URN}:screening-status", c, t) for c, t in STATUS_LABELS.items()]
    return Questionnaire(
        id=key,
        url=screening_questionnaire_url(protocol),
        version=protocol.version,
        name="AftercareScreening",
        title="Screening before treatment",
        status="active",
        subjectType=["Patient"],
        item=[
            *(_question(question) for question in protocol.screening.questions),
            QuestionnaireItem(
                linkId="status",
                text="Screening result",
                type="choice",
                readOnly=True,
                answerOption=statuses,
            ),
        ],
    )


def _question(question: Question) -> QuestionnaireItem:
    if question.kind == "date_or_current":
        return QuestionnaireItem(
            linkId=question.id,
            text=question.text,
            type="group",
            item=[
                QuestionnaireItem(linkId=f"{question.id}.current", text="Now", type="boolean"),
                QuestionnaireItem(linkId=f"{question.id}.date", text="Last date", type="date"),
            ],
        )
    options = [_option(f"{_URN}:{question.id}", c, c) for c in question.choices] or None
    return QuestionnaireItem(
        linkId=question.id,
        text=question.text,
        type=_ITEM_TYPES[question.kind],
        answerOption=options,
    )


_ITEM_TYPES = {"yes_no": "boolean", "date": "date", "choice": "choice", "text": "text"}


def _option(system: str, code: str, label: str) -> QuestionnaireItemAnswerOption:
    return QuestionnaireItemAnswerOption(
        valueCoding=Coding(system=system, code=code, display=label)
    )


def _check_in_response(
    protocol: Protocol, check_in: CheckInRecord, ids: _Ids, key: str
) -> QuestionnaireResponse:
    labels = {symptom.id: symptom.label for symptom in protocol.symptoms}
    items = [
        _answered("symptoms", [_coding("symptom", s, labels.get(s, s)) for s in check_in.symptoms]),
        _answered(
            "trend", [_coding("trend", t, TREND_LABELS.get(t, t)) for t in [check_in.trend] if t]
        ),
        _answered(
            "free_text",
            [QuestionnaireResponseItemAnswer(valueString=check_in.free_text)]
            if check_in.free_text
            else [],
        ),
        _answered(
            "level",
            [_coding("level", check_in.level, LEVEL_LABELS.get(check_in.level, check_in.level))],
        ),
    ]
    return QuestionnaireResponse(
        id=key,
        questionnaire=f"{check_in_questionnaire_url(protocol)}|{protocol.version}",
        status="completed",
        subject=ids.ref(ids.patient),
        basedOn=[ids.ref(ids.care_plan)],
        authored=check_in.created_at,
        item=[item for item in items if item is not None],
    )


def _screening_response(
    protocol: Protocol, screening: ScreeningRecord, ids: _Ids, key: str
) -> QuestionnaireResponse:
    items = [
        _screening_answer(q, screening.answers.get(q.id)) for q in protocol.screening.questions
    ]
    status = _coding(
        "screening-status", screening.status, STATUS_LABELS.get(screening.status, screening.status)
    )
    return QuestionnaireResponse(
        id=key,
        questionnaire=f"{screening_questionnaire_url(protocol)}|{protocol.version}",
        status="completed",
        subject=ids.ref(ids.patient),
        authored=screening.screened_at,
        item=[*(item for item in items if item is not None), _answered("status", [status])],
    )


def _screening_answer(question: Question, value: object) -> QuestionnaireResponseItem | None:
    """The answer given, or None when there is none (or it does not fit the question)."""
    if question.kind == "date_or_current":
        if value == CURRENT:
            return _group(
                question.id,
                f"{question.id}.current",
                QuestionnaireResponseItemAnswer(valueBoolean=True),
            )
        day = _date(value)
        return (
            None
            if day is None
            else _group(
                question.id, f"{question.id}.date", QuestionnaireResponseItemAnswer(valueDate=day)
            )
        )
    answer = _plain_answer(question, value)
    return None if answer is None else _answered(question.id, [answer])


def _plain_answer(question: Question, value: object) -> QuestionnaireResponseItemAnswer | None:
    if question.kind == "yes_no" and isinstance(value, bool):
        return QuestionnaireResponseItemAnswer(valueBoolean=value)
    if question.kind == "date":
        day = _date(value)
        return None if day is None else QuestionnaireResponseItemAnswer(valueDate=day)
    if question.kind == "choice" and value in question.choices:
        return QuestionnaireResponseItemAnswer(
            valueCoding=Coding(system=f"{_URN}:{question.id}", code=str(value))
        )
    if question.kind == "text" and isinstance(value, str) and value:
        return QuestionnaireResponseItemAnswer(valueString=value)
    return None


def _group(
    link_id: str, inner: str, answer: QuestionnaireResponseItemAnswer
) -> QuestionnaireResponseItem:
    return QuestionnaireResponseItem(
        linkId=link_id, item=[QuestionnaireResponseItem(linkId=inner, answer=[answer])]
    )


def _answered(
    link_id: str, answers: list[QuestionnaireResponseItemAnswer]
) -> QuestionnaireResponseItem | None:
    return QuestionnaireResponseItem(linkId=link_id, answer=answers) if answers else None


def _coding(kind: str, code: str, label: str) -> QuestionnaireResponseItemAnswer:
    return QuestionnaireResponseItemAnswer(
        valueCoding=Coding(system=f"{_URN}:{kind}", code=code, display=label)
    )


def _date(value: object) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _local(subject: Subject, moment: datetime) -> datetime:
    return moment.astimezone(zone(subject.zone_name))


def _name(effective_id: str) -> str:
    """A computer-friendly name (FHIR asks for one starting with a capital)."""
    words = effective_id.replace("+", "_").replace("-", "_").split("_")
    return "".join(word.capitalize() for word in words if word)
