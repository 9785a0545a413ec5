"""The protocol's own resources: the PlanDefinition a CarePlan instantiates, and the
check-in and screening Questionnaires, built once per protocol version."""

from __future__ import annotations

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.plandefinition import PlanDefinition, PlanDefinitionAction
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.range import Range
from fhir.resources.R4B.relatedartifact import RelatedArtifact
from fhir.resources.R4B.resource import Resource

from aftercare.exports.fhir.ids import (
    URN,
    Ids,
    check_in_questionnaire_url,
    plan_definition_url,
    screening_questionnaire_url,
)
from aftercare.protocols.schema import ActivityRule, Protocol, Question, RuleKind

__all__ = [
    "DO_NOT",
    "LEVEL_LABELS",
    "STATUS_LABELS",
    "TREND_LABELS",
    "activity_labels",
    "protocol_resources",
]

_UCUM = "http://unitsofmeasure.org"
DO_NOT = frozenset({RuleKind.AVOID, RuleKind.NEVER})

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


# The protocol's own resources, built once per protocol version: protocols never change
# under a version, and each Bundle gets shallow copies so no two share a top-level model.
_PROTOCOL_RESOURCES: dict[tuple[str, str], tuple[tuple[str, Resource], ...]] = {}
_MAX_CACHED = 64


def protocol_resources(protocol: Protocol, ids: Ids) -> list[tuple[str, Resource]]:
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


def activity_labels(protocol: Protocol, rule: ActivityRule) -> str:
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
    low = 0 if rule.kind in DO_NOT else rule.allowed_from_hours
    high = rule.allowed_from_hours if rule.kind is RuleKind.AVOID else rule.required_until_hours
    return PlanDefinitionAction(
        prefix=rule.id,
        title=activity_labels(protocol, rule),
        description=rule.text,
        reason=[CodeableConcept(text=rule.reason)],
        code=[CodeableConcept(coding=[Coding(system=f"{URN}:rule-kind", code=rule.kind.value)])],
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
    symptoms = [_option(f"{URN}:symptom", s.id, s.label) for s in protocol.symptoms]
    trends = [_option(f"{URN}:trend", code, label) for code, label in TREND_LABELS.items()]
    levels = [_option(f"{URN}:level", code, label) for code, label in LEVEL_LABELS.items()]
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
    statuses = [_option(f"{URN}:screening-status", c, t) for c, t in STATUS_LABELS.items()]
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
    if question.kind in ("date", "date_or_current"):
        # A group, so that "never" is an answer a receiver can read rather than a blank
        # that looks like a question nobody asked.
        now = [QuestionnaireItem(linkId=f"{question.id}.current", text="Now", type="boolean")]
        return QuestionnaireItem(
            linkId=question.id,
            text=question.text,
            type="group",
            item=[
                *(now if question.kind == "date_or_current" else []),
                QuestionnaireItem(linkId=f"{question.id}.date", text="Last date", type="date"),
                QuestionnaireItem(linkId=f"{question.id}.never", text="Never", type="boolean"),
            ],
        )
    system = f"{URN}:{question.id}"
    options = [_option(system, c, question.choice_label(c)) for c in question.choices] or None
    return QuestionnaireItem(
        linkId=question.id,
        text=question.text,
        type=_ITEM_TYPES[question.kind],
        answerOption=options,
    )


_ITEM_TYPES = {"yes_no": "boolean", "choice": "choice", "text": "text"}


def _option(system: str, code: str, label: str) -> QuestionnaireItemAnswerOption:
    return QuestionnaireItemAnswerOption(
        valueCoding=Coding(system=system, code=code, display=label)
    )


def _name(effective_id: str) -> str:
    """A computer-friendly name (FHIR asks for one starting with a capital)."""
    words = effective_id.replace("+", "_").replace("-", "_").split("_")
    return "".join(word.capitalize() for word in words if word)
