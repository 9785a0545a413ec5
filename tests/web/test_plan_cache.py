"""A treatment's plan, kept per process for the portal, the staff pages and the API: the
same plan as made afresh, and a new one when the treatment's time or zone, or the
clinic's protocol, changes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from aftercare.engine.timeline import plan
from aftercare.web.care.summary import treatment_plan
from aftercare.web.clinic.models import Clinic, Patient, StaffMember, Treatment
from aftercare.web.protocol import clinic_protocol
from tests.web.conftest import NOW, set_overlay
from tests.web.test_clinic_admin import RELAXED_WITH_REASON
from tests.web.test_portal_plan import treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    return treat(patient, practitioner, NOW - timedelta(hours=50))


def fresh(clinic: Clinic, treatment: Treatment) -> object:
    local = treatment.treated_at.astimezone(ZoneInfo(treatment.time_zone))
    return plan(clinic_protocol(clinic), local)


def test_it_keeps_one_plan_the_same_as_made_afresh(clinic: Clinic, treated: Treatment) -> None:
    protocol = clinic_protocol(clinic)
    first = treatment_plan(protocol, treated)
    assert treatment_plan(protocol, treated) is first
    assert repr(first) == repr(fresh(clinic, treated))


@pytest.mark.parametrize(
    "change",
    [
        lambda t: setattr(t, "treated_at", t.treated_at - timedelta(days=1)),
        lambda t: setattr(t, "time_zone", "America/New_York"),
    ],
    ids=["moved", "new zone"],
)
def test_a_changed_treatment_gets_its_own_plan(
    clinic: Clinic, treated: Treatment, change: object
) -> None:
    protocol = clinic_protocol(clinic)
    before = treatment_plan(protocol, treated)
    change(treated)  # type: ignore[operator]
    treated.save()
    after = treatment_plan(protocol, treated)
    # Shown by their reprs: two instants compare equal whatever their zones.
    assert repr(after) != repr(before)
    assert repr(after) == repr(fresh(clinic, treated))


def test_a_changed_overlay_gets_its_own_plan(clinic: Clinic, treated: Treatment) -> None:
    before = treatment_plan(clinic_protocol(clinic), treated)
    set_overlay(clinic, RELAXED_WITH_REASON)
    protocol = clinic_protocol(clinic)
    after = treatment_plan(protocol, treated)
    assert after.protocol_version == protocol.version != before.protocol_version
    assert repr(after) == repr(fresh(clinic, treated))


def test_an_unsaved_treatment_is_planned_but_not_kept(
    clinic: Clinic, patient: Patient, treated: Treatment
) -> None:
    draft = Treatment(patient=patient, treated_at=treated.treated_at, time_zone="Europe/London")
    protocol = clinic_protocol(clinic)
    assert treatment_plan(protocol, draft) is not treatment_plan(protocol, draft)
