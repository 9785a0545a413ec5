"""A patient's screenings through the API: recorded with the day's result, left-out questions
kept open, refused answers, and the list. The patients themselves are in test_api_patients.py.

``api_client`` is the Alpha clinic's booking system with a read-write key.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.test import Client

from aftercare.web.clinic.models import (
    ActorKind,
    ApiKey,
    AuditEvent,
    Patient,
    Screening,
)
from aftercare.web.protocol import base_protocol
from tests.screening_answers import answered
from tests.web.conftest import CHAIN_QUERIES, NOW
from tests.web.test_api_access import ok, post, problem
from tests.web.test_portal_plan import QueryBound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

PATIENTS = "/api/v1/patients"
# The key (and its last use), the count, the page and the audit row: never one per row.
LIST_QUERIES = 5 + CHAIN_QUERIES


def test_a_screening_is_recorded_with_the_result_of_the_day(
    api_client: Client, patient: Patient
) -> None:
    answers = answered(isotretinoin="2026-10-01", fitzpatrick="iii")
    created = ok(post(api_client, f"{PATIENTS}/{patient.pk}/screenings", {"answers": answers}), 201)
    screening = Screening.objects.get()
    assert created["id"] == screening.pk
    assert created["status"] == "not_yet"
    assert created["earliest_date"] == "2027-01-01"
    assert created["screened_at"] == "2026-11-21T14:30:00Z"
    assert created["answers"] == answers
    assert created["unanswered"] == []
    assert created["result"]["earliest_days_from_now"] == 41
    assert [r["rule"] for r in created["result"]["reasons"]] == ["SC-isotretinoin-recent"]
    assert created["protocol"] == {"id": "microneedling", "version": base_protocol().version}
    assert (screening.status, screening.earliest_date) == ("not_yet", date(2027, 1, 1))
    assert screening.screened_by is None
    assert screening.screened_by_key == ApiKey.objects.get()
    event = AuditEvent.objects.get(action="screening.create")
    assert (event.actor_kind, event.patient_id) == (ActorKind.API_KEY, patient.pk)


def test_a_screening_with_questions_left_out_is_recorded_incomplete(
    api_client: Client, patient: Patient
) -> None:
    answers = {"pregnant": False, "sunburn": None, "isotretinoin": "never"}
    url = f"{PATIENTS}/{patient.pk}/screenings"
    created = ok(post(api_client, url, {"answers": answers}), 201)
    assert (created["status"], created["result"]["eligible"]) == ("incomplete", False)
    assert created["answers"] == answers  # the "No" given stays a "No"; null stays null
    open_questions = [q["question"] for q in created["unanswered"]]
    assert "sunburn" in open_questions
    assert "pregnant" not in open_questions
    assert "isotretinoin" not in open_questions
    assert {
        "question": "sunburn",
        "text": "Is the skin on the area to be treated sunburnt now?",
    } in (created["result"]["unanswered"])
    (listed,) = ok(api_client.get(url))
    assert (listed["status"], listed["unanswered"]) == ("incomplete", created["unanswered"])
    assert Screening.objects.get().status == "incomplete"


def test_a_screening_answer_the_question_does_not_take_is_refused(
    api_client: Client, patient: Patient
) -> None:
    answers = {"isotretinoin": "2027-01-01"}
    body = problem(
        post(api_client, f"{PATIENTS}/{patient.pk}/screenings", {"answers": answers}), 422
    )
    assert body["detail"] == "the answer to 'isotretinoin' (2027-01-01) is in the future"
    assert not Screening.objects.exists()


def test_the_screenings_are_listed_newest_first(api_client: Client, patient: Patient) -> None:
    for day, answer in ((1, "2026-10-01"), (2, None)):
        Screening.objects.create(
            patient=patient,
            answers={"isotretinoin": answer},
            status="eligible" if answer is None else "not_yet",
            protocol_id="microneedling",
            protocol_version="v1",
            screened_at=datetime(2026, 11, day, 9, 0, tzinfo=NOW.tzinfo),
        )
    listed = ok(api_client.get(f"{PATIENTS}/{patient.pk}/screenings"))
    assert [(s["screened_at"], s["status"]) for s in listed] == [
        ("2026-11-02T09:00:00Z", "eligible"),
        ("2026-11-01T09:00:00Z", "not_yet"),
    ]
    assert AuditEvent.objects.get().action == "screening.list"


def test_the_screenings_are_listed_in_a_fixed_number_of_queries(
    api_client: Client, patient: Patient, django_assert_max_num_queries: QueryBound
) -> None:
    for days in range(40):
        Screening.objects.create(
            patient=patient,
            answers={"pregnant": False},
            status="eligible",
            protocol_id="microneedling",
            protocol_version="v1",
            screened_at=NOW - timedelta(days=days),
        )
    with django_assert_max_num_queries(LIST_QUERIES):
        listed = ok(api_client.get(f"{PATIENTS}/{patient.pk}/screenings"))
    assert len(listed) == 40
