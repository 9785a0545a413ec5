"""Recording a treatment: local times, the preview, and the full plan. The screening gate is
in test_staff_treatment_gate.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.engine.screening import screen
from aftercare.web.clinic.models import (
    AuditEvent,
    Outcome,
    Patient,
    Screening,
    StaffMember,
    Treatment,
)
from aftercare.web.frozen import frozen
from aftercare.web.protocol import base_protocol
from tests.screening_answers import answered
from tests.web.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def screened(
    patient: Patient, staff: StaffMember, answers: dict[str, Any], at: datetime = NOW
) -> Screening:
    protocol = base_protocol()
    answers = answered(**answers)  # every other question asked, nothing found
    result = screen(protocol, answers, at.date())
    return Screening.objects.create(
        patient=patient,
        answers=frozen(answers),
        status=result.status.value,
        earliest_date=result.earliest_date,
        result=frozen(result),
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        screened_by=staff,
        screened_at=at,
    )


@pytest.fixture
def eligible(patient: Patient, practitioner: StaffMember) -> Screening:
    return screened(patient, practitioner, {"pregnant": False}, NOW - timedelta(days=7))


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "treated_on": "2026-11-21",
        "treated_time": "10:30",
        "time_zone": "Europe/London",
        "areas": ["face", "neck"],
        "needle_depth_mm": "1.5",
        "device": "Pen A",
        "notes": "Tolerated well.",
        "fitzpatrick": "3",
        "sensitive_skin": "on",
        "action": "save",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def post(client: Client, patient: Patient, data: dict[str, Any]) -> Any:
    return client.post(reverse("staff:treatment_new", args=[patient.pk]), data)


def errors(response: Any) -> str:
    """Every error message of the form, unescaped."""
    return " ".join(
        str(m) for messages in response.context["form"].errors.values() for m in messages
    )


def test_the_form_starts_from_now_and_the_screening(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    screened(patient, practitioner, {"cold_sore_history": True, "fitzpatrick": "iv"})
    response = staff_client.get(reverse("staff:treatment_new", args=[patient.pk]))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["treated_on"] == date(2026, 11, 21)
    assert str(initial["treated_time"]) == "14:30:00"
    assert initial["cold_sore_history"] is True
    assert initial["fitzpatrick"] == "4"
    assert "<legend>Areas treated</legend>" in response.text
    assert 'value="decollete"' in response.text and "Décolleté" in response.text


def test_each_checkbox_sits_inside_its_own_label(staff_client: Client, patient: Patient) -> None:
    page = staff_client.get(reverse("staff:treatment_new", args=[patient.pk])).text
    for name, label in [
        ("sensitive_skin", "Sensitive skin"),
        ("cold_sore_history", "Gets cold sores"),
        ("override", "Treat despite the screening"),
    ]:
        box = f'<input type="checkbox" name="{name}" id="id_{name}">'
        assert f'<label for="id_{name}">{box} {label}</label>' in page


def test_it_saves_a_treatment_after_an_eligible_screening(
    staff_client: Client, patient: Patient, practitioner: StaffMember, eligible: Screening
) -> None:
    patient.date_of_birth = date(1980, 11, 22)
    patient.save()
    response = post(staff_client, patient, form())
    treatment = Treatment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:treatment", args=[patient.pk, treatment.pk])
    assert treatment.treated_at == datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
    assert treatment.time_zone == "Europe/London"
    assert treatment.areas == ["face", "neck"]
    assert treatment.factors == {
        "needle_depth_mm": 1.5,
        "sensitive_skin": True,
        "age": 45,
        "fitzpatrick": 3,
        "platelet_medication": False,
        "anticoagulant": False,
        "cold_sore_history": False,
    }
    assert treatment.protocol_version == base_protocol().version
    assert treatment.override_reason == ""
    assert treatment.created_by == practitioner
    assert AuditEvent.objects.filter(action="treatment.create", patient=patient).count() == 1
    assert not AuditEvent.objects.filter(action="treatment.override").exists()


def test_the_treatment_page_shows_the_full_plan(
    staff_client: Client, patient: Patient, eligible: Screening
) -> None:
    response = post(staff_client, patient, form())
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert "Sat 21 Nov, 10:30 (Europe/London)" in page.text
    assert "Face, Neck" in page.text
    assert "Needle depth 1.5 mm; Sensitive skin; Skin type (Fitzpatrick) III" in page.text
    assert "<h3>The next few hours</h3>" in page.text
    assert "Until Sat 5 Dec, 10:30: Avoid extreme heat" in page.text  # day 14
    assert "Day 14, Sat 5 Dec, 10:30" in page.text
    assert "changed since this treatment" not in page.text
    assert AuditEvent.objects.filter(action="treatment.view", patient=patient).count() == 1


def test_times_are_typed_in_the_clinics_zone_and_shown_in_the_patients(
    staff_client: Client, patient: Patient, eligible: Screening
) -> None:
    response = post(staff_client, patient, form(time_zone="America/New_York"))
    treatment = Treatment.objects.get()
    assert treatment.treated_at == datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
    assert treatment.time_zone == "America/New_York"
    page = staff_client.get(response["Location"])
    assert "Sat 21 Nov, 05:30 (America/New_York); Sat 21 Nov, 10:30 clinic time" in page.text


def test_a_clock_change_skipped_time_is_refused(
    staff_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    later = datetime(2027, 3, 28, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("aftercare.web.clock.now", lambda: later)
    staff_client.force_login(practitioner.user)  # a session from before has ended
    screened(patient, practitioner, {"pregnant": False}, later)
    response = post(staff_client, patient, form(treated_on="2027-03-28", treated_time="01:30"))
    assert response.status_code == 200
    assert "2027-03-28 01:30 does not exist in Europe/London (the clocks go forward)" in errors(
        response
    )
    assert not Treatment.objects.exists()
    assert 'value="2027-03-28"' in response.text and 'value="01:30"' in response.text


def test_a_repeated_time_must_say_which(
    staff_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    later = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("aftercare.web.clock.now", lambda: later)
    screened(patient, practitioner, {"pregnant": False}, later)
    data = form(treated_on="2026-10-25", treated_time="01:30")
    assert "happens twice in Europe/London" in errors(post(staff_client, patient, data))
    assert post(staff_client, patient, data | {"repeated": "second"}).status_code == 302
    assert Treatment.objects.get().treated_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"treated_on": "2026-02-30"}, "Enter a valid date."),
        ({"treated_time": "25:00"}, "Enter a valid time."),
        ({"treated_on": "2026-11-22", "treated_time": "15:00"}, "more than a day in the future"),
        ({"treated_on": "1960-05-01"}, "cannot be before 2000"),
        ({"treated_on": None}, "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "unknown time zone &#x27;Mars/Olympus&#x27;"),
        ({"time_zone": "+01:00"}, "unknown time zone"),
        ({"areas": None}, "This field is required."),
        ({"areas": ["elbow"]}, "Select a valid choice. elbow is not one"),
        ({"needle_depth_mm": "0"}, "Needle depth must be more than 0 and at most 5.0 mm."),
        ({"needle_depth_mm": "5.01"}, "Needle depth must be more than 0 and at most 5.0 mm."),
        ({"needle_depth_mm": "-1"}, "Needle depth must be more than 0 and at most 5.0 mm."),
        ({"needle_depth_mm": "deep"}, "Enter a number."),
        ({"fitzpatrick": "7"}, "Select a valid choice."),
        ({"device": "x" * 10_000}, "at most 100 characters"),
        ({"notes": "fine\u202e"}, "right-to-left override"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(
    staff_client: Client,
    patient: Patient,
    eligible: Screening,
    changes: dict[str, Any],
    message: str,
) -> None:
    response = post(staff_client, patient, form(**changes))
    assert response.status_code == 200
    assert message in response.text
    assert not Treatment.objects.exists()
    assert 'value="Pen A"' in response.text or "device" in changes


def test_a_treatment_cannot_end_before_the_patient_was_born(
    staff_client: Client, patient: Patient, eligible: Screening
) -> None:
    patient.date_of_birth = date(2026, 11, 21)
    patient.save()
    response = post(staff_client, patient, form(treated_on="2026-11-20"))
    assert "before the date of birth" in errors(response)


def test_up_to_a_day_ahead_is_allowed(
    staff_client: Client, patient: Patient, eligible: Screening
) -> None:
    response = post(staff_client, patient, form(treated_on="2026-11-22", treated_time="14:30"))
    assert response.status_code == 302


def test_the_preview_shows_the_plan_and_saves_nothing(
    staff_client: Client, patient: Patient, eligible: Screening
) -> None:
    response = post(staff_client, patient, form(action="preview"))
    assert response.status_code == 200
    assert "Preview of the plan (not saved)" in response.text
    # Beside the form on a wide screen (the stylesheet's grid), below it on a phone.
    assert '<div class="beside-preview">\n<form method="post" novalidate>' in response.text
    assert "Treatment ended Sat 21 Nov, 10:30 (Europe/London)" in response.text
    assert "Day 14, Sat 5 Dec, 10:30" in response.text
    assert 'value="Pen A"' in response.text
    assert not Treatment.objects.exists()
    assert not AuditEvent.objects.filter(action="treatment.create").exists()
    assert AuditEvent.objects.filter(action="treatment.preview", patient=patient).count() == 1


def test_the_preview_shows_the_plan_even_before_screening(
    staff_client: Client, patient: Patient
) -> None:
    response = post(staff_client, patient, form(action="preview"))
    assert "This patient has not been screened." in errors(response)
    assert "Preview of the plan (not saved)" in response.text
    assert not Treatment.objects.exists()


def test_the_preview_waits_for_a_valid_time(
    staff_client: Client, patient: Patient, eligible: Screening
) -> None:
    response = post(staff_client, patient, form(action="preview", treated_on="2026-02-30"))
    assert response.status_code == 200
    assert "Preview of the plan" not in response.text


def test_a_treatment_of_another_patient_is_not_found(
    staff_client: Client,
    patient: Patient,
    other_patient: Patient,
    practitioner: StaffMember,
) -> None:
    screened(other_patient, practitioner, {"pregnant": False})
    post(staff_client, other_patient, form())
    treatment = Treatment.objects.get()
    response = staff_client.get(reverse("staff:treatment", args=[patient.pk, treatment.pk]))
    assert response.status_code == 404
    assert "Bob" not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_clinic_cannot_treat_or_see_a_treatment(
    client: Client,
    staff_client: Client,
    patient: Patient,
    eligible: Screening,
    outsider: StaffMember,
    method: str,
) -> None:
    post(staff_client, patient, form())
    treatment = Treatment.objects.get()
    client.force_login(outsider.user)
    new = getattr(client, method)(reverse("staff:treatment_new", args=[patient.pk]), form())
    detail = client.get(reverse("staff:treatment", args=[patient.pk, treatment.pk]))
    for response in (new, detail):
        assert response.status_code == 404
        assert "Alice" not in response.text
    assert Treatment.objects.count() == 1
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED).values_list("action", flat=True)
    assert sorted(denied) == ["treatment.create", "treatment.view"]
