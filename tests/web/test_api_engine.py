"""The stateless routes: the protocol and the engine's answers, with or without a key.

Without a key they use the base protocol; with a clinic's key, that clinic's overlay.
The expected values are worked out here from the protocol's numbers (90 days after
isotretinoin, 28 to 42 days between sessions, 14 days before a sauna).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from aftercare.contracts import check_json
from aftercare.engine.check import check
from aftercare.web.protocol import base_protocol
from tests.web.harbour import harbour_client
from tests.web.test_api_access import BAD_KEY, fields, ok, post, problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def anyone(db: None) -> Client:
    return Client()


@pytest.fixture
def harbour(db: None) -> Client:
    return harbour_client()


# --- protocol -----------------------------------------------------------------------


def test_the_protocol_is_the_base_one_without_a_key(anyone: Client) -> None:
    answer = ok(anyone.get("/api/v1/protocol"))
    base = base_protocol()
    assert (answer["id"], answer["version"]) == (base.effective_id, base.version)
    protocol = answer["protocol"]
    assert (protocol["id"], protocol["overlay"]) == ("microneedling", None)
    assert protocol["course"]["min_gap_days"] == 28
    sauna = next(a for a in protocol["activities"] if a["id"] == "sauna")
    assert sauna["label"] == "Sauna"


def test_the_protocol_is_the_clinics_with_its_key(harbour: Client) -> None:
    answer = ok(harbour.get("/api/v1/protocol"))
    assert answer["version"] != base_protocol().version
    protocol = answer["protocol"]
    rule = next(r for r in protocol["screening"]["rules"] if r["id"] == "SC-isotretinoin-recent")
    assert rule["trigger"]["within_days"] == 180
    assert protocol["overlay"]["id"] == "harbour"


def test_a_bad_key_on_a_stateless_route_is_refused_not_ignored(anyone: Client) -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer ak_wrong").get("/api/v1/protocol")
    assert problem(response, 401)["detail"] == BAD_KEY


# --- check ----------------------------------------------------------------------------


def test_a_sauna_two_days_after_is_not_yet_until_day_14(anyone: Client) -> None:
    answer = ok(anyone.get("/api/v1/check", {"activity": "sauna", "hours_after": 48}))
    assert answer["verdict"] == "not_yet"
    assert answer["allowed_from_hours"] == 336
    assert answer["allowed_from"] is None  # no treatment time, no moment
    assert answer["rule"] == "AC-extreme-heat"
    assert answer["label"] == "Sauna"
    assert answer["sources"][0]["leaflet"] == "000_12476f0732dd14f5.txt"
    assert answer["answer"] == "Sauna: not yet."
    engine = check_json(base_protocol(), check(base_protocol(), "sauna", 48))
    assert {k: v for k, v in answer.items() if k != "sources"} == {
        k: v for k, v in engine.items() if k != "sources"
    }


def test_with_the_two_times_it_says_the_moment_on_the_uk_clock_by_default(
    anyone: Client,
) -> None:
    query = {
        "activity": "saunas",  # an alias
        "treated_at": "2026-10-20T11:00:00+01:00",
        "at": "2026-10-22T10:00:00Z",
    }
    answer = ok(anyone.get("/api/v1/check", query))
    assert answer["activity"] == "sauna"
    assert answer["verdict"] == "not_yet"
    # 336 hours later: the clocks have gone back by then, so 10:00 GMT, not 11:00.
    assert answer["allowed_from"] == "2026-11-03T10:00:00Z"


def test_an_activity_that_is_allowed_now(anyone: Client) -> None:
    answer = ok(anyone.get("/api/v1/check", {"activity": "sauna", "hours_after": 336}))
    assert answer["verdict"] == "allowed"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"activity": "sauna"}, "query.hours_after", "give hours_after, or treated_at (and at)"),
        (
            {"activity": "sauna", "hours_after": 3, "treated_at": "2026-11-20T10:00:00Z"},
            "query.treated_at",
            "give hours_after or treated_at, not both",
        ),
        (
            {"activity": "sauna", "treated_at": "2026-11-20T10:00:00Z", "at": "2026-11-20T09:00Z"},
            "query.at",
            "is before treated_at",
        ),
        (
            {"activity": "sauna", "treated_at": "2026-11-20T10:00:00"},
            "query.treated_at",
            "Input should have timezone info",
        ),
        (
            {"activity": "sauna", "hours_after": -1},
            "query.hours_after",
            "Input should be greater than or equal to 0",
        ),
    ],
)
def test_check_names_the_field_that_is_wrong(
    anyone: Client, query: dict[str, Any], field: str, message: str
) -> None:
    body = problem(anyone.get("/api/v1/check", query), 422)
    assert fields(body) == {field: message}


def test_an_unknown_activity_suggests_the_nearest_names(anyone: Client) -> None:
    body = problem(anyone.get("/api/v1/check", {"activity": "sauan", "hours_after": 1}), 422)
    assert body["detail"] == "unknown activity 'sauan'; did you mean sauna, intensive_sun?"
    assert fields(body) == {"query.activity": body["detail"]}


# --- triage -----------------------------------------------------------------------------


def test_redness_on_day_one_is_expected(anyone: Client) -> None:
    answer = ok(
        post(anyone, "/api/v1/triage", {"symptoms": [{"symptom": "red"}], "hours_after": 10})
    )
    assert answer["triage"] == "expected"
    assert answer["hours_after"] == 10
    assert [(s["id"], s["level"]) for s in answer["symptoms"]] == [("redness", "expected")]
    assert answer["symptoms"][0]["expected_until_hours"] == 96


def test_worsening_redness_after_its_window_and_discharge_are_urgent(anyone: Client) -> None:
    body = {
        "symptoms": [
            {"symptom": "redness", "trend": "worsening"},
            {"symptom": "weeping"},
        ],
        "treated_at": "2026-11-16T10:00:00Z",
    }
    answer = ok(post(anyone, "/api/v1/triage", body))
    assert answer["triage"] == "contact_clinic_now"
    assert answer["hours_after"] == 124.5  # to NOW, 21 Nov 14:30
    assert {s["id"]: s["level"] for s in answer["symptoms"]} == {
        "redness": "contact_clinic_now",
        "discharge": "contact_clinic_now",
    }
    assert answer["advice"].startswith("Contact your clinic now.")


def test_a_deep_treatment_widens_the_expected_window(anyone: Client) -> None:
    body = {
        "symptoms": [{"symptom": "redness"}],
        "hours_after": 120,
        "factors": {"needle_depth_mm": 2.0},
    }
    answer = ok(post(anyone, "/api/v1/triage", body))
    (redness,) = answer["symptoms"]
    assert (redness["level"], redness["expected_until_hours"]) == ("expected", 168)
    assert redness["widened_by"] == ["deep_needling"]


def test_triage_refuses_an_empty_list_and_an_unknown_symptom(anyone: Client) -> None:
    body = problem(post(anyone, "/api/v1/triage", {"symptoms": [], "hours_after": 1}), 422)
    assert list(fields(body)) == ["body.symptoms", "body.text"]
    unknown = {"symptoms": [{"symptom": "nonsense"}], "hours_after": 1}
    refused = problem(post(anyone, "/api/v1/triage", unknown), 422)
    assert refused["detail"] == "unknown symptom 'nonsense'"
    assert fields(refused) == {"body.symptoms": "unknown symptom 'nonsense'"}


def test_triage_reads_the_text_for_red_flags(anyone: Client) -> None:
    answer = ok(
        post(anyone, "/api/v1/triage", {"text": "I can't breathe properly", "hours_after": 1})
    )
    assert answer["triage"] == "call_999"
    assert answer["advice"] == (
        "Call 999 now: this can be a severe allergic reaction. Then tell your clinic."
    )
    (symptom,) = answer["symptoms"]
    assert (symptom["id"], symptom["found_in_text"]) == (
        "severe_allergic_reaction",
        "can't breathe",
    )


def test_triage_passes_text_it_cannot_read_to_the_clinic(anyone: Client) -> None:
    body = {"symptoms": [{"symptom": "redness"}], "text": "a mark on my chin", "hours_after": 1}
    answer = ok(post(anyone, "/api/v1/triage", body))
    assert answer["triage"] == "contact_clinic"
    assert [(s["id"], s["label"], s["level"]) for s in answer["symptoms"]] == [
        ("redness", "Redness or flushing", "expected"),
        ("free_text", "What you wrote", "contact_clinic"),
    ]
