"""Screening a patient from the clinic: the form from the protocol, the result, the record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import AuditEvent, Outcome, Patient, Screening, StaffMember
from aftercare.web.protocol import base_protocol
from tests.web.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

TODAY = NOW.date()


def answers(**changes: str) -> dict[str, str]:
    """Every yes/no question answered "no", everything else left blank."""
    data = {
        question.id: "no" if question.kind == "yes_no" else ""
        for question in base_protocol().screening.questions
    }
    return data | changes


def post(client: Client, patient: Patient, data: dict[str, str]) -> Any:
    return client.post(reverse("staff:screening_new", args=[patient.pk]), data)


def test_the_form_asks_every_question_of_the_protocol(
    staff_client: Client, patient: Patient
) -> None:
    response = staff_client.get(reverse("staff:screening_new", args=[patient.pk]))
    assert response.status_code == 200
    for question in base_protocol().screening.questions:
        assert f'for="id_{question.id}' in response.text
    assert "Are you pregnant?" in response.text
    assert "<legend>Are you pregnant?</legend>" in response.text
    assert 'name="isotretinoin__current"' in response.text
    assert '<option value="iv">IV</option>' in response.text


def test_isotretinoin_30_days_ago_is_not_yet_with_the_earliest_date(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    last_dose = (TODAY - timedelta(days=30)).isoformat()
    response = post(staff_client, patient, answers(isotretinoin=last_dose))
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:screening", args=[patient.pk, screening.pk])
    assert screening.status == "not_yet"
    assert screening.earliest_date == TODAY + timedelta(days=60)
    assert screening.answers["isotretinoin"] == last_dose
    assert screening.answers["pregnant"] is False
    assert screening.screened_by == practitioner
    assert screening.screened_at == NOW
    assert screening.protocol_version == base_protocol().version
    assert screening.result["status"] == "not_yet"
    page = staff_client.get(response["Location"])
    assert "<strong>Not yet</strong>: earliest treatment on Wed 20 Jan 2027" in page.text
    assert "Isotretinoin (Roaccutane) was taken too recently." in page.text
    assert "Thu 22 Oct 2026" in page.text  # the answer, as a day
    assert f"version {base_protocol().version}" in page.text
    assert AuditEvent.objects.filter(action="screening.create", patient=patient).count() == 1
    assert AuditEvent.objects.filter(action="screening.view", patient=patient).count() == 1


def test_a_patient_with_nothing_to_report_is_eligible(
    staff_client: Client, patient: Patient
) -> None:
    response = post(staff_client, patient, answers())
    assert Screening.objects.get().status == "eligible"
    page = staff_client.get(response["Location"])
    assert "<strong>Eligible</strong>" in page.text
    assert "Nothing in the answers stands in the way of treatment." in page.text
    assert reverse("staff:treatment_new", args=[patient.pk]) in page.text


@pytest.mark.parametrize(
    ("changes", "status", "shown"),
    [
        ({"isotretinoin__current": "on"}, "not_suitable", "Isotretinoin (Roaccutane) is being"),
        ({"pregnant": "yes"}, "not_suitable", "Screen again after the pregnancy"),
        ({"anticoagulant": "yes"}, "clinician_review", "Bleeding may be more than usual."),
        ({"cold_sore_history": "yes"}, "eligible", "Cold sores can flare after treatment."),
        ({"active_skin_condition": "Acne"}, "not_suitable", "Another current skin condition"),
        ({"diabetes": "uncontrolled"}, "not_suitable", "Uncontrolled"),
    ],
)
def test_it_screens_by_the_protocols_rules(
    staff_client: Client, patient: Patient, changes: dict[str, str], status: str, shown: str
) -> None:
    response = post(staff_client, patient, answers(**changes))
    assert Screening.objects.get().status == status
    assert shown in staff_client.get(response["Location"]).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"isotretinoin": "2026-02-30"}, "isotretinoin", "Enter a valid date."),
        ({"radiation": "2026-11-22"}, "radiation", "This date is in the future."),
        (
            {"isotretinoin": "2026-10-01", "isotretinoin__current": "on"},
            "isotretinoin",
            "not both",
        ),
        ({"pregnant": ""}, "pregnant", "This field is required."),
        ({"pregnant": "maybe"}, "pregnant", "Select a valid choice."),
        ({"fitzpatrick": "vii"}, "fitzpatrick", "Select a valid choice."),
        ({"active_skin_condition": "ac\u202ene"}, "active_skin_condition", "invisible"),
        ({"active_skin_condition": "x" * 10_000}, "active_skin_condition", "at most 500"),
    ],
)
def test_it_refuses_bad_answers_and_keeps_the_others(
    staff_client: Client, patient: Patient, changes: dict[str, str], field: str, message: str
) -> None:
    data = answers(breastfeeding="yes", radiation="2026-01-05") | changes
    response = post(staff_client, patient, data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Screening.objects.exists()
    assert 'value="yes" required id="id_breastfeeding_0" checked' in response.text.replace(
        "\n", " "
    )
    if field != "radiation":
        assert 'value="2026-01-05"' in response.text


def test_a_screening_of_another_patient_is_not_found(
    staff_client: Client, patient: Patient, other_patient: Patient
) -> None:
    post(staff_client, other_patient, answers())
    screening = Screening.objects.get()
    url = reverse("staff:screening", args=[patient.pk, screening.pk])
    response = staff_client.get(url)
    assert response.status_code == 404
    assert "Bob" not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_clinics_patient_cannot_be_screened(
    client: Client, patient: Patient, outsider: StaffMember, method: str
) -> None:
    client.force_login(outsider.user)
    url = reverse("staff:screening_new", args=[patient.pk])
    response = getattr(client, method)(url, answers())
    assert response.status_code == 404
    assert "Alice" not in response.text
    assert not Screening.objects.exists()
    denied = AuditEvent.objects.get(outcome=Outcome.DENIED)
    assert (denied.action, denied.object_id) == ("screening.create", str(patient.pk))


def test_another_clinics_screening_is_not_found(
    client: Client, staff_client: Client, patient: Patient, outsider: StaffMember
) -> None:
    response = post(staff_client, patient, answers())
    client.force_login(outsider.user)
    denied = client.get(response["Location"])
    assert denied.status_code == 404
    assert "Alice" not in denied.text
    assert AuditEvent.objects.filter(action="screening.view", outcome=Outcome.DENIED).count() == 1
