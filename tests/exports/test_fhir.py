"""The FHIR Bundle: it parses back through the R4B models, its codes are in their value
sets, its instants are right across the UK clock change, and names travel intact."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle

from aftercare.engine.model import Factors
from aftercare.exports import ClinicInfo, Subject
from aftercare.exports.fhir import CheckInRecord, ScreeningRecord, bundle, to_json
from aftercare.protocols.schema import Protocol

LONDON = ZoneInfo("Europe/London")
# The evening before the UK clocks go back (01:00 UTC on Sun 25 Oct 2026).
BEFORE_CLOCKS_GO_BACK = datetime(2026, 10, 24, 20, 0, tzinfo=LONDON)
GOLDEN = Path(__file__).parent.parent / "fixtures" / "exports" / "fhir_bundle.json"
AWKWARD_NAME = "Zo\u00eb \u202eecila\u202c \U0001f600\r\nSmith"

# Value sets FHIR binds as "required" that the models do not enforce.
VALUE_SETS: dict[str, frozenset[str]] = {
    "Bundle.type": frozenset(
        {"document", "message", "transaction", "transaction-response", "batch"}
        | {"batch-response", "history", "searchset", "collection"}
    ),
    "CarePlan.status": frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    "CarePlan.intent": frozenset({"proposal", "plan", "order", "option"}),
    "CarePlan.activity.detail.status": frozenset(
        {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled"}
        | {"stopped", "unknown", "entered-in-error"}
    ),
    "Procedure.status": frozenset(
        {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed"}
        | {"entered-in-error", "unknown"}
    ),
    "QuestionnaireResponse.status": frozenset(
        {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
    ),
    "Questionnaire.status": frozenset({"draft", "active", "retired", "unknown"}),
    "PlanDefinition.status": frozenset({"draft", "active", "retired", "unknown"}),
    "Questionnaire.item.type": frozenset(
        {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time"}
        | {"string", "text", "url", "choice", "open-choice", "attachment", "reference"}
        | {"quantity"}
    ),
}


def code_errors(data: dict[str, Any]) -> list[str]:
    """Every code in ``data`` (a Bundle as JSON) that is outside its value set."""
    errors = _check("Bundle.type", data.get("type"))
    for index, entry in enumerate(data.get("entry", [])):
        resource = entry["resource"]
        kind = resource["resourceType"]
        where = f"entry[{index}] {kind}"
        if kind in {"CarePlan", "Procedure", "QuestionnaireResponse", "Questionnaire"}:
            errors += _check(f"{kind}.status", resource.get("status"), where)
        if kind == "PlanDefinition":
            errors += _check("PlanDefinition.status", resource.get("status"), where)
        if kind == "CarePlan":
            errors += _check("CarePlan.intent", resource.get("intent"), where)
            for activity in resource.get("activity", []):
                status = activity["detail"].get("status")
                errors += _check("CarePlan.activity.detail.status", status, where)
        if kind == "Questionnaire":
            for item in _items(resource.get("item", [])):
                errors += _check("Questionnaire.item.type", item.get("type"), where)
    return errors


def _check(value_set: str, code: object, where: str = "Bundle") -> list[str]:
    return [] if code in VALUE_SETS[value_set] else [f"{where}: {value_set} {code!r}"]


def _items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [found for item in items for found in (item, *_items(item.get("item", [])))]


def make_subject(protocol: Protocol, **changes: Any) -> Subject:
    subject = Subject(
        protocol=protocol,
        treated_at=BEFORE_CLOCKS_GO_BACK,
        zone_name="Europe/London",
        clinic=ClinicInfo("Harbour Clinic", "020 7946 0001", "020 7946 0002", "hi@example.org"),
        patient_name="Alice Patient",
        patient_id="17",
        treatment_id="42",
        factors=Factors(areas=frozenset({"face", "neck"}), values={"needle_depth_mm": 1.0}),
    )
    return replace(subject, **changes)


CHECK_IN = CheckInRecord(
    created_at=datetime(2026, 10, 26, 18, 30, tzinfo=UTC),
    symptoms=("redness", "discharge"),
    trend="worsening",
    free_text="Weeping on the left cheek.",
    level="contact_clinic_now",
    id="5",
)
SCREENING = ScreeningRecord(
    screened_at=datetime(2026, 10, 10, 9, 0, tzinfo=UTC),
    answers={
        "isotretinoin": "current",
        "radiation": "2019-05-01",
        "toxin_or_filler": "never",
        "pregnant": False,
        "diabetes": "controlled",
        "active_skin_condition": "mild eczema",
        "open_wound": "not a boolean",
        "no_such_question": True,
    },
    status="not_suitable",
    id="3",
)
AT = datetime(2026, 10, 26, 20, 0, tzinfo=UTC)


def full_bundle(protocol: Protocol, **changes: Any) -> Bundle:
    return bundle(
        make_subject(protocol, **changes), at=AT, check_ins=[CHECK_IN], screenings=[SCREENING]
    )


def resources(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def activity(data: dict[str, Any], label: str) -> dict[str, Any]:
    (care_plan,) = resources(data, "CarePlan")
    (found,) = [a["detail"] for a in care_plan["activity"] if a["detail"]["code"]["text"] == label]
    return found


def test_it_round_trips_through_the_models(protocol: Protocol) -> None:
    text = to_json(full_bundle(protocol))
    parsed = Bundle.model_validate_json(text)
    assert to_json(parsed) == text
    assert [e.resource.get_resource_type() for e in parsed.entry] == [
        "Organization",
        "Patient",
        "Procedure",
        "CarePlan",
        "PlanDefinition",
        "Questionnaire",
        "Questionnaire",
        "QuestionnaireResponse",
        "QuestionnaireResponse",
    ]


def test_its_codes_are_in_their_value_sets(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    assert code_errors(data) == []


def test_the_code_check_catches_a_bad_code(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    (care_plan,) = resources(data, "CarePlan")
    care_plan["intent"] = "wish"
    care_plan["activity"][0]["detail"]["status"] = "done"
    assert code_errors(data) == [
        "entry[3] CarePlan: CarePlan.intent 'wish'",
        "entry[3] CarePlan: CarePlan.activity.detail.status 'done'",
    ]


def test_it_matches_the_golden_file(protocol: Protocol) -> None:
    text = to_json(full_bundle(protocol), indent=2) + "\n"
    if os.environ.get("AFTERCARE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_it_is_the_same_every_time(protocol: Protocol) -> None:
    assert to_json(full_bundle(protocol)) == to_json(full_bundle(protocol))


def test_it_keeps_ids_apart_per_patient_and_shares_the_protocols(protocol: Protocol) -> None:
    first = json.loads(to_json(full_bundle(protocol)))
    second = json.loads(to_json(full_bundle(protocol, patient_id="18", treatment_id="43")))
    urls = [[e["fullUrl"] for e in data["entry"]] for data in (first, second)]
    shared = {i for i, (a, b) in enumerate(zip(*urls, strict=True)) if a == b}
    assert shared == {0, 4, 5, 6}  # the clinic, the PlanDefinition, both Questionnaires
    assert all(url.startswith("urn:uuid:") for url in urls[0])
    assert len(set(urls[0])) == len(urls[0])


def test_it_gives_the_right_instants_across_the_clock_change(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    (procedure,) = resources(data, "Procedure")
    assert procedure["performedDateTime"] == "2026-10-24T20:00:00+01:00"
    # 24 and 48 real hours later the clocks show an hour earlier: GMT (written Z) has begun.
    assert activity(data, "Makeup")["scheduledPeriod"] == {"start": "2026-10-25T19:00:00Z"}
    assert activity(data, "Alcohol")["scheduledPeriod"] == {
        "start": "2026-10-24T20:00:00+01:00",
        "end": "2026-10-26T19:00:00Z",
    }
    assert activity(data, "Makeup")["description"].startswith(
        "From Sun 25 Oct, 19:00, once the redness has gone and the skin has settled: "
    )
    (care_plan,) = resources(data, "CarePlan")
    assert care_plan["period"] == {
        "start": "2026-10-24T20:00:00+01:00",
        "end": "2026-11-07T19:00:00Z",
    }


@pytest.mark.parametrize(
    ("after_hours", "care_plan", "makeup", "alcohol", "sunscreen"),
    [
        (-1, "active", "not-started", "not-started", "not-started"),
        (0, "active", "not-started", "in-progress", "in-progress"),
        (23.9, "active", "not-started", "in-progress", "in-progress"),
        (24, "active", "completed", "in-progress", "in-progress"),
        (48, "active", "completed", "completed", "in-progress"),
        (335.9, "active", "completed", "completed", "in-progress"),
        (336, "completed", "completed", "completed", "completed"),
    ],
)
def test_statuses_follow_at(
    protocol: Protocol,
    after_hours: float,
    care_plan: str,
    makeup: str,
    alcohol: str,
    sunscreen: str,
) -> None:
    # Real hours: added on the UTC line, as a wall-clock sum would gain the repeated hour.
    at = BEFORE_CLOCKS_GO_BACK.astimezone(UTC) + timedelta(hours=after_hours)
    data = json.loads(to_json(bundle(make_subject(protocol), at=at)))
    assert resources(data, "CarePlan")[0]["status"] == care_plan
    assert activity(data, "Makeup")["status"] == makeup
    assert activity(data, "Alcohol")["status"] == alcohol
    assert activity(data, "Sunscreen")["status"] == sunscreen


def test_the_care_plan_instantiates_the_plan_definition(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    (care_plan,) = resources(data, "CarePlan")
    (definition,) = resources(data, "PlanDefinition")
    assert care_plan["instantiatesCanonical"] == [f"{definition['url']}|{definition['version']}"]
    assert definition["url"] == "urn:aftercare:plandefinition:microneedling"
    assert definition["version"] == protocol.version
    assert [a["prefix"] for a in definition["action"]] == [r.id for r in protocol.aftercare]
    assert len(care_plan["activity"]) == len(protocol.aftercare)
    assert activity(data, "Alcohol")["doNotPerform"] is True


def test_it_names_the_procedure_and_its_areas(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    (procedure,) = resources(data, "Procedure")
    assert procedure["status"] == "completed"
    assert procedure["code"] == {"text": "Medical microneedling"}
    assert procedure["bodySite"] == [{"text": "Face"}, {"text": "Neck"}]


def test_a_name_with_direction_overrides_emoji_and_crlf_survives(protocol: Protocol) -> None:
    text = to_json(full_bundle(protocol, patient_name=AWKWARD_NAME))
    assert "\u202e" not in text
    assert "\u202c" not in text
    assert "\r" not in text
    assert "\n" not in text
    assert '"text":"Zo\u00eb \\u202eecila\\u202c \U0001f600\\r\\nSmith"' in text
    (patient,) = resources(json.loads(text), "Patient")
    assert patient["name"] == [{"text": AWKWARD_NAME}]
    parsed = Bundle.model_validate_json(text)
    assert parsed.entry[1].resource.name[0].text == AWKWARD_NAME


def test_a_check_in_becomes_a_questionnaire_response(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    check_in = resources(data, "QuestionnaireResponse")[0]
    assert check_in["status"] == "completed"
    assert check_in["authored"] == "2026-10-26T18:30:00Z"
    assert check_in["questionnaire"].endswith(f":check-in|{protocol.version}")
    answers = {item["linkId"]: item["answer"] for item in check_in["item"]}
    assert [a["valueCoding"]["code"] for a in answers["symptoms"]] == ["redness", "discharge"]
    assert answers["trend"][0]["valueCoding"]["display"] == "Getting worse"
    assert answers["free_text"] == [{"valueString": "Weeping on the left cheek."}]
    assert answers["level"][0]["valueCoding"]["code"] == "contact_clinic_now"


def test_a_screening_becomes_a_questionnaire_response(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    screening = resources(data, "QuestionnaireResponse")[1]
    assert screening["authored"] == "2026-10-10T09:00:00Z"
    items = {item["linkId"]: item for item in screening["item"]}
    assert items["isotretinoin"]["item"] == [
        {"linkId": "isotretinoin.current", "answer": [{"valueBoolean": True}]}
    ]
    assert items["radiation"]["item"] == [
        {"linkId": "radiation.date", "answer": [{"valueDate": "2019-05-01"}]}
    ]
    # "Never" is an answer, not a blank that reads as a question nobody asked.
    assert items["toxin_or_filler"]["item"] == [
        {"linkId": "toxin_or_filler.never", "answer": [{"valueBoolean": True}]}
    ]
    assert items["pregnant"]["answer"] == [{"valueBoolean": False}]
    assert items["diabetes"]["answer"][0]["valueCoding"]["code"] == "controlled"
    assert items["active_skin_condition"]["answer"] == [{"valueString": "mild eczema"}]
    assert items["status"]["answer"][0]["valueCoding"]["code"] == "not_suitable"
    assert "open_wound" not in items
    assert "no_such_question" not in items


def test_the_screening_questionnaire_asks_the_protocols_questions(protocol: Protocol) -> None:
    data = json.loads(to_json(full_bundle(protocol)))
    screening_form = resources(data, "Questionnaire")[1]
    texts = [item["text"] for item in screening_form["item"]]
    assert texts[:-1] == [question.text for question in protocol.screening.questions]
    check_in_form = resources(data, "Questionnaire")[0]
    symptoms = check_in_form["item"][0]["answerOption"]
    assert [o["valueCoding"]["display"] for o in symptoms] == [s.label for s in protocol.symptoms]
