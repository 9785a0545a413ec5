"""Check-ins and screenings as QuestionnaireResponses to the protocol's Questionnaires."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)

from aftercare.engine.screening import CURRENT, NEVER
from aftercare.exports.fhir.definitions import LEVEL_LABELS, STATUS_LABELS, TREND_LABELS
from aftercare.exports.fhir.ids import (
    URN,
    Ids,
    check_in_questionnaire_url,
    screening_questionnaire_url,
)
from aftercare.protocols.schema import Protocol, Question

__all__ = ["CheckInRecord", "ScreeningRecord", "check_in_response", "screening_response"]


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


def check_in_response(
    protocol: Protocol, check_in: CheckInRecord, ids: Ids, key: str
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


def screening_response(
    protocol: Protocol, screening: ScreeningRecord, ids: Ids, key: str
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
    if question.kind in ("date", "date_or_current"):
        return _date_answer(question, value)
    answer = _plain_answer(question, value)
    return None if answer is None else _answered(question.id, [answer])


def _date_answer(question: Question, value: object) -> QuestionnaireResponseItem | None:
    """A date question's group: the date, or "never", or (where it is an answer) "now"."""
    if value == NEVER or (value == CURRENT and question.kind == "date_or_current"):
        inner = f"{question.id}.{'never' if value == NEVER else 'current'}"
        return _group(question.id, inner, QuestionnaireResponseItemAnswer(valueBoolean=True))
    day = _date(value)
    if day is None:
        return None
    return _group(
        question.id, f"{question.id}.date", QuestionnaireResponseItemAnswer(valueDate=day)
    )


def _plain_answer(question: Question, value: object) -> QuestionnaireResponseItemAnswer | None:
    if question.kind == "yes_no" and isinstance(value, bool):
        return QuestionnaireResponseItemAnswer(valueBoolean=value)
    if question.kind == "choice" and value in question.choices:
        return QuestionnaireResponseItemAnswer(
            valueCoding=Coding(system=f"{URN}:{question.id}", code=str(value))
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
        valueCoding=Coding(system=f"{URN}:{kind}", code=code, display=label)
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
