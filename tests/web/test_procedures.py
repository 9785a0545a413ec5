"""A clinic's procedures: enabled on the settings page, chosen when screening and
treating, and followed by every reader of the treatment (plan, portal, reminders,
course, exports, check-in triage)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from aftercare.web.clinic.models import (
    AuditEvent,
    Channel,
    CheckIn,
    Clinic,
    ClinicProcedure,
    Patient,
    Reminder,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import base_protocol
from aftercare.web.reminders.schedule import sync_reminders
from tests.web.conftest import NOW, enable_procedures
from tests.web.test_clinic_admin import admin, as_admin
from tests.web.test_portal_plan import page, sign_in, text, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]
__all__ = ["admin", "as_admin"]  # fixtures used here


PEEL = "chemical-peel"
SETTINGS = reverse("staff:clinic_settings")
PROCEDURES = reverse("staff:clinic_procedures")
# The peel's screening with every question asked and nothing found.
PEEL_NOTHING_FOUND = {
    "isotretinoin__never": "on",
    "pregnant": "no",
    "breastfeeding": "no",
    "open_wound": "no",
    "active_herpes": "no",
    "cold_sore_history": "no",
    "allergies": "none",
    "immunity": "no",
}
# Ended at 10:30 on the day before NOW (14:30 UTC): 28 hours before it.
PEEL_FORM = {
    "procedure": PEEL,
    "treated_on": "2026-11-20",
    "treated_time": "10:30",
    "time_zone": "Europe/London",
    "areas": ["face"],
    "device": "Glycolic 30%",
    "cold_sore_history": "on",
    "action": "save",
}


@pytest.fixture
def both(clinic: Clinic) -> Clinic:
    enable_procedures(clinic, "microneedling", PEEL)
    return clinic


def screen_peel(client: Client, patient: Patient) -> Any:
    url = reverse("staff:screening_new", args=[patient.pk])
    return client.post(url, {"procedure": PEEL, **PEEL_NOTHING_FOUND})


def record_peel(client: Client, patient: Patient, **changes: str) -> Any:
    url = reverse("staff:treatment_new", args=[patient.pk])
    return client.post(url, PEEL_FORM | changes)


@pytest.fixture
def peel(staff_client: Client, both: Clinic, patient: Patient) -> Treatment:
    assert screen_peel(staff_client, patient).status_code == 302
    response = record_peel(staff_client, patient)
    assert response.status_code == 302, response.context["form"].errors
    return Treatment.objects.get()


# --- settings ---------------------------------------------------------------


def test_an_administrator_enables_a_procedure_and_it_is_audited(
    as_admin: Client, clinic: Clinic, admin: StaffMember
) -> None:
    shown = text(as_admin.get(SETTINGS).content.decode())
    assert "Procedures the clinic performs" in shown
    assert "Superficial chemical peel" in shown
    response = as_admin.post(PROCEDURES, {"procedures": ["microneedling", PEEL]})
    assert response.status_code == 302
    rows = ClinicProcedure.objects.filter(clinic=clinic).values_list("protocol_id", "enabled")
    assert sorted(rows) == [(PEEL, True), ("microneedling", True)]
    event = AuditEvent.objects.get(action="clinic.procedures")
    assert (event.actor_staff_id, event.object_id) == (admin.pk, f"{PEEL},microneedling")
    shown = text(as_admin.get(SETTINGS).content.decode())
    assert "The clinic now performs: Superficial chemical peel, Medical microneedling." in shown


def test_a_clinic_keeps_at_least_one_procedure(as_admin: Client, clinic: Clinic) -> None:
    as_admin.post(PROCEDURES, {})
    assert "Choose at least one procedure" in text(as_admin.get(SETTINGS).content.decode())
    assert not AuditEvent.objects.filter(action="clinic.procedures").exists()


def test_a_practitioner_cannot_change_the_procedures(staff_client: Client, clinic: Clinic) -> None:
    assert staff_client.post(PROCEDURES, {"procedures": [PEEL]}).status_code == 403
    assert not ClinicProcedure.objects.filter(protocol_id=PEEL).exists()


def test_each_procedure_keeps_its_own_overlay_and_rules(as_admin: Client, both: Clinic) -> None:
    shown = text(as_admin.get(SETTINGS, {"procedure": PEEL}).content.decode())
    assert "Protocol chemical-peel, version" in shown
    assert "Protocol overlay: Superficial chemical peel" in shown
    response = as_admin.post(
        reverse("staff:protocol_rule"),
        {
            "procedure": PEEL,
            "rule-setting": "AC-heat|allowed_from_hours",
            "rule-value": 96,
            "rule-reason": "Our peels are deeper than most.",
        },
    )
    assert response["Location"] == f"{SETTINGS}?procedure={PEEL}"
    peel_overlay = ClinicProcedure.objects.get(clinic=both, protocol_id=PEEL).overlay_yaml
    assert "AC-heat" in peel_overlay
    assert ClinicProcedure.objects.get(clinic=both, protocol_id="microneedling").overlay_yaml == ""


def test_the_older_age_setting_leaves_a_protocol_without_the_modifier_alone(
    as_admin: Client, both: Clinic
) -> None:
    both.older_age_years = 70
    both.save()
    shown = text(as_admin.get(SETTINGS, {"procedure": PEEL}).content.decode())
    assert "The clinic uses the standard protocol unchanged." in shown
    shown = text(as_admin.get(SETTINGS).content.decode())
    assert "older_patient" in shown


# --- staff forms ------------------------------------------------------------


def test_with_one_procedure_the_forms_do_not_ask(staff_client: Client, patient: Patient) -> None:
    for name in ("staff:treatment_new", "staff:screening_new"):
        shown = staff_client.get(reverse(name, args=[patient.pk])).content.decode()
        assert 'name="procedure"' not in shown
    shown = staff_client.get(reverse("staff:treatment_new", args=[patient.pk])).content.decode()
    assert "Needle depth (mm)" in shown


def test_the_forms_follow_the_chosen_procedure(
    staff_client: Client, both: Clinic, patient: Patient
) -> None:
    url = reverse("staff:treatment_new", args=[patient.pk])
    shown = staff_client.get(url).content.decode()
    assert '<option value="chemical-peel">Superficial chemical peel</option>' in shown
    assert '<option value="microneedling" selected>Medical microneedling</option>' in shown
    peel_form = staff_client.get(url, {"procedure": PEEL}).content.decode()
    assert "Needle depth (mm)" not in peel_form
    assert 'name="needle_depth_mm"' not in peel_form
    assert "Sensitive skin" not in peel_form
    assert "Gets cold sores" in peel_form
    # The peel's own factor, from its protocol.
    assert '<label for="id_peel_depth">Peel depth</label>' in peel_form
    assert '<option value="very_superficial">Very superficial</option>' in peel_form
    assert '<input type="hidden" name="procedure" value="chemical-peel">' in peel_form
    screening = reverse("staff:screening_new", args=[patient.pk])
    questions = staff_client.get(screening, {"procedure": PEEL}).content.decode()
    assert 'name="allergies"' in questions
    assert 'name="metal_allergy"' not in questions


def test_a_peel_is_screened_and_recorded_on_the_staff_forms(
    staff_client: Client, peel: Treatment, patient: Patient
) -> None:
    assert peel.protocol_id == PEEL
    assert peel.protocol_version == base_protocol(PEEL).version
    # Only the peel's own factors: no needle depth, none of microneedling's answers.
    assert peel.factors == {"cold_sore_history": True, "age": peel.factors["age"]}
    assert patient.screenings.get().protocol_id == PEEL
    shown = text(staff_client.get(reverse("staff:patient", args=[patient.pk])).content.decode())
    assert "Superficial chemical peel Face" in shown
    assert "Procedure: Superficial chemical peel" in shown
    detail = reverse("staff:treatment", args=[patient.pk, peel.pk])
    assert "Heat in the kitchen or from ironing" in staff_client.get(detail).content.decode()


def test_a_peel_needs_a_peel_screening(
    staff_client: Client, both: Clinic, patient: Patient, practitioner: StaffMember
) -> None:
    url = reverse("staff:screening_new", args=[patient.pk])
    staff_client.post(url, {"isotretinoin__never": "on"})  # a microneedling screening
    response = record_peel(staff_client, patient)
    assert response.status_code == 200
    assert "This patient has not been screened." in text(response.content.decode())
    assert not Treatment.objects.exists()


def test_a_clinic_without_the_peel_refuses_it(
    staff_client: Client, clinic: Clinic, patient: Patient
) -> None:
    response = screen_peel(staff_client, patient)
    assert response.status_code == 400
    assert record_peel(staff_client, patient).status_code == 400
    assert not patient.screenings.exists()
    assert not Treatment.objects.exists()


# --- readers follow the treatment's procedure ---------------------------------


def test_the_portal_answers_from_the_peels_protocol(
    client: Client, peel: Treatment, patient: Patient
) -> None:
    sign_in(client, patient)
    assert "Sauna: not yet, from Mon 23 Nov, 10:30 (day 3)." in text(
        page(client, "can_i", q="sauna")
    )
    assert "heat in the kitchen or from ironing" in text(page(client, "timeline"))
    assert "Session 1 of" in text(page(client, "course"))


def test_microneedling_still_answers_from_its_own(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=28))
    sign_in(client, patient)
    assert "Sauna: not yet, from Fri 4 Dec, 10:30 (day 14)." in text(
        page(client, "can_i", q="sauna")
    )


def test_a_peels_reminders_come_from_its_protocol(peel: Treatment, patient: Patient) -> None:
    patient.preferred_channel = Channel.EMAIL
    patient.email = "alice@example.org"
    patient.consent_to_messages = True
    patient.save()
    sync_reminders(peel, NOW)
    bodies = {r.item: r.body for r in Reminder.objects.filter(treatment=peel)}
    peel_items = {item.id for item in base_protocol(PEEL).reminders}
    # The plan's changes go out as "day:N"; every other message is one of the peel's.
    assert {item.split(":")[0] for item in bodies} - {"day"} <= peel_items
    assert "Your window for the next peel opens" in " ".join(bodies.values())


def test_a_peels_exports_follow_its_protocol(
    staff_client: Client, client: Client, peel: Treatment, patient: Patient
) -> None:
    fhir = staff_client.get(reverse("staff:patient_fhir", args=[patient.pk]))
    bundle = json.loads(fhir.content)
    procedures = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure"
    ]
    assert [p["code"]["text"] for p in procedures] == ["Superficial chemical peel"]
    leaflet = staff_client.get(reverse("staff:treatment_leaflet", args=[patient.pk, peel.pk]))
    words = " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(leaflet.content)).pages).split()
    )
    assert "Perfume or fragranced products" in words
    sign_in(client, patient)
    calendar = client.get(reverse("portal:calendar")).content.decode().replace("\r\n ", "")
    # The peel's own horizon (three weeks, for sun and sunbeds), and its words.
    assert f"UID:treatment-{peel.pk}-from-504h@aftercare" in calendar
    assert "SUMMARY:From Fri 27 Nov: perfume or fragranced products" in calendar


def test_a_peel_check_in_is_triaged_by_its_protocol(
    client: Client, peel: Treatment, patient: Patient
) -> None:
    sign_in(client, patient)
    # A symptom only the peel's protocol names: microneedling's would not know it.
    data = {"symptoms": ["dryness_tightness"], "trend": "stable", "free_text": ""}
    response = client.post(reverse("portal:check_in"), data)
    assert response.status_code == 302, response.content
    check_in = CheckIn.objects.get()
    assert check_in.treatment_id == peel.pk
    assert check_in.level == "expected"
    assert "dryness_tightness" in json.dumps(check_in.symptoms)


def test_a_course_counts_sessions_of_the_same_procedure(
    staff_client: Client, peel: Treatment, patient: Patient, practitioner: StaffMember
) -> None:
    for days in (60, 30):
        treat(patient, practitioner, NOW - timedelta(days=days))
    treatments = Treatment.objects.filter(patient=patient)
    assert treatments.count() == 3
    shown = text(staff_client.get(reverse("staff:patient", args=[patient.pk])).content.decode())
    # The peel, the latest, comes first; each course counts only its own sessions.
    peel_course, needling_course = shown.split("Course: ")[1:3]
    assert peel_course.startswith("Superficial chemical peel")
    assert "Sessions 1 of 4;" in peel_course
    assert needling_course.startswith("Medical microneedling")
    assert "Sessions 2 of 3;" in needling_course
