"""The screening gate of a treatment recorded by staff: refused until a screening clears it,
within the clinic's limit, the latest screening deciding, and an override with its reason.
The rest of recording a treatment is in test_staff_treatments.py, whose helpers these tests
share."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from aftercare.web.clinic.models import (
    AuditEvent,
    Patient,
    Screening,
    StaffMember,
    Treatment,
)
from tests.web.conftest import NOW
from tests.web.test_staff_treatments import eligible, errors, form, post, screened

__all__ = ["eligible"]  # a fixture, used by name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.mark.parametrize(
    ("answers", "days_ago", "problem"),
    [
        (None, 0, "This patient has not been screened."),
        (
            {"isotretinoin": date(2026, 10, 22)},
            0,
            "The latest screening (Sat 21 Nov 2026) says: Not yet, earliest Fri 22 Jan 2027.",
        ),
        ({"pregnant": True}, 0, "says: Not suitable."),
        ({"keloid_history": True}, 0, "says: Needs clinician review."),
        (
            {"pregnant": None},
            0,
            "The latest screening (Sat 21 Nov 2026) says: Incomplete, 1 question still to ask.",
        ),
        ({"sunburn": None, "implants": None}, 0, "says: Incomplete, 2 questions still to ask."),
        ({"pregnant": False}, 91, "is older than the clinic's 90 days."),
    ],
)
def test_it_refuses_a_treatment_the_screening_does_not_clear(
    staff_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    answers: dict[str, Any] | None,
    days_ago: int,
    problem: str,
) -> None:
    if answers is not None:
        screened(patient, practitioner, answers, NOW - timedelta(days=days_ago))
    response = post(staff_client, patient, form())
    assert response.status_code == 200
    assert problem in errors(response)
    assert "tick &#x27;Treat despite the screening&#x27;" in response.text
    assert not Treatment.objects.exists()
    assert 'value="Tolerated well."' not in response.text  # a textarea keeps it as text
    assert "Tolerated well.</textarea>" in response.text


def test_a_screening_just_within_the_clinics_limit_clears(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    screened(patient, practitioner, {"pregnant": False}, NOW - timedelta(days=90))
    response = post(staff_client, patient, form(treated_time="14:30"))
    assert response.status_code == 302


def test_the_latest_screening_decides(
    staff_client: Client, patient: Patient, practitioner: StaffMember, eligible: Screening
) -> None:
    screened(patient, practitioner, {"pregnant": True}, NOW - timedelta(days=1))
    assert post(staff_client, patient, form()).status_code == 200
    assert not Treatment.objects.exists()


def test_an_override_with_a_reason_is_saved_and_audited(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    screened(patient, practitioner, {"keloid_history": True})
    reason = "Dr Shah reviewed the scars and agreed in writing."
    response = post(staff_client, patient, form(override="on", override_reason=reason))
    treatment = Treatment.objects.get()
    assert response.status_code == 302
    assert treatment.override_reason == reason
    override = AuditEvent.objects.get(action="treatment.override")
    assert (override.patient, override.object_id) == (patient, str(treatment.pk))
    assert reason in staff_client.get(response["Location"]).text


def test_an_incomplete_screening_is_overridden_like_a_not_eligible_one(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    screened(patient, practitioner, {"numbing_cream_allergy": None})
    assert post(staff_client, patient, form()).status_code == 200
    assert not Treatment.objects.exists()
    reason = "Asked at the chair: no allergy to numbing cream; recorded on paper."
    response = post(staff_client, patient, form(override="on", override_reason=reason))
    assert response.status_code == 302
    assert Treatment.objects.get().override_reason == reason
    assert AuditEvent.objects.filter(action="treatment.override").count() == 1


@pytest.mark.parametrize("reason", ["", "too short", "   short    "])
def test_an_override_needs_a_reason_of_ten_characters(
    staff_client: Client, patient: Patient, reason: str
) -> None:
    response = post(staff_client, patient, form(override="on", override_reason=reason))
    assert "in at least 10 characters" in errors(response)
    assert not Treatment.objects.exists()
