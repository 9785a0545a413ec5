"""The clinic's patient pages: list and search, the form, and one patient's record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.engine.screening import screen
from aftercare.web.clinic.models import (
    AuditEvent,
    CheckIn,
    Clinic,
    Outcome,
    Patient,
    Screening,
    StaffMember,
    Treatment,
)
from aftercare.web.frozen import frozen
from aftercare.web.protocol import base_protocol
from tests.screening_answers import answered
from tests.web.conftest import CHAIN_QUERIES, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def treat(patient: Patient, staff: StaffMember, days_ago: float, **fields: Any) -> Treatment:
    protocol = base_protocol()
    values: dict[str, Any] = {
        "treated_at": NOW - timedelta(days=days_ago),
        "time_zone": "Europe/London",
        "areas": ["face"],
        "factors": {"needle_depth_mm": 1.0},
        "device": "Pen A",
        "protocol_id": protocol.effective_id,
        "protocol_version": protocol.version,
        "created_by": staff,
    }
    return Treatment.objects.create(patient=patient, **(values | fields))


def screening_of(patient: Patient, staff: StaffMember, answers: dict[str, Any]) -> Screening:
    protocol = base_protocol()
    answers = answered(**answers)  # every other question asked, nothing found
    result = screen(protocol, answers, NOW.date())
    return Screening.objects.create(
        patient=patient,
        answers=frozen(answers),
        status=result.status.value,
        earliest_date=result.earliest_date,
        result=frozen(result),
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        screened_by=staff,
        screened_at=NOW,
    )


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "given_name": "Carol",
        "family_name": "Jones",
        "date_of_birth": "1985-04-12",
        "email": "carol@example.com",
        "mobile": "07700 900123",
        "preferred_channel": "email",
        "consent_to_messages": "on",
    }
    return data | changes


# --- list --------------------------------------------------------------------------


def test_it_lists_the_clinics_patients_only(
    staff_client: Client, patient: Patient, outsider: StaffMember
) -> None:
    Patient.objects.create(clinic=outsider.clinic, given_name="Zed", family_name="Elsewhere")
    response = staff_client.get(reverse("staff:patients"))
    assert response.status_code == 200
    assert "Patient, Alice" in response.text
    assert "Elsewhere" not in response.text
    assert AuditEvent.objects.filter(action="patient.list", patient=None).count() == 1


def test_it_shows_the_latest_treatment_in_the_clinics_zone(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, 10)
    treat(patient, practitioner, 2)
    treat(patient, practitioner, 1, cancelled_at=NOW)
    response = staff_client.get(reverse("staff:patients"))
    assert "Thu 19 Nov, 14:30" in response.text  # NOW is 14:30 UTC, GMT in November
    assert "Wed 11 Nov" not in response.text
    assert "Fri 20 Nov" not in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("alice", True),
        ("ALICE PAT", True),
        ("pat alice", True),
        ("alice other", False),
        ("alice@example", True),
        ("07700 900 555", True),
        ("900555", True),
        ("bob", False),
        ("ali\u200bce", True),
        ("\x00", True),
    ],
)
def test_it_searches_by_name_email_or_mobile(
    staff_client: Client, patient: Patient, query: str, found: bool
) -> None:
    patient.email = "alice@example.com"
    patient.mobile = "+447700900555"
    patient.save()
    response = staff_client.get(reverse("staff:patients"), {"q": query})
    assert response.status_code == 200
    assert ("Patient, Alice" in response.text) is found


def test_it_pages_fifty_patients_at_a_time_in_bounded_queries(
    staff_client: Client,
    clinic: Any,
    practitioner: StaffMember,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(60):
        person = Patient.objects.create(
            clinic=clinic, given_name=f"Given{number:02d}", family_name=f"Family{number:02d}"
        )
        if number < 30:
            treat(person, practitioner, number % 7 + 1)
            treat(person, practitioner, 40)
    with django_assert_max_num_queries(8 + CHAIN_QUERIES):
        first = staff_client.get(reverse("staff:patients"))
    assert first.text.count('<th scope="row">') == 50
    assert "Page 1 of 2" in first.text
    with django_assert_max_num_queries(8 + CHAIN_QUERIES):
        second = staff_client.get(reverse("staff:patients"), {"page": "2"})
    assert second.text.count('<th scope="row">') == 10
    assert "Family59" in second.text
    assert staff_client.get(reverse("staff:patients"), {"page": "abc"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zoe", True),
        ("ZOË", True),
        ("o'bri", True),
        ("brien", False),
        ("+447700900555", True),
        ("0555", True),
        ("7700", False),
    ],
)
def test_it_matches_the_start_of_a_name_whatever_the_accents_and_the_end_of_a_mobile(
    staff_client: Client, clinic: Clinic, query: str, found: bool
) -> None:
    Patient.objects.create(
        clinic=clinic, given_name="Zoë", family_name="O'Brien", mobile="+447700900555"
    )
    response = staff_client.get(reverse("staff:patients"), {"q": query})
    assert ("O&#x27;Brien, Zoë" in response.text) is found


def test_it_reads_each_page_in_order_from_either_end(staff_client: Client, clinic: Clinic) -> None:
    Patient.objects.bulk_create(
        Patient(clinic=clinic, given_name="Given", family_name=f"Family{n:03d}") for n in range(120)
    )
    Clinic.objects.filter(pk=clinic.pk).update(patient_count=120)
    pages = [staff_client.get(reverse("staff:patients"), {"page": str(n)}).text for n in (1, 2, 3)]
    for number, page in enumerate(pages):
        shown = [f"Family{n:03d}" for n in range(number * 50, min(120, number * 50 + 50))]
        assert [name for name in shown if name in page] == shown
        positions = [page.index(name) for name in shown]
        assert positions == sorted(positions)
        assert f"120 patients, page {number + 1} of 3" in page


def test_it_keeps_the_clinics_count_of_patients(
    staff_client: Client, clinic: Clinic, patient: Patient
) -> None:
    staff_client.post(reverse("staff:patient_new"), form_data())
    extra = Patient.objects.create(clinic=clinic, given_name="Extra", family_name="Person")
    extra.delete()
    clinic.refresh_from_db()
    assert clinic.patient_count == Patient.objects.filter(clinic=clinic).count() == 2
    assert "2 patients" in staff_client.get(reverse("staff:patients")).text


# --- new and edit ------------------------------------------------------------------


def test_it_creates_a_patient(staff_client: Client, clinic: Any) -> None:
    response = staff_client.post(reverse("staff:patient_new"), form_data())
    patient = Patient.objects.get(family_name="Jones")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:patient", args=[patient.pk])
    assert patient.clinic == clinic
    assert patient.mobile == "+447700900123"
    assert patient.date_of_birth == date(1985, 4, 12)
    assert AuditEvent.objects.filter(action="patient.create", patient=patient).count() == 1
    page = staff_client.get(response["Location"])
    assert "Carol Jones has been added." in page.text
    assert "<dt>Mobile</dt><dd>07700 900123</dd>" in page.text
    edit = staff_client.get(reverse("staff:patient_edit", args=[patient.pk]))
    assert 'value="07700 900123"' in edit.text


def test_it_accepts_an_emoji_in_a_name_intact(staff_client: Client) -> None:
    staff_client.post(reverse("staff:patient_new"), form_data(given_name="Carol 🌸"))
    assert Patient.objects.get(family_name="Jones").given_name == "Carol 🌸"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": "2026-02-30"}, "date_of_birth", "Enter a valid date."),
        ({"date_of_birth": "2026-11-22"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth", "cannot be before 1900"),
        ({"given_name": "A" * 10_000}, "given_name", "at most 100 characters"),
        ({"given_name": ""}, "given_name", "This field is required."),
        ({"family_name": "Jo\u202ees"}, "family_name", "right-to-left override"),
        ({"given_name": "Ca\u200brol"}, "given_name", "zero width space"),
        ({"mobile": "07700 90O123"}, "mobile", "such as 07700 900123"),
        ({"mobile": "123"}, "mobile", "such as 07700 900123"),
        ({"mobile": "+1234567890123456"}, "mobile", "such as 07700 900123"),
        ({"email": "not an email"}, "email", "Enter a valid email address."),
        ({"email": "", "preferred_channel": "email"}, "email", "Give an email address"),
        ({"mobile": "", "preferred_channel": "sms"}, "mobile", "Give a mobile number"),
        ({"consent_to_messages": ""}, "consent_to_messages", "not sent without"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(
    staff_client: Client, changes: dict[str, str], field: str, message: str
) -> None:
    data = form_data(**changes)
    if not data["consent_to_messages"]:
        del data["consent_to_messages"]
    response = staff_client.post(reverse("staff:patient_new"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Patient.objects.filter(family_name__startswith="Jo").exists()
    for name in ("given_name", "family_name", "email", "mobile", "date_of_birth"):
        assert f'value="{data[name]}"' in response.text or not data[name]


def test_it_allows_no_messages_without_consent(staff_client: Client) -> None:
    data = form_data(preferred_channel="none", email="", mobile="")
    del data["consent_to_messages"]
    assert staff_client.post(reverse("staff:patient_new"), data).status_code == 302


def test_it_edits_a_patient(staff_client: Client, patient: Patient) -> None:
    url = reverse("staff:patient_edit", args=[patient.pk])
    form = staff_client.get(url)
    assert 'value="Alice"' in form.text
    response = staff_client.post(url, form_data(given_name="Alicia", family_name="Patient"))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.given_name == "Alicia"
    assert AuditEvent.objects.filter(action="patient.update", patient=patient).count() == 1


def test_an_edit_with_errors_changes_nothing(staff_client: Client, patient: Patient) -> None:
    url = reverse("staff:patient_edit", args=[patient.pk])
    response = staff_client.post(url, form_data(given_name="Zoë", date_of_birth="2026-02-30"))
    assert response.status_code == 200
    assert 'value="Zoë"' in response.text
    assert "<h1>Edit Alice Patient</h1>" in response.text
    patient.refresh_from_db()
    assert patient.given_name == "Alice"


# --- detail ------------------------------------------------------------------------


def test_it_shows_the_whole_record(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    practitioner.user.first_name, practitioner.user.last_name = "Pat", "Smith"
    practitioner.user.save()
    screening_of(patient, practitioner, {"isotretinoin": NOW.date() - timedelta(days=30)})
    screening_of(patient, practitioner, {"pregnant": False})
    treat(patient, practitioner, 40, device="Old pen")
    current = treat(patient, practitioner, 3, override_reason="Discussed with the GP today.")
    CheckIn.objects.create(
        treatment=current, level="contact_clinic_now", hours_after=50, created_at=NOW
    )
    response = staff_client.get(reverse("staff:patient", args=[patient.pk]))
    text = response.text
    assert response.status_code == 200
    assert "<h1>Alice Patient</h1>" in text
    assert "Not yet" in text and "Isotretinoin (Roaccutane) was taken too recently." in text
    assert "Fri 22 Jan 2027" in text  # 30 days ago + 90
    assert "Pat Smith" in text
    assert "Wed 18 Nov, 14:30" in text and "Old pen" in text
    assert "Discussed with the GP today." in text
    assert "<strong>Day 3</strong>" in text
    assert "level level-contact_clinic_now" in text
    assert reverse("staff:check_in", args=[CheckIn.objects.get().pk]) in text
    assert "Not reviewed" in text
    assert "2 of 3" in text
    assert "Wed 16 Dec 2026 to Wed 30 Dec 2026" in text  # 28 to 42 days after 18 Nov
    for name in ("patient_edit", "screening_new", "treatment_new", "patient_link"):
        assert reverse(f"staff:{name}", args=[patient.pk]) in text
    assert AuditEvent.objects.filter(action="patient.view", patient=patient).count() == 1


def test_the_record_takes_the_same_queries_however_long_it_is(
    staff_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    colleague: StaffMember,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(15):
        screening_of(patient, colleague if number % 2 else practitioner, {"pregnant": False})
        treatment = treat(patient, practitioner, number * 30 + 1)
        CheckIn.objects.create(
            treatment=treatment, level="expected", hours_after=5, reviewed_by=colleague
        )
    # One more for the consent history, one for the clinic's procedures, and one for the
    # lengths planned for the patient's courses.
    with django_assert_max_num_queries(10 + CHAIN_QUERIES + 3):
        response = staff_client.get(reverse("staff:patient", args=[patient.pk]))
    assert response.text.count("level level-expected") == 15


def test_a_patient_with_nothing_yet_has_a_plain_record(
    staff_client: Client, patient: Patient
) -> None:
    response = staff_client.get(reverse("staff:patient", args=[patient.pk]))
    assert "Not screened yet." in response.text
    assert "No treatments yet." in response.text
    assert "Aftercare now" not in response.text


@pytest.mark.parametrize("name", ["patient", "patient_edit"])
def test_another_clinics_patient_is_not_found(
    client: Client, patient: Patient, outsider: StaffMember, name: str
) -> None:
    client.force_login(outsider.user)
    for method in (client.get, client.post):
        response = method(reverse(f"staff:{name}", args=[patient.pk]), form_data())
        assert response.status_code == 404
        assert "Alice" not in response.text
    patient.refresh_from_db()
    assert patient.given_name == "Alice"
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, object_id=str(patient.pk))
    assert denied.count() == 2
    assert all(event.patient_id is None for event in denied)


def test_it_sends_people_who_are_not_signed_in_to_the_login(
    client: Client, patient: Patient
) -> None:
    response = client.get(reverse("staff:patient", args=[patient.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
