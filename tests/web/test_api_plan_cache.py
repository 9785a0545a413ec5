"""The API's plan of a treatment, kept per process: the same answer as made afresh, and a
new one when the treatment's time or zone, or the clinic's protocol, changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from aftercare.web.api import present
from aftercare.web.api.present import plan_out, treatment_plan_out
from aftercare.web.care.summary import treatment_plan
from aftercare.web.clinic.models import Clinic, Patient, StaffMember, Treatment
from aftercare.web.protocol import base_protocol, clinic_protocol
from tests.web.conftest import NOW, set_overlay
from tests.web.test_api_access import ok
from tests.web.test_clinic_admin import RELAXED_WITH_REASON
from tests.web.test_portal_plan import treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    return treat(patient, practitioner, NOW - timedelta(hours=50))


def plan_url(treatment: Treatment) -> str:
    return f"/api/v1/treatments/{treatment.pk}/plan"


def sunscreen(shown: dict[str, object]) -> object:
    items = shown["items"]
    assert isinstance(items, list)
    return next(item for item in items if item["id"] == "AC-sunscreen")


def test_it_answers_a_kept_plan_as_a_fresh_one(treated: Treatment) -> None:
    protocol = base_protocol()
    first = treatment_plan_out(protocol, treated)
    assert treatment_plan_out(protocol, treated) is first
    assert first == plan_out(treatment_plan(protocol, treated))


def test_it_makes_a_new_plan_when_the_treatment_moves(
    api_client: Client, treated: Treatment
) -> None:
    before = ok(api_client.get(plan_url(treated)))
    treated.treated_at -= timedelta(days=1)
    treated.save()
    after = ok(api_client.get(plan_url(treated)))
    fresh = plan_out(treatment_plan(base_protocol(), treated)).model_dump(mode="json")
    assert after["treated_at"] != before["treated_at"]
    assert after["items"] == fresh["items"]


def test_it_makes_a_new_plan_when_the_zone_changes(treated: Treatment) -> None:
    protocol = base_protocol()
    london = treatment_plan_out(protocol, treated)
    treated.time_zone = "America/New_York"
    treated.save()
    new_york = treatment_plan_out(protocol, treated)
    assert (london.time_zone, new_york.time_zone) == ("Europe/London", "America/New_York")


def test_it_makes_a_new_plan_when_the_clinics_protocol_changes(
    api_client: Client, clinic: Clinic, treated: Treatment
) -> None:
    before = ok(api_client.get(plan_url(treated)))
    set_overlay(clinic, RELAXED_WITH_REASON)
    after = ok(api_client.get(plan_url(treated)))
    version = clinic_protocol(clinic).version
    assert before["protocol"]["version"] != version
    assert after["protocol"]["version"] == version
    assert sunscreen(after) != sunscreen(before)


def test_a_plan_at_a_moment_is_made_each_time(treated: Treatment) -> None:
    protocol = base_protocol()
    shown = treatment_plan_out(protocol, treated, NOW)
    assert (shown.day, shown.hours_after) == (2, 50)
    assert treatment_plan_out(protocol, treated, NOW) is not shown
    assert treatment_plan_out(protocol, treated).day is None


def test_it_keeps_at_most_its_limit(
    monkeypatch: pytest.MonkeyPatch, patient: Patient, practitioner: StaffMember
) -> None:
    monkeypatch.setattr(present._plans, "limit", 2)
    protocol = base_protocol()
    treatments = [treat(patient, practitioner, NOW - timedelta(days=n)) for n in (1, 2, 3)]
    for treatment in treatments:
        treatment_plan_out(protocol, treatment)
    kept = present._plans
    assert len(kept) == 2
    assert [key[0] for key in kept] == [t.pk for t in treatments[1:]]


def test_it_tells_the_two_half_past_ones_of_a_clock_change_apart(treated: Treatment) -> None:
    protocol, london = base_protocol(), ZoneInfo("Europe/London")
    summer = datetime(2026, 10, 25, 1, 30, tzinfo=london)
    winter = summer.replace(fold=1)
    treated.treated_at = summer
    first = treatment_plan_out(protocol, treated)
    treated.treated_at = winter
    second = treatment_plan_out(protocol, treated)
    assert first.treated_at.utcoffset() == timedelta(hours=1)
    assert second.treated_at.utcoffset() == timedelta(hours=0)


def test_the_kept_answer_reads_as_the_plan_ninja_writes_with_the_treatment(
    api_client: Client, treated: Treatment
) -> None:
    for _ in range(2):  # made, then kept
        alone = api_client.get(plan_url(treated))
        with_treatment = api_client.get(f"/api/v1/treatments/{treated.pk}")
        assert alone["Content-Type"] == with_treatment["Content-Type"]
        assert alone.json() == with_treatment.json()["plan"]
