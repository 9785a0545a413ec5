"""The stateless routes for screening and the course, with or without a key.

Without a key they use the base protocol; with a clinic's key, that clinic's overlay.
The expected values are worked out here from the protocol's numbers (90 days after
isotretinoin, 28 to 42 days between sessions). The protocol, check and triage routes are
in test_api_engine.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from aftercare.contracts import course_json
from aftercare.engine.course import maintenance_window
from aftercare.web.clinic.models import Clinic
from aftercare.web.protocol import base_protocol, clinic_protocol
from tests.screening_answers import NOTHING_FOUND, answered
from tests.web.conftest import key_client, make_key
from tests.web.harbour import harbour_client
from tests.web.test_api_access import fields, ok, post, problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def anyone(db: None) -> Client:
    return Client()


@pytest.fixture
def harbour(db: None) -> Client:
    return harbour_client()


# --- screen -----------------------------------------------------------------------------


OCTOBER = answered(isotretinoin="2026-10-01")


def test_isotretinoin_on_1_october_is_not_yet_until_1_january(anyone: Client) -> None:
    answer = ok(post(anyone, "/api/v1/screen", {"answers": OCTOBER}))
    assert answer["eligible"] is False
    assert answer["status"] == "not_yet"
    assert answer["on"] == "2026-11-21"  # the UK's today
    # Three months on by the calendar, later than 90 days (30 December).
    assert answer["earliest_date"] == "2027-01-01"
    assert answer["earliest_days_from_now"] == 41
    (reason,) = answer["reasons"]
    assert reason["rule"] == "SC-isotretinoin-recent"
    assert reason["text"] == "Isotretinoin (Roaccutane) was taken too recently."
    assert answer["unanswered"] == []


def test_isotretinoin_last_taken_on_16_march_clears_on_16_june(anyone: Client) -> None:
    answers = answered(isotretinoin="2026-03-16")
    before = ok(post(anyone, "/api/v1/screen", {"answers": answers, "on": "2026-06-15"}))
    assert (before["status"], before["earliest_date"]) == ("not_yet", "2026-06-16")
    on_the_day = ok(post(anyone, "/api/v1/screen", {"answers": answers, "on": "2026-06-16"}))
    assert (on_the_day["status"], on_the_day["eligible"]) == ("eligible", True)


def test_a_clinic_that_waits_longer_says_so_with_its_key(harbour: Client) -> None:
    answer = ok(post(harbour, "/api/v1/screen", {"answers": OCTOBER}))
    assert answer["earliest_date"] == "2027-03-30"  # 180 days after
    assert answer["protocol"]["id"] == "microneedling+harbour"


def test_screening_on_a_given_day(anyone: Client) -> None:
    body = {"answers": OCTOBER, "on": "2026-12-31"}
    assert ok(post(anyone, "/api/v1/screen", body))["status"] == "not_yet"
    answer = ok(post(anyone, "/api/v1/screen", body | {"on": "2027-01-01"}))
    assert (answer["status"], answer["on"]) == ("eligible", "2027-01-01")


@pytest.mark.parametrize(
    ("answers", "status", "recheck"),
    [
        (answered(diabetes="no", fitzpatrick="ii"), "eligible", None),
        (answered(isotretinoin="current"), "not_suitable", "after_isotretinoin_washout"),
        (answered(pregnant=True), "not_suitable", "after_pregnancy_and_breastfeeding"),
        (answered(active_skin_condition="eczema flare"), "not_suitable", "when_resolved"),
        (answered(active_skin_condition="n/a"), "eligible", None),
        (answered(sunburn=True), "not_yet", "when_sunburn_healed"),
        (answered(numbing_cream_allergy=True), "clinician_review", None),
        (answered(pregnant=None), "incomplete", None),
    ],
)
def test_screening_answers_of_each_kind(
    anyone: Client, answers: dict[str, Any], status: str, recheck: str | None
) -> None:
    answer = ok(post(anyone, "/api/v1/screen", {"answers": answers}))
    assert (answer["status"], answer["recheck"]) == (status, recheck)


def test_a_question_left_out_or_sent_as_null_is_still_to_ask(anyone: Client) -> None:
    answers: dict[str, Any] = answered(pregnant=None, toxin_or_filler="2026-11-20")
    del answers["implants"]
    answer = ok(post(anyone, "/api/v1/screen", {"answers": answers}))
    assert (answer["status"], answer["eligible"], answer["earliest_date"]) == (
        "incomplete",
        False,
        None,
    )
    assert answer["unanswered"] == [
        {"question": "pregnant", "text": "Are you pregnant?"},
        {
            "question": "implants",
            "text": "Are there gold threads or other implants in the area to be treated?",
        },
    ]
    # The reason found is still given, with its own date.
    assert [(r["rule"], r["earliest"]) for r in answer["reasons"]] == [
        ("SC-toxin-or-filler", "2026-12-04")
    ]
    nothing = ok(post(anyone, "/api/v1/screen", {"answers": {}}))
    assert nothing["status"] == "incomplete"
    assert len(nothing["unanswered"]) == len(NOTHING_FOUND)


@pytest.mark.parametrize(
    ("answers", "detail"),
    [
        ({"pregnent": True}, "unknown screening question 'pregnent'; did you mean pregnant?"),
        ({"pregnant": "maybe"}, "the answer to 'pregnant' must be yes or no (true or false)"),
        (
            {"isotretinoin": "last spring"},
            "the answer to 'isotretinoin' must be a date, 'current' or 'never'",
        ),
        ({"radiation": "2027-01-01"}, "the answer to 'radiation' (2027-01-01) is in the future"),
    ],
)
def test_a_screening_answer_the_question_does_not_take_is_a_422(
    anyone: Client, answers: dict[str, Any], detail: str
) -> None:
    assert problem(post(anyone, "/api/v1/screen", {"answers": answers}), 422)["detail"] == detail


# --- course -----------------------------------------------------------------------------


def test_a_course_from_the_first_of_december(anyone: Client) -> None:
    answer = ok(anyone.get("/api/v1/course/plan", {"first": "2026-12-01"}))
    assert answer["valid"] is True
    assert answer["requested_sessions"] == 3
    assert [(s["number"], s["earliest"], s["latest"]) for s in answer["sessions"]] == [
        (1, "2026-12-01", "2026-12-01"),
        (2, "2026-12-29", "2027-01-12"),  # 28 to 42 days after the first
        (3, "2027-01-26", "2027-02-23"),  # 28 days after the earliest, 42 after the latest
    ]


def test_a_course_of_more_sessions_than_the_protocol_allows_is_not_valid(anyone: Client) -> None:
    answer = ok(anyone.get("/api/v1/course/plan", {"first": "2026-12-01", "sessions": 7}))
    assert (answer["valid"], answer["max_sessions"]) == (False, 6)


@pytest.mark.parametrize(
    ("proposed", "verdict", "allowed", "gap"),
    [
        ("2026-11-28", "too_early", False, 27),
        ("2026-11-29", "within_window", True, 28),
        ("2026-12-13", "within_window", True, 42),
        ("2026-12-14", "late", True, 43),
    ],
)
def test_the_gap_before_a_proposed_session(
    anyone: Client, proposed: str, verdict: str, allowed: bool, gap: int
) -> None:
    query = {"previous": "2026-11-01", "proposed": proposed}
    answer = ok(anyone.get("/api/v1/course/check", query))
    assert answer == {
        "verdict": verdict,
        "allowed": allowed,
        "earliest": "2026-11-29",
        "latest": "2026-12-13",
        "gap_days": gap,
    }


def test_a_session_before_the_previous_one_is_refused(anyone: Client) -> None:
    query = {"previous": "2026-11-01", "proposed": "2026-10-01"}
    assert problem(anyone.get("/api/v1/course/check", query), 422)["detail"] == (
        "the proposed session cannot be before the previous one"
    )


def test_maintenance_six_to_twelve_months_after_the_course(anyone: Client) -> None:
    answer = ok(anyone.get("/api/v1/course/maintenance", {"completed": "2026-11-01"}))
    assert answer == {"maintenance_earliest": "2027-05-01", "maintenance_latest": "2027-11-01"}
    assert answer == course_json(maintenance_window(base_protocol(), date(2026, 11, 1)))


def test_a_date_out_of_range_is_a_422(anyone: Client) -> None:
    body = problem(anyone.get("/api/v1/course/maintenance", {"completed": "1899-12-31"}), 422)
    assert list(fields(body)) == ["query.completed"]


def test_a_key_of_a_clinic_without_an_overlay_gets_the_base_rules(clinic: Clinic) -> None:
    alpha = key_client(make_key(clinic))
    answer = ok(post(alpha, "/api/v1/screen", {"answers": OCTOBER}))
    assert answer["earliest_date"] == "2027-01-01"
    assert answer["protocol"]["version"] == clinic_protocol(clinic).version


def test_check_shows_allowed_from_in_the_zone_asked_for(client: Client) -> None:
    # Sent with a summer offset in November; shown on the UK's clock (GMT) by default.
    query = {"activity": "sauna", "treated_at": "2026-11-03T12:00:00+01:00"}
    query["at"] = "2026-11-04T12:00:00+00:00"
    default = client.get("/api/v1/check", query).json()
    assert default["allowed_from"] == "2026-11-17T11:00:00Z"
    tokyo = client.get("/api/v1/check", query | {"time_zone": "Asia/Tokyo"}).json()
    assert tokyo["allowed_from"] == "2026-11-17T20:00:00+09:00"
    response = client.get("/api/v1/check", query | {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.time_zone"]


@pytest.mark.parametrize(
    ("query", "verdict", "answer"),
    [
        (
            {"activity": "eyeliner", "hours_after": 30},
            "allowed_if",
            "Makeup: yes, once the redness has gone and the skin has settled.",
        ),
        (
            {"activity": "eyeliner", "hours_after": 30, "redness_resolved": True},
            "allowed",
            "Makeup: yes.",
        ),
        (
            {"activity": "eyeliner", "hours_after": 30, "redness_resolved": False},
            "not_yet",
            "Makeup: not yet.",
        ),
        (
            {"activity": "picking", "hours_after": 400},
            "never",
            "Picking at flakes or scabs: no, this is never advised.",
        ),
        (
            {"activity": "laser", "hours_after": 100},
            "not_yet",
            "Another skin treatment on the area: not yet.",
        ),
        ({"activity": "warm shower", "hours_after": 2}, "allowed", "Warm shower: yes."),
    ],
)
def test_check_never_gives_a_bare_yes_or_allows_picking(
    anyone: Client, query: dict[str, Any], verdict: str, answer: str
) -> None:
    body = ok(anyone.get("/api/v1/check", query))
    assert (body["verdict"], body["answer"]) == (verdict, answer)
    if verdict == "never":
        assert (body["allowed_from_hours"], body["allowed_from"]) == (None, None)


def test_check_takes_any_procedures_skin_states_and_refuses_another_procedures(
    anyone: Client,
) -> None:
    query = {"procedure": "chemical-peel", "activity": "acids", "hours_after": 24 * 10}

    def verdict(**more: Any) -> str:
        return str(ok(anyone.get("/api/v1/check", query | more))["verdict"])

    assert verdict() == "allowed_if"
    assert verdict(skin="peeling_complete=no") == "not_yet"
    assert verdict(skin="peeling_complete=yes") == "allowed"
    # redness_resolved is microneedling's: a peel's answer never quietly ignores it.
    for more in ({"redness_resolved": True}, {"skin": "redness_resolved=yes"}):
        refused = problem(anyone.get("/api/v1/check", query | more), 422)
        assert "has no skin state 'redness_resolved'; it has: peeling_complete" in str(refused)
    refused = problem(anyone.get("/api/v1/check", query | {"skin": "peeling_complete=maybe"}), 422)
    assert fields(refused) == {
        "query.skin": "'peeling_complete=maybe' is not STATE=yes or STATE=no"
    }
